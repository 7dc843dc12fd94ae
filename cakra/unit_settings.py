"""The config's ``[units.<id>]`` tables: who a unit's mail goes to, and where its own screen lives.

```toml
[units.dinas_pupr]
emails = ["admin.pupr@example.go.id"]      # the unit's recipients (a per_unit role's mail for its cases)
spreadsheet_id = "1AbC..."                 # Google backend: the unit's own spreadsheet
workbook = "unit-dinas-pupr.xlsx"          # local backend: the unit's own workbook (relative: config folder)
```

Units themselves (title, aliases, categories) are the SOP's (workflow/units.py); the config gives each
one its people and its screen. An SOP unit without a table here, or a table for a unit the SOP does not
have, is refused with one line (``check_units``), as is a unit without the screen its backend needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cakra.common.errors import ConfigError
from cakra.settings import resolve_path
from cakra.workflow.sop import Sop

_KEYS = {"emails", "spreadsheet_id", "workbook"}


@dataclass(frozen=True)
class UnitSettings:
    id: str
    emails: tuple[str, ...] = ()
    spreadsheet_id: str = ""  # Google: the unit's own spreadsheet
    workbook: Path | None = None  # local: the unit's own workbook


def read_units(table: Any, base: Path) -> dict[str, UnitSettings]:
    """Parse ``[units.<id>]`` (paths relative to ``base``, the config's folder); one line per mistake."""
    out: dict[str, UnitSettings] = {}
    for unit_id, unit in table.items():
        if not isinstance(unit, dict):
            raise ConfigError(f"[units.{unit_id}] must be a table with emails, spreadsheet_id or workbook")
        unknown = sorted(set(unit) - _KEYS)
        if unknown:
            raise ConfigError(
                f"unknown key 'units.{unit_id}.{unknown[0]}' in the config; known keys here: "
                f"{', '.join(sorted(_KEYS))}"
            )
        emails = unit.get("emails", [])
        if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
            raise ConfigError(f"[units.{unit_id}] emails must be a list of email addresses, got {emails!r}")
        for key in ("spreadsheet_id", "workbook"):
            if not isinstance(unit.get(key, ""), str):
                raise ConfigError(f"[units.{unit_id}] {key} must be text, got {unit[key]!r}")
        workbook = unit.get("workbook", "")
        out[unit_id] = UnitSettings(
            unit_id,
            tuple(emails),
            unit.get("spreadsheet_id", "").strip(),
            resolve_path(workbook, base) if workbook else None,
        )
    return out


def check_units(units: Mapping[str, UnitSettings], sop: Sop, backend: str, main_workbook: Path) -> None:
    """Each SOP unit has its config table (recipients and a screen for the backend), and the config
    names no unit the SOP lacks: a unit without people or screen would hold cases nobody sees."""
    for unit_id in units:
        if unit_id not in sop.units:
            known = ", ".join(sop.units) or "none"
            raise ConfigError(f"[units.{unit_id}] names no unit of the SOP; its units are: {known}")
    for unit in sop.units.values():
        settings = units.get(unit.id)
        if settings is None or not settings.emails:
            raise ConfigError(
                f"the SOP's unit '{unit.id}' ({unit.title}) has no recipients; add "
                f'[units.{unit.id}] emails = ["nama@instansi.go.id"] to the config'
            )
        if backend == "google" and not settings.spreadsheet_id:
            raise ConfigError(
                f"[units.{unit.id}] needs spreadsheet_id: the unit's own spreadsheet, shared only with "
                f"{unit.title} and the service account"
            )
        if backend == "local" and settings.workbook is None:
            raise ConfigError(
                f'[units.{unit.id}] needs workbook = "unit-{unit.id}.xlsx" (the unit\'s own file)'
            )
        if backend == "local" and settings.workbook == main_workbook:
            raise ConfigError(f"[units.{unit.id}] workbook must not be the main workbook [sheets] workbook")
    screens = [u.spreadsheet_id if backend == "google" else str(u.workbook) for u in units.values()]
    if len(screens) != len(set(screens)):
        raise ConfigError("two [units.<id>] tables name the same screen; each unit needs its own")
