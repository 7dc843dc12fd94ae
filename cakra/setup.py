"""``run.py init``: make the sheet side ready (idempotent: safe to run twice)."""

from __future__ import annotations

from collections.abc import Iterator

from cakra.app import App
from cakra.cycle import ensure_tabs


def initialise(app: App) -> Iterator[str]:
    """Create missing tabs and let the backend apply its formatting; yield one line per thing done."""
    created = ensure_tabs(app)
    for name in created:
        yield f"tab {name!r} created"
    prepare = getattr(app.sheets, "prepare_status_tab", None)
    if prepare is not None:  # the Google backend adds dropdowns, protection and formatting
        yield from prepare(app.config.sheets.status_tab, app.sop)
    if not created:
        yield "all tabs already exist; nothing to create"
