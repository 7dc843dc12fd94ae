"""``run.py init``: make the sheet side ready (idempotent: safe to run twice)."""

from __future__ import annotations

from collections.abc import Iterator

from cakra.app import App
from cakra.cycle import ensure_tabs
from cakra.sheets.local import LocalWorkbook
from cakra.tabs.status import HEADERS


def initialise(app: App) -> Iterator[str]:
    """Create missing tabs and, on Google, format the status tab; yield one line per thing done."""
    created = ensure_tabs(app)
    for name in created:
        yield f"tab {name!r} created"
    if isinstance(app.sheets, LocalWorkbook):  # the same screen on the workbook (tabs/local_format.py)
        sheets = app.config.sheets
        periodic = [app.config.periodic.monitoring_tab] if app.sop.periodic else []
        tabs = [sheets.status_tab, sheets.history_tab, sheets.dashboard_tab, sheets.manual_tab, *periodic]
        for name in app.sheets.lay_out([tab for tab in tabs if tab]):
            yield f"tab {name!r} laid out (widths, frozen header, filter; on the status tab also the dropdown, late colour, dates and protection)"
    if app.config.sheets.backend == "google":  # dropdowns, protection and formatting
        from cakra.sheets.google import GoogleSheets
        from cakra.tabs.google_format import prepare_manual_tab, prepare_status_tab

        if isinstance(app.sheets, GoogleSheets):
            yield from prepare_status_tab(app.sheets, app.config.sheets.status_tab, app.sop)
            if app.config.sheets.manual_tab:
                yield from prepare_manual_tab(app.sheets, app.config.sheets.manual_tab)
            if app.sop.periodic is not None and app.config.periodic.monitoring_tab:
                from cakra.tabs.monitoring_format import prepare_monitoring_tab

                yield from prepare_monitoring_tab(app.sheets, app.config.periodic.monitoring_tab)
    yield from _unit_screens(app)
    if not created:
        yield "all tabs already exist; nothing to create"


def _unit_screens(app: App) -> Iterator[str]:
    """Each unit's own screen: its status tab made (and its workbook, locally) and formatted like the
    main one, without the "Unit Tujuan" dropdown (only the dispatcher disposes)."""
    name = app.config.sheets.status_tab
    for unit_id, backend in app.unit_sheets.items():
        if backend.ensure_tab(name, HEADERS):
            yield f"unit {unit_id}: tab {name!r} created"
        if isinstance(backend, LocalWorkbook):
            for laid in backend.lay_out([name]):
                yield f"unit {unit_id}: tab {laid!r} laid out"
        else:
            from cakra.sheets.google import GoogleSheets
            from cakra.tabs.google_format import prepare_status_tab

            if isinstance(backend, GoogleSheets):
                for line in prepare_status_tab(backend, name, app.sop, unit_screen=True):
                    yield f"unit {unit_id}: {line}"
