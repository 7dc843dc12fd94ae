"""Reading what operators changed on the status sheet, validating it against the SOP, applying it.

Only a change since the last cycle counts (each case remembers the operator values it last saw), so an
operator's refused choice is answered once and then left alone, with their value still in the cell.
Besides moving a case, an operator can stop its clock ("Menunggu pelapor" in "Tahap", workflow/pause.py)
and add a privacy flag in "Kerahasiaan" (removing one the citizen chose is refused, workflow/privacy.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from cakra.workflow.case import Case
from cakra.workflow.context import StepContext
from cakra.workflow.disposition import OperatorRules
from cakra.workflow.engine import check_move, move, resolve_choice
from cakra.workflow.handover import NOTE_KEYS, informed_line, take_notes
from cakra.workflow.pause import is_waiting_choice, pause, resume
from cakra.workflow.privacy import merge_flags, parse_flags, show_flags
from cakra.workflow.sop import Sop
from cakra.workflow.storage import NOTE, PRIVACY_CHANGED

REFUSED = "Ditolak: "
# The values operators own on a case, with the label each goes by (the status tab's headers, and the
# words in the history when an operator writes one).
OPERATOR_FIELDS: dict[str, str] = {
    "step_choice": "Tahap",
    # The unit a dispatcher disposes the case to, at an ``assigns_unit`` step (workflow/disposition.py).
    "unit": "Unit Tujuan",
    "petugas": "Petugas",
    "disposisi": "Disposisi / Catatan",
    "verification": "Hasil Verifikasi",
    "follow_up": "Tindak Lanjut",
    # "Rahasia" / "Anonim": filled from the form when the row is made; the operator may add a flag.
    "privacy": "Kerahasiaan",
    # The only text of the case the reporter ever receives (in the closing message).
    "reply": "Balasan untuk Pelapor",
}
_NOTE_KEYS = ("disposisi", "verification", "follow_up", "reply")


@dataclass
class EditOutcome:
    moved: list[Case] = field(default_factory=list)
    refused: list[Case] = field(default_factory=list)
    # Cases whose clock an operator stopped or started again this cycle.
    paused: list[Case] = field(default_factory=list)
    resumed: list[Case] = field(default_factory=list)
    # Every case whose operator values changed (moved, refused or just annotated): all need saving.
    touched: list[Case] = field(default_factory=list)
    # Cases whose operator row could not be applied (flagged on the row; see ``apply_operator_edits``).
    failed: list[Case] = field(default_factory=list)


@dataclass
class RowFailure:
    """What a guard found when one row's work raised: ``reason`` is None when the row went through."""

    reason: str | None = None


# A guard around one case's work: yields a RowFailure, swallows an exception of the work inside after
# undoing what it wrote and restoring the case, and sets the failure's reason (cakra/row_guard.py).
# ``what`` names the row for the log (a ticket or a row number, never personal data); the case is None
# when the work creates one.
RowGuard = Callable[[Case | None, str], AbstractContextManager[RowFailure]]


@contextmanager
def unguarded(case: Case | None, what: str) -> Iterator[RowFailure]:
    """The guard that guards nothing: an exception goes to the caller."""
    yield RowFailure()


def apply_operator_edits(
    cases: list[Case],
    operator_values: Callable[[str], Mapping[str, str] | None],
    ctx: StepContext,
    guard: RowGuard = unguarded,
    rules: OperatorRules | None = None,
) -> EditOutcome:
    """Apply every operator change to ``cases`` (mutated; the caller saves them). ``operator_values``
    gives a ticket's ``OPERATOR_FIELDS`` values as the operators left them, or None when its row is gone.

    Each case's change runs inside ``guard``: a row whose change cannot be applied (the guard caught an
    exception and undid it) is flagged in its "Pesan Sistem" and answered once, as a refused choice is;
    the other rows go on. ``rules`` (workflow/disposition.py) may refuse a row's change as a whole
    before any of it is applied (who may move a case disposed to a unit, and where).
    """
    outcome = EditOutcome()
    for case in cases:
        seen = operator_values(case.ticket)
        if seen is None:
            continue
        changed = {k: v for k, v in seen.items() if v != case.operator.get(k, "")}
        if not changed:
            continue
        with guard(case, f"baris status {case.ticket}") as failure:
            row = _apply_row(case, seen, changed, ctx, rules)
        if failure.reason is not None:
            case.message = (
                f"Perlu dicek: isian baris ini tidak bisa diproses ({failure.reason}); "
                "ubah isiannya lagi atau hubungi admin Cakra."
            )
            outcome.failed.append(case)
        else:
            for kind in row:
                getattr(outcome, kind).append(case)
        case.operator = dict(seen)
        outcome.touched.append(case)
    return outcome


def _apply_row(
    case: Case,
    seen: Mapping[str, str],
    changed: dict[str, str],
    ctx: StepContext,
    rules: OperatorRules | None = None,
) -> list[str]:
    """Apply one case's changed operator values; the ``EditOutcome`` lists the case belongs in."""
    kinds: list[str] = []
    actor = seen["petugas"]
    notes = [f"{OPERATOR_FIELDS[k]}: {changed[k]}" for k in _NOTE_KEYS if k in changed and changed[k]]
    acting = ctx.by(actor, "; ".join(notes))
    # Notes typed with a move belong to the step being left: kept before the move hands them over.
    take_notes(case, [(OPERATOR_FIELDS[k], changed[k]) for k in NOTE_KEYS if k in changed], actor, ctx.now)
    refusal = rules(case, seen, changed, acting) if rules is not None else None
    if refusal:
        case.message = REFUSED + refusal
        return ["refused"]
    refusals: list[str] = []
    if "privacy" in changed:
        refusals += _apply_privacy(case, seen["privacy"], acting)
    if "step_choice" in changed:
        before, was_paused = case.step, case.is_paused
        refusal = _try_move(case, seen["step_choice"], acting)
        if refusal:
            refusals.append(refusal)
        elif case.step != before:
            kinds.append("moved")
        if case.is_paused != was_paused:
            kinds.append("paused" if case.is_paused else "resumed")
    elif notes or "petugas" in changed:
        informed = informed_line([changed.get("follow_up", "")])  # "Diinformasikan via WhatsApp"
        note = "; ".join(part for part in (acting.note, informed) if part)
        ctx.store.record(case.ticket, ctx.now, NOTE, actor=actor, note=note)
    if refusals:
        case.message = REFUSED + " ".join(refusals)
        kinds.append("refused")
    return kinds


def _apply_privacy(case: Case, cell: str, ctx: StepContext) -> list[str]:
    """Take the operator's "Kerahasiaan" flags; the citizen's own flags always stay. Returns refusals."""
    wanted = parse_flags(cell)
    flags = merge_flags(case.citizen_privacy, wanted)
    if flags != case.privacy:
        case.privacy = flags
        ctx.store.record(
            case.ticket,
            ctx.now,
            PRIVACY_CHANGED,
            actor=ctx.actor,
            note=f"Kerahasiaan: {show_flags(flags) or 'biasa'}",
        )
    kept = [flag for flag in case.citizen_privacy if flag not in wanted]
    if not kept:
        return []
    return [
        f"Pelapor memilih '{show_flags(kept)}' di formulir; tanda itu tidak bisa dihapus "
        f"(kerahasiaan kasus tetap: {show_flags(flags)})."
    ]


def _try_move(case: Case, choice: str, ctx: StepContext) -> str | None:
    """Move ``case`` to the operator's choice; return the refusal text instead when it is not allowed."""
    sop = ctx.sop
    allowed = sop.steps[case.step].next if case.step in sop.steps else ()
    options = ", ".join(sop.state_title(s) for s in allowed)
    if not choice:
        return f"Kolom Tahap kosong. Pilih salah satu: {sop.state_title(case.step)}, {options}."
    if is_waiting_choice(choice):
        if not case.is_open:
            return f"Kasus sudah ditutup ({sop.state_title(case.step)}); tidak bisa menunggu pelapor."
        if not case.is_paused:
            pause(case, ctx)
        return None
    target = resolve_choice(sop, choice)
    if target is None:
        return f"Tahap '{choice}' tidak dikenal. Pilihan berikutnya: {options}."
    if target == case.step:
        if case.is_paused:
            resume(case, ctx, reason=_resumed_by(ctx.actor))
        elif case.message.startswith(REFUSED):
            case.message = f"Tahap tetap '{sop.state_title(case.step)}'."
        return None
    refusal = check_move(sop, case, target)
    if refusal:
        return refusal
    if case.is_paused:  # moving on ends the wait; the stopped time stays off the step being left
        resume(case, ctx, reason=_resumed_by(ctx.actor))
    move(case, target, ctx)
    missing = [sop.evidence[e].title for e in _evidence(sop, target) if e in _missing_ids(case, sop)]
    if missing:
        case.message += f" Perhatian: kelengkapan kurang ({', '.join(missing)})."
    return None


def _evidence(sop: Sop, state: str) -> tuple[str, ...]:
    return sop.steps[state].evidence if state in sop.steps else ()


def _missing_ids(case: Case, sop: Sop) -> set[str]:
    titles = set(case.report.missing_evidence)
    return {key for key, item in sop.evidence.items() if item.title in titles}


def _resumed_by(actor: str) -> str:
    return f"Dilanjutkan oleh {actor}" if actor else "Dilanjutkan operator"
