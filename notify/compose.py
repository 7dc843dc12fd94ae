"""Turning this cycle's notices into outbox rows: one rendered message per role.

Rendering happens here, in the cycle's ledger transaction, so the outbox row carries the final bytes
and a fixed Message-ID before anything is sent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

from cakra.notify.mailer import Mailer
from cakra.notify.plan import RoleNotice
from cakra.notify.views import case_view
from cakra.workflow.sop import Sop

log = logging.getLogger("cakra.notify")

SECTION_TITLES = {
    "new": "Laporan baru",
    "entered": "Kasus yang masuk ke tahap Anda",
    "reminder": "Pengingat: kasus Anda mendekati batas waktu",
    "overdue": "Kasus Anda yang melewati batas waktu",
    "escalated": "Eskalasi: kasus bawahan yang melewati batas waktu",
}
SUBJECT_LABELS = {
    "new": "laporan baru",
    "entered": "masuk tahap Anda",
    "reminder": "pengingat",
    "overdue": "terlambat",
    "escalated": "eskalasi",
}


def enqueue_notices(mailer: Mailer, sop: Sop, notices: Sequence[RoleNotice], now: datetime) -> int:
    """Render and enqueue each role's message; return how many were enqueued."""
    count = 0
    for notice in notices:
        recipients = mailer.recipients(notice.role)
        if not recipients:
            log.warning("peran %s tidak punya penerima; pesan dilewati", notice.role)
            continue
        sections = [
            {
                "key": key,
                "title": SECTION_TITLES[key],
                "label": SUBJECT_LABELS[key],
                "cases": [
                    case_view(c, sop, notice.role, now, note=notice.notes.get((key, c.ticket), ""))
                    for c in cases
                ],
            }
            for key, cases in notice.sections.items()
            if cases
        ]
        context = {
            **mailer.base_context(now),
            "role_title": sop.roles[notice.role].title,
            "sections": sections,
            "case_count": len({c["ticket"] for s in sections for c in s["cases"]}),
        }
        digest = hashlib.sha256("|".join(sorted(notice.keys)).encode()).hexdigest()[:32]
        message_id = mailer.enqueue(
            "role_update",
            context,
            dedupe_key=f"role_update:{notice.role}:{digest}",
            role=notice.role,
            recipients=recipients,
            now=now,
        )
        if message_id:
            count += 1
            log.info("pesan untuk %s: %d kasus (%s)", notice.role, context["case_count"], message_id)
    return count
