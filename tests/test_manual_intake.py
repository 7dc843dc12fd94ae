"""The "Input Manual" tab (issue 10 item 5): complaints the admin types in become cases like form responses.

Driven on the local workbook the way an admin works: rows typed under the tab's headers, cells edited,
the tab sorted; the service runs cycles at injected times.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

from cakra.common.text import normalise_header
from cakra.cycle import ensure_tabs
from cakra.tabs.manual import INPUT_HEADERS, SERVICE_HEADERS, manual_headers
from cakra.tabs.view import forget_view
from cakra.workflow.channels import MANUAL_CHANNELS
from tests.site import T0, Site, response

MANUAL_TAB = "Input Manual"
LETTER = {
    "Tanggal Diterima": "23/11/2026 07:30",
    "Saluran": "Surat",
    "Nama Pelapor": "Siti Rahmawati",
    "NIK": "1404015501900002",
    "No. HP": "0813-1111-2222",
    "Jenis Laporan": "Konflik sosial",
    "Kecamatan": "Tembilahan",
    "Desa": "Pekan Arba",
    "Uraian": "Surat warga: keributan antarpemuda di lapangan desa.",
}
LAPOR = {
    "Tanggal Diterima": "23/11/2026 07:45",
    "Saluran": "lapor",  # typed loosely: read as the known channel
    "No. Referensi (LAPOR!)": "LPR-2611-0042",
    "Nama Pelapor": "Rudi Hartono",
    "Uraian": "Aduan LAPOR!: spanduk provokatif di simpang empat.",
}


def ticket(n: int) -> str:
    return f"CAKRA-2026-{n:06d}"


def _change(path: Path, edit: Callable[[Workbook], None]) -> None:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)


def type_rows(site: Site, *rows: dict[str, object]) -> None:
    """The admin types ``rows`` (header -> text) below the last row of the Input Manual tab (made by
    ``init`` or the first cycle)."""
    ensure_tabs(site.app)

    def add(book: Workbook) -> None:
        sheet = book[MANUAL_TAB]
        columns = {normalise_header(c.value): c.column for c in sheet[1] if c.value}
        for row in rows:
            number = sheet.max_row + 1
            for header, value in row.items():
                sheet.cell(number, columns[normalise_header(header)]).value = value

    _change(site.workbook, add)


def edit_cell(site: Site, row: int, header: str, value: object) -> None:
    def edit(book: Workbook) -> None:
        sheet = book[MANUAL_TAB]
        columns = {normalise_header(c.value): c.column for c in sheet[1] if c.value}
        sheet.cell(row, columns[normalise_header(header)]).value = value

    _change(site.workbook, edit)


def reverse_rows(site: Site) -> None:
    """The admin sorts the tab (whole rows, service columns included): here simply reversed."""

    def flip(book: Workbook) -> None:
        sheet = book[MANUAL_TAB]
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        for number, values in enumerate(reversed(rows), start=2):
            for col, value in enumerate(values, start=1):
                sheet.cell(number, col).value = value

    _change(site.workbook, flip)


def manual_rows(site: Site) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(site.workbook, read_only=True)
    try:
        header, *rows = book[MANUAL_TAB].iter_rows(values_only=True)
    finally:
        book.close()
    return [dict(zip(map(str, header), row, strict=False)) for row in rows if any(row)]


def test_the_first_cycle_makes_the_tab_with_its_headers_and_the_channel_dropdown(site: Site) -> None:
    site.poll(T0)
    book = openpyxl.load_workbook(site.workbook)
    sheet = book[MANUAL_TAB]
    header = [c.value for c in sheet[1] if c.value]
    # The SOP's declared fields (Cakra LINMAS declares "Link Cakra") come before the service's columns.
    assert header == [*INPUT_HEADERS, "Link Cakra", *SERVICE_HEADERS] == manual_headers(site.app.sop)
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"' + ",".join(MANUAL_CHANNELS) + '"'
    assert str(lists[0].sqref).startswith("B2:B")  # the "Saluran" column


def test_manual_rows_become_cases_in_one_numbering_with_the_form(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900003", name="Budi"))
    site.poll(T0 + timedelta(minutes=5))  # form rows 2 and 3 -> 000001, 000002
    type_rows(site, LETTER, LAPOR)
    site.submit(response(6, nik="1404015501900004", name="Citra"))
    result = site.poll(T0 + timedelta(minutes=10))

    assert result.new == 3
    # The form's new response keeps the number its row prefers; the manual rows take the next ones.
    assert site.row(ticket(3))["Nama Pelapor"] == "Citra"
    letter, lapor = site.row(ticket(4)), site.row(ticket(5))
    assert (letter["Nama Pelapor"], letter["Saluran"], letter["No. Referensi"]) == (
        "Siti Rahmawati",
        "Surat",
        None,
    )
    assert (lapor["Saluran"], lapor["No. Referensi"]) == ("LAPOR!", "LPR-2611-0042")
    assert site.row(ticket(1))["Saluran"] == "Formulir"
    assert letter["Diterima"] == "23/11/2026 07:30"  # the date the letter was received, not the cycle's
    rows = manual_rows(site)
    assert [r["No. Tiket"] for r in rows] == [ticket(4), ticket(5)]
    assert rows[0]["Pesan Sistem"] == f"Menjadi kasus {ticket(4)}."
    assert rows[1]["Pesan Sistem"] == f"Menjadi kasus {ticket(5)}. Perlu dicek: NIK kosong"

    site.submit(response(20, nik="1404015501900005", name="Dewi"))  # sheet row 5 prefers 4: taken
    type_rows(site, {**LETTER, "Uraian": "Surat kedua: jalan desa rusak.", "Nama Pelapor": "Eko"})
    assert site.poll(T0 + timedelta(minutes=25)).new == 2
    assert site.row(ticket(6))["Nama Pelapor"] == "Dewi"
    assert site.row(ticket(7))["Nama Pelapor"] == "Eko"
    assert site.poll(T0 + timedelta(minutes=30)).new == 0  # and nothing twice


def test_an_invalid_nik_in_a_manual_row_is_flagged_not_dropped(site: Site) -> None:
    type_rows(site, {**LETTER, "NIK": "12345"}, LAPOR)
    assert site.poll(T0 + timedelta(minutes=5)).new == 2
    status = site.row(ticket(1))
    assert str(status["Pesan Sistem"]).startswith("Perlu dicek: NIK")
    assert "Perlu dicek: NIK" in str(manual_rows(site)[0]["Pesan Sistem"])
    assert manual_rows(site)[1]["No. Tiket"] == ticket(2)


def test_a_row_being_typed_waits_until_it_has_an_uraian(site: Site) -> None:
    type_rows(site, {"Saluran": "WhatsApp", "Nama Pelapor": "Fajar"})
    assert site.poll(T0 + timedelta(minutes=5)).new == 0
    assert manual_rows(site)[0].get("No. Tiket") is None
    edit_cell(site, 2, "Uraian", "Pesan WhatsApp: ada pungutan liar di pasar.")
    assert site.poll(T0 + timedelta(minutes=10)).new == 1
    assert manual_rows(site)[0]["No. Tiket"] == ticket(1)


def test_an_empty_date_takes_the_time_the_row_was_first_seen_and_is_flagged(site: Site) -> None:
    type_rows(site, {**LETTER, "Tanggal Diterima": None})
    site.poll(T0 + timedelta(minutes=5))
    status = site.row(ticket(1))
    assert status["Diterima"] == "23/11/2026 08:05"
    assert "Tanggal Diterima tidak terbaca (kosong)" in str(status["Pesan Sistem"])


def test_editing_a_manual_row_updates_its_case_and_sorting_the_tab_changes_nothing(site: Site) -> None:
    type_rows(site, LETTER, LAPOR)
    site.poll(T0 + timedelta(minutes=5))
    # The admin corrects the name of the LAPOR! row (another reporter's name: the admin, not a citizen,
    # edits this tab, so the ticket on the row says which case it is).
    edit_cell(site, 3, "Nama Pelapor", "Rudi Hartono Saputra")
    edit_cell(site, 3, "No. Referensi (LAPOR!)", "LPR-2611-0043")
    result = site.poll(T0 + timedelta(minutes=10))
    assert (result.new, result.edited) == (0, 1)
    assert site.row(ticket(2))["Nama Pelapor"] == "Rudi Hartono Saputra"
    assert site.row(ticket(2))["No. Referensi"] == "LPR-2611-0043"
    assert "Baris Input Manual diubah" in str(site.row(ticket(2))["Pesan Sistem"])

    reverse_rows(site)
    before = site.status()
    result = site.poll(T0 + timedelta(minutes=15))
    assert (result.new, result.edited, result.cells_written) == (0, 0, 0)
    assert site.status() == before
    assert [r["No. Tiket"] for r in manual_rows(site)] == [ticket(2), ticket(1)]

    # Editing the row now at the top still edits its own case.
    edit_cell(site, 2, "Uraian", "Aduan LAPOR!: spanduk provokatif di simpang empat dan di pasar.")
    result = site.poll(T0 + timedelta(minutes=20))
    assert (result.new, result.edited) == (0, 1)
    assert str(site.row(ticket(2))["Ringkasan"]).endswith("di pasar.")


def test_no_manual_tab_when_it_is_turned_off(site: Site) -> None:
    site.extra = {"sheets": {"manual_tab": ""}}
    site.poll(T0)
    book = openpyxl.load_workbook(site.workbook, read_only=True)
    try:
        assert MANUAL_TAB not in book.sheetnames
    finally:
        book.close()


def test_a_bad_manual_row_is_flagged_on_its_case_and_the_others_go_on(site: Site) -> None:
    typed_as_date = {**LAPOR, "Tanggal Diterima": datetime(2026, 11, 23, 7, 50)}  # a real date cell
    type_rows(
        site,
        {**LETTER, "Tanggal Diterima": "31/12/9999 23:59", "NIK": "140401²²01900037"},
        typed_as_date,
    )
    assert site.poll(T0 + timedelta(minutes=5)).new == 2
    bad = str(site.row(ticket(1))["Pesan Sistem"])
    assert bad.startswith("Perlu dicek:") and "NIK" in bad and "Tanggal Diterima" in bad
    assert site.row(ticket(2))["Diterima"] == "23/11/2026 07:50"
    type_rows(site, {**LETTER, "Uraian": "Surat ketiga."})
    assert site.poll(T0 + timedelta(minutes=10)).new == 1  # and later cycles still take rows


def test_the_form_and_the_manual_tab_never_take_each_others_cases_for_gone(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900003", name="Budi"))
    type_rows(site, LETTER, LAPOR)
    site.poll(T0 + timedelta(minutes=5))
    forget_view(site.app.ledger)  # the next cycle reads the form's tab whole: every response is matched
    result = site.poll(T0 + timedelta(minutes=10))
    assert (result.new, result.edited) == (0, 0)
    notes = [entry.note for entry in site.app.ledger.history()]
    assert not [note for note in notes if "tidak ada lagi" in note]
