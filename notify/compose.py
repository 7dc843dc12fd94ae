"""Turning this cycle's notices into outbox rows: one rendered message per role.

Each message lists what is late first (the role's own overdue steps, then cases late below it), then
what is due soon, then what is new — each section worded for the reader's relation to the case: the
role that must act is told what to do; a superior is told at whom the case is late, since when, who has
already heard, and what they may do. A message shows at most ``FULL_CASES`` cases in full, then up to
``LISTED_CASES`` more as one line each, then only counts and the link to the status sheet, so no message
outgrows a mailbox whatever the backlog.

Rendering happens here, in the cycle's ledger transaction, so the outbox row carries the final bytes
and a fixed Message-ID before anything is sent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cakra.notify.mailer import Mailer
from cakra.notify.plan import RoleNotice
from cakra.notify.views import case_view
from cakra.workflow.case import Case
from cakra.workflow.sop import Sop

log = logging.getLogger("cakra.notify")

FULL_CASES = 50  # cases shown in full per message
LISTED_CASES = 500  # further cases shown as one line each; past these, only counted

SECTION_TITLES = {
    "overdue": "Terlambat di tahap Anda",
    "escalated": "Terlambat di bawah Anda, untuk diketahui",
    "reminder": "Pengingat: kasus Anda mendekati batas waktu",
    "returned": "Dikembalikan ke tahap Anda",
    "entered": "Kasus yang masuk ke tahap Anda",
    "new": "Laporan baru",
}
# What the reader is to do about the cases of a section (shown under its title).
SECTION_ACTIONS = {
    "overdue": "Batas waktu tahap Anda sudah lewat: segera tangani, lalu pilih tahap berikutnya di kolom "
    '"Tahap" dan isi kolom "Petugas".',
    "escalated": "Kasus ini terlambat di tahap peran di bawah Anda dan tetap ditangani di sana. Anda dapat "
    "menanyakan hambatannya kepada petugas tersebut atau memberi arahan sesuai kewenangan Anda.",
    "reminder": "Batas waktunya segera tiba: tangani sebelum terlambat.",
    "returned": "Kasus ini dikirim kembali ke tahap Anda: baca alasannya di bawah, perbaiki, lalu pilih tahap "
    'berikutnya di kolom "Tahap".',
    "entered": "Waktu tahap Anda berjalan sejak kasus masuk: periksa lalu pilih tahap berikutnya di kolom "
    '"Tahap".',
    "new": 'Laporan baru dari warga: periksa lalu pilih tahap berikutnya di kolom "Tahap".',
}
# The "new" section when the SOP's intake is the agency's own staff (``Sop.internal_intake``): a proposal,
# not a citizen's report.
INTERNAL_NEW = {
    "title": "Usulan baru",
    "action": 'Usulan baru dari staf: periksa lalu pilih tahap berikutnya di kolom "Tahap".',
    "label": "usulan baru",
}
SUBJECT_LABELS = {
    "overdue": "terlambat di tahap Anda",
    "escalated": "terlambat di bawah Anda",
    "reminder": "mendekati batas waktu",
    "returned": "dikembalikan ke tahap Anda",
    "entered": "masuk tahap Anda",
    "new": "laporan baru",
}
_BY_DEADLINE = frozenset({"overdue", "escalated", "reminder"})


def _ordered(section: str, cases: list[Case]) -> list[Case]:
    """Late and soon-due cases oldest deadline first; new and entered ones in the order they came."""
    if section in _BY_DEADLINE:
        return sorted(cases, key=lambda c: (c.deadline is None, c.deadline or c.created_at, c.seq))
    return sorted(cases, key=lambda c: (c.step_entered_at, c.seq))


def role_sections(
    notice: RoleNotice, sop: Sop, now: datetime, links: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The notice's sections as the template shows them: full cards up to ``FULL_CASES`` in all, then one
    line each up to ``LISTED_CASES``, then a count of the rest (``more``). A case is shown once, in the
    first (most urgent) section that has it: a report already late when first seen is not also "new"."""
    full, listed = FULL_CASES, LISTED_CASES
    sections = []
    seen: set[str] = set()
    for key, listed_cases in notice.sections.items():
        cases = [c for c in listed_cases if c.ticket not in seen]
        seen.update(c.ticket for c in cases)
        if not cases:
            continue
        views = [
            case_view(
                c,
                sop,
                notice.role,
                now,
                note=notice.notes.get((key, c.ticket), ""),
                link=links.get(c.ticket, ""),
                section=key,
            )
            for c in _ordered(key, cases)[: full + listed]
        ]
        shown, lines = views[:full], views[full : full + listed]
        full, listed = full - len(shown), listed - len(lines)
        words = {"title": SECTION_TITLES[key], "action": SECTION_ACTIONS[key], "label": SUBJECT_LABELS[key]}
        if key == "new" and sop.internal_intake:
            words = INTERNAL_NEW
        sections.append(
            {
                "key": key,
                **words,
                "count": len(cases),
                "cases": shown,
                "lines": lines,
                "more": len(cases) - len(shown) - len(lines),
            }
        )
    return sections


def _reader_title(sop: Sop, notice: RoleNotice) -> str:
    """The role's title; for a per-unit role's message, with its unit ("Admin SKPD — Dinas PUPR")."""
    title = sop.roles[notice.role].title
    unit = sop.units.get(notice.unit)
    return f"{title} — {unit.title}" if unit else title


def _unit_key(notice: RoleNotice) -> str:
    # Part of the message's dedupe key: two units' messages in one cycle are two messages.
    return f"@{notice.unit}" if notice.unit else ""


def enqueue_notices(
    mailer: Mailer,
    sop: Sop,
    notices: Sequence[RoleNotice],
    now: datetime,
    links: Mapping[str, str] | None = None,
) -> int:
    """Render and enqueue each role's message; return how many were enqueued.

    ``links``: ticket -> the address of its row in the status sheet (Google); without one, the message
    names the workbook and the ticket to look for."""
    count = 0
    for notice in notices:
        recipients = mailer.recipients(notice.role, notice.unit)
        if not recipients:
            # A step's second role (Tim Lapangan beside the Kabid) may have no addresses of its own: the
            # accountable role is told. An accountable role without them is a configuration mistake.
            accountable = any(step.role == notice.role for step in sop.steps.values())
            log.log(
                logging.WARNING if accountable else logging.DEBUG,
                "peran %s%s tidak punya penerima; pesan dilewati",
                notice.role,
                f" (unit {notice.unit})" if notice.unit else "",
            )
            continue
        # A unit's people work on their own screen: row links into the main sheet are not theirs.
        sections = role_sections(notice, sop, now, {} if notice.unit else links or {})
        context = {
            **mailer.base_context(now, notice.unit),
            "role_title": _reader_title(sop, notice),
            "sections": sections,
            "acts": any(s["key"] != "escalated" for s in sections),
            "case_count": len({c.ticket for cases in notice.sections.values() for c in cases}),
        }
        digest = hashlib.sha256("|".join(sorted(notice.keys)).encode()).hexdigest()[:32]
        message_id = mailer.enqueue(
            "role_update",
            context,
            dedupe_key=f"role_update:{notice.role}{_unit_key(notice)}:{digest}",
            role=notice.role,
            recipients=recipients,
            now=now,
        )
        if message_id:
            count += 1
            log.info("pesan untuk %s: %d kasus (%s)", notice.role, context["case_count"], message_id)
    return count
