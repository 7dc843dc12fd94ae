"""A response is recognised by what it is, not by its row (issue 9, reproduction 2), on both backends.

Operators sort, insert and delete rows in the form's response tab; none of that may move one citizen's
answers into another's case. An edit (Google Forms restamps it and rewrites its row) still lands on its
own case; a deleted response leaves its case and says so once; what cannot be told apart is flagged.
"""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import pytest

from cakra.ingest.identity import Identity, edit_of
from cakra.intake import BACK_NOTE, GONE_NOTE
from cakra.tabs.view import STATE_KEY
from cakra.workflow.case import Report
from tests.site import T0, Site, response
from tests.workbook import RESPONSES_TAB

COUNT = 33


def person(i: int) -> dict[str, object]:
    """The invented reporter of response ``i``: names whose order is not the arrival order."""
    return {
        "name": f"{'ZYXWVUTSRQPONMLKJIHGFEDCBA'[i % 26]}{i:02d} Warga",
        "nik": f"14040155019{i:05d}",
        "email_address": f"warga{i:02d}@contoh.example",
        "phone": f"0812-0000-{i:04d}",
        "description": f"Kejadian nomor {i} di lokasi {i}.",
    }


@pytest.fixture(params=["local", "google"])
def world(request: pytest.FixtureRequest) -> Site:
    return request.getfixturevalue("site" if request.param == "local" else "google_site")


def cases_by_ticket(world: Site) -> dict[str, tuple[str, str, str]]:
    return {c.ticket: (c.report.name, c.report.nik, c.report.email) for c in world.app.ledger.cases()}


def settle(world: Site, at_minutes: int) -> None:
    """Poll until the service has seen everything (a reorder costs one cycle before the full read)."""
    for step in range(3):
        world.poll(T0 + timedelta(minutes=at_minutes + step))


def reorder(world: Site, order: list[int]) -> None:
    """An operator sorts the response tab: row i now holds what row order[i] held."""
    rows = list(world.rows)
    for index, source in enumerate(order):
        world.set_response(index, rows[source])


def delete_response(world: Site, index: int) -> None:
    """An operator deletes response ``index``'s row (the rows below move up)."""
    if hasattr(world, "people"):
        world.people.open_by_key(world.spreadsheet_id).worksheet(RESPONSES_TAB).delete_rows(index + 2)
    else:
        book = openpyxl.load_workbook(world.workbook)
        book[RESPONSES_TAB].delete_rows(index + 2)
        book.save(world.workbook)
    del world.rows[index]


def test_sorting_the_response_tab_gives_no_case_another_citizens_data(world: Site) -> None:
    world.submit(*(response(i, **person(i)) for i in range(COUNT)))
    settle(world, 60)
    before = cases_by_ticket(world)
    assert len(before) == COUNT
    # By name, as the operator's sort does: every response but one changes row.
    order = sorted(range(COUNT), key=lambda i: str(person(i)["name"]))
    reorder(world, order)
    settle(world, 120)
    assert cases_by_ticket(world) == before
    history = world.app.ledger.history()
    assert not [h for h in history if h.kind == "diubah pelapor"]
    assert not [h for h in history if h.note in (GONE_NOTE, BACK_NOTE)]
    shown = {row["No. Tiket"]: row["Nama Pelapor"] for row in world.status()}
    assert shown == {ticket: name for ticket, (name, _, _) in before.items()}


def test_an_edit_after_a_sort_lands_on_its_own_case(world: Site) -> None:
    world.submit(*(response(i, **person(i)) for i in range(6)))
    settle(world, 60)
    before = cases_by_ticket(world)
    reorder(world, [5, 4, 3, 2, 1, 0])
    settle(world, 120)
    # The citizen of response 2 (now in row 4 of the data) edits: a new timestamp, a new description.
    edited = response(200, **{**person(2), "description": "Sudah diperbaiki: kejadian di pasar."})
    world.set_response(3, edited)
    settle(world, 240)
    after = cases_by_ticket(world)
    assert after == before
    ticket = next(t for t, (name, _, _) in before.items() if name == person(2)["name"])
    case = next(c for c in world.app.ledger.cases() if c.ticket == ticket)
    assert case.report.description == "Sudah diperbaiki: kejadian di pasar."
    edits = [h for h in world.app.ledger.history() if h.kind == "diubah pelapor"]
    assert [h.ticket for h in edits] == [ticket]


def test_a_deleted_response_leaves_its_case_and_says_so_once(world: Site) -> None:
    world.submit(*(response(i, **person(i)) for i in range(5)))
    settle(world, 60)
    before = cases_by_ticket(world)
    gone_name = person(1)["name"]
    delete_response(world, 1)
    settle(world, 120)
    settle(world, 180)
    assert cases_by_ticket(world) == before
    notes = [h for h in world.app.ledger.history() if h.note == GONE_NOTE]
    assert [before[h.ticket][0] for h in notes] == [gone_name]
    # A new response appended afterwards is a new case of its own.
    world.submit(response(300, **person(9)))
    settle(world, 300)
    assert len(cases_by_ticket(world)) == 6


def test_another_citizens_answers_in_a_cases_row_are_flagged_never_merged(world: Site) -> None:
    world.submit(*(response(i, **person(i)) for i in range(3)))
    settle(world, 60)
    before = cases_by_ticket(world)
    # Row 2's response is overwritten by a different reporter with a new timestamp (a paste, or a
    # delete and a new answer in the same row): it cannot be an edit of that case.
    world.set_response(1, response(400, **person(7)))
    settle(world, 420)
    after = cases_by_ticket(world)
    assert {t: after[t] for t in before} == before
    (new,) = [c for c in world.app.ledger.cases() if c.ticket not in before]
    assert new.report.name == person(7)["name"]
    assert new.message.startswith("Perlu dicek: ") and "identitas pelapor berbeda" in new.message
    assert not [h for h in world.app.ledger.history() if h.kind == "diubah pelapor"]


def test_a_partial_read_that_finds_rows_moved_asks_for_a_full_read(site: Site) -> None:
    site.submit(*(response(i, **person(i)) for i in range(4)))
    site.poll(T0 + timedelta(minutes=10))
    site.poll(T0 + timedelta(minutes=11))  # a partial read: rows where they were
    assert site.app.ledger.meta(STATE_KEY) is not None
    reorder(site, [3, 2, 1, 0])
    result = site.poll(T0 + timedelta(minutes=12))
    assert (result.new, result.edited, result.cells_written) == (0, 0, 0)
    assert site.app.ledger.meta(STATE_KEY) is None  # the next cycle reads every row
    site.poll(T0 + timedelta(minutes=13))
    assert {r.row for r in map(Identity._make, site.app.ledger.identities())} == {2, 3, 4, 5}


def test_a_ledger_keyed_by_rows_is_carried_over_and_survives_a_sort(site: Site) -> None:
    """A ledger made before this change (cases keyed "row:N") learns where each response is."""
    site.submit(*(response(i, **person(i)) for i in range(4)))
    site.poll(T0 + timedelta(minutes=10))
    before = cases_by_ticket(site)
    conn = site.app.ledger.conn
    with conn:
        conn.execute("DELETE FROM response_of")
        conn.execute("UPDATE cases SET response_key = 'row:' || (seq + 1)")
    site.close()
    assert len(site.app.ledger.identities()) == 4  # reopened: migrated
    reorder(site, [2, 3, 0, 1])
    settle(site, 20)
    assert cases_by_ticket(site) == before
    assert not [h for h in site.app.ledger.history() if h.kind == "diubah pelapor"]


def test_an_edit_that_fits_two_cases_is_flagged_not_guessed() -> None:
    def report(name: str, nik: str) -> Report:
        return Report("k", 2, "f", T0, name=name, nik=nik, email="sama@contoh.example")

    both = {"CAKRA-2026-000001": report("Ani", "1"), "CAKRA-2026-000002": report("Ani", "2")}
    ticket, reason = edit_of(report("Ani", "3"), both)
    assert ticket is None and reason.startswith("tanggapan ini bisa jadi perubahan dari beberapa kasus")
    ticket, reason = edit_of(report("Ani", "3"), {"CAKRA-2026-000001": report("Ani", "1")})
    assert (ticket, reason) == ("CAKRA-2026-000001", "")


def test_a_blank_row_inserted_in_the_response_tab_moves_no_answers(world: Site) -> None:
    world.submit(*(response(i, **person(i)) for i in range(4)))
    settle(world, 60)
    before = cases_by_ticket(world)
    if hasattr(world, "emulator"):
        sheet_id = world.people.open_by_key(world.spreadsheet_id).worksheet(RESPONSES_TAB).id
        span = {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 2, "endIndex": 3}
        world.emulator.operate(world.spreadsheet_id, [{"insertDimension": {"range": span}}])
    else:
        book = openpyxl.load_workbook(world.workbook)
        book[RESPONSES_TAB].insert_rows(3)
        book.save(world.workbook)
    settle(world, 120)
    assert cases_by_ticket(world) == before
    assert not [h for h in world.app.ledger.history() if h.kind == "diubah pelapor" or h.note == GONE_NOTE]
