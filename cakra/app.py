"""The running parts, built once from a config: SOP, calendar, sheet backend, ledger, outbox, transport.

This is the only place that chooses implementations; the cycle sees interfaces.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from cakra.common.errors import ConfigError, SopError
from cakra.config import Config
from cakra.ledger.store import Ledger
from cakra.notify.mailer import Mailer
from cakra.notify.outbox import Outbox
from cakra.notify.pacing import HeldNotices
from cakra.notify.transports.base import Transport
from cakra.sheets.base import SheetBackend
from cakra.tabs import view
from cakra.unit_settings import UnitSettings, check_units
from cakra.workflow.adoption import Adoption, adoption_ending
from cakra.workflow.alerts import AlertPolicy
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.calendar_settings import CalendarSettings
from cakra.workflow.holidays_id import CalendarError
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
    adopt_ending: str = ""  # the SOP ending adopted cases close in (resolved from [intake] adopt_ending)
    # Unit id -> the backend of the unit's own screen (its spreadsheet or workbook; cakra/unit_screens.py).
    unit_sheets: dict[str, SheetBackend] = field(default_factory=dict)

    def adoption(self, before: datetime | None, *, keep_open: bool | None = None) -> Adoption:
        """Adopt responses received before ``before`` (None: every new one), closed in the configured
        ending, or left open when ``keep_open`` (default: ``[intake] adopt_open``)."""
        keep = self.config.intake.adopt_open if keep_open is None else keep_open
        return Adoption(before, None if keep else self.adopt_ending)

    @property
    def configured_adoption(self) -> Adoption | None:
        """What every cycle adopts: the responses received before ``[intake] start`` (None: unset)."""
        start = self.config.intake.start
        if start is None:
            return None
        return self.adoption(datetime.combine(start, time(), tzinfo=self.config.tz))

    @property
    def outbox(self) -> Outbox:
        return self.mailer.outbox

    @property
    def book(self) -> CaseBook:
        """The cases as summaries and digests read them."""
        return CaseBook(self.sop, self.calendar, self.ledger)

    def close(self) -> None:
        self.ledger.close()


def make_calendar(config: Config, sop: Sop) -> BusinessCalendar:
    """The business calendar: the SOP's [calendar] table, with the agency's (config [calendar]) over it:
    its working hours replace the SOP's day by day, its extra holidays add to the SOP's, any other key it
    sets wins. Each table is read once; the calendar is built once. A mistake is the SOP's when its own
    table has it, or when the config's [calendar] is empty; else the config's."""
    try:
        own = CalendarSettings.parse(sop.calendar)
        if config.calendar == CalendarSettings():  # the agency changes nothing
            return BusinessCalendar.from_settings(own, config.tz)
    except CalendarError as exc:
        raise SopError(f"{config.sop_path}: [calendar] {exc}") from None
    try:
        return BusinessCalendar.from_settings(config.calendar.over(own), config.tz)
    except CalendarError as exc:
        raise ConfigError(f"[calendar] {exc}") from None


def make_sheets(config: Config, sop: Sop | None = None) -> SheetBackend:
    """The sheet backend ``[sheets]`` names, with its credentials when it is Google's; given the ``sop``,
    the local workbook lays its tabs out as an operator's screen (``cakra.tabs.local_format``)."""
    sheets = config.sheets
    if sheets.backend == "google":  # imported lazily: the local default needs no Google libraries
        from cakra.credentials import SHEETS_SCOPES, load_credentials
        from cakra.sheets.google import GoogleSheets

        credentials = load_credentials(
            sheets.credentials, SHEETS_SCOPES, google_endpoint=not sheets.api_endpoint
        )
        return GoogleSheets.connect(
            credentials,
            sheets.spreadsheet_id,
            # The Input Manual tab lives beside the form's answers, in the main spreadsheet.
            (*sheets.response_tabs, *([sheets.manual_tab] if sheets.manual_tab else [])),
            status_spreadsheet_id=sheets.status_spreadsheet_id,
            api_endpoint=sheets.api_endpoint,
        )
    from cakra.sheets.local import LocalWorkbook
    from cakra.tabs.local_format import OperatorScreen

    screen: OperatorScreen | None = None
    if sop is not None:
        units = [unit.title for unit in sop.units.values()]
        tabs = (sheets.status_tab, sheets.history_tab, sheets.dashboard_tab, sop.choices(), units)
        screen = OperatorScreen(*tabs, manual_tab=sheets.manual_tab)
        if sop.periodic is not None and config.periodic.monitoring_tab:  # periodic reports' grid colours
            from cakra.tabs.monitoring_format import MonitoringScreen

            screen = MonitoringScreen(
                *tabs, manual_tab=sheets.manual_tab, monitoring_tab=config.periodic.monitoring_tab
            )
    return LocalWorkbook(sheets.workbook, config.tz, screen)


def make_unit_sheets(config: Config, sop: Sop, main: SheetBackend) -> dict[str, SheetBackend]:
    """One backend per unit's own screen: on Google a ``GoogleSheets`` on the unit's spreadsheet that
    shares the main backend's client (one session, one token, one retry policy); locally the unit's
    workbook, laid out like the main status tab (no "Unit Tujuan" dropdown: only the dispatcher picks)."""
    out: dict[str, SheetBackend] = {}
    for unit_id, unit in config.units.items():
        if unit_id not in sop.units:
            continue
        if config.sheets.backend == "google":
            from cakra.sheets.google import GoogleSheets

            assert isinstance(main, GoogleSheets)
            out[unit_id] = GoogleSheets(main.client, unit.spreadsheet_id, ())
        else:
            from cakra.sheets.local import LocalWorkbook
            from cakra.tabs.local_format import OperatorScreen

            assert unit.workbook is not None  # check_units made sure
            screen = OperatorScreen(config.sheets.status_tab, "", "", sop.choices())
            out[unit_id] = LocalWorkbook(unit.workbook, config.tz, screen)
    return out


def make_transport(config: Config) -> Transport:
    """The email channel ``[email] backend`` names."""
    email = config.email
    if email.backend == "outbox":
        from cakra.notify.transports.outbox_dir import OutboxDirTransport

        return OutboxDirTransport(email.outbox_dir)
    if email.backend == "gmail":
        from cakra.credentials import GMAIL_SCOPES, load_credentials
        from cakra.notify.transports.gmail import GmailTransport

        credentials = load_credentials(
            config.sheets.credentials,
            GMAIL_SCOPES,
            google_endpoint=not email.api_endpoint,
            subject=email.delegated_user,
        )
        return GmailTransport.connect(credentials, api_endpoint=email.api_endpoint)
    from cakra.notify.transports.smtp import SmtpTransport

    return SmtpTransport(
        host=email.host,
        port=email.port,
        security=email.security,
        username=os.environ.get(email.user_env) or None,
        password=os.environ.get(email.password_env) or None,
        timeout=email.timeout,
    )


def make_mailer(config: Config, sop: Sop, outbox: Outbox, held: HeldNotices | None = None) -> Mailer:
    """The outbox, the configured transport, each role's addresses and what every message shows."""
    sheets = config.sheets
    place = f'tab "{sheets.status_tab}"'
    return Mailer(
        outbox=outbox,
        transport=make_transport(config),
        sender=config.email.sender,
        addresses=config.roles,
        context={
            "agency_name": config.agency_name or sop.agency or "Cakra",
            "sop_name": sop.name,
            "status_sheet_url": config.status_sheet_url,
            # Where a case's row is, in words (the local workbook has no link to give).
            "status_place": f"{sheets.workbook.name}, {place}" if sheets.backend == "local" else place,
            "timezone": config.tz.key,
        },
        held=held,
        reply_to=config.citizen.reply_to,
        identity_roles=frozenset(role.id for role in sop.roles.values() if role.sees_identity),
        unit_addresses={unit_id: unit.emails for unit_id, unit in config.units.items()},
        unit_places={unit_id: _unit_place(unit, place) for unit_id, unit in config.units.items()},
    )


def _unit_place(unit: UnitSettings, place: str) -> dict[str, str]:
    """Where a unit's own screen is, for its messages: its spreadsheet's address, or its workbook."""
    if unit.spreadsheet_id:
        url = f"https://docs.google.com/spreadsheets/d/{unit.spreadsheet_id}/edit"
        return {"status_sheet_url": url, "status_place": place}
    name = unit.workbook.name if unit.workbook else ""
    return {"status_sheet_url": "", "status_place": f"{name}, {place}" if name else place}


def make_layout(config: Config) -> view.Layout:
    """Where the cycle's tabs are, and the version that makes the next cycle read everything when the
    config, the SOP file or what the service writes has changed."""
    sheets = config.sheets
    digest = hashlib.sha256(str(view.FORMAT).encode())
    digest.update(config.fingerprint.encode())
    digest.update(config.sop_path.read_bytes())
    return view.Layout(
        response_tabs=tuple(sheets.response_tabs),
        status_tab=sheets.status_tab,
        dashboard_tab=sheets.dashboard_tab,
        verify_rows=sheets.verify_rows,
        columns=config.columns,
        version=digest.hexdigest()[:24],
    )


def check_roles(config: Config, sop: Sop) -> None:
    """Every internal SOP role a case can reach needs [roles.<role>] emails, or its cases would reach
    nobody: the accountable (first) role of each step and their superiors. A role that is only ever a
    second role of a step (Tim Lapangan beside the Kabid) may have none: the accountable role is told.
    A per-unit role's recipients are its units': every SOP unit needs [units.<id>] emails and a screen."""
    check_units(config.units, sop, config.sheets.backend, config.sheets.workbook)
    accountable = {step.role for step in sop.steps.values()}
    needed = accountable | {s for role in accountable if role in sop.roles for s in sop.superiors(role)}
    # A periodic SOP's submitters are reached per desa, through the roster (workflow/roster.py).
    submitter = sop.periodic.submitter if sop.periodic else None
    for role in sop.roles.values():
        if role.id not in needed or role.per_unit or role.id == submitter:
            continue
        if not role.external and not config.role_emails(role.id):
            raise ConfigError(
                f"the SOP's role '{role.id}' ({role.title}) has no recipients; add "
                f'[roles.{role.id}] emails = ["nama@instansi.go.id"] to the config'
            )
    for role in config.digest.roles:
        if role not in sop.roles or sop.roles[role].external:
            known = ", ".join(r.id for r in sop.roles.values() if not r.external)
            raise ConfigError(
                f"[digest] roles lists {role!r}, which is no internal role of the SOP; use: {known}"
            )


def check_open_steps(config: Config, sop: Sop, ledger: Ledger) -> None:
    """Refuse an SOP that dropped a step open cases are in: they could be neither shown nor moved.

    Chosen over keeping and flagging such cases because no deadline, role or next step exists for them;
    the agency restores the step, moves its cases on, then removes it (README, "Reliability and privacy")."""
    for step, tickets in ledger.open_tickets_by_step().items():
        if step not in sop.steps:
            shown = ", ".join(tickets[:5]) + (f" and {len(tickets) - 5} more" if len(tickets) > 5 else "")
            raise ConfigError(
                f"the SOP {config.sop_path} has no step {step!r}, but {len(tickets)} open case(s) are in it"
                f" ({shown}); put the step back, move those cases to another step in the status tab, then"
                " remove it"
            )


def build_app(config: Config) -> App:
    sop = load_sop(config.sop_path)
    check_roles(config, sop)
    try:
        adopt_ending = adoption_ending(sop, config.intake.adopt_ending)
    except ValueError as exc:
        raise ConfigError(f"[intake] adopt_ending: {exc}") from None
    calendar = make_calendar(config, sop)  # before the ledger opens: a mistake here leaves nothing open
    ledger = Ledger(config.ledger_path)
    try:
        check_open_steps(config, sop, ledger)
    except ConfigError:
        ledger.close()
        raise
    sheets = make_sheets(config, sop)
    return App(
        config=config,
        sop=sop,
        calendar=calendar,
        sheets=sheets,
        ledger=ledger,
        layout=make_layout(config),
        mailer=make_mailer(
            config,
            sop,
            Outbox(ledger.conn, domain=config.email.domain),
            HeldNotices(ledger.conn, timedelta(minutes=config.email.bundle_minutes)),
        ),
        alerts=config.escalation,
        adopt_ending=adopt_ending,
        unit_sheets=make_unit_sheets(config, sop, sheets),
    )
