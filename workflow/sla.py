"""Step visits from the audit trail, and whether each met its time limit (the SLA).

A visit is one stay of a case in one step: entered at some moment, left at a later one (or not yet).
Compliance is judged against the deadline the step's limit gives from the moment it was entered,
computed with the same calendar as the live deadline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cakra.ledger import HistoryEntry
from workflow.calendar import BusinessCalendar
from workflow.case import Case
from workflow.sop import Sop


@dataclass(frozen=True)
class Visit:
    ticket: str
    step: str
    entered: datetime
    left: datetime | None
    deadline: datetime | None

    def met(self, now: datetime) -> bool | None:
        """True/False once decided; None while still open and not yet late, or when there is no limit."""
        if self.deadline is None:
            return None
        if self.left is not None:
            return self.left <= self.deadline
        return False if now >= self.deadline else None

    def duration(self, now: datetime) -> timedelta:
        return (self.left or now) - self.entered


def visits(
    cases: Iterable[Case], history: Iterable[HistoryEntry], sop: Sop, calendar: BusinessCalendar
) -> list[Visit]:
    """Every step visit of every case, in order."""
    moves: dict[str, list[HistoryEntry]] = defaultdict(list)
    for entry in history:
        if entry.kind == "pindah tahap":
            moves[entry.ticket].append(entry)
    result: list[Visit] = []
    for case in cases:
        step, entered = sop.first_step, case.report.received_at
        for move in moves.get(case.ticket, []):
            result.append(_visit(case.ticket, step, entered, move.at, sop, calendar))
            step, entered = move.to_step or step, move.at
        if step in sop.steps:
            result.append(_visit(case.ticket, step, entered, None, sop, calendar))
    return result


def _visit(
    ticket: str, step: str, entered: datetime, left: datetime | None, sop: Sop, calendar: BusinessCalendar
) -> Visit:
    limit = sop.steps[step].limit if step in sop.steps else None
    return Visit(ticket, step, entered, left, calendar.deadline(entered, limit))


@dataclass(frozen=True)
class StepCompliance:
    step: str
    title: str
    on_time: int
    late: int

    @property
    def decided(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.decided, 1) if self.decided else None


def compliance(all_visits: Iterable[Visit], sop: Sop, now: datetime) -> list[StepCompliance]:
    """On-time and late visits per step that has a time limit, in SOP order."""
    counts: dict[str, list[int]] = {
        s: [0, 0] for s, step in sop.steps.items() if step.limit and s != sop.intake_step
    }
    for visit in all_visits:
        verdict = visit.met(now)
        if visit.step in counts and verdict is not None:
            counts[visit.step][0 if verdict else 1] += 1
    return [StepCompliance(s, sop.steps[s].title, on, late) for s, (on, late) in counts.items()]
