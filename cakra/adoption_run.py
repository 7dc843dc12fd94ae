"""An adoption in progress, remembered in the ledger until its last batch is taken.

``cakra adopt`` takes a form's rows in batches (``tabs/batch.py``). Were it stopped between two batches
(killed, a crash, a power cut), the rows left would be read by the next cycle of whatever command runs
-- ``serve`` included -- and opened as new cases: years-old reports acknowledged and announced as if sent
today. So the adoption is remembered (meta ``adopting``) from before its first batch until nothing is
left unread, and every cycle meanwhile goes on adopting as the command would, a batch at a time.
"""

from __future__ import annotations

import json
from datetime import datetime

from cakra.ledger.store import Ledger
from cakra.workflow.adoption import Adoption

KEY = "adopting"


def remember(ledger: Ledger, adoption: Adoption, now: datetime, batch: int) -> None:
    """Note that ``adoption`` is under way. Cycles that resume it adopt only what was received before
    ``now`` (or ``adoption.before``): a report sent after the command started is a new case."""
    before = adoption.before or now
    text = json.dumps({"before": before.isoformat(), "ending": adoption.ending, "batch": batch})
    with ledger.transaction():
        ledger.set_meta(KEY, text)


def unfinished(ledger: Ledger) -> tuple[Adoption, int] | None:
    """The adoption under way and its batch size, or None (none, or unreadable: nothing to resume)."""
    text = ledger.meta(KEY)
    if not text:
        return None
    try:
        data = json.loads(text)
        return Adoption(datetime.fromisoformat(data["before"]), data["ending"]), int(data["batch"])
    except (KeyError, TypeError, ValueError):
        return None


def finish(ledger: Ledger) -> None:
    """The adoption is complete: cycles adopt nothing more (beyond ``[intake] start``)."""
    with ledger.transaction():
        ledger.conn.execute("DELETE FROM meta WHERE key = ?", (KEY,))
