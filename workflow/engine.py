"""The state machine: opening a case from a report, and moving it between SOP steps.

Every transition is validated against the SOP (the step's ``next`` list); a refused one returns a
message in Bahasa Indonesia for the operator and changes nothing. Deadlines are computed once, when a
case enters a step, and stored on it: a later change of SOP or calendar never moves an existing one.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta, tzinfo

from cakra.common.text import normalise_header
from cakra.common.wording import format_time
from cakra.workflow.case import Case, Report
from cakra.workflow.channels import is_manual, new_case_message
from cakra.workflow.choice import read_choice
from cakra.workflow.conditions import landing, record_skips
from cakra.workflow.context import StepContext
from cakra.workflow.handover import hand_over
from cakra.workflow.privacy import ANONYMOUS, merge_flags, show_flags
from cakra.workflow.sop import Sop
from cakra.workflow.sop_model import BUILTIN_FIELDS, LIST_FIELDS
from cakra.workflow.storage import CREATED, EDITED_BY_REPORTER, FORM_DATA, MOVED, CaseStore


def allocate_seq(report: Report, store: CaseStore) -> int:
    """The ticket's sequence: a form response's position in the form (stable across re-runs), never
    reused. An Input Manual row takes the next number after every case so far: its row says nothing
    about the form's, so preferring it would take a number a later form response prefers (the cycle
    opens the form's new responses before the manual rows, so neither steals from the other)."""
    if is_manual(report):
        return store.max_seq() + 1
    preferred = report.response_row - 1
    return preferred if not store.seq_taken(preferred) else store.max_seq() + 1


def open_case(
    report: Report,
    ctx: StepContext,
    duplicate_window: timedelta | None,
    *,
    clock_from: datetime | None = None,
) -> Case:
    """A new case in the SOP's first step; its clock starts at the form's timestamp (or at
    ``clock_from``: an old response adopted as an open case starts its clock on the day it is taken in).
    ``duplicate_window`` None: no duplicate check (adopted history)."""
    sop, calendar, store, now = ctx.sop, ctx.calendar, ctx.store, ctx.now
    if report.received_at is None:
        report.received_at = now  # flagged in report.problems; the clock starts when we first saw it
    seq = allocate_seq(report, store)
    # The first step may apply only to some reports (``when``): the case then opens where it lands.
    first, skipped = landing(sop, report, sop.first_step)
    step = sop.steps[first]
    entered = clock_from or report.received_at
    case = Case(
        ticket=f"{sop.ticket_prefix}-{report.received_at.year}-{seq:06d}",
        seq=seq,
        report=report,
        step=step.id,
        step_entered_at=entered,
        deadline=calendar.deadline(entered, step.limit),
        created_at=now,
        # The row is created showing the current step in "Tahap" and the citizen's privacy choice in
        # "Kerahasiaan": that is the operator's baseline.
        operator={"step_choice": step.title, "privacy": show_flags(report.privacy)},
        privacy=merge_flags(report.privacy),
        citizen_privacy=merge_flags(report.privacy),
        handlers=list(step.roles),
    )
    if duplicate_window is not None:
        case.duplicate_of = find_duplicate(report, store, duplicate_window)
    notes = list(report.problems)
    if case.duplicate_of and ANONYMOUS in case.privacy:
        # The sheet and Riwayat are open to every official: naming the earlier case would name the reporter.
        notes.append("Kemungkinan duplikat laporan lain dari pelapor yang sama (lihat email Operator)")
    elif case.duplicate_of:
        notes.append(f"Kemungkinan duplikat dari {case.duplicate_of}")
    case.message = "Perlu dicek: " + "; ".join(notes) if notes else new_case_message(sop)
    if case.privacy:
        notes.append(f"Kerahasiaan dari formulir: {show_flags(case.privacy)}")
    store.record(case.ticket, now, CREATED, to_step=step.id, note="; ".join(notes), deadline=case.deadline)
    record_skips(store, case.ticket, now, skipped)
    return case


def find_duplicate(report: Report, store: CaseStore, window: timedelta) -> str | None:
    """The earlier case from the same valid NIK that says nearly the same thing within ``window``."""
    if not report.nik_valid:
        return None
    text = _comparable(report)
    for earlier in store.cases_by_nik(report.nik):
        if earlier.report.response_key == report.response_key:
            continue
        if abs(report.received_at - earlier.report.received_at) > window:
            continue
        if difflib.SequenceMatcher(None, text, _comparable(earlier.report)).ratio() >= 0.8:
            return earlier.ticket
    return None


# How much of two reports is compared for a near-duplicate: difflib's cost grows with the square of the
# length, and a 30,000-character description compared whole would stall the cycle for seconds.
_COMPARED_CHARS = 2_000


def _comparable(report: Report) -> str:
    text = " ".join((report.category, report.kecamatan, report.desa, report.description))
    return normalise_header(text[:_COMPARED_CHARS])


# What a reporter's edit may change, by ``Report`` attribute, with the words the history uses for it.
_EDITABLE = {LIST_FIELDS.get(name, name): title for name, title in BUILTIN_FIELDS.items()}


def update_case(
    case: Case, report: Report, store: CaseStore, now: datetime, tz: tzinfo, sop: Sop | None = None
) -> None:
    """An edited response, or one read again because a form question it lacked is back: the same case
    takes the new answers and the change goes into its history (the SOP's declared fields by their
    titles when ``sop`` is given)."""
    changed = [
        title for attr, title in _EDITABLE.items() if getattr(case.report, attr) != getattr(report, attr)
    ]
    declared = sop.fields if sop is not None else {}
    changed += [
        declared[name].title if name in declared else name
        for name in sorted({*case.report.fields, *report.fields})
        if case.report.fields.get(name, "") != report.fields.get(name, "")
    ]
    regained = [
        title for name, title in case.report.lost_questions.items() if name not in report.lost_questions
    ]
    # Google Forms stamps an edited response with the time of the edit; the case was still received
    # when the citizen first sent it (the "Diterima" column, and the start of the SLA clock).
    # An Input Manual row's date is when the complaint arrived, not when the admin corrected the row.
    edited_at = now if is_manual(report) else report.received_at or now
    report.received_at = case.report.received_at
    edited = report.fingerprint != case.report.fingerprint
    case.report = report
    # A flag the citizen chose once stays (the safe default); a newly chosen one is added.
    case.citizen_privacy = merge_flags(case.citizen_privacy, report.privacy)
    added = [flag for flag in case.citizen_privacy if flag not in case.privacy]
    case.privacy = merge_flags(case.privacy, case.citizen_privacy)
    if added:
        changed.append(f"Kerahasiaan ({show_flags(added)})")
    details = f": {', '.join(changed)}" if changed else ""
    if regained and not edited:
        # The row is as it was: the answers were there all along, under a question title the service
        # could not find. Not the reporter's doing, so not recorded as theirs.
        titles = ", ".join(f"'{title}'" for title in regained)
        note = f"Pertanyaan formulir {titles} ditemukan lagi; data diambil dari tanggapan{details}"
        store.record(case.ticket, now, FORM_DATA, note=note)
        still = f" Perlu dicek: {'; '.join(report.problems)}" if report.problems else ""
        case.message = f"{note}.{still}"
        return
    note = ("Baris Input Manual diubah" if is_manual(report) else "Pelapor mengubah tanggapan") + details
    store.record(case.ticket, now, EDITED_BY_REPORTER, note=note)
    case.message = f"{note} ({format_time(edited_at, tz)})."


def resolve_choice(sop: Sop, text: str) -> str | None:
    """The one step or ending an operator meant: its title, its id, or its number ("3" for "3. Kasubbid");
    None when the text names none or several (``workflow/choice.py read_choice`` says which)."""
    choice = read_choice(sop, "", text)
    return choice.state if choice is not None else None


def check_move(sop: Sop, case: Case, target: str) -> str | None:
    """None when ``case`` may move to ``target``; otherwise the reason, for the operator."""
    current = sop.state_title(case.step)
    if not case.is_open:
        return f"Kasus sudah ditutup ({current}); tahap tidak bisa diubah lagi."
    allowed = onward(sop, case)
    if target not in allowed:
        options = ", ".join(dict.fromkeys(sop.state_title(s) for s in allowed))
        return f"Tidak bisa pindah dari '{current}' ke '{sop.state_title(target)}'. Pilihan berikutnya: {options}."
    return None


def onward(sop: Sop, case: Case) -> dict[str, str]:
    """Where ``case`` may go from its step: each state an operator may pick -> the ``next`` entry that
    leads there. A next step whose condition fails for this case is passed over, so where it lands may be
    picked directly too (a letter's complaint goes from "Pencatatan" straight to the Kabid's analysis
    when the LAPOR!-only disposition does not apply); the move still records the skip."""
    routes: dict[str, str] = {}
    for target in sop.steps[case.step].next if case.step in sop.steps else ():
        routes.setdefault(target, target)
        routes.setdefault(landing(sop, case.report, target)[0], target)
    return routes


def move(case: Case, target: str, ctx: StepContext) -> None:
    """Apply a validated transition: new step, its deadline, the audit trail (by ``ctx.actor``, with
    ``ctx.note``). The case must not be paused (``workflow.pause.resume`` first: the stopped clock
    belongs to the step being left)."""
    assert not case.is_paused, "resume a paused case before moving it"
    sop, calendar, now, actor = ctx.sop, ctx.calendar, ctx.now, ctx.actor
    target, skipped = landing(sop, case.report, target)
    deadline = None if sop.is_ending(target) else calendar.deadline(now, sop.steps[target].limit)
    note = hand_over(case, target, ctx)  # the step's notes go to the next role; a return says so
    ctx.store.record(
        case.ticket,
        now,
        MOVED,
        from_step=case.step,
        to_step=target,
        actor=actor,
        note=note,
        deadline=deadline,
    )
    record_skips(ctx.store, case.ticket, now, skipped, actor)
    case.step = target
    case.step_entered_at = now
    case.deadline = deadline
    case.step_paused_seconds = 0.0
    case.waiting_for = []
    case.hold = ""
    if sop.is_ending(target):
        case.closed_at = now
    else:
        case.handlers.extend(r for r in sop.steps[target].roles if r not in case.handlers)
    who = f" oleh {actor}" if actor else " (Petugas belum diisi)"
    case.message = f"Pindah ke '{sop.state_title(target)}'{who} pada {format_time(now, calendar.tz)}."
    if skipped:
        case.message += " " + "; ".join(note for _, note in skipped) + "."
