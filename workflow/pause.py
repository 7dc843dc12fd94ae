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

The SOP may declare other holds (``[holds.<id>]``, e.g. SIPENDEKAR's "Pending"): picked by title in
"Tahap", they hold the case in its step the same way, stopping the clock only when ``stops_clock``
(history kind HELD; HELD_RUNNING when the clock runs on); picking the step again or moving on releases
them. Only waiting on the reporter is released by the reporter's edit.
"""

from __future__ import annotations

from datetime import timedelta

from cakra.common.text import normalise_header
from cakra.common.wording import durasi, format_time
from cakra.workflow.case import Case
from cakra.workflow.context import StepContext
from cakra.workflow.sop import WAITING_HOLD, WAITING_TITLE, Sop
from cakra.workflow.storage import HELD, HELD_RUNNING, PAUSED, RESUMED

WAITING_NOTE = "menunggu pelapor"


def is_waiting_choice(text: str) -> bool:
    """True for what an operator types to pause: "Menunggu pelapor" (any case/spacing), or just "menunggu"."""
    wanted = normalise_header(text)
    return bool(wanted) and (wanted == normalise_header(WAITING_TITLE) or wanted == "menunggu")


def held(case: Case) -> str:
    """The hold ``case`` is in ("" when none); a paused case of an older version waits on the reporter."""
    return case.hold or (WAITING_HOLD if case.is_paused else "")


def hold_note(case: Case, sop: Sop) -> str:
    """The hold as the status row shows it after the step: "menunggu pelapor", "Pending" ("" when none)."""
    current = held(case)
    if not current:
        return ""
    if current == WAITING_HOLD or current not in sop.holds:
        return WAITING_NOTE
    return sop.holds[current].title


def hold(case: Case, ctx: StepContext, hold_id: str) -> None:
    """Hold ``case`` in its step with the SOP's hold ``hold_id`` (the case must be open and not held)."""
    if hold_id == WAITING_HOLD:
        pause(case, ctx)
        return
    sop, now, actor = ctx.sop, ctx.now, ctx.actor
    assert case.is_open and not held(case) and case.step in sop.steps
    chosen = sop.holds[hold_id]
    case.hold = hold_id
    if chosen.stops_clock:
        case.paused_since = now
    clock = "waktu tahap berhenti" if chosen.stops_clock else "waktu tahap tetap berjalan"
    ctx.store.record(
        case.ticket,
        now,
        HELD if chosen.stops_clock else HELD_RUNNING,
        from_step=case.step,
        actor=actor,
        note="; ".join(part for part in (f"{chosen.title}: {clock}", ctx.note) if part),
    )
    who = f" oleh {actor}" if actor else " (Petugas belum diisi)"
    case.message = (
        f"{chosen.title}{who} sejak {format_time(now, ctx.calendar.tz)}: {clock} sampai tahap "
        f"'{sop.state_title(case.step)}' dipilih lagi atau kasus dipindah."
    )


def release(case: Case, ctx: StepContext, *, reason: str) -> None:
    """End the hold ``case`` is in: a stopped clock starts again (``resume``), a running one just goes on."""
    if case.is_paused:
        resume(case, ctx, reason=reason)
        return
    if not case.hold:
        return
    title = ctx.sop.holds[case.hold].title if case.hold in ctx.sop.holds else case.hold
    case.hold = ""
    ctx.store.record(
        case.ticket, ctx.now, RESUMED, to_step=case.step, actor=ctx.actor, note=f"{reason}; {title} selesai"
    )
    case.message = f"{reason}: {title} selesai."


def pause(case: Case, ctx: StepContext) -> None:
    """Stop the current step's clock at ``ctx.now`` (the case must be open, in a step, and running)."""
    sop, now, actor = ctx.sop, ctx.now, ctx.actor
    assert case.is_open and not case.is_paused and case.step in sop.steps
    case.paused_since = now
    case.hold = WAITING_HOLD
    case.waiting_for = list(case.report.missing_evidence)
    waiting = f" (kurang: {', '.join(case.waiting_for)})" if case.waiting_for else ""
    ctx.store.record(
        case.ticket,
        now,
        PAUSED,
        from_step=case.step,
        actor=actor,
        note="; ".join(part for part in (f"Waktu tahap berhenti{waiting}", ctx.note) if part),
    )
    who = f" oleh {actor}" if actor else " (Petugas belum diisi)"
    case.message = (
        f"Menunggu pelapor{waiting}{who} sejak {format_time(now, ctx.calendar.tz)}: "
        f"waktu tahap '{sop.state_title(case.step)}' berhenti sampai pelapor melengkapi atau tahap dipilih lagi."
    )


def resume(case: Case, ctx: StepContext, *, reason: str) -> timedelta:
    """Start the clock again (by ``ctx.actor``); extend the deadline by the stopped time (in the limit's
    kind). Returns that time."""
    sop, calendar, now = ctx.sop, ctx.calendar, ctx.now
    assert case.paused_since is not None
    limit = sop.steps[case.step].limit if case.step in sop.steps else None
    working = bool(limit and limit.working)
    stood = max(calendar.elapsed(case.paused_since, now, working=working), timedelta(0))
    if case.deadline is not None and stood:
        case.deadline = calendar.add(case.deadline, stood, working=working)
    case.step_paused_seconds += stood.total_seconds()
    case.paused_since = None
    case.hold = ""
    case.waiting_for = []
    kind = " waktu kerja" if working else ""
    new_deadline = f"; batas waktu baru {format_time(case.deadline, calendar.tz)}" if case.deadline else ""
    ctx.store.record(
        case.ticket,
        now,
        RESUMED,
        to_step=case.step,
        actor=ctx.actor,
        note=f"{reason}; waktu berhenti {durasi(stood)}{kind}{new_deadline}",
        deadline=case.deadline,
    )
    case.message = f"{reason}: waktu tahap berjalan lagi{new_deadline}."
    return stood


def resume_if_answered(case: Case, ctx: StepContext) -> bool:
    """After the reporter edited the response: resume when the edit supplied what the case waited for."""
    if not case.is_paused or not case.is_open or held(case) != WAITING_HOLD:
        return False
    still_missing = [item for item in case.waiting_for if item in case.report.missing_evidence]
    if still_missing:
        case.message += f" Masih menunggu pelapor: {', '.join(still_missing)}."
        return False
    supplied = case.waiting_for
    reason = (
        f"Pelapor melengkapi {', '.join(supplied)}" if supplied else "Pelapor menjawab (tanggapan diubah)"
    )
    resume(case, ctx.by(""), reason=reason)
    return True
