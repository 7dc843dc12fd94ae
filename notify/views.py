"""What a role may see of a case: the view every template gets (never the Case itself).

UU No. 27/2022: the full NIK and the KTP photo go only to roles whose SOP entry says ``sees_identity``
(Kasubbid and Kabid in the Cakra SOP); everyone else gets the masked NIK, no KTP link, and a
description in which any 16-digit run is masked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cakra.pii import mask_nik, redact
from workflow.case import Case
from workflow.sop import Sop


def case_view(case: Case, sop: Sop, role: str, now: datetime) -> dict[str, Any]:
    """A template-ready dict of ``case`` as ``role`` may see it."""
    report = case.report
    sees_identity = sop.roles[role].sees_identity if role in sop.roles else False
    step = sop.steps.get(case.step)
    return {
        "ticket": case.ticket,
        "received_at": report.received_at,
        "reporter_name": report.name,
        "nik": report.nik if sees_identity else mask_nik(report.nik),
        "nik_is_full": sees_identity,
        "phone": report.phone,
        "email": report.email if sees_identity else "",
        "category": report.category,
        "location": report.location,
        "description": report.description if sees_identity else redact(report.description),
        "kelengkapan": report.kelengkapan,
        "problems": list(report.problems),
        "event_photos": list(report.event_photos),
        "ktp_photos": list(report.ktp_photos) if sees_identity else [],
        "has_ktp_photo": bool(report.ktp_photos),
        "step_title": sop.state_title(case.step),
        "role_title": sop.roles[step.role].title if step else "",
        "deadline": case.deadline,
        "overdue": case.is_overdue(now),
        "overdue_by": (now - case.deadline) if case.is_overdue(now) and case.deadline else None,
        "duplicate_of": case.duplicate_of,
    }
