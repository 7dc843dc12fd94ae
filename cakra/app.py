"""The running parts, built once from a config: SOP, calendar, sheet backend, ledger, outbox, transport.

This is the only place that chooses implementations; the cycle sees interfaces.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cakra.common.errors import ConfigError, SopError
from cakra.config import DEFAULT_RESPONSE_TABS, Config
from cakra.ledger.store import Ledger
from cakra.notify.mailer import Mailer
from cakra.notify.outbox import Outbox
from cakra.notify.transports.base import Transport
from cakra.sheets.base import SheetBackend
from cakra.tabs import view
from cakra.workflow.alerts import AlertPolicy
from cakra.workflow.calendar import BusinessCalendar, CalendarError
from cakra.workflow.holidays_id import parse_day
from cakra.workflow.sop import Sop, load_sop
from cakra.workflow.storage import CaseBook


@dataclass
class App:
    config: Config
    sop: Sop
    calendar: BusinessCalendar
    sheets: SheetBackend
    ledger: Ledger
    mailer: Mailer
    layout: view.Layout
    alerts: AlertPolicy = field(default_factory=AlertPolicy)

    @property
    def outbox(self) -> Outbox:
        return self.mailer.outbox

    @property
    def book(self) -> CaseBook:
        """The cases as summaries and digests read them."""
        return CaseBook(self.sop, self.calendar, self.ledger)

    def close(self) -> None:
        self.ledger.close()


def merge_calendar_tables(sop_table: Mapping[str, Any], agency_table: Mapping[str, Any]) -> dict[str, Any]:
    """The SOP's [calendar] with the agency's [calendar] over it: the agency's working hours replace the SOP's
    day by day, its extra holidays are added to the SOP's, and any other key it sets wins."""
    merged = dict(sop_table)
    for key, value in agency_table.items():
        if key == "working_hours" and isinstance(value, Mapping):
            week = {parse_day(day): hours for day, hours in dict(sop_table.get(key, {})).items()}
            week.update({parse_day(day): hours for day, hours in value.items()})
            merged[key] = week
        elif key == "extra_holidays" and isinstance(value, list):
            merged[key] = [*sop_table.get(key, []), *value]
        else:
            merged[key] = value
    return merged


def make_calendar(config: Config, sop: Sop) -> BusinessCalendar:
    """The business calendar: the SOP's [calendar] table, overridden by the agency's (config [calendar])."""
    try:
        BusinessCalendar.from_config(sop.calendar, config.tz)
    except CalendarError as exc:
        raise SopError(f"{config.sop_path}: [calendar] {exc}") from None
    try:
        return BusinessCalendar.from_config(
            merge_calendar_tables(sop.calendar, config.raw["calendar"]), config.tz
        )
    except CalendarError as exc:
        raise ConfigError(f"[calendar] {exc}") from None


def make_sheets(config: Config) -> SheetBackend:
    if config.sheets["backend"] == "google":
        from cakra.sheets.google import (
            GoogleSheets,  # imported lazily: the local default needs no Google libraries
        )

        return GoogleSheets.from_config(config)
    from cakra.sheets.local import LocalWorkbook

    return LocalWorkbook(Path(config.sheets["workbook"]), config.tz)


def make_transport(config: Config) -> Transport:
    email = config.email
    if email["backend"] == "outbox":
        from cakra.notify.transports.outbox_dir import OutboxDirTransport

        return OutboxDirTransport(Path(email["outbox_dir"]))
    if email["backend"] == "gmail":
        from cakra.notify.transports.gmail import GmailTransport

        return GmailTransport.from_config(config)
    from cakra.notify.transports.smtp import SmtpTransport

    return SmtpTransport(
        host=email["host"],
        port=email["port"],
        security=email["security"],
        username=os.environ.get(email["user_env"]) or None,
        password=os.environ.get(email["password_env"]) or None,
        timeout=float(email["timeout"]),
    )


def make_mailer(config: Config, sop: Sop, outbox: Outbox) -> Mailer:
    """The outbox, the configured transport, each role's addresses and what every message shows."""
    return Mailer(
        outbox=outbox,
        transport=make_transport(config),
        sender=config.email["from"],
        addresses={role: config.role_emails(role) for role in config.raw["roles"]},
        context={
            "agency_name": config.raw["agency_name"] or sop.agency or "Cakra",
            "sop_name": sop.name,
            "status_sheet_url": config.raw["status_sheet_url"],
            "timezone": config.raw["timezone"],
        },
    )


def make_layout(config: Config) -> view.Layout:
    """Where the cycle's tabs are, and the version that makes the next cycle read everything when the
    config, the SOP file or what the service writes has changed."""
    sheets = config.sheets
    configured = sheets["responses_tab"]
    # Google names the response tab by the form's language; either is accepted when the default is kept.
    response_tabs = DEFAULT_RESPONSE_TABS if configured in DEFAULT_RESPONSE_TABS else (configured,)
    digest = hashlib.sha256(str(view.FORMAT).encode())
    digest.update(json.dumps(config.raw, sort_keys=True, default=str).encode())
    digest.update(config.sop_path.read_bytes())
    return view.Layout(
        response_tabs=tuple(response_tabs),
        status_tab=sheets["status_tab"],
        dashboard_tab=sheets["dashboard_tab"],
        verify_rows=int(sheets["verify_rows"]),
        aliases=config.aliases(),
        user_fields=tuple(config.raw["columns"]),
        version=digest.hexdigest()[:24],
    )


def check_roles(config: Config, sop: Sop) -> None:
    """Every internal SOP role needs [roles.<role>] emails, or its cases would reach nobody."""
    for role in sop.roles.values():
        if not role.external and not config.role_emails(role.id):
            raise ConfigError(
                f"the SOP's role '{role.id}' ({role.title}) has no recipients; add "
                f'[roles.{role.id}] emails = ["nama@instansi.go.id"] to the config'
            )
    for role in config.digest["roles"]:
        if role not in sop.roles or sop.roles[role].external:
            known = ", ".join(r.id for r in sop.roles.values() if not r.external)
            raise ConfigError(
                f"[digest] roles lists {role!r}, which is no internal role of the SOP; use: {known}"
            )


def build_app(config: Config) -> App:
    sop = load_sop(config.sop_path)
    check_roles(config, sop)
    calendar = make_calendar(config, sop)  # before the ledger opens: a mistake here leaves nothing open
    ledger = Ledger(config.ledger_path)
    return App(
        config=config,
        sop=sop,
        calendar=calendar,
        sheets=make_sheets(config),
        ledger=ledger,
        layout=make_layout(config),
        mailer=make_mailer(config, sop, Outbox(ledger.conn, domain=_domain(config.email["from"]))),
        alerts=AlertPolicy.from_config(config.raw["escalation"]),
    )


def _domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "cakra.local"
