"""Configuration: built-in defaults merged with the user's TOML file, validated and parsed once.

``load_config(path)`` / ``build_config(table, path)`` return a frozen ``Config`` whose sections are typed
(``cakra.settings``: ``config.sheets.status_tab``, ``config.serve.report_time`` is a ``datetime.time``,
``config.calendar`` a ``CalendarSettings``, ``config.escalation`` an ``AlertPolicy``). Every key is
documented in README.md ("Configuration reference"); ``DEFAULTS`` is the file's shape: a key it lacks is
rejected, and a value must have its default's type. Relative paths resolve against the folder of the
config file, so a set-up folder can be moved as a whole. Secrets never live here: SMTP credentials come
from the environment variables the config names. Every mistake is one ``ConfigError`` line.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cakra.common.errors import ConfigError
from cakra.ingest.columns import ColumnAliases
from cakra.periodic_settings import DEFAULTS as PERIODIC_DEFAULTS
from cakra.periodic_settings import PeriodicSettings, read_roster
from cakra.settings import (
    AdminSettings,
    CitizenSettings,
    DigestSettings,
    EmailSettings,
    IntakeSettings,
    ReportSettings,
    ServeSettings,
    SheetsSettings,
    resolve_path,
)
from cakra.unit_settings import UnitSettings, read_units
from cakra.workflow.alerts import AlertPolicy
from cakra.workflow.calendar_settings import CalendarSettings
from cakra.workflow.holidays_id import CalendarError
from cakra.workflow.roster import Desa
from cakra.workflow.sop import BUILTIN_SOPS

DEFAULTS: dict[str, Any] = {
    "timezone": "Asia/Jakarta",
    "sop": str(BUILTIN_SOPS / "cakra-linmas.toml"),
    "agency_name": "",
    "status_sheet_url": "",
    "sheets": {
        "backend": "local",
        "workbook": "cakra.xlsx",
        "responses_tab": "Form Responses 1",
        "status_tab": "Status Kasus",
        "history_tab": "Riwayat",
        "dashboard_tab": "Ringkasan",
        "manual_tab": "Input Manual",
        "spreadsheet_id": "",
        "status_spreadsheet_id": "",
        "credentials": "",
        "api_endpoint": "",
        "verify_rows": 250,
    },
    "ledger": {"path": "cakra.sqlite"},
    "email": {
        "backend": "outbox",
        "host": "localhost",
        "port": 587,
        "security": "starttls",
        "from": "Cakra <cakra@localhost>",
        "outbox_dir": "outbox",
        "user_env": "CAKRA_SMTP_USER",
        "password_env": "CAKRA_SMTP_PASSWORD",
        "timeout": 30,
        "delegated_user": "",
        "api_endpoint": "",
        "bundle_minutes": 30,
    },
    "intake": {
        "duplicate_window_hours": 24,
        "description_chars": 120,
        "earliest_year": 2000,
        "start": "",
        "adopt_ending": "",
        "adopt_open": False,
    },
    "serve": {"poll_seconds": 60, "report_time": "07:00"},
    "report": {
        "roles": ["kepala_badan", "kabid"],
        "weekly_day": "senin",
        "weekly_time": "07:00",
        "weekly_weeks": 8,
        "on_non_working_days": False,
    },
    "calendar": {},
    "escalation": {"reminder_share": 0.8, "level_interval": "", "repeat_interval": "1 hari kerja"},
    "citizen": {"send": True, "contact": "", "reply_to": ""},
    "digest": {"time": "07:30", "roles": []},
    "admin": {
        "emails": [],
        "failures_before_alert": 5,
        "undelivered_after": "1 jam",
        "heartbeat_file": "",
        "backup_dir": "backups",
        "backup_keep": 14,
    },
    "columns": {},
    "roles": {},
    "units": {},
    "periodic": PERIODIC_DEFAULTS,
    "roster": {},
}
# Tables whose keys the user chooses (validated by their own rules, not against DEFAULTS).
_FREE_TABLES = ("columns", "roles", "calendar", "units", "roster")


@dataclass(frozen=True)
class Config:
    """A validated configuration, every value parsed (see the module doc)."""

    path: Path | None  # the config file, when read from one
    tz: ZoneInfo
    sop_path: Path
    agency_name: str  # "" = the SOP's agency
    status_sheet_url: str
    sheets: SheetsSettings
    ledger_path: Path
    email: EmailSettings
    intake: IntakeSettings
    serve: ServeSettings
    report: ReportSettings
    calendar: CalendarSettings  # the agency's own table; it goes over the SOP's (cakra.app.make_calendar)
    escalation: AlertPolicy
    citizen: CitizenSettings
    digest: DigestSettings
    admin: AdminSettings
    columns: ColumnAliases
    roles: Mapping[str, tuple[str, ...]]  # SOP role id -> email addresses
    fingerprint: str  # changes whenever any setting does (the sheet view reads everything again)
    # SOP unit id -> its recipients and screen (cakra/unit_settings.py); {} for an SOP without units.
    units: Mapping[str, UnitSettings] = field(default_factory=dict)
    # Periodic reports (issue 11): where the grid is, reminders, the recap; who is expected to report.
    periodic: PeriodicSettings = PeriodicSettings()
    roster: Mapping[str, Desa] = field(default_factory=dict)  # [roster.<id>]: who must report

    def role_emails(self, role: str) -> list[str]:
        """The addresses configured for ``role`` ([] when none)."""
        return list(self.roles.get(role, ()))


def _merge(defaults: dict[str, Any], user: dict[str, Any], where: str) -> dict[str, Any]:
    merged = copy.deepcopy(defaults)
    for key, value in user.items():
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(f"unknown key '{where}{key}' in the config; known keys here: {known}")
        default = defaults[key]
        if isinstance(default, dict) and key not in _FREE_TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"'{where}{key}' must be a table ([{where}{key}])")
            merged[key] = _merge(default, value, f"{where}{key}.")
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            merged[key] = float(value)  # "reminder_share = 1" is a number too
        elif isinstance(default, bool) != isinstance(value, bool) or not isinstance(value, type(default)):
            raise ConfigError(
                f"'{where}{key}' must be {type(default).__name__}, got {value!r}; see the README's reference"
            )
        else:
            merged[key] = value
    return merged


def _roles(roles: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    for role, table in roles.items():
        if not isinstance(table, dict) or set(table) - {"emails"}:
            raise ConfigError(f"[roles.{role}] takes only 'emails = [\"...\"]'")
        emails = table.get("emails", [])
        if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
            raise ConfigError(f"[roles.{role}] emails must be a list of email addresses, got {emails!r}")
    return {role: tuple(table.get("emails", [])) for role, table in roles.items()}


def _columns(columns: dict[str, Any]) -> ColumnAliases:
    for field_name, names in columns.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ConfigError(f'[columns] {field_name} must be a list of header names, e.g. ["Nama Lengkap"]')
    try:
        return ColumnAliases({field_name: tuple(names) for field_name, names in columns.items()})
    except ValueError as exc:
        raise ConfigError(f"[columns] has {exc}") from None


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone {name!r} is unknown; use Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
        ) from None


def _calendar(table: dict[str, Any]) -> CalendarSettings:
    try:
        return CalendarSettings.parse(table)
    except CalendarError as exc:
        raise ConfigError(f"[calendar] {exc}") from None


def resolve_sop(value: str, base: Path) -> Path:
    """An SOP is a path (relative to the config folder) or the name of a built-in SOP."""
    candidate = Path(value)
    if not candidate.is_absolute():
        candidate = base / candidate
    if not candidate.exists() and (BUILTIN_SOPS / f"{value}.toml").exists():
        return BUILTIN_SOPS / f"{value}.toml"
    return candidate


def build_config(user: dict[str, Any], path: Path | None = None) -> Config:
    """Merge ``user`` over the defaults, validate and parse every section; relative paths resolve
    against the config's folder (the current folder without ``path``)."""
    raw = _merge(DEFAULTS, user, "")
    base = path.parent if path else Path.cwd()
    roles, columns = _roles(raw["roles"]), _columns(raw["columns"])
    tz = _timezone(raw["timezone"])
    sop_path = resolve_sop(raw["sop"], base)
    sheets = SheetsSettings.read(raw["sheets"], base)
    email = EmailSettings.read(raw["email"], base)
    ledger_path = resolve_path(raw["ledger"]["path"], base)
    # [admin] changes nothing a cycle reads or writes: editing it must not cost a full read of the sheets.
    sheets_relevant = {key: value for key, value in raw.items() if key != "admin"}
    fingerprint = json.dumps({**sheets_relevant, "sop": str(sop_path)}, sort_keys=True, default=str)
    return Config(
        path=path,
        tz=tz,
        sop_path=sop_path,
        agency_name=raw["agency_name"],
        status_sheet_url=raw["status_sheet_url"],
        sheets=sheets,
        ledger_path=ledger_path,
        email=email,
        intake=IntakeSettings.read(raw["intake"]),
        serve=ServeSettings.read(raw["serve"]),
        report=ReportSettings.read(raw["report"]),
        calendar=_calendar(raw["calendar"]),
        escalation=AlertPolicy.from_config(raw["escalation"]),
        citizen=CitizenSettings.read(raw["citizen"]),
        digest=DigestSettings.read(raw["digest"]),
        admin=AdminSettings.read(raw["admin"], base, ledger_path),
        columns=columns,
        roles=roles,
        fingerprint=hashlib.sha256(fingerprint.encode()).hexdigest(),
        units=read_units(raw["units"], base),
        periodic=PeriodicSettings.read(raw["periodic"]),
        roster=read_roster(raw["roster"]),
    )


def load_config(path: Path) -> Config:
    """Read a TOML config file; raise ``ConfigError`` with one line naming the problem and the fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file {path} does not exist; copy config.example.toml there or pass --config"
        ) from None
    try:
        user = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return build_config(user, path.resolve())
