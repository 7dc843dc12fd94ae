"""One poll cycle: read -> ingest -> operator edits -> ledger commit -> write -> deliver.

The order is what makes a crash lose nothing: everything decided in a cycle (cases, history, outbox
rows) is committed in one ledger transaction before the sheet is written or a message leaves. A sheet
write that fails is simply made again next cycle (the status sheet is a projection of the ledger), and
an outbox row is sent until the server accepts it, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cakra.app import App
from cakra.errors import SheetError
from ingest.responses import read_reports
from notify.compose import enqueue_notices
from notify.outbox import OutboxRow
from notify.plan import plan_notices
from sheets.base import CellWrite, Tab
from workflow.case import Case
from workflow.engine import open_case, update_case
from workflow.history_tab import HISTORY_HEADERS, history_writes
from workflow.operator_edits import apply_operator_edits
from workflow.status_sheet import HEADERS, StatusSheet, service_values

log = logging.getLogger("cakra.cycle")

# Google names the response tab by the form's language; either is accepted when the default is kept.
DEFAULT_RESPONSE_TABS = ("Form Responses 1", "Jawaban Formulir 1")


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

    @property
    def found_work(self) -> bool:
        return any((self.new, self.edited, self.moved, self.refused, self.cells_written, self.delivered))

    def summary(self) -> str:
        return (
            f"{self.new} kasus baru, {self.edited} diubah pelapor, {self.moved} pindah tahap, "
            f"{self.refused} ditolak, {self.cells_written} sel ditulis, {self.messages} pesan dibuat, "
            f"{self.delivered} terkirim, {self.failed} gagal"
        )


def response_tab_names(app: App) -> list[str]:
    configured = app.config.sheets["responses_tab"]
    return list(DEFAULT_RESPONSE_TABS) if configured in DEFAULT_RESPONSE_TABS else [configured]


def read_tabs(app: App) -> tuple[Tab, Tab]:
    """The response tab and the status tab in one read; a missing status tab is created."""
    sheets = app.config.sheets
    wanted = response_tab_names(app)
    tabs = app.sheets.read([*wanted, sheets["status_tab"]])
    responses = next((tabs[name] for name in wanted if tabs.get(name) is not None), None)
    if responses is None:
        raise SheetError(
            f"the response tab {' / '.join(repr(n) for n in wanted)} was not found; "
            "set [sheets] responses_tab to the tab the form writes to"
        )
    status = tabs.get(sheets["status_tab"])
    if status is None:
        status = Tab(sheets["status_tab"], [list(HEADERS)])
    return responses, status


def ensure_tabs(app: App) -> list[str]:
    """Create the status and history tabs when missing (first run, or an operator deleted one)."""
    sheets = app.config.sheets
    wanted = {sheets["status_tab"]: HEADERS, sheets["history_tab"]: HISTORY_HEADERS}
    existing = set(app.sheets.tab_names())
    return [
        name
        for name, header in wanted.items()
        if name not in existing and app.sheets.ensure_tab(name, header)
    ]


def poll(
    app: App, now: datetime, *, on_before_send: Callable[[OutboxRow], None] | None = None
) -> CycleResult:
    """Run exactly one cycle at ``now`` (an aware datetime). Raises CakraError for a fixable problem."""
    config, sop, ledger = app.config, app.sop, app.ledger
    result = CycleResult()
    ensure_tabs(app)
    responses, status_tab = read_tabs(app)
    cases = ledger.cases()
    by_response = {case.report.response_key: case for case in cases}
    reports = read_reports(
        responses,
        config.aliases(),
        sop,
        app.sheets.timezone,
        user_fields=list(config.raw["columns"]),
        skip={key: case.report.fingerprint for key, case in by_response.items()},
    )
    status = StatusSheet(status_tab)
    window = timedelta(hours=config.intake["duplicate_window_hours"])
    with ledger.transaction():
        new: list[Case] = []
        for report in reports:
            existing = by_response.get(report.response_key)
            if existing is not None:
                update_case(existing, report, ledger, now, config.tz)
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
        notices = plan_notices(
            sop, ledger, now, new=new, entered=edits.moved, open_cases=[c for c in cases if c.is_open]
        )
        result.messages = enqueue_notices(app, notices, now)
        history = ledger.unmirrored_history(first_free_row=2)

    summary_chars = int(config.intake["description_chars"])
    writes: list[CellWrite] = status.writes(
        cases, lambda case: service_values(case, sop, now, config.tz, summary_chars)
    )
    writes += history_writes(config.sheets["history_tab"], history, sop, config.tz)
    result.cells_written = app.sheets.write(writes)
    with ledger.transaction():
        ledger.mark_mirrored(entry.id for entry in history)

    delivery = app.outbox.deliver(app.transport, now, on_before_send=on_before_send)
    result.delivered, result.failed = len(delivery.sent), len(delivery.failed)
    log.info("siklus selesai: %s", result.summary())
    return result
