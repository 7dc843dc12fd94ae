"""A cycle reads only what can have changed (cakra/sheet_view.py), and loses nothing.

The first cycle, and one after any configuration, SOP or header change, read every tab whole; the others
read the response tab's header, timestamp column and new rows, the status tab's header, ticket and
operator columns, and ``[sheets] verify_rows`` whole rows of each tab in turn, to check them. These tests
check what that saves (on the Google backend, from the emulator's request log) and that every kind of
change still arrives.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import openpyxl
import pytest

from cakra.common.errors import SheetError
from cakra.sheets.base import Block, Tab, project
from cakra.tabs.status import HEADERS, cell_text
from tests.google_site import GoogleSite
from tests.site import T0, Site, response
from tests.workbook import type_into_case

TICKET1 = "CAKRA-2026-000001"
TICKET4 = "CAKRA-2026-000004"  # sheet row 5 on both tabs
LATER = T0 + timedelta(days=40)  # next month: a case closed before it is one a cycle does not load


def at(minutes: float, base: datetime = T0) -> datetime:
    return base + timedelta(minutes=minutes)


def closed_last_month(site: Site) -> None:
    """Four cases, the fourth closed "Tidak valid" on T0's day. One whole row of each tab is checked per
    cycle: the next cycles check response rows 4 and 5 (at LATER + 1 and + 2 minutes) and status rows 3,
    4 and 5 (at LATER + 1, + 2 and + 3: the status tab had no rows yet when the first cycle read it)."""
    site.extra["sheets"] = {"verify_rows": 1}
    site.submit(*(response(i, nik=f"140401550190000{i + 1}") for i in range(4)))
    site.poll(at(1))  # the first cycle: a full read
    site.edit(TICKET4, Tahap="Tidak valid", Petugas="Op. Sari", Disposisi="Laporan uji coba")
    assert site.poll(at(2)).moved == 1
    site.poll(LATER)


def test_a_cycle_reads_headers_new_rows_operator_columns_and_its_turn_of_rows(
    google_site: GoogleSite,
) -> None:
    google_site.extra["sheets"] = {"verify_rows": 2}
    long = "Keributan di pasar malam, warga berkumpul di depan balai desa dan jalan ditutup. " * 3
    google_site.submit(*(response(i, description=long, nik=f"14040155019{i:05d}") for i in range(30)))
    log = google_site.emulator.log
    log.reset()
    google_site.poll(at(31))  # the first cycle: a full read (and making the tabs)
    full = [e for e in log if e.path.endswith("values:batchGet")][:1]  # then the write's ticket check
    google_site.poll(at(32))  # checks response rows 2-3 (the status tab had no rows when last read)
    google_site.submit(response(32))
    log.reset()
    assert google_site.poll(at(33)).new == 1
    partial, check = [e for e in log if e.kind == "read"]  # the ONE read; the write's ticket check
    log.reset()
    google_site.app.sheets.read(["Form Responses 1", "Status Kasus", "Ringkasan"])  # what a full read costs
    full += [e for e in log if e.kind == "read"]

    assert len(full) == 2
    partial = [partial]
    assert parse_qs(partial[0].query)["ranges"] == [
        "'Form Responses 1'!1:1",  # header: a changed layout is noticed
        "'Form Responses 1'!A1:A",  # timestamps: an edited response is noticed
        "'Form Responses 1'!A31:L",  # from the last row seen (30 + header) on: new rows
        "'Form Responses 1'!A4:L5",  # this cycle's turn of rows to check (verify_rows = 2)
        "'Status Kasus'!1:1",
        "'Status Kasus'!A1:A",  # No. Tiket
        "'Status Kasus'!N1:U",  # the operator columns, Tahap, Unit Tujuan .. Balasan untuk Pelapor
        "'Status Kasus'!2:3",
        "'Ringkasan'",
    ]
    # Just before the write: where the tickets are now (issue 9: rows an operator moved meanwhile).
    assert parse_qs(check.query)["ranges"] == ["'Status Kasus'!1:1", "'Status Kasus'!A1:A"]
    assert partial[0].bytes_out * 3 < full[1].bytes_out  # at 50,000 cases: 9 MB against 55 MB
    assert google_site.row("CAKRA-2026-000031")["Tahap"] == "2. Operator"


def test_project_cuts_a_tab_exactly_as_the_api_answers_a_partial_read(google_site: GoogleSite) -> None:
    """The local workbook answers partial reads with ``project``; the API (emulator) is the reference."""
    google_site.submit(response(0), response(1, ktp_photo="", email_address=""), response(2, description=""))
    google_site.poll(at(3))
    sheets = google_site.app.sheets
    blocks = [
        Block.rows(1),
        Block.column(2),
        Block.rows(3, None, 11),
        Block.rows(9, 9, 4),
        Block(2, None, 10, 12),
    ]
    whole = sheets.read(["Form Responses 1", "Status Kasus"])
    partial = sheets.read_blocks({"Form Responses 1": blocks, "Status Kasus": blocks})
    for name in ("Form Responses 1", "Status Kasus"):
        assert shown(project(whole[name], blocks)) == shown(partial[name])  # type: ignore[arg-type]
        assert partial[name].rows[0][:3] == whole[name].rows[0][:3]  # type: ignore[union-attr]


def shown(tab: Tab) -> list[list[str]]:
    """A tab as the cells show (an empty cell read as ``None`` or ``""`` alike), trailing blanks dropped."""
    out = []
    for row in tab.rows:
        cells = [cell_text(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def test_an_operators_change_to_a_case_the_cycle_did_not_load_is_still_taken(site: Site) -> None:
    closed_last_month(site)
    site.edit(TICKET4, Tahap="3. Kasubbid", Petugas="Op. Budi")
    result = site.poll(at(1, LATER))  # row 5 is not this cycle's to check: the signature finds it
    assert result.refused == 1
    assert str(site.row(TICKET4)["Pesan Sistem"]).startswith("Ditolak: Kasus sudah ditutup")
    assert site.row(TICKET4)["Tahap"] == "3. Kasubbid"  # the operator's value stays


def test_a_deleted_row_of_an_old_closed_case_comes_back(site: Site) -> None:
    closed_last_month(site)
    workbook = openpyxl.load_workbook(site.workbook)
    workbook["Status Kasus"].delete_rows(5)
    workbook.save(site.workbook)
    site.poll(at(1, LATER))
    row = site.row(TICKET4)
    assert row["Tahap Saat Ini"] == "Tidak valid" and row["Disposisi / Catatan"] == "Laporan uji coba"
    assert row["NIK (disamarkan)"] == "1404********0004"


def test_an_overwritten_service_cell_is_restored_when_its_row_is_checked(site: Site) -> None:
    closed_last_month(site)
    type_into_case(site.workbook, TICKET4, {"Tahap Saat Ini": "ditimpa operator"})
    assert site.poll(at(1, LATER)).cells_written == 0  # compared with what the service last wrote there
    assert site.poll(at(2, LATER)).cells_written == 0
    assert site.row(TICKET4)["Tahap Saat Ini"] == "ditimpa operator"
    assert site.poll(at(3, LATER)).cells_written == 1  # row 5's turn: read whole, set right
    assert site.row(TICKET4)["Tahap Saat Ini"] == "Tidak valid"


def test_a_response_edited_by_hand_is_taken_when_its_row_is_checked(site: Site) -> None:
    """Its timestamp did not change, so only the turn of its row shows the edit."""
    closed_last_month(site)
    site.set_response(3, response(3, nik="1404015501900004", description="Diralat oleh admin."))
    assert site.poll(at(1, LATER)).edited == 0
    assert site.poll(at(2, LATER)).edited == 1
    assert site.row(TICKET4)["Ringkasan"] == "Diralat oleh admin."
    assert site.poll(at(3, LATER)).edited == 0


def test_a_configuration_change_makes_the_next_cycle_read_everything(site: Site) -> None:
    closed_last_month(site)
    site.close()
    site.extra["intake"] = {"description_chars": 10}
    site.poll(at(1, LATER))
    assert site.row(TICKET4)["Ringkasan"] == "Keributan…"  # the closed case's row was looked at again


def test_a_moved_column_costs_one_quiet_cycle_and_loses_no_edit(site: Site) -> None:
    site.submit(response(0))
    site.poll(at(1))
    workbook = openpyxl.load_workbook(site.workbook)
    sheet = workbook["Status Kasus"]
    sheet.move_range(f"N1:N{sheet.max_row}", cols=sheet.max_column + 1 - 14)  # "Tahap" to the far right
    sheet.delete_cols(14)
    workbook.save(site.workbook)
    site.edit(TICKET1, Tahap="3. Kasubbid", Petugas="Op. Sari")
    quiet = site.poll(at(2))
    assert (quiet.moved, quiet.cells_written) == (0, 0)
    assert site.poll(at(3)).moved == 1
    assert site.row(TICKET1)["Tahap Saat Ini"] == "3. Kasubbid"
    assert list(site.status()[0])[: len(HEADERS) - 1] == [h for h in HEADERS if h != "Tahap"]


def test_an_edited_response_is_taken_the_cycle_after_its_new_timestamp(google_site: GoogleSite) -> None:
    google_site.extra["sheets"] = {"verify_rows": 1}  # row 2 is checked next, not the edited row 3
    google_site.submit(response(0), response(1, nik="1404015501900002", ktp_photo=""))
    google_site.poll(at(2))
    google_site.set_response(1, response(5, nik="1404015501900002", description="Sudah reda."))
    assert google_site.poll(at(6)).edited == 0  # sees the new timestamp in the column it reads
    result = google_site.poll(at(7))
    assert (result.edited, result.new) == (1, 0)
    row = google_site.row("CAKRA-2026-000002")
    assert row["Kelengkapan"] == "Lengkap" and row["Ringkasan"] == "Sudah reda."
    assert row["Diterima"] == "23/11/2026 08:01"  # still when the citizen first sent it
    assert google_site.poll(at(8)).edited == 0  # taken once


def test_a_ledger_from_before_these_columns_is_brought_up_to_date(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900002", kecamatan="Reteh"))
    site.poll(at(1))
    site.edit(TICKET1, Tahap="3. Kasubbid", Petugas="Op. Sari")
    site.poll(at(2))
    path = site.app.ledger.path
    signatures = site.app.ledger.operator_signatures()
    site.close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP INDEX cases_kecamatan; ALTER TABLE cases DROP COLUMN kecamatan;"
        " ALTER TABLE cases DROP COLUMN operator; DELETE FROM meta;"
    )
    conn.close()

    assert site.app.ledger.kecamatan_totals() == {"Tembilahan": 1, "Reteh": 1}
    assert site.app.ledger.operator_signatures() == signatures
    assert "petugas\x1eOp. Sari" in signatures[TICKET1]
    result = site.poll(at(3))  # a full read (no view state), then quiet cycles as before
    assert (result.moved, result.refused, result.cells_written) == (0, 0, 0)
    assert site.poll(at(4)).cells_written == 0


def test_a_partial_read_that_fails_is_followed_by_a_full_one(google_site: GoogleSite) -> None:
    """Rows removed by hand can put the remembered "rows after the last one seen" past the grid's end,
    which the API refuses (400): that cycle fails with one line, the next reads everything."""
    google_site.submit(response(0), response(1, nik="1404015501900002"), response(2, nik="1404015501900003"))
    google_site.poll(at(3))
    sheet = google_site.people.open_by_key(google_site.spreadsheet_id).worksheet("Form Responses 1")
    sheet.resize(rows=2)  # an administrator cut the tab down to its first response
    with pytest.raises(SheetError, match="exceeds grid limits"):
        google_site.poll(at(4))
    assert google_site.poll(at(5)).new == 0  # a full read: the sheet as it is now, nothing lost
    assert len(google_site.status()) == 3
