"""Reading the response tab in batches: a cycle that takes at most ``limit`` rows past those seen.

Adopting a form of 50,000 responses in ONE cycle held every row, case and cell write at once (1.2 GB).
``cakra adopt`` instead runs cycles that each read whole, take in and write at most a batch of rows,
each with its own ledger commit and sheet write. The rows a batch leaves are *unread* in the view's
state (``ViewState.known_rows`` stops before them, ``ViewState.unread`` counts them), exactly as rows
the form added after the read: the next cycle reads them, whatever command runs it, and a crash between
batches loses nothing (the next cycle takes the rows not committed) and repeats nothing (the committed
ones are known by content, ``cakra.ingest.identity``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cakra.tabs.view import CycleView, ViewState


def rows_batch(state: ViewState, limit: int | None) -> int | None:
    """How many unread rows past ``state.known_rows`` a partial read under ``limit`` reads (None: all
    the tab has, unbounded). Bounded only over rows known to exist, so the range stays in the grid."""
    if not limit or state.unread <= 0:
        return None
    return min(limit, state.unread)


def defer_rows(view: CycleView, limit: int | None) -> CycleView:
    """A full read's ``view`` with the response rows past the first ``limit`` left unread: out of the
    rows read whole, their stamps not remembered, and released from memory at once (the rows kept and
    the cases made from them are what the batch needs)."""
    rows = view.response_rows
    if not limit or len(rows) <= limit:
        return view
    cut = limit + 1  # 0-based index of the first row left: rows 1..limit are taken
    view.response_rows = rows[:limit]
    view.stamps = {row: stamp for row, stamp in view.stamps.items() if row <= cut}
    view.state.unread = len(view.responses.rows) - cut
    view.state.known_rows = cut
    del view.responses.rows[cut:]
    return view
