"""``run.py init``: make the sheet side ready (idempotent: safe to run twice)."""

from __future__ import annotations

from collections.abc import Iterator

from cakra.app import App
from cakra.cycle import ensure_tabs


def initialise(app: App) -> Iterator[str]:
    """Create missing tabs and, on Google, format the status tab; yield one line per thing done."""
    created = ensure_tabs(app)
    for name in created:
        yield f"tab {name!r} created"
    if app.config.sheets.backend == "google":  # dropdowns, protection and formatting
        from cakra.sheets.google import GoogleSheets
        from cakra.tabs.google_format import prepare_status_tab

        if isinstance(app.sheets, GoogleSheets):
            yield from prepare_status_tab(app.sheets, app.config.sheets.status_tab, app.sop)
    if not created:
        yield "all tabs already exist; nothing to create"
