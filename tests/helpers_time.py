"""Helpers for the tests of working time, alerts, pauses, citizen messages, digests, dashboard and export.

They sit on top of ``tests/site.py`` (a Site drives the service the way people do) and add: a site on the
working-days SOP fixture (tests/sops/working-days.toml: limits in working days), reading mail by recipient, and form rows with the
"Kerahasiaan" answer.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.site import Site, response

WIB = ZoneInfo("Asia/Jakarta")
WORKING_DAYS_SOP = Path(__file__).resolve().parent / "sops" / "working-days.toml"
REPORTER = "andi@contoh.example"  # the default response's email address
WORKING_DAYS_ROLES = {
    "admin": ["admin@dinas.contoh.example"],
    "sekretaris": ["sekretaris@dinas.contoh.example"],
    "kabid": ["kabid@dinas.contoh.example"],
    "kepala_dinas": ["kadis@dinas.contoh.example"],
}


def wib(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=WIB)  # type: ignore[misc]


def use_working_days(site: Site, **extra: object) -> Site:
    """Point ``site`` at the working-days SOP fixture (limits in working days) with its roles' recipients."""
    site.close()
    site.extra = {
        "sop": str(WORKING_DAYS_SOP),
        "roles": {r: {"emails": e} for r, e in WORKING_DAYS_ROLES.items()},
        **extra,
    }
    return site


def with_privacy(row: list[object], answer: str) -> list[object]:
    """A response row with the "Kerahasiaan" question answered (the last of ``tests.site.FORM_HEADERS``)."""
    return [*row, answer]


def mail_to(site: Site, address: str, since: int = 0) -> list[EmailMessage]:
    """Messages (from the ``since``-th on) whose To is ``address`` or starts with ``address`` (a local part)."""
    return [m for m in site.emails()[since:] if str(m["To"]).startswith(address)]


def recipients(site: Site, since: int = 0) -> list[str]:
    """Sorted local parts of the To of every message from the ``since``-th on."""
    return sorted(str(m["To"]).split("@")[0] for m in site.emails()[since:])


def content(message: EmailMessage) -> str:
    """Plain text and HTML of a message, for "does it say X anywhere" checks."""
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


def plain(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


__all__ = [
    "REPORTER",
    "WORKING_DAYS_ROLES",
    "WORKING_DAYS_SOP",
    "WIB",
    "content",
    "mail_to",
    "plain",
    "recipients",
    "response",
    "use_working_days",
    "wib",
    "with_privacy",
]
