"""The cycle's ONE write: the status rows that changed, the cells other parts of the cycle set (unit
screens' echoes, the Input Manual tab's tickets, the periodic Monitoring grid), new history for the
"Riwayat" tab and the "Ringkasan" dashboard, in one ``sheets.write`` call; then what the status rows
now show is remembered in the ledger (``tabs/shown.py``), so the next cycle compares instead of reading.
"""

from __future__ import annotations

import logging
from datetime import datetime

from cakra.app import App
from cakra.common.errors import SheetBusy
from cakra.sheets.base import CellWrite
from cakra.tabs.dashboard import dashboard_grid, dashboard_writes
from cakra.tabs.history import history_writes
from cakra.tabs.shown import ServiceMemory
from cakra.tabs.status import StatusSheet, service_values
from cakra.tabs.view import CycleView, forget_view
from cakra.workflow.case import Case
from cakra.workflow.sla import Visit, month_period, visits
from cakra.workflow.storage import HistoryEntry

log = logging.getLogger("cakra.cycle")


def write_sheets(
    app: App,
    now: datetime,
    view: CycleView,
    status: StatusSheet,
    on_sheet: list[Case],
    cases: list[Case],
    history: list[HistoryEntry],
    watched: set[str],
    checked: set[str],
    extra: list[CellWrite] | None = None,
) -> int:
    """The cycle's ONE write (status rows of ``on_sheet``, ``extra`` cells, new history, the dashboard);
    then remember what the service columns of the rows in ``watched`` and of every row written now show.

    A full read leaves the other rows' memory as it was: they needed no write, so they show what the
    service wants; a memory older than that costs at most a rewrite of equal cells when a later
    partial cycle looks at the row (and saves holding 50,000 rows' values at once).
    """
    config, sop, ledger = app.config, app.sop, app.ledger
    summary_chars = config.intake.description_chars
    remembered: dict[str, dict[str, str]] = {}
    # A full read computes the rows of closed cases afresh rather than hold 50,000 rows' memory at once.
    memory = ServiceMemory(
        ledger, sop, app.layout.version, (c.ticket for c in on_sheet if not view.full or c.ticket in watched)
    )

    def compute(case: Case) -> dict[str, str]:
        return service_values(case, sop, now, config.tz, summary_chars)

    def wanted(case: Case) -> dict[str, str]:
        values = memory.values(case, now, compute)
        if case.ticket in watched:
            remembered[case.ticket] = values
        return values

    if not view.full:
        # A row not read whole whose remembered values are what the service wants now needs no look:
        # the partial read did not read its cells, and what it would compare them with is that memory.
        on_sheet = [
            c
            for c in on_sheet
            if c.ticket in checked or c.ticket not in status.rows or not memory.unchanged(c, now)
        ]
        # What the service last wrote stands in for the cells a partial read skipped (rows read whole to
        # be checked keep what they really show).
        shown = ((c.ticket, memory.shown(c.ticket)) for c in on_sheet if c.ticket not in checked)
        status.assume({ticket: values for ticket, values in shown if values is not None})
    writes: list[CellWrite] = status.writes(on_sheet, wanted, changed=remembered)
    # Operator cells the service sets on purpose (cakra/unit_screens.py), the Input Manual tab's ticket
    # and message cells (cakra/manual_intake.py), the periodic Monitoring grid (cakra/periodic.py).
    writes += extra or []
    writes += history_writes(config.sheets.history_tab, history, sop, config.tz)
    if view.dashboard is not None:
        visited = month_visits(app, cases, now, keep=not view.full)
        grid = dashboard_grid(cases, visited, sop, now, config.tz, ledger.kecamatan_totals())
        writes += dashboard_writes(view.dashboard, grid, now, config.tz)
    try:
        written = app.sheets.write(writes)
    except SheetBusy as busy:
        # Someone else's save: theirs stands. Nothing is marked written, and the next cycle reads the
        # whole sheet again, takes their changes and writes the projection of the ledger afresh.
        log.debug("%s", busy)  # the backend said it once
        forget_view(ledger)
        return 0
    if written < len(writes):
        # Rows or columns of the status tab moved between the read and the write and some cells could
        # not be placed for certain (sheets.base.readdress): the sheet is a projection of the ledger, so
        # the next cycle reads everything and writes what is still missing.
        log.warning(
            "%d status cells not written (rows moved since the read); next cycle rereads",
            len(writes) - written,
        )
        forget_view(ledger)
        remembered.clear()
    changes = memory.changes(remembered)
    with ledger.transaction():
        ledger.mark_mirrored(entry.id for entry in history)
        ledger.save_shown(changes)
    return written


def month_start(app: App, now: datetime) -> datetime:
    local = now.astimezone(app.config.tz)
    return month_period(local.year, local.month, app.config.tz)[0]


def month_visits(app: App, cases: list[Case], now: datetime, *, keep: bool = True) -> list[Visit]:
    """Step visits of the cases that can count this month (open, or closed since the month began).

    A case closed before this month has no visit ending or falling due in it, so years of closed cases
    cost nothing here.
    """
    since = month_start(app, now)
    relevant = [c for c in cases if c.closed_at is None or c.closed_at >= since]
    history = app.ledger.history_of_cases_open_since(since, keep=keep)  # keep: see the ledger's doc
    return visits(relevant, history, app.sop, app.calendar)
