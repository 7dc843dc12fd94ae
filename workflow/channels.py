"""Where a case came from: the intake channel, and whether the submitter is a citizen or the agency.

A case enters Cakra by one of two doors (issue 10, item 5):
- the form's response tab: ``Report.channel`` is ``FORM_CHANNEL`` unless the form asks for a channel;
- the "Input Manual" tab, where the admin records what came by letter, email, social media, WhatsApp,
  LAPOR!, telephone or in person: ``Report.channel`` is the row's "Saluran", ``Report.reference`` its
  external reference (e.g. the LAPOR! tracking number). Such a report's key starts with
  ``MANUAL_KEY_PREFIX``, which is how the rest of the service tells the two doors apart (ticket
  numbering, identity records, wording) without a column of its own.

An SOP whose intake step belongs to a role of the agency itself (``Sop.internal_intake``: a staff form,
e.g. innovation proposals) is worded as a proposal from staff, not a citizen's report: see
``new_case_message`` and ``notify.compose``.
"""

from __future__ import annotations

from cakra.common.text import normalise_header
from cakra.workflow.case import Report
from cakra.workflow.sop import Sop

MANUAL_KEY_PREFIX = "manual:"
FORM_CHANNEL = "Formulir"
# The "Saluran" dropdown of the Input Manual tab (both backends), in the order the admin sees it.
MANUAL_CHANNELS: tuple[str, ...] = (
    "Surat",
    "Email",
    "Media sosial",
    "WhatsApp",
    "LAPOR!",
    "Telepon",
    "Datang langsung",
)
_CANONICAL = {normalise_header(name).rstrip("!"): name for name in (*MANUAL_CHANNELS, FORM_CHANNEL)}


def is_manual(report: Report) -> bool:
    """True for a report typed into the Input Manual tab (not a form response)."""
    return report.response_key.startswith(MANUAL_KEY_PREFIX)


def channel_of(typed: str, default: str) -> str:
    """The channel as the service names it: a known channel whatever its case and spacing ("lapor",
    "LAPOR!" -> "LAPOR!"), anything else as typed, ``default`` when nothing was typed."""
    text = " ".join(typed.split())
    if not text:
        return default
    return _CANONICAL.get(normalise_header(text).rstrip("!"), text)


def new_case_message(sop: Sop) -> str:
    """The status sheet's message on a case just opened with nothing to check."""
    return "Usulan baru diterima." if sop.internal_intake else "Laporan baru diterima."
