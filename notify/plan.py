"""Who is told what this cycle: one message per role listing its cases, never one per case.

- a new case goes to the role of the SOP's first step (the operator);
- a case entering a step goes to that step's role (in its own section when it was sent back);
- reminders and escalations (``workflow.alerts``): a reminder to the step's role before the deadline; at
  the deadline the role and its superior; then each further superior up to the head of the agency; then
  repeats while the step stays undone — each claimed in the ledger once per case, step entry, level and
  role, so no later cycle, restart or second process repeats it.

A role with ``per_unit`` (workflow/units.py) gets one message per unit: its notices are grouped by
(role, the case's unit), so a unit's recipients never see another unit's case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cakra.workflow.alerts import AlertPolicy, due_alerts
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.case import Case
from cakra.workflow.handover import was_returned
from cakra.workflow.sop import Sop
from cakra.workflow.storage import CaseStore

# The order a message lists them in: what is late first, then what is due soon, then what is new. A case
# sent back to the role (workflow/handover.py) comes before the ones that simply entered its step.
SECTIONS = ("overdue", "escalated", "reminder", "returned", "entered", "new")


@dataclass
class RoleNotice:
    """The cases one role hears about this cycle, by section; ``notes`` adds a line per (section, ticket)."""

    role: str
    # The unit whose recipients this message is for ("" for a role that is not ``per_unit``).
    unit: str = ""
    sections: dict[str, list[Case]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    keys: list[str] = field(default_factory=list)
    # (section, ticket, key, note) of every claimed notice, for holding it back (notify.pacing)
    claimed: list[tuple[str, str, str, str]] = field(default_factory=list)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    # (section, ticket) already listed: a set, because comparing Case dataclasses in a list made a first
    # run over a form with thousands of responses quadratic.
    listed: set[tuple[str, str]] = field(default_factory=set)

    def add(self, section: str, case: Case, key: str, note: str = "") -> None:
        if (section, case.ticket) not in self.listed:
            self.listed.add((section, case.ticket))
            self.sections[section].append(case)
        if note:
            self.notes[(section, case.ticket)] = note
        self.keys.append(key)
        self.claimed.append((section, case.ticket, key, note))


def plan_notices(
    sop: Sop,
    store: CaseStore,
    now: datetime,
    *,
    new: list[Case],
    entered: list[Case],
    open_cases: list[Case],
    calendar: BusinessCalendar,
    policy: AlertPolicy,
) -> list[RoleNotice]:
    """Claim this cycle's per-case notices in the ledger and group them by role (in SOP role order)."""
    by_role: dict[tuple[str, str], RoleNotice] = {}

    def notice(role: str, section: str, case: Case, key: str, note: str = "") -> None:
        if store.claim(key, now):
            unit = unit_of(sop, role, case)
            entry = by_role.setdefault((role, unit), RoleNotice(role, unit))
            entry.add(section, case, key, note)

    first_role = sop.steps[sop.first_step].role
    for case in new:
        notice(first_role, "new", case, f"new:{case.ticket}")
    for case in entered:
        if case.step in sop.steps:
            stamp = case.step_entered_at.isoformat()
            section = "returned" if was_returned(case) else "entered"
            notice(sop.steps[case.step].role, section, case, f"entered:{case.ticket}:{case.step}:{stamp}")
    for case in open_cases:
        for alert in due_alerts(case, sop, calendar, policy, now):
            notice(alert.role, alert.section, case, alert.key, alert.note)
    order = list(sop.roles)
    return [
        by_role[k] for k in sorted(by_role, key=lambda k: (order.index(k[0]) if k[0] in order else 99, k[1]))
    ]


def unit_of(sop: Sop, role: str, case: Case) -> str:
    """Whose recipients hear of ``case`` as ``role``: the case's unit for a per-unit role, else ""."""
    found = sop.roles.get(role)
    return case.unit if found is not None and found.per_unit else ""
