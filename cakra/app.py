"""The running parts, built once from a config: SOP, calendar, sheet backend, ledger, outbox, transport.

This is the only place that chooses implementations; the cycle sees interfaces.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cakra.config import Config
from cakra.errors import ConfigError
from cakra.ledger import Ledger
from notify.outbox import Outbox
from notify.transports.base import Transport
from sheets.base import SheetBackend
from workflow.calendar import BusinessCalendar
from workflow.sop import Sop, load_sop


@dataclass
class App:
    config: Config
    sop: Sop
    calendar: BusinessCalendar
    sheets: SheetBackend
    ledger: Ledger
    outbox: Outbox
    transport: Transport

    def close(self) -> None:
        self.ledger.close()


def make_calendar(config: Config, sop: Sop) -> BusinessCalendar:
    if sop.calendar:
        return BusinessCalendar.from_config(sop.calendar, config.tz)
    return BusinessCalendar(config.tz)


def make_sheets(config: Config) -> SheetBackend:
    if config.sheets["backend"] == "google":
        from sheets.google import GoogleSheets  # imported lazily: the local default needs no Google libraries

        return GoogleSheets.from_config(config)
    from sheets.local import LocalWorkbook

    return LocalWorkbook(Path(config.sheets["workbook"]), config.tz)


def make_transport(config: Config) -> Transport:
    email = config.email
    if email["backend"] == "outbox":
        from notify.transports.outbox_dir import OutboxDirTransport

        return OutboxDirTransport(Path(email["outbox_dir"]))
    if email["backend"] == "gmail":
        from notify.transports.gmail import GmailTransport

        return GmailTransport.from_config(config)
    from notify.transports.smtp import SmtpTransport

    return SmtpTransport(
        host=email["host"],
        port=email["port"],
        security=email["security"],
        username=os.environ.get(email["user_env"]) or None,
        password=os.environ.get(email["password_env"]) or None,
        timeout=float(email["timeout"]),
    )


def check_roles(config: Config, sop: Sop) -> None:
    """Every internal SOP role needs [roles.<role>] emails, or its cases would reach nobody."""
    for role in sop.roles.values():
        if not role.external and not config.role_emails(role.id):
            raise ConfigError(
                f"the SOP's role '{role.id}' ({role.title}) has no recipients; add "
                f'[roles.{role.id}] emails = ["nama@instansi.go.id"] to the config'
            )


def build_app(config: Config) -> App:
    sop = load_sop(config.sop_path)
    check_roles(config, sop)
    ledger = Ledger(config.ledger_path)
    return App(
        config=config,
        sop=sop,
        calendar=make_calendar(config, sop),
        sheets=make_sheets(config),
        ledger=ledger,
        outbox=Outbox(ledger.conn, domain=_domain(config.email["from"])),
        transport=make_transport(config),
    )


def _domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "cakra.local"
