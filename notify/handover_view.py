"""The handover parts of a case card (notify/views.py): what the step before produced, what this step is
to produce, and how to reach a reporter without email (workflow/handover.py, workflow/reach.py).

Same rules as the rest of the card: a role that may not read the report's content (a confidential case
it has not handled) gets no notes, since notes retell the content; a role without ``sees_identity`` gets
every note through ``redact`` (before the cut, so no half NIK is left); the reporter's reply and WhatsApp
link only where the role sees the phone. Templates autoescape all of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cakra.common.pii import redact
from cakra.workflow.case import Case
from cakra.workflow.handover import NOTE_CHARS, cut, was_returned
from cakra.workflow.reach import needs_reach, reply_text, whatsapp_link
from cakra.workflow.sop import Sop


def handover_parts(
    case: Case, sop: Sop, *, content: bool, sees_identity: bool, phone: bool
) -> dict[str, Any]:
    """The view keys ``handover``, ``expected`` and ``reach`` (each None when there is nothing to show).

    ``content``: the role may read the report; ``sees_identity``: it sees the full NIK (no redaction);
    ``phone``: it sees the reporter's phone number."""

    def shown(text: str) -> str:
        return cut(text if sees_identity else redact(text), NOTE_CHARS)

    handover = case.handover if content else None
    step = sop.steps.get(case.step)
    returned = was_returned(case)
    reason = handover.get("reason", "") if handover and returned else ""
    # A returned case's reason is said once, in its own block: not again among the notes.
    notes = [n for n in (handover or {}).get("notes", ()) if not (reason and n["text"] in reason)]
    return {
        "handover": None
        if not handover
        else {
            "from_title": handover["from_title"],
            "actor": handover.get("actor", ""),
            "at": datetime.fromisoformat(handover["at"]),
            # Only while the case is still where it was sent back to (not after it moved on again).
            "returned": returned,
            "reason": shown(reason),
            "notes": [{"label": n["label"], "text": shown(n["text"])} for n in notes],
            "outputs": list(handover.get("outputs", ())),
        },
        "expected": None
        if step is None or not (step.description or step.outputs)
        else {"description": step.description, "outputs": list(step.outputs)},
        "reach": None
        if not (phone and needs_reach(case, sop))
        else {"reply": shown(reply_text(case, sop)), "link": whatsapp_link(case, sop)},
    }
