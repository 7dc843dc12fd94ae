"""Step visits from the audit trail, whether each met its time limit (the SLA), and how long steps take.

A visit is one stay of a case in one step: entered at some moment, left at a later one (or not yet).
Its deadline is the one stored in the history when the case entered the step (extended by every resume
after waiting on the reporter), so a later change of calendar or SOP never rewrites a past verdict;
entries written before deadlines were stored fall back to computing it with the current calendar.
Time the clock stood still (waiting on the reporter) is counted separately: it is not held against the
step — the extended deadline already excludes it, and ``Visit.duration`` leaves it out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from statistics import median

from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.case import Case
from cakra.workflow.sop import Sop
from cakra.workflow.storage import CREATED, HELD, MOVED, PAUSED, RESUMED, HistoryEntry

# HELD: a hold that stops the clock counts as waiting on the reporter does.
_KINDS = {CREATED, MOVED, PAUSED, HELD, RESUMED}


@dataclass(frozen=True)
class Visit:
    ticket: str
    step: str
    entered: datetime
    left: datetime | None
    deadline: datetime | None
    paused: timedelta = timedelta(0)  # clock time stood still in completed pauses
    paused_since: datetime | None = None  # a pause still going on

    def met(self, now: datetime) -> bool | None:
        """True/False once decided; None while still open and not yet late (or waiting on the reporter),
        or when there is no limit."""
        if self.deadline is None:
            return None
        if self.left is not None:
            return self.left <= self.deadline
        if self.paused_since is not None:
            return None
        return False if now >= self.deadline else None

    def decided_at(self, now: datetime) -> datetime | None:
        """When the verdict fell: leaving the step, or the deadline passing while still in it."""
        verdict = self.met(now)
        if verdict is None:
            return None
        return self.left if self.left is not None else self.deadline

    def paused_total(self, now: datetime) -> timedelta:
        return self.paused + ((self.left or now) - self.paused_since if self.paused_since else timedelta(0))

    def duration(self, now: datetime) -> timedelta:
        """Time spent in the step, without the time its clock stood still."""
        return (self.left or now) - self.entered - self.paused_total(now)


def visits(
    cases: Iterable[Case], history: Iterable[HistoryEntry], sop: Sop, calendar: BusinessCalendar
) -> list[Visit]:
    """Every step visit of every case, in order."""
    entries: dict[str, list[HistoryEntry]] = defaultdict(list)
    for entry in history:
        if entry.kind in _KINDS:
            entries[entry.ticket].append(entry)
    result: list[Visit] = []
    for case in cases:
        step, entered = sop.first_step, case.report.received_at
        deadline = _deadline(sop, calendar, step, entered)
        paused, since = timedelta(0), None
        for entry in entries.get(case.ticket, []):
            if entry.kind == CREATED and entry.deadline is not None:
                deadline = entry.deadline
            elif entry.kind in (PAUSED, HELD):
                since = since or entry.at
            elif entry.kind == RESUMED:
                if since is not None:
                    paused, since = paused + (entry.at - since), None
                deadline = entry.deadline if entry.deadline is not None else deadline
            elif entry.kind == MOVED:
                if since is not None:
                    paused, since = paused + (entry.at - since), None
                result.append(Visit(case.ticket, step, entered, entry.at, deadline, paused))
                step, entered, paused = entry.to_step or step, entry.at, timedelta(0)
                deadline = entry.deadline or _deadline(sop, calendar, step, entered)
        if step in sop.steps:
            result.append(Visit(case.ticket, step, entered, None, deadline, paused, since))
    return result


def _deadline(sop: Sop, calendar: BusinessCalendar, step: str, entered: datetime) -> datetime | None:
    limit = sop.steps[step].limit if step in sop.steps else None
    return calendar.deadline(entered, limit)


def month_period(year: int, month: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """``[first moment of the month, first moment of the next)`` in local time ``tz``."""
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _within(moment: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if moment is None:
        return False
    return (since is None or moment >= since) and (until is None or moment < until)


@dataclass(frozen=True)
class StepCompliance:
    step: str
    title: str
    on_time: int
    late: int
    paused: int = 0  # decided visits whose clock stood still at some point (waiting on the reporter)
    paused_time: timedelta = timedelta(0)  # their stopped time, left out of the verdict

    @property
    def decided(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.decided, 1) if self.decided else None


def compliance(
    all_visits: Iterable[Visit],
    sop: Sop,
    now: datetime,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[StepCompliance]:
    """On-time and late visits per step that has a time limit, in SOP order; with ``since``/``until`` only
    the visits decided in that period (a month, a week)."""
    counts: dict[str, list] = {
        s: [0, 0, 0, timedelta(0)] for s, step in sop.steps.items() if step.limit and s != sop.intake_step
    }
    for visit in all_visits:
        verdict = visit.met(now)
        if visit.step not in counts or verdict is None or not _within(visit.decided_at(now), since, until):
            continue
        row = counts[visit.step]
        row[0 if verdict else 1] += 1
        stood = visit.paused_total(now)
        if stood:
            row[2] += 1
            row[3] += stood
    return [StepCompliance(s, sop.steps[s].title, *row) for s, row in counts.items()]


@dataclass(frozen=True)
class StepTimes:
    step: str
    title: str
    count: int
    median: timedelta | None
    p90: timedelta | None


def percentile(values: list[timedelta], share: float) -> timedelta | None:
    """Nearest-rank percentile (``share`` 0.9 = P90): a value that occurred, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def step_times(
    all_visits: Iterable[Visit],
    sop: Sop,
    now: datetime,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[StepTimes]:
    """Median and 90th percentile of the time spent per step (paused time excluded), over the visits that
    ended in ``[since, until)``, for every step after intake in SOP order."""
    spent: dict[str, list[timedelta]] = {s: [] for s in sop.steps if s != sop.intake_step}
    for visit in all_visits:
        if visit.step in spent and _within(visit.left, since, until):
            spent[visit.step].append(visit.duration(now))
    return [
        StepTimes(
            s,
            sop.steps[s].title,
            len(values),
            median(values) if values else None,
            percentile(values, 0.9),
        )
        for s, values in spent.items()
    ]
