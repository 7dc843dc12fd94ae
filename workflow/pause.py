"""Stopping a step's clock while the case waits on the reporter, and starting it again.

An operator who asks the reporter for something (kelengkapan kurang: a missing KTP photo) picks
"Menunggu pelapor" in "Tahap". The case stays in its step; its clock stops. It starts again when
- the reporter edits the response and supplies everything that was missing when the clock stopped (any
  edit, when nothing was missing and the operator asked for something else), or
- an operator picks the step again, or moves the case on.
On resume the deadline is extended by the time the clock stood still, counted in the step limit's own kind
of time (working time for "2 hari kerja", clock time for "15 menit"), so a pause over a weekend costs a
working-time step nothing. Both moments are in the history ("menunggu pelapor", "dilanjutkan"); the
resume entry carries the new deadline, which the SLA report uses (paused time is not held against a step).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cakra.ledger.store import Ledger
from cakra.notify.render import durasi
from cakra.sheets.base import normalise_header
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.case import Case
from cakra.workflow.engine import format_time
from cakra.workflow.sop import WAITING_TITLE, Sop

PAUSED = "menunggu pelapor"
RESUMED = "dilanjutkan"


def is_waiting_choice(text: str) -> bool:
    """True for what an operator types to pause: "Menunggu pelapor" (any case/spacing), or just "menunggu"."""
    wanted = normalise_header(text)
    return bool(wanted) and (wanted == normalise_header(WAITING_TITLE) or wanted == "menunggu")


def pause(
    case: Case,
    sop: Sop,
    calendar: BusinessCalendar,
    ledger: Ledger,
    now: datetime,
    *,
    actor: str,
    note: str = "",
) -> None:
    """Stop the current step's clock at ``now`` (the case must be open, in a step, and running)."""
    assert case.is_open and not case.is_paused and case.step in sop.steps
    case.paused_since = now
    case.waiting_for = list(case.report.missing_evidence)
    waiting = f" (kurang: {', '.join(case.waiting_for)})" if case.waiting_for else ""
    ledger.record(
        case.ticket,
        now,
        PAUSED,
        from_step=case.step,
        actor=actor,
        note="; ".join(part for part in (f"Waktu tahap berhenti{waiting}", note) if part),
    )
    who = f" oleh {actor}" if actor else " (Petugas belum diisi)"
    case.message = (
        f"Menunggu pelapor{waiting}{who} sejak {format_time(now, calendar.tz)}: "
        f"waktu tahap '{sop.state_title(case.step)}' berhenti sampai pelapor melengkapi atau tahap dipilih lagi."
    )


def resume(
    case: Case,
    sop: Sop,
    calendar: BusinessCalendar,
    ledger: Ledger,
    now: datetime,
    *,
    actor: str,
    reason: str,
) -> timedelta:
    """Start the clock again; extend the deadline by the stopped time (in the limit's kind). Returns that time."""
    assert case.paused_since is not None
    limit = sop.steps[case.step].limit if case.step in sop.steps else None
    working = bool(limit and limit.working)
    stood = max(calendar.elapsed(case.paused_since, now, working=working), timedelta(0))
    if case.deadline is not None and stood:
        case.deadline = calendar.add(case.deadline, stood, working=working)
    case.step_paused_seconds += stood.total_seconds()
    case.paused_since = None
    case.waiting_for = []
    kind = " waktu kerja" if working else ""
    new_deadline = f"; batas waktu baru {format_time(case.deadline, calendar.tz)}" if case.deadline else ""
    ledger.record(
        case.ticket,
        now,
        RESUMED,
        to_step=case.step,
        actor=actor,
        note=f"{reason}; waktu berhenti {durasi(stood)}{kind}{new_deadline}",
        deadline=case.deadline,
    )
    case.message = f"{reason}: waktu tahap berjalan lagi{new_deadline}."
    return stood


def resume_if_answered(
    case: Case, sop: Sop, calendar: BusinessCalendar, ledger: Ledger, now: datetime
) -> bool:
    """After the reporter edited the response: resume when the edit supplied what the case waited for."""
    if not case.is_paused or not case.is_open:
        return False
    still_missing = [item for item in case.waiting_for if item in case.report.missing_evidence]
    if still_missing:
        case.message += f" Masih menunggu pelapor: {', '.join(still_missing)}."
        return False
    supplied = case.waiting_for
    reason = (
        f"Pelapor melengkapi {', '.join(supplied)}" if supplied else "Pelapor menjawab (tanggapan diubah)"
    )
    resume(case, sop, calendar, ledger, now, actor="", reason=reason)
    return True
