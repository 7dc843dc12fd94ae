"""One poll cycle: read -> ingest -> operator edits -> ledger commit -> write -> deliver.

Every tab the cycle needs (responses, status, the "Ringkasan" dashboard) is read in ONE ``sheets.read``
call and every cell it changes is written in ONE ``sheets.write`` call.

The order is what makes a crash lose nothing: everything decided in a cycle (cases, history, outbox
rows) is committed in one ledger transaction before the sheet is written or a message leaves. A sheet
write that fails is simply made again next cycle (the status sheet is a projection of the ledger), and
an outbox row is sent until the server accepts it, once.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from cakra.app import App
from cakra.config import DEFAULT_RESPONSE_TABS
from cakra.errors import SheetError
from cakra.lock import cycle_lock
from ingest.responses import read_reports
from notify.citizen import enqueue_citizen_messages
from notify.compose import enqueue_notices
from notify.outbox import OutboxRow
from notify.plan import RoleNotice, plan_notices
from sheets.base import CellWrite, Tab
from workflow.case import Case
from workflow.dashboard import TITLE as DASHBOARD_TITLE
from workflow.dashboard import dashboard_grid, dashboard_writes
from workflow.engine import open_case, update_case
from workflow.history_tab import HISTORY_HEADERS, history_writes
from workflow.operator_edits import apply_operator_edits
from workflow.pause import resume_if_answered
from workflow.sla import Visit, month_period, visits
from workflow.status_sheet import HEADERS, StatusSheet, service_values

log = logging.getLogger("cakra.cycle")


@dataclass
class CycleResult:
    new: int = 0
    edited: int = 0
    moved: int = 0
    refused: int = 0
    cells_written: int = 0
    messages: int = 0
    delivered: int = 0
    failed: int = 0
    reminders: int = 0  # cases in reminder sections this cycle
    escalations: int = 0  # cases in escalation sections this cycle
    citizen: int = 0  # acknowledgements and closing messages to reporters
    paused: int = 0
    resumed: int = 0

    @property
    def found_work(self) -> bool:
        return any((self.new, self.edited, self.moved, self.refused, self.cells_written, self.delivered))

    def summary(self) -> str:
        return (
            f"{self.new} kasus baru, {self.edited} diubah pelapor, {self.moved} pindah tahap, "
            f"{self.refused} ditolak, {self.paused} ditunda, {self.resumed} dilanjutkan, "
            f"{self.cells_written} sel ditulis, {self.messages} pesan dibuat "
            f"({self.reminders} pengingat, {self.escalations} eskalasi), {self.citizen} pesan pelapor, "
            f"{self.delivered} terkirim, {self.failed} gagal"
        )


@dataclass
class CycleTabs:
    responses: Tab
    status: Tab
    dashboard: Tab | None  # None when [sheets] dashboard_tab = "" (or the tab could not be made)


def response_tab_names(app: App) -> list[str]:
    configured = app.config.sheets["responses_tab"]
    return list(DEFAULT_RESPONSE_TABS) if configured in DEFAULT_RESPONSE_TABS else [configured]


def read_tabs(app: App) -> CycleTabs:
    """The response, status and dashboard tabs in ONE read; a missing status tab is started empty."""
    sheets = app.config.sheets
    wanted = response_tab_names(app)
    extra = [sheets["dashboard_tab"]] if sheets["dashboard_tab"] else []
    tabs = app.sheets.read([*wanted, sheets["status_tab"], *extra])
    responses = next((tabs[name] for name in wanted if tabs.get(name) is not None), None)
    if responses is None:
        raise SheetError(
            f"the response tab {' / '.join(repr(n) for n in wanted)} was not found; "
            "set [sheets] responses_tab to the tab the form writes to"
        )
    status = tabs.get(sheets["status_tab"])
    if status is None:
        status = Tab(sheets["status_tab"], [list(HEADERS)])
    return CycleTabs(responses, status, tabs.get(sheets["dashboard_tab"]) if extra else None)


def ensure_tabs(app: App) -> list[str]:
    """Create the status, history and dashboard tabs when missing (first run, or an operator deleted one)."""
    sheets = app.config.sheets
    wanted = {sheets["status_tab"]: HEADERS, sheets["history_tab"]: HISTORY_HEADERS}
    if sheets["dashboard_tab"]:
        wanted[sheets["dashboard_tab"]] = [DASHBOARD_TITLE]
    existing = set(app.sheets.tab_names())
    return [
        name
        for name, header in wanted.items()
        if name not in existing and app.sheets.ensure_tab(name, header)
    ]


def poll(
    app: App, now: datetime, *, on_before_send: Callable[[OutboxRow], None] | None = None
) -> CycleResult:
    """Run exactly one cycle at ``now`` (an aware datetime). Raises CakraError for a fixable problem.

    Holds the ledger's cycle lock: a second process polling the same ledger gets ``Busy`` at once.
    """
    with cycle_lock(app.ledger.path), collector_paused():
        return _poll(app, now, on_before_send)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one cycle.

    A cycle builds hundreds of thousands of short-lived objects (every case, every cell read) and almost
    no reference cycles; with the collector on, a 50,000-case cycle spent ~20 % of its time in
    collections that freed nothing. Reference counting still frees everything; the collector resumes
    (and catches up) after the cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _poll(app: App, now: datetime, on_before_send: Callable[[OutboxRow], None] | None) -> CycleResult:
    config, sop, ledger = app.config, app.sop, app.ledger
    result = CycleResult()
    ensure_tabs(app)
    tabs = read_tabs(app)
    cases = ledger.cases()
    by_response = {case.report.response_key: case for case in cases}
    reports = read_reports(
        tabs.responses,
        config.aliases(),
        sop,
        app.sheets.timezone,
        user_fields=list(config.raw["columns"]),
        skip={key: case.report.fingerprint for key, case in by_response.items()},
    )
    status = StatusSheet(tabs.status)
    window = timedelta(hours=config.intake["duplicate_window_hours"])
    with ledger.transaction():
        new: list[Case] = []
        for report in reports:
            existing = by_response.get(report.response_key)
            if existing is not None:
                update_case(existing, report, ledger, now, config.tz)
                result.resumed += resume_if_answered(existing, sop, app.calendar, ledger, now)
                ledger.save_case(existing)
                result.edited += 1
            else:
                case = open_case(report, sop, app.calendar, ledger, now, window)
                ledger.save_case(case)
                cases.append(case)
                new.append(case)
        result.new = len(new)
        edits = apply_operator_edits(cases, status, sop, app.calendar, ledger, now)
        for case in edits.touched:
            ledger.save_case(case)
        result.moved, result.refused = len(edits.moved), len(edits.refused)
        result.paused, result.resumed = len(edits.paused), result.resumed + len(edits.resumed)
        notices = plan_notices(
            sop,
            ledger,
            now,
            new=new,
            entered=edits.moved,
            open_cases=[c for c in cases if c.is_open],
            calendar=app.calendar,
            policy=app.alerts,
        )
        result.messages = enqueue_notices(app, notices, now)
        result.reminders, result.escalations = _count(notices, "reminder"), _count(notices, "escalated")
        result.citizen = enqueue_citizen_messages(
            app, now, opened=new, closed=[c for c in edits.moved if not c.is_open]
        )
        history = ledger.unmirrored_history(first_free_row=2)

    summary_chars = int(config.intake["description_chars"])
    writes: list[CellWrite] = status.writes(
        cases, lambda case: service_values(case, sop, now, config.tz, summary_chars)
    )
    writes += history_writes(config.sheets["history_tab"], history, sop, config.tz)
    if tabs.dashboard is not None:
        grid = dashboard_grid(cases, month_visits(app, cases, now), sop, now, config.tz)
        writes += dashboard_writes(tabs.dashboard, grid, now, config.tz)
    result.cells_written = app.sheets.write(writes)
    with ledger.transaction():
        ledger.mark_mirrored(entry.id for entry in history)

    delivery = app.outbox.deliver(app.transport, now, on_before_send=on_before_send)
    result.delivered, result.failed = len(delivery.sent), len(delivery.failed)
    log.info("siklus selesai: %s", result.summary())
    return result


def month_visits(app: App, cases: list[Case], now: datetime) -> list[Visit]:
    """Step visits of the cases that can count this month (open, or closed since the month began).

    A case closed before this month has no visit ending or falling due in it, so years of closed cases
    cost nothing here.
    """
    local = now.astimezone(app.config.tz)
    since, _ = month_period(local.year, local.month, app.config.tz)
    relevant = [c for c in cases if c.closed_at is None or c.closed_at >= since]
    return visits(relevant, app.ledger.history_of_cases_open_since(since), app.sop, app.calendar)


def _count(notices: list[RoleNotice], section: str) -> int:
    return sum(len(notice.sections[section]) for notice in notices)
