"""What a role may see of a case: the view every template gets (never the Case itself).

UU No. 27/2022: the full NIK, the reporter's email and the KTP photo go only to roles whose SOP entry says
``sees_identity`` (Kasubbid and Kabid in the Cakra SOP); everyone else gets the masked NIK, no KTP link, and
every field passed through ``redact`` (a NIK typed into the name, the desa or the description is masked). On top of that (workflow/privacy.py):
- an anonymous ("Anonim") report shows no identity at all — no name, NIK, phone, email or KTP — to any role
  but the operator role;
- a confidential ("Rahasia") report shows no content — description, photos — to roles that have not handled
  the case (e.g. a superior hearing of an escalation).
What may not be seen is left out of the view, so no template can show it by mistake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cakra.common.pii import mask_nik, redact_value
from cakra.notify.handover_view import handover_parts
from cakra.workflow.case import Case
from cakra.workflow.privacy import is_anonymous, is_confidential, may_see_content, may_see_identity
from cakra.workflow.sop import Sop


def case_view(
    case: Case,
    sop: Sop,
    role: str | None,
    now: datetime,
    *,
    note: str = "",
    link: str = "",
    section: str = "",
) -> dict[str, Any]:
    """A template-ready dict of ``case`` as ``role`` may see it (``None``: a reader with no role).

    ``link``: the address of the case's row in the status sheet ('' when there is none); ``section``: why
    the reader hears of it (notify.plan's sections; "escalated" = late at a role below the reader)."""
    report = case.report
    identity = may_see_identity(case, sop, role)
    content = may_see_content(case, sop, role)
    sees_identity = identity and role in sop.roles and sop.roles[role].sees_identity
    step = sop.steps.get(case.step)
    overdue = case.is_overdue(now)
    view = {
        "ticket": case.ticket,
        "received_at": report.received_at,
        "reporter_name": report.name if identity else "",
        "nik": (report.nik if sees_identity else mask_nik(report.nik)) if identity else "",
        "nik_is_full": sees_identity,
        "phone": report.phone if identity else "",
        "email": report.email if sees_identity else "",
        "category": report.category,
        "location": report.location,
        "description": report.description if content else "",
        "kelengkapan": report.kelengkapan,
        "problems": list(report.problems),
        "event_photos": list(report.event_photos) if content else [],
        "ktp_photos": list(report.ktp_photos) if sees_identity else [],
        "has_ktp_photo": bool(report.ktp_photos),
        "step_title": sop.state_title(case.step),
        "role_title": sop.roles[step.role].title if step else "",
        "deadline": case.deadline,
        "overdue": overdue,
        "overdue_by": (now - case.deadline) if overdue and case.deadline else None,
        # "the same NIK sent X" would tie an anonymous reporter to case X's identity
        "duplicate_of": case.duplicate_of if identity else None,
        "anonymous": is_anonymous(case),
        "confidential": is_confidential(case),
        "identity_hidden": not identity,
        "content_hidden": not content,
        "paused": case.is_paused,
        "paused_since": case.paused_since,
        "note": note,
        "link": link,
        "section": section,
        # The step before's notes, this step's expected outputs, the WhatsApp link (notify/handover_view.py).
        **handover_parts(case, sop, content=content, sees_identity=sees_identity, phone=bool(identity)),
    }
    # Whoever may not see the identity gets no NIK-like run in any field (a NIK typed as a name, a desa).
    return view if sees_identity else redact_value(view)
