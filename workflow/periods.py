"""Expected periodic submissions: the SOP's ``[periodic]`` plan, its periods and their due moments.

Some agencies do not wait for complaints: they expect a report from every member of a roster (each
desa's Linmas activity, a posyandu's monthly figures) every week or month. The SOP says so:

    [periodic]
    every = "month"            # "month" or "week"
    due = 5                    # month: the day of the NEXT month by which a month's report is due;
                               # week: the weekday of the next week ("senin" .. "minggu")
    submitter = "aparat_desa"  # the role that reports (its addresses are the roster's, per desa)
    checker = "operator_kecamatan"   # gets the list of late desa
    accepted = ["diterima"]    # endings that count as reported
    period_field = "periode"   # the declared field that names the period ("November 2026", a date)
    date_field = "tanggal_kegiatan"  # else the activity's date; else the form's timestamp
    attendance_field = "jumlah_hadir"  # a number per report, shown over time in the recap

Due moments are in the agency's calendar: a due day that is no working day moves to the next working
day, and a report is on time until that day ends (local time). Everything here is a pure function of
its arguments; the state per desa and period is ``workflow/submissions.py``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from cakra.common.errors import SopError
from cakra.common.wording import nama_bulan
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.holidays_id import CalendarError, parse_day

EVERY = ("month", "week")
_KEYS = {
    "every",
    "due",
    "submitter",
    "checker",
    "accepted",
    "period_field",
    "date_field",
    "attendance_field",
    "activity_field",
}


@dataclass(frozen=True)
class PeriodicPlan:
    every: str  # "month" | "week"
    due: int  # month: day of the next month (1-28); week: weekday of the next week (Monday = 0)
    submitter: str  # role id
    checker: str  # role id
    accepted: tuple[str, ...]  # ending ids that count as reported
    period_field: str = ""
    date_field: str = ""
    attendance_field: str = ""
    activity_field: str = ""


def parse_periodic(
    table: Any, path: Path, roles: set[str], endings: set[str], fields: set[str]
) -> PeriodicPlan:
    """``[periodic]`` checked against the SOP's roles, endings and declared fields; ``SopError`` (one
    line) for anything it cannot use."""
    if not isinstance(table, dict):
        raise SopError(f"{path}: [periodic] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise SopError(
            f"{path}: [periodic] has unknown key {unknown[0]!r}; allowed keys are {', '.join(sorted(_KEYS))}"
        )
    every = table.get("every", "month")
    if every not in EVERY:
        raise SopError(f'{path}: [periodic] every = {every!r}; use "month" or "week"')
    raw_due = table.get("due", 5 if every == "month" else "senin")
    if every == "month":
        if not isinstance(raw_due, int) or isinstance(raw_due, bool) or not 1 <= raw_due <= 28:
            raise SopError(f'{path}: [periodic] due = {raw_due!r}; for every = "month" give a day 1-28')
        due = raw_due
    else:
        try:
            due = parse_day(raw_due)
        except CalendarError:
            raise SopError(
                f'{path}: [periodic] due = {raw_due!r}; for every = "week" give a day, e.g. "senin"'
            ) from None
    for key in ("submitter", "checker"):
        if table.get(key) not in roles:
            raise SopError(
                f"{path}: [periodic] {key} = {table.get(key)!r} is no role of the SOP; add [roles.<id>]"
            )
    accepted = table.get("accepted", [])
    if not isinstance(accepted, list) or not accepted or any(a not in endings for a in accepted):
        raise SopError(f'{path}: [periodic] accepted must list endings of the SOP, e.g. ["diterima"]')
    named = {key: str(table.get(key, "")) for key in _KEYS if key.endswith("_field")}
    for key, value in named.items():
        if value and value not in fields:
            raise SopError(f"{path}: [periodic] {key} = {value!r} is no declared field; add [fields.{value}]")
    return PeriodicPlan(every, due, table["submitter"], table["checker"], tuple(accepted), **named)


@dataclass(frozen=True, order=True)
class Period:
    """A month (``start`` its first day) or a week (``start`` its Monday)."""

    start: date
    every: str

    @property
    def key(self) -> str:
        """Stable text for ledger keys: ``2026-11`` or ``2026-W47``."""
        if self.every == "month":
            return f"{self.start:%Y-%m}"
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def label(self) -> str:
        """What officials read: ``November 2026`` or ``Minggu 16/11/2026``."""
        if self.every == "month":
            return f"{nama_bulan(self.start.month)} {self.start.year}"
        return f"Minggu {self.start:%d/%m/%Y}"

    @property
    def short_label(self) -> str:
        """A grid column's header: ``Nov 2026`` or ``16/11``."""
        if self.every == "month":
            return f"{nama_bulan(self.start.month)[:3]} {self.start.year}"
        return f"{self.start:%d/%m}"

    @property
    def end(self) -> date:
        """The first day after the period."""
        if self.every == "week":
            return self.start + timedelta(days=7)
        return _add_months(self.start, 1)

    def shifted(self, count: int) -> Period:
        """The period ``count`` periods later (earlier when negative)."""
        if self.every == "week":
            return Period(self.start + timedelta(weeks=count), self.every)
        return Period(_add_months(self.start, count), self.every)


def period_containing(day: date, every: str) -> Period:
    if every == "week":
        return Period(day - timedelta(days=day.weekday()), every)
    return Period(day.replace(day=1), every)


def due_day(period: Period, plan: PeriodicPlan, calendar: BusinessCalendar) -> date:
    """The day the period's report is due: the plan's day after the period, moved to the next working
    day when the calendar closes it (a holiday, a weekend)."""
    if plan.every == "week":
        day = period.end + timedelta(days=plan.due)
    else:
        day = period.end.replace(day=plan.due)
    for _ in range(31):  # a month of closed days means no working days are configured at all
        if calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    return day


def due_at(period: Period, plan: PeriodicPlan, calendar: BusinessCalendar) -> datetime:
    """The moment the report becomes late: the end of its due day, local time."""
    day = due_day(period, plan, calendar) + timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=calendar.tz)


def recent_periods(now: datetime, plan: PeriodicPlan, calendar: BusinessCalendar, count: int) -> list[Period]:
    """The ``count`` periods up to and including the one ``now`` is in, oldest first."""
    current = period_containing(now.astimezone(calendar.tz).date(), plan.every)
    return [current.shifted(-n) for n in range(count - 1, -1, -1)]


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan", "january"),
            ("februari", "pebruari", "feb", "peb", "february"),
            ("maret", "mar", "march"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("agustus", "agu", "agt", "agus", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "des", "dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s.*)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s].*)?")
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})[/.-](\d{1,2})")
_ISO_WEEK = re.compile(r"(\d{4})-?w(\d{1,2})")
_NAMED = re.compile(r"(?:bulan\s+)?([a-z]+)\.?\s*(\d{4})?")


def parse_date(text: str) -> date | None:
    """``05/11/2026``, ``5-11-2026`` or ``2026-11-05`` (a time after it is ignored); None otherwise."""
    text = text.strip().lower()
    for pattern, order in ((_DATE, (2, 1, 0)), (_ISO_DATE, (0, 1, 2))):
        found = pattern.fullmatch(text)
        if found:
            parts = [int(found.group(i + 1)) for i in range(3)]
            year, month, day = (parts[i] for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def parse_period(text: str, every: str, received: date) -> Period | None:
    """The period an answer names: a date (the period it falls in), ``November 2026`` / ``Nov 2026`` /
    ``11/2026`` / ``2026-11`` (monthly), ``2026-W47`` (weekly); a month without a year is the latest one
    not after ``received``. None when the answer names no period of this kind."""
    text = " ".join(text.strip().lower().split())
    if not text:
        return None
    day = parse_date(text)
    if day is not None:
        return period_containing(day, every)
    week = _ISO_WEEK.fullmatch(text)
    if week and every == "week":
        try:
            return period_containing(date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1), every)
        except ValueError:
            return None
    if every != "month":
        return None
    for pattern, year_first in ((_MONTH_YEAR, False), (_YEAR_MONTH, True)):
        found = pattern.fullmatch(text)
        if found:
            first, second = int(found.group(1)), int(found.group(2))
            year, month = (first, second) if year_first else (second, first)
            return Period(date(year, month, 1), every) if 1 <= month <= 12 else None
    named = _NAMED.fullmatch(text)
    if named and named.group(1) in _MONTHS:
        month = _MONTHS[named.group(1)]
        if named.group(2):
            return Period(date(int(named.group(2)), month, 1), every)
        year = received.year if month <= received.month else received.year - 1
        return Period(date(year, month, 1), every)
    return None


def period_by_timestamp(received: datetime, plan: PeriodicPlan, calendar: BusinessCalendar) -> Period:
    """A report that names no period is for the previous period while that one is still due (sent on 3
    December, due on the 5th: November's), else for the period it was sent in."""
    current = period_containing(received.astimezone(calendar.tz).date(), plan.every)
    previous = current.shifted(-1)
    return previous if received < due_at(previous, plan, calendar) else current


def period_of(
    answers: dict[str, str], received: datetime, plan: PeriodicPlan, calendar: BusinessCalendar
) -> tuple[Period, str]:
    """The period a submission is for, and a problem for its case ('' when none): the period answer,
    else the activity's date, else the timestamp's rule (``period_by_timestamp``)."""
    local = received.astimezone(calendar.tz).date()
    problem = ""
    for field_id, what in ((plan.period_field, "periode"), (plan.date_field, "tanggal kegiatan")):
        answer = answers.get(field_id, "").strip() if field_id else ""
        if not answer:
            continue
        found = parse_period(answer, plan.every, local)
        if found is not None:
            return found, problem
        problem = problem or f"Perlu dicek: {what} '{answer[:40]}' tidak dikenali"
    fallback = period_by_timestamp(received, plan, calendar)
    if problem:
        problem += f"; dihitung sebagai periode {fallback.label} dari waktu kirim"
    return fallback, problem


def parse_count(text: str) -> int | None:
    """A count typed into a form (``12``, ``12 orang``, ``12.0``); None when there is none."""
    found = re.match(r"\s*(\d{1,6})(?:[.,]0+)?\b", text or "")
    return int(found.group(1)) if found else None


def _add_months(day: date, count: int) -> date:
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)
