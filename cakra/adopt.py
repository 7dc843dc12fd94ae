"""``adopt``: take a form's existing responses in as history before Cakra starts working on it.

One cycle (``cakra.cycle.poll``) that reads every row and adopts each response no case holds yet
(``workflow/adoption.py``): through the same identity rules as every cycle (``cakra.intake``), so the
next cycles recognise the adopted responses by content and never open them again, and in the cycle's
one ledger transaction (50,000 responses are a few seconds of SQLite work). Run twice, the second run
finds every response already known and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TextIO

from cakra.app import App
from cakra.common.errors import CakraError
from cakra.cycle import CycleResult, poll
from cakra.tabs.view import forget_view


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
) -> CycleResult:
    """Adopt the responses no case holds (received before ``before``; all when None), closed in the
    configured ending or left open (``keep_open``; None: ``[intake] adopt_open``). Later responses found
    in the same read are opened as usual new cases."""
    forget_view(app.ledger)  # read every row, whatever the last cycle read
    result = poll(app, now, adoption=app.adoption(before, keep_open=keep_open), progress=progress)
    if progress is not None:
        progress.finish()
    return result


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
