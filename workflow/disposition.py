"""Disposition: which unit a case goes to, and who may move it where (issue 10, units and routing).

- At a step with ``assigns_unit`` the dispatcher picks the unit in "Unit Tujuan" (title, alias or id,
  any case); the case cannot move on from that step without one. A new case at such a step starts with
  the SOP's category -> unit suggestion in the cell and in "Pesan Sistem".
- At a *unit step* (its role is ``per_unit``) only the case's unit moves it, on its own screen: the main
  sheet's "Tahap" is refused there with the reason. A case sent back to a unit step goes back to the
  same unit: ``Case.unit`` changes only at an ``assigns_unit`` step, and each change is in the history.

``operator_rules(screen)`` gives the check ``workflow.operator_edits.apply_operator_edits`` runs on each
changed row before anything of it is applied (``screen``: None for the main sheet, else the unit whose
screen the row is on).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping

from cakra.common.text import normalise_header
from cakra.workflow.case import Case
from cakra.workflow.context import StepContext
from cakra.workflow.engine import resolve_choice
from cakra.workflow.pause import is_waiting_choice
from cakra.workflow.sop import Sop
from cakra.workflow.storage import DISPOSED
from cakra.workflow.units import Unit

# How many close matches a refusal of an unknown unit lists.
CLOSE_MATCHES = 3
UNIT_FIELD = "unit"

# (case, the row's operator values, those that changed, the acting context) -> a refusal or None.
OperatorRules = Callable[[Case, Mapping[str, str], dict[str, str], StepContext], str | None]


def resolve_unit(sop: Sop, text: str) -> str | None:
    """The unit a dispatcher meant: its title, an alias or its id, case- and spacing-insensitive."""
    wanted = normalise_header(text)
    if not wanted:
        return None
    for unit in sop.units.values():
        if wanted in {normalise_header(n) for n in (unit.title, *unit.aliases, unit.id)}:
            return unit.id
    return None


def close_units(sop: Sop, text: str) -> list[str]:
    """Titles of the units whose title or alias looks most like ``text`` (for a refusal)."""
    names = {normalise_header(n): u.title for u in sop.units.values() for n in (u.title, *u.aliases)}
    found = difflib.get_close_matches(normalise_header(text), list(names), n=CLOSE_MATCHES * 2, cutoff=0.4)
    return list(dict.fromkeys(names[n] for n in found))[:CLOSE_MATCHES]


def suggest_unit(sop: Sop, category: str) -> Unit | None:
    """The unit the SOP's category table suggests for a report's category (None: no suggestion)."""
    wanted = normalise_header(category)
    if not wanted:
        return None
    return next((u for u in sop.units.values() if wanted in map(normalise_header, u.categories)), None)


def unit_title(sop: Sop, unit_id: str) -> str:
    """A unit's title ("" for no unit; the id itself for a unit the SOP no longer has)."""
    unit = sop.units.get(unit_id)
    return unit.title if unit else unit_id


def is_unit_step(sop: Sop, step: str) -> bool:
    """Whether ``step`` is worked by the case's unit (its accountable role is ``per_unit``)."""
    found = sop.steps.get(step)
    return found is not None and found.role in sop.roles and sop.roles[found.role].per_unit


def assigns_unit(sop: Sop, step: str) -> bool:
    """Whether the dispatcher picks the case's unit at ``step``."""
    found = sop.steps.get(step)
    return found is not None and found.assigns_unit


def at_unit_step(sop: Sop, case: Case, unit: str | None = None) -> bool:
    """Whether ``case`` is open at a unit step (of ``unit``, when given)."""
    return case.is_open and bool(case.unit) and is_unit_step(sop, case.step) and unit in (None, case.unit)


def suggestion_note(sop: Sop, case: Case) -> str:
    """ "Saran unit: <title> (kategori <category>)", or "" when the category table suggests nothing."""
    unit = suggest_unit(sop, case.report.category)
    return f"Saran unit: {unit.title} (kategori {case.report.category})" if unit else ""


def suggest_for_new(sop: Sop, case: Case) -> bool:
    """A new case at a disposition step starts with the suggested unit in "Unit Tujuan" (the row's first
    value, which the dispatcher accepts by moving the case on) and the suggestion in "Pesan Sistem".
    Returns whether the case changed."""
    if not assigns_unit(sop, case.step) or case.unit or case.operator.get(UNIT_FIELD):
        return False
    unit = suggest_unit(sop, case.report.category)
    if unit is None:
        return False
    case.operator[UNIT_FIELD] = unit.title
    case.message = f"{case.message} {suggestion_note(sop, case)}.".strip()
    return True


def dispose(case: Case, unit_id: str, ctx: StepContext) -> None:
    """Give ``case`` to ``unit_id`` (a re-disposition names the unit it leaves), in the history."""
    sop = ctx.sop
    before = f" (sebelumnya {unit_title(sop, case.unit)})" if case.unit else ""
    note = f"Disposisi ke {unit_title(sop, unit_id)}{before}"
    ctx.store.record(case.ticket, ctx.now, DISPOSED, actor=ctx.actor, note=note)
    case.unit = unit_id
    # The unit's screen starts afresh for a case that comes to it (a row it may have had is re-filled).
    case.unit_operator = {}
    case.unit_message = ""
    who = f" oleh {ctx.actor}" if ctx.actor else ""
    case.message = f"{note}{who}."


def operator_rules(screen: str | None) -> OperatorRules:
    """The unit rules for rows of the main sheet (``screen`` None) or of unit ``screen``'s own sheet."""

    def rules(case: Case, seen: Mapping[str, str], changed: dict[str, str], ctx: StepContext) -> str | None:
        if not ctx.sop.units:
            return None
        if screen is None:
            return _main_sheet(case, seen, changed, ctx)
        return _unit_screen(case, screen, changed, ctx)

    return rules


def _main_sheet(case: Case, seen: Mapping[str, str], changed: dict[str, str], ctx: StepContext) -> str | None:
    sop = ctx.sop
    if "step_choice" in changed and at_unit_step(sop, case):
        title = unit_title(sop, case.unit)
        return (
            f"Kasus ini sedang di tahap unit '{sop.state_title(case.step)}' dan ditangani {title} di layar "
            f"unitnya; tahapnya diubah di sana, bukan di lembar ini."
        )
    disposing = assigns_unit(sop, case.step) and case.is_open
    if UNIT_FIELD in changed and not disposing:
        where = ", ".join(s.title for s in sop.steps.values() if s.assigns_unit)
        kept = unit_title(sop, case.unit) or "belum ada"
        return f"Unit Tujuan hanya bisa diubah di tahap disposisi ({where}); unit tetap: {kept}."
    moving = "step_choice" in changed and _leaves_step(sop, case, changed["step_choice"])
    if not disposing or not (UNIT_FIELD in changed or moving):
        return None
    cell = seen.get(UNIT_FIELD, "")
    if cell:
        unit_id = resolve_unit(sop, cell)
        if unit_id is None:
            near = close_units(sop, cell)
            hint = f" Mungkin maksud Anda: {', '.join(near)}." if near else ""
            return f"Unit '{cell}' tidak dikenal.{hint} Tulis nama unit sesuai daftar pilihan."
        if unit_id != case.unit:
            dispose(case, unit_id, ctx)
    if moving and not case.unit:
        note = suggestion_note(sop, case)
        return "Isi kolom 'Unit Tujuan' sebelum memindahkan kasus dari tahap disposisi." + (
            f" {note}." if note else ""
        )
    return None


def _unit_screen(case: Case, screen: str, changed: dict[str, str], ctx: StepContext) -> str | None:
    sop = ctx.sop
    if not at_unit_step(sop, case, screen):
        step = sop.steps.get(case.step)
        role = f" (peran {sop.roles[step.role].title})" if step else ""
        return (
            f"Kasus ini sekarang di tahap '{sop.state_title(case.step)}'{role}, bukan di tahap unit Anda; "
            "perubahan di lembar ini tidak diproses."
        )
    if UNIT_FIELD in changed:
        return "Unit Tujuan hanya diubah oleh petugas disposisi di lembar utama; unit tetap."
    return None


def _leaves_step(sop: Sop, case: Case, choice: str) -> bool:
    """Whether the operator's "Tahap" choice would take the case out of its step."""
    if not choice or is_waiting_choice(choice):
        return False
    target = resolve_choice(sop, choice)
    return target is not None and target != case.step
