"""``adopt``: take a form's existing responses in as history before Cakra starts working on it.

Cycles (``cakra.cycle.poll``) that read every row and adopt each response no case holds yet
(``workflow/adoption.py``): through the same identity rules as every cycle (``cakra.intake``), so the
next cycles recognise the adopted responses by content and never open them again. The rows are taken in
batches of ``BATCH`` (``tabs/batch.py``), each one cycle with its own ledger transaction and sheet
write, so memory stays that of one batch whatever the form's size; a crash between batches leaves the
rest unread, and the adoption remembered, for the next cycle (``cakra/adoption_run.py``). Run twice,
the second run finds every response already known and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import date, datetime, time
from typing import TextIO

from cakra import adoption_run
from cakra.app import App
from cakra.common.errors import CakraError
from cakra.cycle import CycleResult, poll
from cakra.tabs.view import forget_view, load_state

log = logging.getLogger("cakra.adopt")
# Response rows per cycle: ~100 MB of cases, cell writes and request at its peak, a few seconds each.
BATCH = 5000


def parse_before(text: str | None, app: App) -> datetime | None:
    """``--before YYYY-MM-DD`` as the start of that local day (None: adopt every response)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise CakraError(f"--before {text!r} must be a date like 2026-12-01") from None
    return datetime.combine(day, time(), tzinfo=app.config.tz)


def adopt(
    app: App,
    now: datetime,
    *,
    before: datetime | None,
    keep_open: bool | None,
    progress: ProgressBar | None = None,
    batch: int = BATCH,
) -> CycleResult:
    """Adopt the responses no case holds (received before ``before``; all when None), closed in the
    configured ending or left open (``keep_open``; None: ``[intake] adopt_open``). Later responses found
    in the same read are opened as usual new cases. Returns the batches' results added up."""
    forget_view(app.ledger)  # read every row, whatever the last cycle read
    adoption = app.adoption(before, keep_open=keep_open)
    adoption_run.remember(app.ledger, adoption, now, batch)  # resumed by any cycle if this stops early
    total, taken = CycleResult(), 0
    left: int | None = None  # rows still unread after the last batch
    while True:
        result = poll(app, now, adoption=adoption, limit=batch)
        _add(total, result)
        taken += result.new + result.adopted
        if progress is not None:
            progress(taken, taken + result.unread)
        again = result.unread > 0 or load_state(app.ledger) is None  # rows left, or a full read asked for
        # A batch that took nothing and left no fewer rows (its write failed, so the next read starts
        # over) ends the run: the rows left are read by the next cycle, whichever command runs it.
        stuck = left is not None and result.unread >= left and not (result.new or result.adopted)
        if not again or stuck:
            break
        left = result.unread
    if result.unread or load_state(app.ledger) is None:
        log.warning("%d response rows not yet read; the next cycles adopt them", result.unread)
    else:
        adoption_run.finish(app.ledger)
    total.unread = result.unread
    if progress is not None:
        progress.finish()
    return total


def _add(total: CycleResult, result: CycleResult) -> None:
    """Add a batch's counts to ``total`` (the last transport trouble stands)."""
    for spec in fields(CycleResult):
        value = getattr(result, spec.name)
        if isinstance(value, int):
            setattr(total, spec.name, getattr(total, spec.name) + value)
    total.delivery_trouble = result.delivery_trouble or total.delivery_trouble


class ProgressBar:
    """A progress bar on ``stream`` (stderr) when it is a terminal; silent otherwise (a log or cron
    gets only the command's one-line summary)."""

    WIDTH = 30

    def __init__(self, stream: TextIO, label: str = "Mengambil tanggapan") -> None:
        self.stream, self.label = stream, label
        self.shown = -1  # the last percentage drawn: redraw only when it changes
        self.active = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.active or total <= 0:
            return
        percent = done * 100 // total
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done:,}/{total:,} ({percent}%)".replace(",", "."))
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line (once something was drawn)."""
        if self.active and self.shown >= 0:
            self.stream.write("\n")
            self.stream.flush()
