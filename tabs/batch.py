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


def rows_batch(unread: int, limit: int | None) -> int | None:
    """How many of the ``unread`` rows past those seen a partial read under ``limit`` reads (None: all
    the tab has, unbounded). Bounded only over rows known to exist, so the range stays in the grid."""
    if not limit or unread <= 0:
        return None
    return min(limit, unread)


def first_left(rows_read: int, limit: int | None) -> int | None:
    """Of a full read's ``rows_read`` response rows (0-based indices 1.., the header being 0), the index
    of the first one left unread under ``limit``; None when the batch takes them all."""
    if not limit or rows_read <= limit:
        return None
    return limit + 1
