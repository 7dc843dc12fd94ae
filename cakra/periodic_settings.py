"""The config's ``[periodic]`` section and ``[roster.<desa>]`` tables (periodic reports, issue 11).

``[periodic]`` says where the monitoring grid and the roster tab are, when reminders and the recap go;
``[roster.<id>]`` lists who is expected to report (``title``, ``aliases``, ``emails``). Both are read
ONCE with the config; every mistake is one ``ConfigError`` line. They matter only when the SOP has a
``[periodic]`` plan (workflow/periods.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from cakra.common.errors import ConfigError
from cakra.ledger.runs import parse_clock
from cakra.notify.citizen import is_address
from cakra.workflow.roster import Desa, configured_desa

DEFAULTS: dict[str, Any] = {
    "monitoring_tab": "Monitoring",
    "roster_tab": "Daftar Desa",
    "periods_shown": 12,
    "remind_days_before": 3,
    "remind_after": True,
    "recap_day": 10,
    "recap_time": "08:00",
    "recap_roles": ["camat"],
    "recap_periods": 6,
    "start": "",
}
_ROSTER_KEYS = {"title", "aliases", "emails"}


@dataclass(frozen=True)
class PeriodicSettings:
    """``[periodic]``: see the README's configuration reference."""

    monitoring_tab: str = "Monitoring"  # "" = no grid
    roster_tab: str = "Daftar Desa"  # "" = the config's roster only
    periods_shown: int = 12
    remind_days_before: int = 3  # 0 = no reminder before the due day
    remind_after: bool = True
    recap_day: int = 10  # day of the month the Camat's recap goes; 0 = never
    recap_time: time = time(8, 0)
    recap_roles: tuple[str, ...] = ("camat",)
    recap_periods: int = 6
    # The first day whose period is expected (None: the period being collected when the service first
    # ran, remembered in the ledger): earlier periods show "-" and are never reminded about.
    start: date | None = None

    @classmethod
    def read(cls, table: Mapping[str, Any]) -> PeriodicSettings:
        t = dict(table)
        if not 1 <= t["periods_shown"] <= 60:
            raise ConfigError("[periodic] periods_shown must be from 1 to 60 (columns of the Monitoring tab)")
        if not 0 <= t["remind_days_before"] <= 27:
            raise ConfigError("[periodic] remind_days_before must be from 0 to 27 (0 = no early reminder)")
        if not 0 <= t["recap_day"] <= 28:
            raise ConfigError("[periodic] recap_day must be a day 1-28 of the month (0 = no recap)")
        if not 1 <= t["recap_periods"] <= 24:
            raise ConfigError("[periodic] recap_periods must be from 1 to 24 (periods in the recap)")
        roles = t["recap_roles"]
        if not all(isinstance(r, str) for r in roles):
            raise ConfigError('[periodic] recap_roles must be a list of SOP role ids, e.g. ["camat"]')
        return cls(
            **{
                **t,
                "recap_time": parse_clock(t["recap_time"], "[periodic] recap_time"),
                "recap_roles": tuple(roles),
                "start": _start(t["start"]),
            }
        )


def _start(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f'[periodic] start = {text!r} must be a date like "2026-11-01" (or "")') from None


def read_roster(table: Mapping[str, Any]) -> dict[str, Desa]:
    """``[roster.<id>]`` tables as ``Desa``, in the config's order."""
    for desa_id, entry in table.items():
        if not isinstance(entry, dict):
            raise ConfigError(f'[roster.{desa_id}] must be a table: title = "...", emails = ["..."]')
        unknown = sorted(set(entry) - _ROSTER_KEYS)
        if unknown:
            raise ConfigError(
                f"[roster.{desa_id}] has unknown key {unknown[0]!r}; use title, aliases, emails"
            )
        for key in ("aliases", "emails"):
            values = entry.get(key, [])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(f'[roster.{desa_id}] {key} must be a list of texts, e.g. ["..."]')
        bad = [e for e in entry.get("emails", []) if not is_address(e)]
        if bad:
            raise ConfigError(f"[roster.{desa_id}] emails: {bad[0]!r} is not an email address")
        if "title" in entry and not isinstance(entry["title"], str):
            raise ConfigError(f"[roster.{desa_id}] title must be a text")
    return configured_desa(table)
