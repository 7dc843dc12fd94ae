"""Reaching a reporter who gave no email address (issue 10 item 7): the reply text and a WhatsApp link.

A step the SOP marks ``informs_reporter`` is where an operator tells the reporter the outcome. The
service emails reporters who gave an address (notify/citizen.py); for one who gave only a phone number
the role's email and the status row offer the reply text and a click-to-chat link
(``https://wa.me/<E.164 digits>?text=<reply>``), which opens WhatsApp with the text ready to send.

Never for an anonymous reporter: the status sheet and every role but the operator hide their phone, and a
reporter who chose anonymity is not contacted on the strength of a number they gave the operator alone.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from cakra.common.pii import redact
from cakra.workflow.case import Case
from cakra.workflow.privacy import is_anonymous
from cakra.workflow.sop import Sop

WHATSAPP = "https://wa.me/"
# The reply text carried in a link: WhatsApp opens long texts, but a link of several kilobytes breaks in
# some mail clients and spreadsheet cells. A longer reply is cut (the operator sees it whole in its column).
LINK_REPLY_CHARS = 1_000
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
# E.164 as ingest writes a valid phone (``+6281234567890``): a country code and at most 15 digits in all.
_E164 = re.compile(r"^\+([1-9]\d{7,14})$")


def is_address(text: str) -> bool:
    """Whether ``text`` is one plain email address (``nama@domain.tld``)."""
    return bool(_ADDRESS.match(text))


def whatsapp_number(phone: str) -> str:
    """The digits WhatsApp wants (E.164 without "+"), or "" when ``phone`` is not a valid E.164 number.

    Ingest stores a valid number as E.164 and keeps an unreadable one as typed (flagged): a link to a
    guessed number could reach a stranger, so only the E.164 form gets one."""
    found = _E164.match(phone.strip())
    return found.group(1) if found else ""


def reply_text(case: Case, sop: Sop) -> str:
    """What the operator sends the reporter: the "Balasan untuk Pelapor" column, or a default naming the
    ticket (so a reporter hears at least that the report was handled, and can quote its number)."""
    reply = case.operator.get("reply", "").strip()
    if reply:
        return reply
    by = f" oleh {sop.agency}" if sop.agency else ""
    return f"Yth. Pelapor, laporan Anda dengan nomor tiket {case.ticket} telah ditindaklanjuti{by}. Terima kasih."


def needs_reach(case: Case, sop: Sop) -> bool:
    """Whether the case waits, in an ``informs_reporter`` step, on a reporter the service cannot email
    but may reach by phone (a valid number, not anonymous)."""
    step = sop.steps.get(case.step)
    if step is None or not step.informs_reporter or not case.is_open or is_anonymous(case):
        return False
    return not is_address(case.report.email.strip()) and bool(whatsapp_number(case.report.phone))


def whatsapp_link(case: Case, sop: Sop) -> str:
    """The click-to-chat link with the reply ready to send, or "" when ``needs_reach`` says no.

    The text passes ``redact`` (the link lands in the status sheet, where no full NIK may go) and is cut
    to ``LINK_REPLY_CHARS`` before it is URL-encoded (cutting after could split an escape)."""
    if not needs_reach(case, sop):
        return ""
    text = redact(reply_text(case, sop))
    if len(text) > LINK_REPLY_CHARS:
        text = text[: LINK_REPLY_CHARS - 1].rstrip() + "…"
    return f"{WHATSAPP}{whatsapp_number(case.report.phone)}?text={quote(text, safe='')}"


def default_means(case: Case, sop: Sop, *, closing: bool) -> str:
    """How the reporter was most likely informed, for the history when the operator did not say ("" when
    nothing tells): ``closing`` (the case ends now) sends a reporter with an address the closing email."""
    if closing and is_address(case.report.email.strip()):
        return "email"
    if needs_reach(case, sop):
        return "WhatsApp (tautan dari Cakra)"
    return ""
