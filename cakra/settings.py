"""The config's sections as frozen dataclasses, each read ONCE from its merged table (``cakra.config``).

``read(table)`` takes a section's table after the defaults were merged in and every value was
type-checked; it checks ranges and choices, parses clock times, day names, paths (relative ones against
``base``, the config file's folder, for the sections that have paths) and endpoints, and raises
``ConfigError`` with one line naming the key and the fix. Call sites read attributes:
``config.serve.poll_seconds``, ``config.digest.time`` (a ``datetime.time``, or None for no digests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from cakra.common.errors import ConfigError
from cakra.ingest.columns import response_tab_names
from cakra.ledger.runs import parse_clock
from cakra.notify.citizen import is_address
from cakra.sheets.endpoint import is_endpoint
from cakra.workflow.calendar import LimitError, TimeLimit
from cakra.workflow.holidays_id import CalendarError, parse_day

# (section, key) -> (lowest, highest or None, the one-line message when outside)
_BOUNDS: dict[tuple[str, str], tuple[int, int | None, str]] = {
    ("sheets", "verify_rows"): (
        1,
        None,
        "[sheets] verify_rows must be at least 1 (rows of each tab checked per cycle)",
    ),
    ("email", "port"): (1, 65535, "[email] port must be from 1 to 65535 (587 for STARTTLS, 465 for SSL)"),
    ("email", "timeout"): (
        1,
        None,
        "[email] timeout must be at least 1 (seconds before a connection attempt is abandoned, e.g. 30)",
    ),
    ("email", "bundle_minutes"): (
        0,
        None,
        "[email] bundle_minutes must be 0 or more (minutes between bundled escalation messages, e.g. 30)",
    ),
    ("intake", "duplicate_window_hours"): (
        0,
        None,
        "[intake] duplicate_window_hours must be 0 or more (hours between two reports of one NIK, e.g. 24)",
    ),
    ("intake", "description_chars"): (
        1,
        None,
        "[intake] description_chars must be at least 1 (length of the summary in the status sheet, e.g. 120)",
    ),
    ("intake", "earliest_year"): (
        1970,
        9998,
        "[intake] earliest_year must be a year from 1970 (form timestamps before it are flagged, e.g. 2000)",
    ),
    ("serve", "poll_seconds"): (
        1,
        None,
        "[serve] poll_seconds must be more than 0 (seconds between cycles, e.g. 60)",
    ),
    ("admin", "failures_before_alert"): (
        1,
        None,
        "[admin] failures_before_alert must be at least 1 (failed cycles in a row before IT is told, e.g. 5)",
    ),
    ("admin", "backup_keep"): (
        1,
        None,
        "[admin] backup_keep must be at least 1 (backups kept in backup_dir, e.g. 14)",
    ),
    ("report", "weekly_weeks"): (
        1,
        None,
        "[report] weekly_weeks must be 1 or more (weeks shown in the weekly charts)",
    ),
}


def _checked(section: str, table: Mapping[str, Any]) -> Mapping[str, Any]:
    """``table`` once every bounded key of ``section`` is within its range."""
    for (where, key), (low, high, message) in _BOUNDS.items():
        if where == section and not (low <= table[key] and (high is None or table[key] <= high)):
            raise ConfigError(message)
    return table


def _choice(section: str, table: Mapping[str, Any], key: str, allowed: Sequence[str]) -> str:
    if table[key] not in allowed:
        raise ConfigError(f"[{section}] {key} = {table[key]!r}; choose one of {', '.join(allowed)}")
    return table[key]


def resolve_path(value: str, base: Path) -> Path:
    """``value`` as a path; a relative one is taken from ``base`` (the config file's folder)."""
    return Path(value) if Path(value).is_absolute() else base / value


def _endpoint(section: str, value: str) -> str:
    if value and not is_endpoint(value):
        raise ConfigError(
            f"[{section}] api_endpoint = {value!r} must look like 'http://host:port' (or be empty for Google's)"
        )
    return value


def _role_ids(section: str, value: list[Any]) -> tuple[str, ...]:
    if not all(isinstance(role, str) for role in value):
        raise ConfigError(f'[{section}] roles must be a list of SOP role ids, e.g. ["operator", "kasubbid"]')
    return tuple(value)


@dataclass(frozen=True)
class SheetsSettings:
    """``[sheets]``: where the form's answers are and where the service writes."""

    backend: str  # "local" | "google"
    workbook: Path
    responses_tab: str
    status_tab: str
    history_tab: str
    dashboard_tab: str  # "" = no dashboard
    manual_tab: str  # "" = no Input Manual tab (cakra/manual_intake.py)
    spreadsheet_id: str
    status_spreadsheet_id: str  # "" = the same spreadsheet
    credentials: Path | None  # None = Application Default Credentials
    api_endpoint: str  # "" = Google's
    verify_rows: int

    @property
    def response_tabs(self) -> tuple[str, ...]:
        """The tab names the form's answers may be under (Google's two names for the default)."""
        return response_tab_names(self.responses_tab)

    @classmethod
    def read(cls, table: Mapping[str, Any], base: Path) -> SheetsSettings:
        t = _checked("sheets", table)
        backend = _choice("sheets", t, "backend", ("local", "google"))
        if backend == "google" and not t["spreadsheet_id"]:
            raise ConfigError(
                "[sheets] backend = 'google' needs spreadsheet_id (the form's response spreadsheet)"
            )
        manual = t["manual_tab"]
        others = (
            *response_tab_names(t["responses_tab"]),
            t["status_tab"],
            t["history_tab"],
            t["dashboard_tab"],
        )
        if manual and manual in others:
            raise ConfigError(
                f"[sheets] manual_tab = {manual!r} is already another tab of the service; give the Input "
                'Manual tab its own name (or "" for none)'
            )
        return cls(
            **{
                **t,
                "backend": backend,
                "workbook": resolve_path(t["workbook"], base),
                "credentials": resolve_path(t["credentials"], base) if t["credentials"] else None,
                "api_endpoint": _endpoint("sheets", t["api_endpoint"]),
            }
        )


def _sender(value: str) -> str:
    """``[email] from``: an address every message can carry (refused here, not by every cycle's send)."""
    address = parseaddr(value)[1]
    local, _, domain = address.rpartition("@")
    if "\r" in value or "\n" in value or not local or not domain.strip("."):
        raise ConfigError(
            f"[email] from = {value!r} is not an email address; write it as"
            ' "Cakra <cakra@kesbangpol.example.go.id>" with your agency\'s address'
        )
    return value


@dataclass(frozen=True)
class EmailSettings:
    """``[email]``: how messages leave (``sender`` is the TOML key ``from``)."""

    backend: str  # "outbox" | "smtp" | "gmail"
    host: str
    port: int
    security: str  # "starttls" | "ssl" | "none"
    sender: str
    outbox_dir: Path
    user_env: str  # the NAME of the variable holding the SMTP login
    password_env: str
    timeout: float  # seconds
    delegated_user: str
    api_endpoint: str  # "" = Google's
    bundle_minutes: int  # escalations to a role are bundled to one message per this many minutes; 0 = none

    @property
    def domain(self) -> str:
        """The sender address's domain (it also names Message-IDs); ``cakra.local`` without one."""
        address = self.sender.rsplit("<", 1)[-1].rstrip(">").strip()
        return address.rsplit("@", 1)[-1] if "@" in address else "cakra.local"

    @classmethod
    def read(cls, table: Mapping[str, Any], base: Path) -> EmailSettings:
        t = _checked("email", table)
        backend = _choice("email", t, "backend", ("smtp", "outbox", "gmail"))
        if backend == "gmail" and not t["delegated_user"]:
            raise ConfigError(
                "[email] backend = 'gmail' needs delegated_user (the Workspace user to send as)"
            )
        return cls(
            **{
                **{key: value for key, value in t.items() if key != "from"},
                "backend": backend,
                "security": _choice("email", t, "security", ("starttls", "ssl", "none")),
                "sender": _sender(t["from"]),
                "outbox_dir": resolve_path(t["outbox_dir"], base),
                "timeout": float(t["timeout"]),
                "api_endpoint": _endpoint("email", t["api_endpoint"]),
            }
        )


@dataclass(frozen=True)
class IntakeSettings:
    """``[intake]``: how new reports are taken in."""

    duplicate_window: timedelta  # two similar reports of one NIK within it: a possible duplicate
    description_chars: int  # the status sheet's summary length
    earliest_year: int  # a form timestamp before 1 January of it is a mistake: flagged, not used
    start: date | None  # responses received before this local day are adopted as history (None: none)
    adopt_ending: str  # the SOP ending adopted cases close in ("" = the SOP's first ending, e.g. Selesai)
    adopt_open: bool  # adopted cases stay open instead (their clock starting when taken in)

    @classmethod
    def read(cls, table: Mapping[str, Any]) -> IntakeSettings:
        t = _checked("intake", table)
        start = None
        if t["start"].strip():
            try:
                start = date.fromisoformat(t["start"].strip())
            except ValueError:
                raise ConfigError(
                    f'[intake] start = {t["start"]!r} must be a date like "2026-12-01" (or "" for none)'
                ) from None
        return cls(
            timedelta(hours=t["duplicate_window_hours"]),
            t["description_chars"],
            t["earliest_year"],
            start,
            t["adopt_ending"].strip(),
            t["adopt_open"],
        )


@dataclass(frozen=True)
class ServeSettings:
    """``[serve]``: the long-running loop."""

    poll_seconds: int  # > 0
    report_time: time  # local time of the daily leadership summary

    @classmethod
    def read(cls, table: Mapping[str, Any]) -> ServeSettings:
        t = _checked("serve", table)
        return cls(t["poll_seconds"], parse_clock(t["report_time"], "[serve] report_time"))


@dataclass(frozen=True)
class ReportSettings:
    """``[report]``: who gets the leadership summaries, and when the weekly one goes."""

    roles: tuple[str, ...]
    weekly_day: int | None  # Monday = 0; None = no weekly summary
    weekly_time: time
    weekly_weeks: int  # >= 1
    # Whether summaries and digests go out on a day the calendar closes (weekend, holiday); default no.
    on_non_working_days: bool = False

    @classmethod
    def read(cls, table: Mapping[str, Any]) -> ReportSettings:
        t = _checked("report", table)
        day: int | None = None
        if t["weekly_day"].strip():
            try:
                day = parse_day(t["weekly_day"])
            except CalendarError:
                raise ConfigError(
                    f'[report] weekly_day = {t["weekly_day"]!r}; use a day name such as "senin" (or "" for no weekly summary)'
                ) from None
        return cls(
            _role_ids("report", t["roles"]),
            day,
            parse_clock(t["weekly_time"], "[report] weekly_time"),
            t["weekly_weeks"],
            t["on_non_working_days"],
        )


@dataclass(frozen=True)
class DigestSettings:
    """``[digest]``: each role's daily digest of its open cases."""

    time: time | None  # None = no digests
    roles: tuple[str, ...]  # () = every internal role of the SOP

    @classmethod
    def read(cls, table: Mapping[str, Any]) -> DigestSettings:
        at = parse_clock(table["time"], "[digest] time") if table["time"].strip() else None
        return cls(at, _role_ids("digest", table["roles"]))


@dataclass(frozen=True)
class CitizenSettings:
    """``[citizen]``: messages to reporters."""

    send: bool
    contact: str
    reply_to: str  # the agency's desk address, Reply-To of every message to a reporter; "" = none

    @classmethod
    def read(cls, table: Mapping[str, Any]) -> CitizenSettings:
        reply_to = table["reply_to"].strip()
        if reply_to and not is_address(reply_to):
            raise ConfigError(
                f"[citizen] reply_to = {reply_to!r} is not an email address; give the agency's desk "
                'address, e.g. "pengaduan@instansi.go.id" (or "" for none)'
            )
        return cls(table["send"], table["contact"], reply_to)


@dataclass(frozen=True)
class AdminSettings:
    """``[admin]``: the people who run the service, and how it is watched and backed up."""

    emails: tuple[str, ...]  # () = no alerts are sent (only logged)
    failures_before_alert: int  # failed cycles in a row that make one alert
    undelivered_after: timedelta  # a message pending longer than this makes one alert
    heartbeat_file: Path  # touched after each good cycle
    backup_dir: Path
    backup_keep: int  # backups kept in backup_dir (the oldest go first)

    @classmethod
    def read(cls, table: Mapping[str, Any], base: Path, ledger: Path) -> AdminSettings:
        """``ledger`` is the resolved ledger path: the default heartbeat file lies beside it."""
        t = _checked("admin", table)
        if not all(isinstance(e, str) and "@" in e for e in t["emails"]):
            raise ConfigError(f"[admin] emails must be a list of email addresses, got {t['emails']!r}")
        try:
            limit = TimeLimit.parse(t["undelivered_after"])
        except LimitError as exc:
            raise ConfigError(f"[admin] undelivered_after: {exc}") from None
        if limit is None or limit.working or limit.amount == 0:
            raise ConfigError(
                f'[admin] undelivered_after = {t["undelivered_after"]!r}; write clock time such as "1 jam"'
            )
        heartbeat = t["heartbeat_file"]
        return cls(
            tuple(t["emails"]),
            t["failures_before_alert"],
            limit.as_timedelta(),
            resolve_path(heartbeat, base) if heartbeat else ledger.with_name(ledger.name + ".heartbeat"),
            resolve_path(t["backup_dir"], base),
            t["backup_keep"],
        )
