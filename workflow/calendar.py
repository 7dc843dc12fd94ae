"""Time limits and the business calendar: time that means what the SOP means.

SOPs state limits in two kinds of time ("N minggu" is 7N days of clock time; "N minggu kerja" is 5N
"hari kerja", a five-day office week):
- clock time ("15 menit", "1 jam", "3 hari"): plain elapsed time, weekends and holidays included. It is added
  to the absolute (UTC) instant, so a DST change in the calendar's zone never stretches or shrinks it;
- working time ("4 jam kerja", "2 hari kerja"): only the office's working hours count; weekends, public
  holidays (the ``holidays`` package) and the agency's extra dates (cuti bersama, local holidays) do not.

"N jam kerja" / "N menit kerja" is N hours/minutes of working time. "N hari kerja" is counted in whole days:
the step is due at the CLOSE of the N-th working day after the day of receipt. The day of receipt is the
working day on which the clock starts; a report arriving outside working hours (evening, weekend, holiday)
counts as received at the next opening, as an agenda clerk stamps after-hours mail with the next working day.
So a report arriving Friday 15:00 with "1 hari kerja" is due Monday at closing (Tuesday if Monday is a
holiday); one arriving Saturday is received Monday and due Tuesday at closing. Why close of day rather than
the same time of day: it is how officials and citizens state a deadline ("paling lambat Senin"), it always
gives the official at least N full working days (at most N plus the rest of the day of receipt) whatever
the minute of arrival, and it never falls outside office hours. "0 hari kerja" is the close of the day of
receipt. The budget of a "hari kerja" limit, for shares and reminders, is the working time between the start
and that deadline, so ``point_at_share(start, limit, 1.0) == deadline(start, limit)``.

Contract (used by the workflow engine): ``TimeLimit.parse``, ``str(limit)``, ``limit.working``,
``BusinessCalendar(tz)``, ``cal.deadline(start, limit)``, ``cal.elapsed(start, end, working=...)``.
All datetimes must be timezone-aware (naive ones raise ``CalendarError``); results are in the calendar's zone.
Working periods are half-open ``[open, close)``: ``is_working_time`` is false at closing time, yet a working
deadline may fall exactly at a closing time (the end of the last working minute), never at an opening.
Cost: every computation walks days, not minutes (a day's periods are computed once and cached).
"""

from __future__ import annotations

import math
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cakra.workflow.calendar_settings import CalendarSettings, full_week, read_hours
from cakra.workflow.holidays_id import CalendarError, DaySchedule, HolidayTable

__all__ = ["BusinessCalendar", "CalendarError", "LimitError", "TimeLimit"]

Unit = Literal["minutes", "hours", "days", "weeks"]

_UNITS: dict[str, Unit] = {
    "m": "minutes",
    "min": "minutes",
    "menit": "minutes",
    "h": "hours",
    "j": "hours",
    "jam": "hours",
    "d": "days",
    "hari": "days",
    "hk": "days",  # "3 HK" is the usual abbreviation of "3 hari kerja"
    "minggu": "weeks",  # "1 minggu" = 7 days of clock time; "1 minggu kerja" = 5 hari kerja
    "w": "weeks",
}
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*(kerja|kalender)?\s*$")
_TITLES = {"minutes": "menit", "hours": "jam", "days": "hari", "weeks": "minggu"}
# Working days in a working week: "N minggu kerja" is counted as 5N "hari kerja" (a five-day office week;
# an agency with a six-day week writes its limit in hari kerja instead).
WORKING_DAYS_PER_WEEK = 5
_NO_LIMIT = ("", "none", "tidak ada", "-")

# Ten years without one working day can only be a configuration mistake (e.g. every date a holiday).
_MAX_IDLE_DAYS = 3660

Period = tuple[datetime, datetime]


class LimitError(ValueError):
    """An SOP time limit that cannot be read."""


@dataclass(frozen=True)
class TimeLimit:
    """An SOP time limit: ``amount`` ``unit``s of clock time, or of working time when ``working``."""

    amount: int
    unit: Unit
    working: bool = False

    def __post_init__(self) -> None:
        # Checked here, not only in parse(): SOP loaders and tests also build limits directly.
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise LimitError(f"time limit amount must be a whole number >= 0, not {self.amount!r}")
        if self.unit not in _TITLES:
            raise LimitError(f"time limit unit must be one of {', '.join(_TITLES)}, not {self.unit!r}")

    @classmethod
    def parse(cls, text: str | None) -> TimeLimit | None:
        """Read an SOP limit; ``None``, ``""``, ``"-"``, ``"tidak ada"`` -> ``None`` (no limit).

        ``"15m"``, ``"30 menit"``, ``"1h"``, ``"1 jam"``, ``"3 hari"`` / ``"3 hari kalender"`` are clock time;
        ``"4 jam kerja"``, ``"30 menit kerja"``, ``"2 hari kerja"`` / ``"2 HK"`` are working time.
        Raises ``LimitError`` for anything else. ``TimeLimit.parse(str(limit)) == limit``.
        """
        if text is None or str(text).strip().lower() in _NO_LIMIT:
            return None
        match = _LIMIT_RE.match(str(text).lower())
        if not match or match.group(2) not in _UNITS or (match.group(2) == "hk" and match.group(3)):
            raise LimitError(
                f"time limit {text!r} is not understood; write e.g. '15m', '1h', '3 hari', '1 minggu' or '2 hari kerja'"
            )
        working = match.group(3) == "kerja" or match.group(2) == "hk"
        return cls(int(match.group(1)), _UNITS[match.group(2)], working=working)

    @property
    def in_days(self) -> bool:
        """Counted in whole days ("hari", "minggu"): "N hari/minggu kerja" ends at a day's close."""
        return self.unit in ("days", "weeks")

    @property
    def days(self) -> int:
        """The limit in days: 7 per "minggu" of clock time, ``WORKING_DAYS_PER_WEEK`` per "minggu kerja"."""
        if self.unit == "weeks":
            return self.amount * (WORKING_DAYS_PER_WEEK if self.working else 7)
        return self.amount

    def as_timedelta(self) -> timedelta:
        """The nominal length (N days for "N hari kerja" too; use ``BusinessCalendar.deadline`` for that)."""
        return timedelta(**{self.unit: self.amount})

    def __str__(self) -> str:
        return f"{self.amount} {_TITLES[self.unit]}" + (" kerja" if self.working else "")


class BusinessCalendar:
    """An office's working time in one timezone: weekly hours, public holidays, extra closed dates.

    ``working_hours`` maps days (``"senin"``/``"monday"``/0 .. ``"minggu"``/``"sunday"``/6) to opening hours
    (``"07:30-16:00"``, ``"07:30-11:30, 13:00-16:30"``, a list of such strings, or ``""`` for closed). Days
    not mentioned keep the Indonesian government default (Senin–Kamis 07.30–16.00, Jumat 07.30–16.30,
    Sabtu/Minggu libur), so a table only states its differences. Hours are local wall-clock time.
    ``holidays`` (a container of dates, e.g. a ``holidays.HolidayBase``) replaces the country's public
    holidays; ``country=None`` drops them; ``extra_holidays`` (dates, ``"YYYY-MM-DD"`` or
    ``"YYYY-MM-DD..YYYY-MM-DD"``) are always closed. ``holiday_categories`` go to the ``holidays`` package
    (for Indonesia, ``"government"`` adds the cuti bersama days). ``parsed_hours`` (weekday -> schedule,
    as ``CalendarSettings`` holds them) stands in for ``working_hours`` when the table was read already.
    """

    def __init__(
        self,
        tz: tzinfo | str,
        working_hours: Mapping[int | str, str | Iterable[str]] | None = None,
        holidays: Container[date] | None = None,
        extra_holidays: Iterable[date | str] = (),
        country: str | None = "ID",
        *,
        holiday_categories: Iterable[str] = ("public",),
        parsed_hours: Mapping[int, DaySchedule] | None = None,
    ) -> None:
        try:
            self.tz: tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(
                f"unknown timezone {tz!r}; use e.g. 'Asia/Jakarta' (WIB), 'Asia/Makassar' (WITA), 'Asia/Jayapura' (WIT)"
            ) from None
        hours = parsed_hours if parsed_hours is not None else read_hours(working_hours or {})
        self.week: tuple[DaySchedule, ...] = full_week(hours)
        self.holidays = HolidayTable(
            country, extra=extra_holidays, fixed=holidays, categories=holiday_categories
        )
        self._periods_cache: dict[date, tuple[Period, ...]] = {}
        self._month_counts: dict[tuple[int, int], int] = {}

    @classmethod
    def from_config(cls, config: Mapping[str, Any], tz: tzinfo | str) -> BusinessCalendar:
        """Build from a ``[calendar]`` table (keys and defaults: ``workflow/calendar_settings.py``).
        Unknown keys and malformed values raise ``CalendarError`` saying what to fix.
        """
        return cls.from_settings(CalendarSettings.parse(config), tz)

    @classmethod
    def from_settings(cls, settings: CalendarSettings, tz: tzinfo | str) -> BusinessCalendar:
        """Build from ``[calendar]`` settings already read (and layered: ``CalendarSettings.over``)."""
        return cls(
            tz,
            parsed_hours=settings.working_hours,
            extra_holidays=settings.extra_holidays,
            country=settings.holiday_country,
            holiday_categories=settings.holiday_categories,
        )

    # -- days -------------------------------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        """True if ``day`` is a public holiday or an extra closed date (whatever its weekday)."""
        return day in self.holidays

    def working_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The ``[open, close)`` working periods of a local date, in the calendar's zone; [] if closed."""
        return [(start.astimezone(self.tz), end.astimezone(self.tz)) for start, end in self._periods(day)]

    def is_working_day(self, day: date) -> bool:
        """True if the office is open at some time on local date ``day``."""
        return bool(self._periods(day))

    def working_days_after(self, first: date, last: date) -> int:
        """How many working days ``d`` have ``first < d <= last`` (0 when ``last <= first``).

        Whole months are counted once and cached, so a case left open for a year costs twelve lookups.
        """
        count, day = 0, first + timedelta(days=1)
        while day <= last:
            month_end = date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)
            if day.day == 1 and month_end <= last:
                key = (day.year, day.month)
                if key not in self._month_counts:
                    self._month_counts[key] = sum(
                        self.is_working_day(day + timedelta(days=n)) for n in range(month_end.day)
                    )
                count += self._month_counts[key]
                day = month_end + timedelta(days=1)
            else:
                count += self.is_working_day(day)
                day += timedelta(days=1)
        return count

    # -- instants ---------------------------------------------------------------------------------------

    def is_working_time(self, dt: datetime) -> bool:
        """True if ``dt`` lies in a working period (an opening minute counts, the closing instant does not)."""
        moment = self._utc(dt)
        return any(start <= moment < end for start, end in self._periods(self._local_date(moment)))

    def next_working_moment(self, dt: datetime) -> datetime:
        """``dt`` itself if it is working time, else the next opening (in the calendar's zone)."""
        return self._next_working(self._utc(dt))[1].astimezone(self.tz)

    def add(self, start: datetime, duration: timedelta, working: bool) -> datetime:
        """``start`` plus ``duration`` of clock time, or of working time when ``working``.

        Working: the earliest instant by which ``duration`` of working time has passed since ``start``; it
        lies in ``(open, close]`` of a working period (a closing time, never the next opening), and for a zero
        duration it is ``next_working_moment(start)``. ``elapsed(start, add(start, d, True), working=True) == d``.
        Negative working durations raise ``ValueError``; clock durations may be negative.
        """
        moment = self._utc(start)
        if not working:
            return (moment + duration).astimezone(self.tz)
        if duration < timedelta(0):
            raise ValueError(f"working time cannot be negative ({duration}); subtract clock time instead")
        if not duration:
            return self.next_working_moment(start)
        left = duration
        for _, periods in self._open_days(self._local_date(moment)):
            for opens, closes in periods:
                if closes <= moment:
                    continue
                opens = max(opens, moment)
                if left <= closes - opens:
                    return (opens + left).astimezone(self.tz)
                left -= closes - opens
        raise AssertionError("unreachable: _open_days never ends")  # pragma: no cover

    def elapsed(self, start: datetime, end: datetime, *, working: bool = False) -> timedelta:
        """Clock time (default) or working time from ``start`` to ``end``; negative if ``end`` is earlier.

        Additive: ``elapsed(a, b) + elapsed(b, c) == elapsed(a, c)``. Clock time is absolute (UTC).
        """
        first, last = self._utc(start), self._utc(end)
        if last < first:
            return -self.elapsed(end, start, working=working)
        if not working:
            return last - first
        total = timedelta(0)
        day, final_day = self._local_date(first), self._local_date(last)
        while day <= final_day:
            for opens, closes in self._periods(day):
                overlap = min(closes, last) - max(opens, first)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total

    # -- limits -----------------------------------------------------------------------------------------

    def deadline(self, start: datetime, limit: TimeLimit | None) -> datetime | None:
        """When a step entered at ``start`` with ``limit`` is due (``None`` for no limit).

        Clock limits: ``start`` + the limit in absolute time. "N jam/menit kerja": ``add(start, N, True)``.
        "N hari kerja": the close of the N-th working day after the day of receipt (see the module docstring).
        """
        if limit is None:
            return None
        if not limit.working or not limit.in_days:
            return self.add(start, limit.as_timedelta(), working=limit.working)
        receipt_day, _ = self._next_working(self._utc(start))
        days = self._open_days(receipt_day)  # yields the day of receipt first: it is a working day
        for _ in range(limit.days + 1):
            _, periods = next(days)
        return periods[-1][1].astimezone(self.tz)

    def budget(self, start: datetime, limit: TimeLimit) -> timedelta:
        """The amount of the limit's own kind of time between ``start`` and its deadline."""
        if not limit.working or not limit.in_days:
            return limit.as_timedelta()
        deadline = self.deadline(start, limit)
        assert deadline is not None
        return self.elapsed(start, deadline, working=True)

    def point_at_share(self, start: datetime, limit: TimeLimit, share: float) -> datetime:
        """The moment ``share`` (0.8 = 80 %) of the limit has passed, counted in the limit's kind of time.

        ``share`` 1.0 gives the deadline; shares above 1 extrapolate past it (escalation after 150 %).
        Working limits never give a moment outside working hours (see ``add``).
        """
        if not math.isfinite(share) or share < 0:
            raise ValueError(f"share must be a finite number >= 0 (0.8 for 80 %), not {share!r}")
        if share == 1:  # exact, no float rounding of the budget
            deadline = self.deadline(start, limit)
            assert deadline is not None
            return deadline
        return self.add(start, self.budget(start, limit) * share, working=limit.working)

    def share_elapsed(self, start: datetime, now: datetime, limit: TimeLimit) -> float:
        """How much of the limit has been used at ``now`` (0.0 at the start, 1.0 at the deadline, >1 when late).

        Inverse of ``point_at_share`` (up to microsecond rounding). A zero budget ("0 jam") counts as fully used.
        """
        budget = self.budget(start, limit)
        used = self.elapsed(start, now, working=limit.working)
        return used / budget if budget else 1.0

    # -- internals --------------------------------------------------------------------------------------

    def _utc(self, dt: datetime) -> datetime:
        if not isinstance(dt, datetime) or dt.tzinfo is None or dt.utcoffset() is None:
            raise CalendarError(
                f"{dt!r} has no timezone; pass an aware datetime, e.g. tzinfo=ZoneInfo('Asia/Jakarta')"
            )
        return dt.astimezone(UTC)

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def _periods(self, day: date) -> tuple[Period, ...]:
        """Working periods of a local date as UTC instants, cached; () on closed days and holidays."""
        cached = self._periods_cache.get(day)
        if cached is None:
            if day in self.holidays:
                cached = ()
            else:
                midnight = datetime(day.year, day.month, day.day)
                # Wall time -> UTC through the zone, so DST days get their real lengths; an interval that a
                # DST gap swallows entirely is dropped rather than turned into a negative period.
                spans = (
                    tuple(
                        (midnight + timedelta(minutes=m)).replace(tzinfo=self.tz).astimezone(UTC)
                        for m in interval
                    )
                    for interval in self.week[day.weekday()]
                )
                cached = tuple((opens, closes) for opens, closes in spans if closes > opens)
            if len(self._periods_cache) > 100_000:  # bound memory in a long-running service
                self._periods_cache.clear()
            self._periods_cache[day] = cached
        return cached

    def _open_days(self, day: date) -> Iterator[tuple[date, tuple[Period, ...]]]:
        """Working days from ``day`` (inclusive) onwards with their periods; endless unless misconfigured."""
        idle = 0
        while True:
            periods = self._periods(day)
            if periods:
                idle = 0
                yield day, periods
            else:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise CalendarError(
                        f"no working day in the {_MAX_IDLE_DAYS} days before {day}; "
                        "check working_hours and extra_holidays"
                    )
            day += timedelta(days=1)

    def _next_working(self, moment: datetime) -> tuple[date, datetime]:
        """(local date of the working period, instant) of ``moment`` or the next opening after it."""
        for day, periods in self._open_days(self._local_date(moment)):
            for opens, closes in periods:
                if moment < closes:
                    return day, max(opens, moment)
        raise AssertionError("unreachable: _open_days never ends")  # pragma: no cover
