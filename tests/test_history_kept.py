"""``Ledger.history_of_cases_open_since`` keeps what it read between cycles (history is append-only):
it must answer exactly what a fresh read of the ledger answers, whoever wrote the history since."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from cakra.ledger.store import Ledger
from cakra.workflow.storage import NOTE, HistoryEntry
from tests.site import T0, Site, response


def without_rows(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """The entries without their Riwayat row (kept entries may predate it; the figures never use it)."""
    return [replace(entry, sheet_row=None) for entry in entries]


def fresh_answer(site: Site, since: datetime) -> list[HistoryEntry]:
    other = Ledger(site.app.ledger.path)
    try:
        return without_rows(other.history_of_cases_open_since(since))
    finally:
        other.close()


def test_kept_history_answers_as_a_fresh_read_after_every_kind_of_change(site: Site) -> None:
    since = T0 - timedelta(days=1)
    ledger = site.app.ledger
    site.submit(response(0), response(1, nik="1404015501900002", name="Budi Contoh"))
    site.poll(T0 + timedelta(minutes=2))
    first = ledger.history_of_cases_open_since(since)
    assert first and without_rows(first) == fresh_answer(site, since)

    # A cycle adds entries (a new case, a move), then another process adds a note.
    site.submit(response(3, nik="1404015501900003", name="Citra Contoh"))
    site.edit("CAKRA-2026-000001", Tahap="3. Kasubbid")
    site.poll(T0 + timedelta(minutes=4))
    other = Ledger(ledger.path)
    with other.transaction():
        other.record("CAKRA-2026-000002", T0 + timedelta(minutes=5), NOTE, note="catatan dari perintah lain")
    other.close()
    kept = ledger.history_of_cases_open_since(since)
    assert without_rows(kept) == fresh_answer(site, since)
    assert len(kept) > len(first) and any(e.note == "catatan dari perintah lain" for e in kept)
    assert [e.id for e in kept] == sorted(e.id for e in kept)

    # A later month: the cases closed before it leave the set, the open ones stay.
    site.edit("CAKRA-2026-000003", Tahap="Tidak valid")
    site.poll(T0 + timedelta(minutes=6))
    later = T0 + timedelta(minutes=7)
    assert not site.app.ledger.cases_named(["CAKRA-2026-000003"], [])[0].is_open
    kept = ledger.history_of_cases_open_since(later)
    assert without_rows(kept) == fresh_answer(site, later)
    assert "CAKRA-2026-000003" not in {e.ticket for e in kept}
    # And back to the earlier start: the closed case's whole history comes back.
    assert without_rows(ledger.history_of_cases_open_since(since)) == fresh_answer(site, since)
