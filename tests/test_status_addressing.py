"""Operators' structural actions on the status tab never put one case's cells on another's row
(issue 9, reproduction 3), on both backends, between cycles and between a cycle's read and its write.

Each action runs while a cycle has an operator's move and a new response to write: afterwards every row
shows its own case's data, every ticket is on exactly one row, and the operator's move is taken once,
for the case it was typed on, by the officer typed beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import openpyxl
import pytest

from cakra.common.pii import mask_nik
from cakra.workflow.storage import MOVED
from tests.site import T0, Site, response
from tests.workbook import STATUS_TAB

PEOPLE = ["Citra", "Adi", "Fajar", "Budi", "Eka", "Dewi"]


def reporter(i: int) -> dict[str, object]:
    return {
        "name": f"{PEOPLE[i]} Warga",
        "nik": f"14040155019{i:05d}",
        "email_address": f"w{i}@contoh.example",
    }


# Structural actions, as an operator does them on each backend ---------------------------------------
def _local(site: Site, change: Callable[[Any], None]) -> None:
    book = openpyxl.load_workbook(site.workbook)
    change(book[STATUS_TAB])
    book.save(site.workbook)


def _google(site: Any, requests: Callable[[int, list[list[Any]]], list[dict[str, Any]]]) -> None:
    sheet_id = site.people.open_by_key(site.spreadsheet_id).worksheet(STATUS_TAB).id
    site.emulator.operate(site.spreadsheet_id, requests(sheet_id, site.tab(STATUS_TAB)))


def _dimension(site: Site, request: str, dimension: str, index: int, local: Callable[[Any], None]) -> None:
    """Insert or delete one row or column at 0-based ``index``: by ``request`` on Google, ``local``
    on the workbook."""
    if hasattr(site, "emulator"):
        span = {"dimension": dimension, "startIndex": index, "endIndex": index + 1}
        _google(site, lambda sid, _: [{request: {"range": {"sheetId": sid, **span}}}])
    else:
        _local(site, local)


def insert_row(site: Site) -> None:
    """A blank row above every case."""
    _dimension(site, "insertDimension", "ROWS", 1, lambda sheet: sheet.insert_rows(2))


def delete_row(site: Site) -> None:
    """The second case's row is deleted (the rows below move up)."""
    _dimension(site, "deleteDimension", "ROWS", 2, lambda sheet: sheet.delete_rows(3))


def sort_by_name(site: Site) -> None:
    """Rows sorted by reporter name, Z to A."""
    if hasattr(site, "emulator"):

        def sort(sid: int, rows: list[list[Any]]) -> list[dict[str, Any]]:
            box = {"sheetId": sid, "startRowIndex": 1, "endRowIndex": len(rows), "startColumnIndex": 0}
            box["endColumnIndex"] = max(len(r) for r in rows)
            spec = {"dimensionIndex": rows[0].index("Nama Pelapor"), "sortOrder": "DESCENDING"}
            return [{"sortRange": {"range": box, "sortSpecs": [spec]}}]

        _google(site, sort)
    else:

        def sort_sheet(sheet: Any) -> None:
            header = [c.value for c in sheet[1]]
            rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
            rows.sort(key=lambda r: str(r[header.index("Nama Pelapor")] or ""), reverse=True)
            for number, row in enumerate(rows, start=2):
                for col, value in enumerate(row, start=1):
                    sheet.cell(number, col).value = value

        _local(site, sort_sheet)


def insert_column(site: Site) -> None:
    """A column of the operator's own at A: every column moves one to the right."""
    _dimension(site, "insertDimension", "COLUMNS", 0, lambda sheet: sheet.insert_cols(1))


def filter_rows(site: Site) -> None:
    """A filter that hides the second case's row (the values, and what the API reads, stay)."""
    if hasattr(site, "emulator"):
        box = {"startRowIndex": 0, "startColumnIndex": 0, "endColumnIndex": 20}
        _google(site, lambda sid, _: [{"setBasicFilter": {"filter": {"range": {"sheetId": sid, **box}}}}])
    else:

        def hide(sheet: Any) -> None:
            sheet.auto_filter.ref = sheet.dimensions
            sheet.row_dimensions[3].hidden = True

        _local(site, hide)


ACTIONS = [insert_row, delete_row, sort_by_name, insert_column, filter_rows]


@pytest.fixture(params=["local", "google"])
def world(request: pytest.FixtureRequest) -> Site:
    return request.getfixturevalue("site" if request.param == "local" else "google_site")


def between_read_and_write(site: Site, action: Callable[[Site], None]) -> None:
    """Run ``action`` once, after the next cycle has read the status tab and before its write lands.

    Local: when the cycle calls the backend's write (it loads the file after this). Google: the
    emulator holds the write's ticket check (the cycle's second ``values:batchGet``) while it runs."""
    if hasattr(site, "emulator"):
        emulator, calls = site.emulator, []

        def hold(_: float) -> None:
            calls.append(1)
            if len(calls) == 2:
                action(site)

        emulator.faults.sleep = hold
        emulator.faults.add(delay=0.001, count=2, method="GET", path_contains="values:batchGet")
        return
    backend, write = site.app.sheets, site.app.sheets.write

    def write_after(cells: Any) -> int:
        backend.write = write  # type: ignore[method-assign]
        action(site)
        return write(cells)

    backend.write = write_after  # type: ignore[method-assign]


def assert_every_row_is_its_own_case(site: Site) -> None:
    cases = {c.ticket: c for c in site.app.ledger.cases()}
    rows = [r for r in site.status() if r.get("No. Tiket")]
    assert sorted(r["No. Tiket"] for r in rows) == sorted(cases)  # each ticket on exactly one row
    sop = site.app.sop
    for row in rows:
        case = cases[str(row["No. Tiket"])]
        assert (row["Nama Pelapor"], row["NIK (disamarkan)"], row["Tahap Saat Ini"]) == (
            case.report.name,
            mask_nik(case.report.nik),
            sop.state_title(case.step),
        )


@pytest.mark.parametrize("timing", ["before_read", "between_read_and_write"])
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.__name__)
def test_structural_actions_never_mix_cases_or_lose_a_move(
    world: Site, action: Callable[[Site], None], timing: str
) -> None:
    world.submit(*(response(i, **reporter(i)) for i in range(5)))
    world.poll(T0 + timedelta(minutes=10))
    world.poll(T0 + timedelta(minutes=11))
    officers = {c.ticket: f"Op. {c.report.name.split()[0]}" for c in world.app.ledger.cases()}
    target = next(c for c in world.app.ledger.cases() if c.report.name == "Fajar Warga").ticket
    officers[target] = "Op. Sari"
    for ticket, officer in officers.items():
        world.edit(ticket, Petugas=officer)
    world.edit(target, Tahap="3. Kasubbid")
    world.submit(response(12, **reporter(5)))  # a new case to add in the same cycle
    if timing == "before_read":
        if action is delete_row:  # what was typed on the deleted row, unread, goes with it
            officers[str(world.status()[1]["No. Tiket"])] = ""
        action(world)
    else:
        between_read_and_write(world, action)
    for minute in range(13, 17):
        world.poll(T0 + timedelta(minutes=minute))

    assert_every_row_is_its_own_case(world)
    moves = [h for h in world.app.ledger.history() if h.kind == MOVED]
    assert [(h.ticket, h.actor) for h in moves] == [(target, "Op. Sari")]
    petugas = {str(r["No. Tiket"]): r["Petugas"] or "" for r in world.status() if r.get("No. Tiket")}
    new = next(c.ticket for c in world.app.ledger.cases() if c.report.name == "Dewi Warga")
    assert petugas == {**officers, new: ""}  # each officer still on the row it was typed on
    assert world.row(target)["Tahap Saat Ini"] == "3. Kasubbid"
