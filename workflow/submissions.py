"""Periodic submissions as cases: which desa and period each is for, and the state of every desa's period.

A submission is an ordinary case (so checking it is the SOP's step, its history is the case's history).
What makes it a periodic report is read from it, never stored beside it: its desa (``Report.desa``
matched against the roster), its period (``workflow/periods.py period_of``) and its standing:

- accepted: closed in one of the plan's ``accepted`` endings;
- rejected: closed in any other ending (wrong desa, a test): as if never sent;
- fix: open and waiting on the desa (the operator picked "Menunggu pelapor" and wrote what to fix);
- checking: open, waiting for the kecamatan's check.

The state of a desa's period (a cell of the "Monitoring" tab) follows its LATEST submission that was not
rejected (a second one for the same desa and period is a revision and replaces the first):

- "Sudah": the latest is accepted or waiting for the check (the desa has done its part);
- "Perlu perbaikan": the latest waits on a fix by the desa;
- "Terlambat": nothing yet and the period's due moment has passed;
- "Belum": nothing yet, not due yet.
A submission is on time when the desa's first one (not rejected) arrived before the due moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.case import Case
from cakra.workflow.periods import Period, PeriodicPlan, due_at, parse_count, period_of
from cakra.workflow.roster import Roster

SUDAH, BELUM, TERLAMBAT, PERBAIKAN = "Sudah", "Belum", "Terlambat", "Perlu perbaikan"
NOT_EXPECTED = "-"  # a period before the monitoring began
STATES = (SUDAH, BELUM, TERLAMBAT, PERBAIKAN)
ACCEPTED, REJECTED, FIX, CHECKING = "accepted", "rejected", "fix", "checking"


@dataclass(frozen=True)
class Submission:
    ticket: str
    seq: int
    desa: str  # roster id; "" when the answer names no desa of the roster
    desa_answer: str  # as the form gave it
    period: Period
    received_at: datetime
    standing: str  # ACCEPTED | REJECTED | FIX | CHECKING
    attendance: int | None
    activity: str
    period_problem: str  # '' or one line for the operator


def standing(case: Case, plan: PeriodicPlan) -> str:
    if case.closed_at is not None:
        return ACCEPTED if case.step in plan.accepted else REJECTED
    return FIX if case.is_paused else CHECKING


def submission_of(case: Case, plan: PeriodicPlan, roster: Roster, calendar: BusinessCalendar) -> Submission:
    """What ``case`` is as a periodic report (a pure reading of it; see the module doc)."""
    report = case.report
    answers = dict(getattr(report, "fields", {}) or {})
    received = report.received_at or case.created_at
    period, problem = period_of(answers, received, plan, calendar)
    desa = roster.match(report.desa)
    return Submission(
        ticket=case.ticket,
        seq=case.seq,
        desa=desa.id if desa else "",
        desa_answer=report.desa,
        period=period,
        received_at=received,
        standing=standing(case, plan),
        attendance=parse_count(answers.get(plan.attendance_field, "")) if plan.attendance_field else None,
        activity=answers.get(plan.activity_field, "") if plan.activity_field else "",
        period_problem=problem,
    )


def by_desa_period(submissions: Iterable[Submission]) -> dict[tuple[str, str], list[Submission]]:
    """(desa id, period key) -> its submissions that count (not rejected, desa known), oldest first."""
    out: dict[tuple[str, str], list[Submission]] = {}
    for sub in sorted(submissions, key=lambda s: (s.received_at, s.seq)):
        if sub.desa and sub.standing != REJECTED:
            out.setdefault((sub.desa, sub.period.key), []).append(sub)
    return out


def earlier_of(sub: Submission, submissions: Iterable[Submission]) -> Submission | None:
    """The latest submission ``sub`` revises (same desa and period, sent before it), or None."""
    before = [
        other
        for other in submissions
        if other.desa == sub.desa
        and other.period == sub.period
        and other.standing != REJECTED
        and (other.received_at, other.seq) < (sub.received_at, sub.seq)
    ]
    return max(before, key=lambda s: (s.received_at, s.seq)) if sub.desa and before else None


def cell_state(
    subs: Sequence[Submission], period: Period, plan: PeriodicPlan, calendar: BusinessCalendar, now: datetime
) -> str:
    """One desa's state for ``period`` at ``now`` (``subs``: its counting submissions, oldest first)."""
    if subs:
        return PERBAIKAN if subs[-1].standing == FIX else SUDAH
    return TERLAMBAT if now >= due_at(period, plan, calendar) else BELUM


def on_time(
    subs: Sequence[Submission], period: Period, plan: PeriodicPlan, calendar: BusinessCalendar
) -> bool:
    return bool(subs) and subs[0].received_at < due_at(period, plan, calendar)


def state_grid(
    submissions: Iterable[Submission],
    roster: Roster,
    periods: Sequence[Period],
    plan: PeriodicPlan,
    calendar: BusinessCalendar,
    now: datetime,
    first: Period | None = None,
) -> dict[str, list[str]]:
    """Desa id -> its state for each of ``periods`` (in order), for every desa of the roster; a period
    before ``first`` is ``NOT_EXPECTED`` unless the desa reported for it anyway."""
    grouped = by_desa_period(submissions)

    def state(desa_id: str, period: Period) -> str:
        subs = grouped.get((desa_id, period.key), [])
        if not subs and first is not None and period < first:
            return NOT_EXPECTED
        return cell_state(subs, period, plan, calendar, now)

    return {desa_id: [state(desa_id, p) for p in periods] for desa_id in roster.desa}
