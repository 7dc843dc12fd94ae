"""Units (SKPD, bidang) a case can be disposed to: the SOP's ``[units.<id>]`` tables, read and resolved.

A unit has a title (what the dispatcher picks in "Unit Tujuan"), aliases (what people also call it:
"PUPR", "PU") and the report categories it usually handles (the suggestion shown when a case reaches a
disposition step). Who receives a unit's mail and where its screen lives is the agency's config, not
the SOP (``cakra/unit_settings.py``): the same SOP serves an agency with another set of addresses.

A step whose accountable role has ``per_unit = true`` is a *unit step*: only the unit the case is
disposed to works it, on that unit's own screen (``cakra/unit_screens.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cakra.common.errors import SopError
from cakra.common.text import normalise_header

_UNIT_KEYS = {"title", "aliases", "categories"}


@dataclass(frozen=True)
class Unit:
    id: str
    title: str
    aliases: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def parse_units(table: Any, path: Path) -> dict[str, Unit]:
    """The SOP's ``[units.<id>]`` tables; a mistake is one ``SopError`` line naming the unit and key."""
    if not isinstance(table, dict):
        raise SopError(f"{path}: 'units' must be tables, e.g. [units.dinas_pupr]")
    units: dict[str, Unit] = {}
    for unit_id, unit in table.items():
        if not isinstance(unit, dict):
            raise SopError(f"{path}: units.{unit_id} must be a table ([units.{unit_id}])")
        unknown = sorted(set(unit) - _UNIT_KEYS)
        if unknown:
            raise SopError(
                f"{path}: unit {unit_id!r} has unknown key {unknown[0]!r}; allowed keys are "
                f"{', '.join(sorted(_UNIT_KEYS))}"
            )
        title = unit.get("title", unit_id)
        lists = {key: unit.get(key, []) for key in ("aliases", "categories")}
        for key, value in lists.items():
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise SopError(f'{path}: unit {unit_id!r}: {key} must be a list of names, e.g. ["PUPR"]')
        if not isinstance(title, str) or not title.strip():
            raise SopError(f"{path}: unit {unit_id!r} needs a title")
        units[unit_id] = Unit(unit_id, title, tuple(lists["aliases"]), tuple(lists["categories"]))
    _check_names(units, path)
    return units


def _check_names(units: dict[str, Unit], path: Path) -> None:
    """Every title and alias names one unit only: the dispatcher types them and must get one answer."""
    owner: dict[str, str] = {}
    for unit in units.values():
        for name in (unit.title, *unit.aliases):
            key = normalise_header(name)
            if owner.get(key, unit.id) != unit.id:
                raise SopError(f"{path}: {name!r} names both unit {owner[key]!r} and unit {unit.id!r}")
            owner[key] = unit.id
    seen: dict[str, str] = {}
    for unit in units.values():
        for category in unit.categories:
            key = normalise_header(category)
            if seen.get(key, unit.id) != unit.id:
                raise SopError(
                    f"{path}: category {category!r} is suggested for both {seen[key]!r} and {unit.id!r}"
                )
            seen[key] = unit.id


def validate_units(units: dict[str, Unit], per_unit: list[str], disposing: list[str], path: Path) -> None:
    """``per_unit``: the SOP's per-unit roles; ``disposing``: its steps that assign a unit. Either needs
    units to exist, and a per-unit role needs some step where the case's unit is picked."""
    if (per_unit or disposing) and not units:
        what = f"role {per_unit[0]!r} is per_unit" if per_unit else f"step {disposing[0]!r} assigns_unit"
        raise SopError(f"{path}: {what}, but the SOP has no [units.<id>] tables")
    if per_unit and not disposing:
        raise SopError(
            f"{path}: role {per_unit[0]!r} is per_unit, but no step has assigns_unit = true to pick the unit"
        )
