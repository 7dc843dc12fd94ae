"""Adoption in batches (tabs/batch.py): each batch one cycle with its own commit and write, the rows it
leaves unread for the next. Real workbook files, the real Sheets emulator through gspread, frozen time."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import cakra.adopt
from cakra import adoption_run
from cakra.adopt import adopt
from cakra.cycle import ensure_tabs
from cakra.tabs.view import load_state
from tests.google_site import GoogleSite
from tests.site import T0, Site, response
from tests.test_adopt import old_responses
from tests.workbook import STATUS_TAB

RIWAYAT = "Riwayat"


def ledger_picture(site: Site) -> dict[str, Any]:
    """What adoption decided, without row ids and response keys (random per site): cases, their
    identities, their history, and which per-case notices were claimed."""
    conn = site.app.ledger.conn
    cases = []
    for row in conn.execute("SELECT ticket, seq, step, closed_at, created_at, data FROM cases ORDER BY seq"):
        data = json.loads(row[-1])
        del data["report"]["response_key"]
        cases.append((*row[:-1], data))
    return {
        "cases": cases,
        "identities": conn.execute(
            "SELECT ticket, fingerprint, stamp, row, gone FROM response_of ORDER BY ticket"
        ).fetchall(),
        "history": conn.execute(
            "SELECT ticket, at, kind, from_step, to_step, actor, note, sheet_row, mirrored FROM history"
            " ORDER BY ticket, id"
        ).fetchall(),
        "notices": sorted(key for (key,) in conn.execute("SELECT key FROM notices")),
    }


def tab_values(workbook: Path, name: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(workbook)
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


def adopted_site(tmp_path: Path, name: str, rows: list[list[object]], batch: int) -> Site:
    site = Site(tmp_path / name)
    ensure_tabs(site.app)
    site.submit(*rows)
    site.app.ledger  # noqa: B018 (the ledger exists before the first batch)
    result = adopt(site.app, T0, before=T0 - timedelta(days=100), keep_open=None, batch=batch)
    assert result.unread == 0
    return site


def test_batches_of_4_make_the_same_cases_tickets_and_sheets_as_one_batch(tmp_path: Path) -> None:
    # 22 old responses and 3 recent ones (opened as new cases by ``--before``), then an old one again.
    rows = old_responses(22)
    rows += [
        response(-60 * 24 * 3 + i, nik=f"14040155019990{i:02d}", name=f"Warga Baru {i}") for i in range(3)
    ]
    rows += old_responses(1, start=-60 * 24 * 200)
    (tmp_path / "one").mkdir()
    (tmp_path / "batched").mkdir()
    one = adopted_site(tmp_path, "one", rows, batch=1000)
    batched = adopted_site(tmp_path, "batched", rows, batch=4)

    assert ledger_picture(batched) == ledger_picture(one)
    picture = ledger_picture(one)
    assert len(picture["cases"]) == 26 and [c[1] for c in picture["cases"]] == list(range(1, 27))
    assert sum(c[3] is None for c in picture["cases"]) == 3  # the recent ones: new cases
    for tab in (STATUS_TAB, RIWAYAT):
        assert tab_values(batched.workbook, tab) == tab_values(one.workbook, tab)
    assert len(batched.status()) == 26
    # The view's memory is the same as after one batch: nothing left unread, every row seen.
    state = load_state(batched.app.ledger)
    assert state is not None and (state.known_rows, state.unread) == (27, 0)
    # And the next cycle finds nothing new in either.
    for site in (one, batched):
        result = site.poll(T0 + timedelta(minutes=1))
        assert (result.new, result.adopted, result.cells_written) == (0, 0, 0)
        site.close()


def test_a_crash_between_batches_then_adopt_again_loses_nothing_and_repeats_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_tabs(site.app)
    site.submit(*old_responses(23))
    real_poll, batches = cakra.adopt.poll, []

    def killed_before_third_batch(*args: Any, **kwargs: Any) -> Any:
        if len(batches) == 2:
            raise KeyboardInterrupt  # the process is stopped between two batches
        batches.append(real_poll(*args, **kwargs))
        return batches[-1]

    monkeypatch.setattr(cakra.adopt, "poll", killed_before_third_batch)
    with pytest.raises(KeyboardInterrupt):
        adopt(site.app, T0, before=None, keep_open=None, batch=5)
    assert [b.adopted for b in batches] == [5, 5]
    assert len(site.app.ledger.cases()) == 10 and len(site.status()) == 10
    state = load_state(site.app.ledger)
    assert state is not None and (state.known_rows, state.unread) == (11, 13)  # the rest: unread

    # Adopt again (its first read is a full one, from the top): a crash inside the first batch with new
    # rows (the third: rows 1-5 and 6-10 are known), after its ledger commit, before its sheet write.
    monkeypatch.setattr(cakra.adopt, "poll", real_poll)
    real_write = site.app.sheets.write
    writes = []

    def write_killed_once(cells: Any) -> int:
        writes.append(len(cells))
        if len(writes) == 3:
            raise KeyboardInterrupt
        return real_write(cells)

    monkeypatch.setattr(site.app.sheets, "write", write_killed_once)
    with pytest.raises(KeyboardInterrupt):
        adopt(site.app, T0 + timedelta(minutes=1), before=None, keep_open=None, batch=5)
    monkeypatch.setattr(site.app.sheets, "write", real_write)
    assert len(site.app.ledger.cases()) == 15 and len(site.status()) == 10

    result = adopt(site.app, T0 + timedelta(minutes=2), before=None, keep_open=None, batch=5)
    assert result.unread == 0 and result.new == 0
    cases = site.app.ledger.cases()
    assert [c.seq for c in cases] == list(range(1, 24))  # every response once, in form order
    assert len({c.report.response_key for c in cases}) == 23
    assert all(c.step == "selesai" for c in cases)
    tickets = [r["No. Tiket"] for r in site.status()]
    assert sorted(tickets) == sorted(c.ticket for c in cases)  # every row once, none twice
    history = site.app.ledger.history()
    assert len(history) == 2 * 23  # each case opened and closed once
    riwayat = [row for row in tab_values(site.workbook, RIWAYAT)[1:] if any(row)]
    assert len(riwayat) == 2 * 23
    assert site.app.ledger.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_a_cycle_after_an_interrupted_adoption_goes_on_adopting_and_tells_nobody(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped after its first batch, then ``serve`` instead of ``adopt`` again: the old responses
    left are adopted a batch per cycle, not opened as new cases; a report sent later is a new case."""
    ensure_tabs(site.app)
    site.submit(*old_responses(12))
    real_poll = cakra.adopt.poll
    done: list[Any] = []

    def stopped_after_one_batch(*args: Any, **kwargs: Any) -> Any:
        if done:
            raise KeyboardInterrupt
        done.append(real_poll(*args, **kwargs))
        return done[-1]

    monkeypatch.setattr(cakra.adopt, "poll", stopped_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        adopt(site.app, T0, before=None, keep_open=None, batch=5)
    site.submit(response(30, nik="1404015501999999", email_address="baru@contoh.example", name="Warga Baru"))

    results = [site.poll(T0 + timedelta(minutes=31 + minute)) for minute in range(3)]
    # Rows that were in the tab at the first read come first, a batch at a time; then the new one.
    assert [(r.adopted, r.new, r.unread) for r in results] == [(5, 0, 2), (2, 0, 0), (0, 1, 0)]
    cases = site.app.ledger.cases()
    assert [c.is_open for c in cases] == [False] * 12 + [True]  # only the new report is open
    assert {m["To"] for m in site.emails()} == {"baru@contoh.example", "operator@kesbangpol.contoh.example"}
    assert site.app.ledger.meta(adoption_run.KEY) is None  # done: later cycles adopt nothing
    site.submit(*old_responses(1, start=-60 * 24 * 400))  # an old-dated row typed in later: a new case
    assert site.poll(T0 + timedelta(minutes=40)).new == 1


def test_batches_on_google_read_only_their_rows_and_adopt_everything(google_site: GoogleSite) -> None:
    site = google_site
    ensure_tabs(site.app)
    site.submit(*old_responses(17))
    result = adopt(site.app, T0, before=None, keep_open=None, batch=5)
    assert (result.adopted, result.new, result.unread) == (17, 0, 0)
    cases = site.app.ledger.cases()
    assert [c.seq for c in cases] == list(range(1, 18))
    assert [c.report.response_row for c in cases] == list(range(2, 19))
    assert [r["No. Tiket"] for r in site.status()] == [c.ticket for c in cases]
    # A later response is a new case in the next cycle, and nothing else moves.
    site.submit(response(5, nik="1404015501999999", name="Warga Baru"))
    result = site.poll(T0 + timedelta(minutes=6))
    assert (result.new, result.adopted, result.edited) == (1, 0, 0)
