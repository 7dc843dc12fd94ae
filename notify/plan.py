"""Who is told what this cycle: one message per role listing its cases, never one per case.

- a new case goes to the role of the SOP's first step (the operator);
- a case entering a step goes to that step's role;
- an overdue case goes to its role and, as an escalation, to that role's superior — once per case and
  step entry, claimed in the ledger so no later cycle or restart repeats it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from cakra.ledger import Ledger
from workflow.case import Case
from workflow.sop import Sop

SECTIONS = ("new", "entered", "overdue", "escalated")


@dataclass
class RoleNotice:
    """The cases one role hears about this cycle, by section."""

    role: str
    sections: dict[str, list[Case]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    keys: list[str] = field(default_factory=list)

    def add(self, section: str, case: Case, key: str) -> None:
        if case not in self.sections[section]:
            self.sections[section].append(case)
        self.keys.append(key)


def plan_notices(
    sop: Sop,
    ledger: Ledger,
    now: datetime,
    *,
    new: list[Case],
    entered: list[Case],
    open_cases: list[Case],
) -> list[RoleNotice]:
    """Claim this cycle's per-case notices in the ledger and group them by role."""
    by_role: dict[str, RoleNotice] = defaultdict(lambda: RoleNotice(""))

    def notice(role: str, section: str, case: Case, key: str) -> None:
        if ledger.claim(key, now):
            entry = by_role[role]
            entry.role = role
            entry.add(section, case, key)

    first_role = sop.steps[sop.first_step].role
    for case in new:
        notice(first_role, "new", case, f"new:{case.ticket}")
    for case in entered:
        if case.step in sop.steps:
            stamp = case.step_entered_at.isoformat()
            notice(sop.steps[case.step].role, "entered", case, f"entered:{case.ticket}:{case.step}:{stamp}")
    for case in open_cases:
        if not case.is_overdue(now) or case.step not in sop.steps:
            continue
        role = sop.steps[case.step].role
        stamp = case.step_entered_at.isoformat()
        notice(role, "overdue", case, f"overdue:{case.ticket}:{case.step}:{stamp}:{role}")
        superiors = sop.superiors(role)
        if superiors:
            notice(
                superiors[0], "escalated", case, f"escalated:{case.ticket}:{case.step}:{stamp}:{superiors[0]}"
            )
    return [
        by_role[r] for r in sorted(by_role, key=lambda r: list(sop.roles).index(r) if r in sop.roles else 99)
    ]
