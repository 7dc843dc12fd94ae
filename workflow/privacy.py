"""Confidential ("Rahasia") and anonymous ("Anonim") reports: the flags and who may see what.

- **Rahasia**: the report's content (description, photos) is shared only with the roles that handle the
  case — the roles whose step it has been in. Anyone else (a superior hearing of an escalation, a
  leadership summary, the status sheet everyone can open, the accountability export) gets the ticket,
  category and timing, never the content.
- **Anonim**: the reporter's identity (name, NIK, phone, email, KTP photo) is shown to the operator
  role only — the role of the SOP's first step, who receives reports. Every other role's email, the
  status sheet and the export show "Anonim".

The safe default comes from the form: a flag the citizen chose is kept for the life of the case (an
operator cannot remove it, and a later edit of the response does not drop it); an operator may add one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cakra.workflow.case import Case
from cakra.workflow.sop import Sop

CONFIDENTIAL = "Rahasia"
ANONYMOUS = "Anonim"
FLAGS = (CONFIDENTIAL, ANONYMOUS)

# "Rahasia", "Laporan rahasia", "Anonim (tanpa identitas)", "Rahasia dan anonim"; a negated answer such as
# "Tidak rahasia" or "Bukan anonim" sets nothing.
_PATTERNS = {
    CONFIDENTIAL: re.compile(r"(?<![\w-])(?<!tidak )(?<!bukan )(?<!non-)(?<!non )rahasia", re.IGNORECASE),
    ANONYMOUS: re.compile(r"(?<![\w-])(?<!tidak )(?<!bukan )(?<!non-)(?<!non )anonim", re.IGNORECASE),
}


def parse_flags(text: object) -> list[str]:
    """The flags named in a form answer or a status-sheet cell, in the fixed order of ``FLAGS``."""
    value = "" if text is None else " ".join(str(text).split())
    return [flag for flag in FLAGS if _PATTERNS[flag].search(value)]


def show_flags(flags: Iterable[str]) -> str:
    """``"Rahasia, Anonim"``; ``""`` for none (what the "Kerahasiaan" column shows)."""
    present = set(flags)
    return ", ".join(flag for flag in FLAGS if flag in present)


def merge_flags(*groups: Iterable[str]) -> list[str]:
    """The union of ``groups`` in ``FLAGS`` order."""
    present = {flag for group in groups for flag in group}
    return [flag for flag in FLAGS if flag in present]


def operator_role(sop: Sop) -> str:
    """The role that receives reports (the SOP's first step): the only one who sees an anonymous reporter."""
    return sop.steps[sop.first_step].role


def is_anonymous(case: Case) -> bool:
    return ANONYMOUS in case.privacy


def is_confidential(case: Case) -> bool:
    return CONFIDENTIAL in case.privacy


def case_handlers(case: Case, sop: Sop) -> set[str]:
    """Roles that have handled the case: every step it entered, and the step it is in now."""
    roles = set(case.handlers) | set(sop.steps[sop.first_step].roles)
    if case.step in sop.steps:
        roles.update(sop.steps[case.step].roles)
    return roles


def may_see_identity(case: Case, sop: Sop, role: str | None) -> bool:
    """Whether ``role`` may see who reported at all (``None``: a sheet or export anyone may open)."""
    return not is_anonymous(case) or role == operator_role(sop)


def may_see_content(case: Case, sop: Sop, role: str | None) -> bool:
    """Whether ``role`` may read what was reported (``None``: a sheet or export anyone may open)."""
    return not is_confidential(case) or (role is not None and role in case_handlers(case, sop))
