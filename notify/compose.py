"""Turning this cycle's notices into outbox rows: one rendered message per role.

Rendering happens here, in the cycle's ledger transaction, so the outbox row carries the final bytes
and a fixed Message-ID before anything is sent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cakra.notify.outbox import InlineImage
from cakra.notify.plan import RoleNotice
from cakra.notify.render import render_message
from cakra.notify.views import case_view

if TYPE_CHECKING:
    from cakra.app import App

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


def base_context(app: App, now: datetime) -> dict[str, Any]:
    """What every message template may use."""
    return {
        "agency_name": app.config.agency_name or app.sop.agency or "Cakra",
        "sop_name": app.sop.name,
        "status_sheet_url": app.config.status_sheet_url,
        "timezone": app.config.tz.key,
        "now": now,
    }


def enqueue_message(
    app: App,
    template: str,
    context: Mapping[str, Any],
    *,
    dedupe_key: str,
    role: str,
    recipients: Sequence[str],
    now: datetime,
    inline_images: Sequence[InlineImage] = (),
) -> str | None:
    """Render ``templates/email/<template>.*`` and record it in the outbox from the configured sender.

    The one way every message enters the outbox; returns its Message-ID, or None when ``dedupe_key``
    was already recorded. Does not commit (the caller's transaction does).
    """
    rendered = render_message(template, context)
    return app.outbox.enqueue(
        dedupe_key=dedupe_key,
        role=role,
        recipients=recipients,
        sender=app.config.email.sender,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        inline_images=inline_images,
        now=now,
    )


def enqueue_notices(app: App, notices: Sequence[RoleNotice], now: datetime) -> int:
    """Render and enqueue each role's message; return how many were enqueued."""
    count = 0
    for notice in notices:
        recipients = app.config.role_emails(notice.role)
        if not recipients:
            log.warning("peran %s tidak punya penerima; pesan dilewati", notice.role)
            continue
        sections = [
            {
                "key": key,
                "title": SECTION_TITLES[key],
                "label": SUBJECT_LABELS[key],
                "cases": [
                    case_view(c, app.sop, notice.role, now, note=notice.notes.get((key, c.ticket), ""))
                    for c in cases
                ],
            }
            for key, cases in notice.sections.items()
            if cases
        ]
        context = {
            **base_context(app, now),
            "role_title": app.sop.roles[notice.role].title,
            "sections": sections,
            "case_count": len({c["ticket"] for s in sections for c in s["cases"]}),
        }
        digest = hashlib.sha256("|".join(sorted(notice.keys)).encode()).hexdigest()[:32]
        message_id = enqueue_message(
            app,
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
