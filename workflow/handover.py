"""What one step produces reaches the next (issue 10 item 1): step notes, the handover, returns.

While a case is in a step, what operators write in the note columns ("Disposisi / Catatan", "Hasil
Verifikasi", "Tindak Lanjut") is kept on the case as that step's notes (``Case.step_notes``). When the
case moves, they become ``Case.handover``: what the step left produced, who wrote it and when, shown in
the next role's email (notify/handover_view.py) and, shortened, on the status sheet. A move back (to a
step at or before the current one in the SOP's order) is a return: the handover says so, with the reason
typed with the move, and the move's history note starts "Dikembalikan".

"Balasan untuk Pelapor" is not a step note: it is the reporter's reply (notify/citizen.py, workflow/reach.py),
and no citizen message ever carries a step note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from cakra.common.pii import redact
from cakra.workflow.case import Case
from cakra.workflow.context import StepContext
from cakra.workflow.reach import default_means
from cakra.workflow.sop import Sop

# The operator columns (workflow/operator_edits.py OPERATOR_FIELDS keys) whose text is a step's output.
NOTE_KEYS = ("disposisi", "verification", "follow_up")
NOTE_CHARS = 1_000  # a note as an email shows it (a longer one is cut with "…")
SUMMARY_CHARS = 200  # the notes on the status sheet ("Catatan Tahap Sebelumnya")
RETURNED = "Dikembalikan"
NO_REASON = "alasan tidak diisi"
INFORMED = "Pelapor diinformasikan via"
UNRECORDED = "Pelapor diinformasikan (cara tidak dicatat)"
# "Diinformasikan via WhatsApp", "diinformasikan melalui surat tgl 3/12", "Diinformasikan lewat telepon".
_INFORMED = re.compile(
    r"^\s*diinformasikan\s+(?:via|melalui|lewat|dengan)\s+(\S.*)$", re.IGNORECASE | re.DOTALL
)


def take_notes(case: Case, notes: Sequence[tuple[str, str]], actor: str, now: datetime) -> None:
    """Keep ``notes`` ((label, text) as typed in one edit) as notes of the case's current step.

    A label typed again replaces its earlier note (the cell holds one text); an emptied cell drops it."""
    for label, text in notes:
        kept = [note for note in case.step_notes if note["label"] != label]
        if text.strip():
            kept.append({"label": label, "text": text.strip(), "actor": actor, "at": now.isoformat()})
        case.step_notes = kept


def is_return(sop: Sop, current: str, target: str) -> bool:
    """Whether a move from step ``current`` to ``target`` goes back: to a step at or before ``current``
    in the SOP's order. An ending is never a return."""
    order = list(sop.steps)
    return target in sop.steps and current in sop.steps and order.index(target) <= order.index(current)


def was_returned(case: Case) -> bool:
    """Whether the case's last move sent it back to the step it is in now."""
    handover = case.handover
    return bool(handover and handover.get("returned") and handover.get("to_step") == case.step)


def informed_via(text: str) -> str:
    """The means in a note saying the reporter was informed ("Diinformasikan via WhatsApp" -> "WhatsApp")."""
    found = _INFORMED.match(text)
    return " ".join(found.group(1).split()) if found else ""


def informed_line(texts: Sequence[str]) -> str:
    """``"Pelapor diinformasikan via …"`` for the first of ``texts`` that says so, else ""."""
    for text in texts:
        means = informed_via(text)
        if means:
            return f"{INFORMED} {means}"
    return ""


def hand_over(case: Case, target: str, ctx: StepContext) -> str:
    """Turn the notes of the step ``case`` is leaving for ``target`` into ``case.handover`` (emptying
    ``case.step_notes``) and return the history note of the move. Call before the case's step changes.

    The note is ``ctx.note``, prefixed "Dikembalikan" for a return; leaving (not returning from) an
    ``informs_reporter`` step adds "Pelapor diinformasikan via …" unless a note already recorded it."""
    sop, stamp = ctx.sop, ctx.now.isoformat()
    step = sop.steps.get(case.step)
    returned = is_return(sop, case.step, target)
    typed_now = [note["text"] for note in case.step_notes if note["at"] == stamp]
    case.handover = {
        "from_step": case.step,
        "from_title": sop.state_title(case.step),
        "to_step": target,
        "outputs": list(step.outputs) if step else [],
        "notes": [dict(note) for note in case.step_notes],
        "actor": ctx.actor,
        "at": stamp,
        "returned": returned,
        # Typed with the move; else the step's latest note (typed with a move refused at first).
        "reason": "; ".join(typed_now or [n["text"] for n in case.step_notes[-1:]]) if returned else "",
    }
    earlier = [note["text"] for note in case.step_notes if note["at"] != stamp]
    case.step_notes = []
    parts = [ctx.note] if ctx.note else []
    if returned:
        parts = [f"{RETURNED}: {ctx.note}" if ctx.note else f"{RETURNED} ({NO_REASON})"]
    elif step is not None and step.informs_reporter and not informed_line(earlier):
        closing = sop.is_ending(target)
        means = default_means(case, sop, closing=closing)
        parts.append(informed_line(typed_now) or (f"{INFORMED} {means}" if means else UNRECORDED))
    return "; ".join(parts)


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, a cut one ending in "…"."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def handover_summary(case: Case, with_notes: bool) -> str:
    """The status sheet's "Catatan Tahap Sebelumnya": where the case came from, by whom, and the first
    ``SUMMARY_CHARS`` of the notes (redacted before cutting: no half NIK is left to read). Without
    ``with_notes`` (a confidential report on a sheet everyone opens) only where from and by whom."""
    handover = case.handover
    if not handover:
        return ""
    head = ("Dikembalikan dari " if handover.get("returned") else "Dari ") + handover["from_title"]
    if handover.get("actor"):
        head += f" oleh {handover['actor']}"
    texts = [f"{note['label']}: {note['text']}" for note in handover.get("notes", ())]
    if handover.get("returned") and not texts:
        texts = [NO_REASON]
    if not with_notes or not texts:
        return head
    notes = redact(" ".join("; ".join(texts).split()))
    return f"{head}: {cut(notes, SUMMARY_CHARS)}"
