"""Pacing: what a role must act on goes out at once; what it is told about others' cases is bundled.

- **At once** (the cycle it happens): a new case for the first step's role, a case entering a role's step,
  the reminder and the deadline of the role's own step — their SOP clock is running.
- **Bundled** (``[email] bundle_minutes``, default 30): escalations, i.e. a superior hearing that a case
  is late at a role below. The first held notice opens a window; when its oldest notice is
  ``bundle_minutes`` old, everything held for the role goes out in one message, so a role gets at most
  one bundled message per interval. Held notices also ride along with any message the role gets at once.

Held notices live in the ledger (table ``held_notices``, on its connection and in the cycle's
transaction, next to the claim of each notice), so a restart never loses nor repeats one. A held
escalation of a case that has since left that step (moved on, closed) is news no longer and is dropped
when released.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from cakra.notify.plan import RoleNotice
from cakra.workflow.case import Case

IMMEDIATE = frozenset({"new", "returned", "entered", "reminder", "overdue"})
BUNDLED = frozenset({"escalated"})

_SCHEMA = """
    CREATE TABLE IF NOT EXISTS held_notices (
        key      TEXT PRIMARY KEY,   -- the claimed notice key (workflow.alerts)
        role     TEXT NOT NULL,
        section  TEXT NOT NULL,
        ticket   TEXT NOT NULL,
        entry    TEXT NOT NULL,      -- the step entry it is about: "<step>@<entered_at ISO>"
        note     TEXT NOT NULL,
        held_at  TEXT NOT NULL       -- UTC ISO 8601
    )
"""


class Held(NamedTuple):
    key: str
    section: str
    ticket: str
    entry: str
    note: str


def step_entry(case: Case) -> str:
    """Which visit of a step a notice is about (a case may enter the same step again later)."""
    return f"{case.step}@{case.step_entered_at.isoformat()}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class HeldNotices:
    """The ``held_notices`` table on the ledger's connection; never commits (the cycle's transaction does)."""

    def __init__(self, conn: sqlite3.Connection, interval: timedelta) -> None:
        self._conn = conn
        self.interval = interval
        conn.execute(_SCHEMA)

    def hold(self, role: str, section: str, case: Case, key: str, note: str, now: datetime) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO held_notices VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, role, section, case.ticket, step_entry(case), note, _utc(now)),
        )

    def ripe_roles(self, now: datetime) -> list[str]:
        """Roles whose oldest held notice has waited the whole interval."""
        rows = self._conn.execute(
            "SELECT role FROM held_notices GROUP BY role HAVING MIN(held_at) <= ? ORDER BY role",
            (_utc(now - self.interval),),
        )
        return [role for (role,) in rows]

    def take(self, role: str) -> list[Held]:
        """Everything held for ``role``, oldest first, removed from the table."""
        rows = self._conn.execute(
            "SELECT key, section, ticket, entry, note FROM held_notices WHERE role = ? ORDER BY held_at, key",
            (role,),
        ).fetchall()
        self._conn.execute("DELETE FROM held_notices WHERE role = ?", (role,))
        return [Held(*row) for row in rows]

    def pending(self) -> int:
        """How many notices are held (for logs and tests)."""
        return self._conn.execute("SELECT COUNT(*) FROM held_notices").fetchone()[0]


def pace(
    notices: Sequence[RoleNotice],
    held: HeldNotices | None,
    cases: Mapping[str, Case],
    now: datetime,
    role_order: Sequence[str],
    per_unit: Collection[str] = (),
) -> list[RoleNotice]:
    """The messages to make this cycle: ``notices`` with bundled sections held back or released.

    ``cases``: ticket -> case for at least every open case (a held notice of a case not there, or no
    longer in the same step entry, is dropped). Without ``held`` nothing waits; with a zero interval
    nothing new waits and what an earlier setting held goes out now. A held notice for a role in
    ``per_unit`` joins the message for its case's unit (notify/plan.py).
    """
    if held is None:
        return list(notices)
    out: dict[tuple[str, str], RoleNotice] = {}
    for notice in notices:
        if held.interval <= timedelta(0) or any(notice.sections[s] for s in IMMEDIATE):
            out[(notice.role, notice.unit)] = notice
            continue
        for section, ticket, key, note in notice.claimed:
            held.hold(notice.role, section, cases[ticket], key, note, now)
    going = list(dict.fromkeys(role for role, _ in out))
    for role in [*going, *(r for r in held.ripe_roles(now) if r not in going)]:
        for item in held.take(role):
            case = cases.get(item.ticket)
            if case is not None and case.is_open and step_entry(case) == item.entry:
                unit = case.unit if role in per_unit else ""
                notice = out.setdefault((role, unit), RoleNotice(role, unit))
                notice.add(item.section, case, item.key, item.note)
    ordered = sorted(
        out.values(), key=lambda n: (role_order.index(n.role) if n.role in role_order else 99, n.unit)
    )
    return [n for n in ordered if any(n.sections.values())]
