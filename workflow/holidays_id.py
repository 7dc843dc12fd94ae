"""Which days and hours are working time in an Indonesian office, and how a config table spells them.

This is the vocabulary half of the business calendar (``workflow/calendar.py`` does the arithmetic):
- day names (Indonesian ``senin`` .. ``minggu`` and English ``monday`` .. ``sunday``, or 0..6 = Monday..Sunday),
- opening hours written ``"07:30-16:00"`` or ``"07.30–16.00"`` (Indonesian dot notation), several intervals
  per day separated by commas (``"07:30-11:30, 13:00-16:30"``: Friday prayer break), ``""``/``"libur"`` = closed,
- holiday dates ``"2026-03-20"`` and inclusive ranges ``"2026-03-18..2026-03-24"`` (cuti bersama),
- ``HolidayTable``: public holidays from the ``holidays`` package, computed lazily per year and cached,
  plus the agency's extra dates.
Every malformed value raises ``CalendarError`` whose one-line message says what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from datetime import date

import holidays as holidays_lib

# (start, end) minutes after local midnight; end may be 1440 ("24:00") so a day can be open to midnight.
Interval = tuple[int, int]
DaySchedule = tuple[Interval, ...]

DAY_NAMES: dict[str, int] = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5, "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip

# Jam kerja instansi pemerintah (5 hari kerja): Senin–Kamis 07.30–16.00, Jumat 07.30–16.30, Sabtu/Minggu libur.
DEFAULT_WORKING_HOURS: dict[int, str] = {
    0: "07:30-16:00",
    1: "07:30-16:00",
    2: "07:30-16:00",
    3: "07:30-16:00",
    4: "07:30-16:30",
    5: "",
    6: "",
}

_CLOSED = {"", "libur", "tutup", "off", "closed"}
_TIME = r"(\d{1,2})[:.](\d{2})"
_INTERVAL_RE = re.compile(rf"^\s*{_TIME}\s*[-–—]\s*{_TIME}\s*$")
_RANGE_SEP = ".."


class CalendarError(ValueError):
    """A calendar setting (working hours, holiday, config key) that cannot be used as written."""


def parse_day(key: int | str) -> int:
    """Weekday number (Monday = 0, as ``date.weekday()``) for an int 0..6 or a day name in either language."""
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 6:
        return key
    if isinstance(key, str) and key.strip().lower() in DAY_NAMES:
        return DAY_NAMES[key.strip().lower()]
    raise CalendarError(
        f"unknown day {key!r} in working_hours; use senin selasa rabu kamis jumat sabtu minggu "
        "(or monday..sunday, or 0..6 with 0 = Monday)"
    )


def _minutes(hours: str, minutes: str, text: str) -> int:
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > 24 * 60:
        raise CalendarError(f"time in {text!r} is not a clock time; write hours 00-24 and minutes 00-59")
    return value


def parse_hours(value: str | Iterable[str], day: str = "") -> DaySchedule:
    """Opening intervals of one day, sorted; ``""``/``"libur"``/``[]`` -> closed.

    Intervals are half-open ``[start, end)`` in local wall time, must not be empty, overlap or cross midnight
    (``"24:00"`` as the end keeps a day open up to midnight). Touching intervals are allowed.
    """
    where = f" for {day}" if day else ""
    if isinstance(value, str):
        parts = [] if value.strip().lower() in _CLOSED else value.split(",")
    elif isinstance(value, Iterable):
        parts = [p for p in value if not (isinstance(p, str) and p.strip().lower() in _CLOSED)]
    else:
        raise CalendarError(f"working hours{where} must be text like '07:30-16:00', not {value!r}")
    result: list[Interval] = []
    for part in parts:
        match = _INTERVAL_RE.match(part) if isinstance(part, str) else None
        if not match:
            raise CalendarError(
                f"working hours {part!r}{where} are not understood; write e.g. '07:30-16:00' "
                "or '07:30-11:30, 13:00-16:30', or '' for a closed day"
            )
        start = _minutes(match.group(1), match.group(2), part)
        end = _minutes(match.group(3), match.group(4), part)
        if start >= end:
            raise CalendarError(
                f"working hours {part.strip()!r}{where} end before they start; intervals cannot cross "
                "midnight, so split them, e.g. '22:00-24:00' today and '00:00-06:00' the next day"
            )
        result.append((start, end))
    result.sort()
    for (_, end_a), (start_b, _) in zip(result, result[1:], strict=False):
        if start_b < end_a:
            raise CalendarError(
                f"working hours{where} overlap; list each period once, e.g. '07:30-11:30, 13:00-16:30'"
            )
    return tuple(result)


def parse_dates(items: Iterable[date | str]) -> frozenset[date]:
    """Dates from ``date`` objects, ``"YYYY-MM-DD"`` or inclusive ranges ``"YYYY-MM-DD..YYYY-MM-DD"``."""
    if isinstance(items, str | date):
        raise CalendarError(f"extra_holidays must be a list of dates, e.g. ['{items}'], not a single value")
    result: set[date] = set()
    for item in items:
        if isinstance(item, date):
            result.add(item)
            continue
        if not isinstance(item, str):
            raise CalendarError(f"holiday {item!r} is not a date; write it as 'YYYY-MM-DD'")
        try:
            first_text, _, last_text = item.strip().partition(_RANGE_SEP)
            first = date.fromisoformat(first_text.strip())
            last = date.fromisoformat(last_text.strip()) if last_text else first
        except ValueError:
            raise CalendarError(
                f"holiday {item!r} is not understood; write 'YYYY-MM-DD' or a range 'YYYY-MM-DD..YYYY-MM-DD'"
            ) from None
        if last < first:
            raise CalendarError(f"holiday range {item!r} ends before it starts; write the earlier date first")
        result.update(date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1))
    return frozenset(result)


class HolidayTable:
    """Non-working dates: a country's public holidays (lazily, one year at a time) plus extra dates.

    ``country=None`` switches the package off; ``fixed`` (any container of dates, e.g. a
    ``holidays.HolidayBase`` or a set) replaces the package as the source. ``categories`` are the
    ``holidays`` package's categories; for Indonesia ``"government"`` holds the cuti bersama days.
    """

    def __init__(
        self,
        country: str | None = "ID",
        *,
        extra: Iterable[date | str] = (),
        fixed: Container[date] | None = None,
        categories: Iterable[str] = ("public",),
    ) -> None:
        self.country = country
        self.categories = tuple(categories)
        self.extra = parse_dates(extra)
        self._fixed = fixed
        self._years: dict[int, frozenset[date]] = {}
        if country is not None and fixed is None:
            # Fail at start-up on an unknown country/category, not in the middle of a cycle.
            self._year(2000)

    def _year(self, year: int) -> frozenset[date]:
        cached = self._years.get(year)
        if cached is None:
            try:
                table = holidays_lib.country_holidays(self.country, years=year, categories=self.categories)
            except (NotImplementedError, KeyError, ValueError) as exc:
                raise CalendarError(
                    f"cannot load holidays for country {self.country!r}, categories {self.categories} ({exc}); "
                    "use an ISO code the 'holidays' package knows (e.g. 'ID'); cuti_bersama works for 'ID' only"
                ) from None
            cached = self._years[year] = frozenset(table)
        return cached

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if day in self.extra:
            return True
        if self._fixed is not None:
            return day in self._fixed
        return self.country is not None and day in self._year(day.year)
