"""Configuration: built-in defaults merged with the user's TOML file, validated, unknown keys rejected.

Every key is documented in README.md ("Configuration reference"). Relative paths resolve against the
folder of the config file, so a set-up folder can be moved as a whole. Secrets never live here: SMTP
credentials come from the environment variables the config names.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cakra.common.errors import ConfigError
from cakra.workflow.sop import BUILTIN_SOPS

# Google names the response tab by the form's language; either is accepted when the default is kept.
DEFAULT_RESPONSE_TABS = ("Form Responses 1", "Jawaban Formulir 1")

# Form fields the ingest step knows, with the header names it recognises out of the box. A config's
# [columns] table adds aliases per field (question titles differ from agency to agency).
DEFAULT_ALIASES: dict[str, list[str]] = {
    "timestamp": ["Timestamp", "Cap waktu", "Stempel waktu", "Waktu"],
    "name": ["Nama", "Nama Lengkap", "Nama Pelapor", "Name"],
    "nik": ["NIK", "Nomor Induk Kependudukan", "NIK Pelapor", "No. KTP", "Nomor KTP"],
    "phone": [
        "Nomor HP",
        "No. HP",
        "No HP",
        "Nomor Telepon",
        "No. Telepon",
        "Telepon",
        "Nomor WhatsApp",
        "Phone",
    ],
    "email": ["Email", "Email Address", "Alamat email", "E-mail"],
    "category": ["Jenis Laporan", "Jenis Pengaduan", "Kategori", "Category"],
    "kecamatan": ["Kecamatan"],
    "desa": ["Desa", "Desa/Kelurahan", "Kelurahan", "Desa / Kelurahan"],
    "description": ["Uraian", "Uraian Kejadian", "Isi Laporan", "Keterangan", "Deskripsi", "Description"],
    "event_photo": ["Foto Kejadian", "Upload Foto Kejadian", "Foto kejadian"],
    "ktp_photo": ["Foto KTP", "Upload Foto KTP", "Foto KTP Pelapor"],
    # "Rahasia" / "Anonim" chosen by the citizen (workflow/privacy.py reads the answer).
    "privacy": ["Kerahasiaan", "Kerahasiaan Laporan", "Jenis Pelaporan", "Rahasia / Anonim"],
}

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
    },
    "intake": {"duplicate_window_hours": 24, "description_chars": 120},
    "serve": {"poll_seconds": 60, "report_time": "07:00"},
    "report": {
        "roles": ["kepala_badan", "kabid"],
        "weekly_day": "senin",
        "weekly_time": "07:00",
        "weekly_weeks": 8,
    },
    "calendar": {},
    "escalation": {"reminder_share": 0.8, "level_interval": "", "repeat_interval": "1 hari kerja"},
    "citizen": {"send": True, "contact": ""},
    "digest": {"time": "07:30", "roles": []},
    "columns": {},
    "roles": {},
}
# Tables whose keys the user chooses (validated by their own rules, not against DEFAULTS).
_FREE_TABLES = ("columns", "roles", "calendar")
_CHOICES = {
    ("sheets", "backend"): ("local", "google"),
    ("email", "backend"): ("smtp", "outbox", "gmail"),
    ("email", "security"): ("starttls", "ssl", "none"),
}
_PATHS = [
    ("sop",),
    ("sheets", "workbook"),
    ("sheets", "credentials"),
    ("ledger", "path"),
    ("email", "outbox_dir"),
]


@dataclass(frozen=True)
class Config:
    """A validated configuration; ``raw`` keeps the merged table for sections modules read themselves."""

    path: Path | None
    raw: dict[str, Any]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.raw["timezone"])

    @property
    def sop_path(self) -> Path:
        return Path(self.raw["sop"])

    @property
    def sheets(self) -> dict[str, Any]:
        return self.raw["sheets"]

    @property
    def email(self) -> dict[str, Any]:
        return self.raw["email"]

    @property
    def ledger_path(self) -> Path:
        return Path(self.raw["ledger"]["path"])

    @property
    def intake(self) -> dict[str, Any]:
        return self.raw["intake"]

    @property
    def report(self) -> dict[str, Any]:
        return self.raw["report"]

    @property
    def serve(self) -> dict[str, Any]:
        return self.raw["serve"]

    @property
    def digest(self) -> dict[str, Any]:
        return self.raw["digest"]

    @property
    def citizen(self) -> dict[str, Any]:
        return self.raw["citizen"]

    def role_emails(self, role: str) -> list[str]:
        return list(self.raw["roles"].get(role, {}).get("emails", []))

    def aliases(self) -> dict[str, list[str]]:
        """Header names per field: the user's aliases first, then the built-in ones."""
        merged = {f: list(names) for f, names in DEFAULT_ALIASES.items()}
        for field_name, names in self.raw["columns"].items():
            merged[field_name] = list(names) + merged[field_name]
        return merged


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


def _validate_roles(roles: dict[str, Any]) -> None:
    for role, table in roles.items():
        if not isinstance(table, dict) or set(table) - {"emails"}:
            raise ConfigError(f"[roles.{role}] takes only 'emails = [\"...\"]'")
        emails = table.get("emails", [])
        if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
            raise ConfigError(f"[roles.{role}] emails must be a list of email addresses, got {emails!r}")


def _validate_columns(columns: dict[str, Any]) -> None:
    for field_name, names in columns.items():
        if field_name not in DEFAULT_ALIASES:
            known = ", ".join(DEFAULT_ALIASES)
            raise ConfigError(f"[columns] has unknown field '{field_name}'; known fields: {known}")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ConfigError(f'[columns] {field_name} must be a list of header names, e.g. ["Nama Lengkap"]')


def resolve_sop(value: str, base: Path) -> Path:
    """An SOP is a path (relative to the config folder) or the name of a built-in SOP."""
    candidate = Path(value)
    if not candidate.is_absolute():
        candidate = base / candidate
    if not candidate.exists() and (BUILTIN_SOPS / f"{value}.toml").exists():
        return BUILTIN_SOPS / f"{value}.toml"
    return candidate


def build_config(user: dict[str, Any], path: Path | None = None) -> Config:
    """Merge ``user`` over the defaults, validate, resolve relative paths against the config's folder."""
    raw = _merge(DEFAULTS, user, "")
    _validate_roles(raw["roles"])
    _validate_columns(raw["columns"])
    for (section, key), allowed in _CHOICES.items():
        if raw[section][key] not in allowed:
            raise ConfigError(
                f"[{section}] {key} = {raw[section][key]!r}; choose one of {', '.join(allowed)}"
            )
    try:
        ZoneInfo(raw["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone {raw['timezone']!r} is unknown; use Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
        ) from None
    base = path.parent if path else Path.cwd()
    raw["sop"] = str(resolve_sop(raw["sop"], base))
    for keys in _PATHS[1:]:
        table = raw
        for key in keys[:-1]:
            table = table[key]
        if table[keys[-1]] and not Path(table[keys[-1]]).is_absolute():
            table[keys[-1]] = str(base / table[keys[-1]])
    if raw["sheets"]["backend"] == "google" and not raw["sheets"]["spreadsheet_id"]:
        raise ConfigError(
            "[sheets] backend = 'google' needs spreadsheet_id (the form's response spreadsheet)"
        )
    if raw["sheets"]["verify_rows"] < 1:
        raise ConfigError("[sheets] verify_rows must be at least 1 (rows of each tab checked per cycle)")
    _validate_time_settings(raw)
    return Config(path, raw)


def _validate_time_settings(raw: dict[str, Any]) -> None:
    """[calendar], [escalation], [digest] and the weekly summary's schedule, each checked where it is read."""
    # Imported here: the calendar pulls in the holidays package, which plain config users do not need.
    from cakra.ledger.runs import parse_clock
    from cakra.workflow.alerts import AlertPolicy
    from cakra.workflow.calendar import BusinessCalendar, CalendarError
    from cakra.workflow.holidays_id import parse_day

    try:
        BusinessCalendar.from_config(raw["calendar"], raw["timezone"])
    except CalendarError as exc:
        raise ConfigError(f"[calendar] {exc}") from None
    AlertPolicy.from_config(raw["escalation"])
    if raw["digest"]["time"].strip():
        parse_clock(raw["digest"]["time"], "[digest] time")
    if not all(isinstance(role, str) for role in raw["digest"]["roles"]):
        raise ConfigError('[digest] roles must be a list of SOP role ids, e.g. ["operator", "kasubbid"]')
    report = raw["report"]
    if report["weekly_day"].strip():
        try:
            parse_day(report["weekly_day"])
        except CalendarError:
            raise ConfigError(
                f'[report] weekly_day = {report["weekly_day"]!r}; use a day name such as "senin" (or "" for no weekly summary)'
            ) from None
    parse_clock(report["weekly_time"], "[report] weekly_time")
    if report["weekly_weeks"] < 1:
        raise ConfigError("[report] weekly_weeks must be 1 or more (weeks shown in the weekly charts)")


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
