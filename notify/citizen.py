"""Messages to the citizen who reported (when the form collected an email address).

With ``[citizen] reply_to`` (the agency's desk address) set, every message carries it as Reply-To and
invites the reporter to reply; without it nothing reads replies, so the messages never say to reply.

- an **acknowledgement** in the cycle the report arrives: the ticket number, what happens next and by when,
  and how to quote the ticket;
- a **closing message** in the cycle the case ends (Selesai / Tidak valid), carrying the text operators wrote
  in the "Balasan untuk Pelapor" column — the only words of the case a citizen ever receives: disposisi,
  hasil verifikasi and tindak lanjut are internal and never enter the citizen's view.
Both go through the outbox like every message (dedupe key per case and kind), rendered from
``templates/email/citizen_*`` with the autoescaping environment.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cakra.notify.mailer import Mailer
from cakra.workflow.case import Case
from cakra.workflow.privacy import is_anonymous, is_confidential
from cakra.workflow.reach import is_address
from cakra.workflow.sop import Sop

log = logging.getLogger("cakra.notify")

# The outbox's "role" for messages to reporters (an SOP's external role, never one with recipients).
CITIZEN = "pelapor"


def citizen_view(sop: Sop, case: Case) -> dict[str, Any]:
    """What a message to the reporter shows: their own report's facts and the public reply, nothing internal."""
    first = sop.steps[sop.first_step]
    return {
        "ticket": case.ticket,
        "name": case.report.name,
        "received_at": case.report.received_at,
        "category": case.report.category,
        "location": case.report.location,
        "first_role": sop.roles[first.role].title,
        "first_deadline": case.deadline if case.step == first.id else None,
        "steps": [
            {"title": step.title, "limit": str(step.limit) if step.limit else ""}
            for step in sop.steps.values()
            if step.id != sop.intake_step
        ],
        "ending": sop.state_title(case.step) if not case.is_open else "",
        "closed_at": case.closed_at,
        "reply": case.operator.get("reply", "").strip(),
        "anonymous": is_anonymous(case),
        "confidential": is_confidential(case),
    }


# A report older than this when Cakra first sees it gets no acknowledgement (see below).
ACK_WINDOW = timedelta(days=2)


def enqueue_citizen_messages(
    mailer: Mailer, sop: Sop, now: datetime, *, opened: Iterable[Case], closed: Iterable[Case], contact: str
) -> int:
    """Queue the acknowledgement of each opened case and the closing message of each closed one.

    ``contact``: how the reporter reaches the agency (``[citizen] contact``), shown in each message."""
    count = 0
    # A report older than this when Cakra first sees it is history (Cakra installed on a form that
    # already had responses): thanking its reporter now, weeks later, would only confuse them.
    fresh = [c for c in opened if now - c.report.received_at <= ACK_WINDOW]
    for template, cases in (("citizen_ack", fresh), ("citizen_close", closed)):
        for case in cases:
            count += _enqueue(mailer, sop, case, template, now, contact)
    return count


def _enqueue(mailer: Mailer, sop: Sop, case: Case, template: str, now: datetime, contact: str) -> int:
    address = case.report.email.strip()
    if not address:
        return 0
    if not is_address(address):
        log.info("%s: alamat email pelapor tidak valid; pesan untuk pelapor dilewati", case.ticket)
        return 0
    context = {
        **mailer.base_context(now),
        "c": citizen_view(sop, case),
        "contact": contact,
        # Only a desk address set as Reply-To makes "reply to this email" true: nothing reads the sender's.
        "reply_to": mailer.reply_to,
    }
    message_id = mailer.enqueue(
        template,
        context,
        dedupe_key=f"{template}:{case.ticket}",
        role=CITIZEN,
        recipients=[address],
        now=now,
        reply_to=mailer.reply_to,
    )
    return 1 if message_id else 0
