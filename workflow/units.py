"""Units (SKPD, bidang) a case can be disposed to: how the SOP's ``[units.<id>]`` are named and used (``workflow/sop_parse.py`` reads them).

A unit has a title (what the dispatcher picks in "Unit Tujuan"), aliases (what people also call it:
"PUPR", "PU") and the report categories it usually handles (the suggestion shown when a case reaches a
disposition step). Who receives a unit's mail and where its screen lives is the agency's config, not
the SOP (``cakra/unit_settings.py``): the same SOP serves an agency with another set of addresses.

A step whose accountable role has ``per_unit = true`` is a *unit step*: only the unit the case is
disposed to works it, on that unit's own screen (``cakra/unit_screens.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

from cakra.common.text import normalise_header
from cakra.workflow.sop_model import Unit

__all__ = ["Unit", "unit_problems"]


def unit_problems(units: dict[str, Unit], per_unit: list[str], disposing: list[str]) -> list[str]:
    """Mistakes in how the SOP's units are named and used, one line each (``[]`` when none).

    ``per_unit``: the SOP's per-unit roles; ``disposing``: its steps that assign a unit. Either needs units
    to exist, and a per-unit role needs some step where the case's unit is picked."""
    problems = list(_name_clashes(units))
    if (per_unit or disposing) and not units:
        what = f"role {per_unit[0]!r} is per_unit" if per_unit else f"step {disposing[0]!r} assigns_unit"
        problems.append(f"{what}, but the SOP has no [units.<id>] tables")
    if per_unit and not disposing:
        problems.append(
            f"role {per_unit[0]!r} is per_unit, but no step has assigns_unit = true to pick the unit"
        )
    return problems


def _name_clashes(units: dict[str, Unit]) -> Iterator[str]:
    """Every title and alias names one unit only: the dispatcher types them and must get one answer."""
    owner: dict[str, str] = {}
    for unit in units.values():
        for name in (unit.title, *unit.aliases):
            key = normalise_header(name)
            if owner.get(key, unit.id) != unit.id:
                yield f"{name!r} names both unit {owner[key]!r} and unit {unit.id!r}"
            owner[key] = unit.id
    seen: dict[str, str] = {}
    for unit in units.values():
        for category in unit.categories:
            key = normalise_header(category)
            if seen.get(key, unit.id) != unit.id:
                yield f"category {category!r} is suggested for both {seen[key]!r} and {unit.id!r}"
            seen[key] = unit.id
