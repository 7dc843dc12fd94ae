"""The local workbook as an operator's screen: each thing ``init`` gives on Google, checked in the saved file.

The workbook is opened with openpyxl as an office program would read it: the dropdown, the colour of a
late row, widths, frozen header, filter, dates and percentages as typed values, and the protection.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cakra.tabs.local_format import DATE_FORMAT, PERCENT_FORMAT
from cakra.tabs.screen import DROPDOWN_PROMPT, LATE_RGB, hex_colour
from tests.site import T0, Site, response
from tests.workbook import STATUS_TAB

TICKET1 = "CAKRA-2026-000001"


def columns(sheet: Worksheet) -> dict[str, int]:
    return {str(cell.value): cell.column for cell in sheet[1] if cell.value}


def two_cases_one_late(site: Site) -> openpyxl.Workbook:
    site.submit(response(0), response(30))
    site.poll(T0 + timedelta(minutes=31))  # the first case is past its 15 minutes, the second is not
    return openpyxl.load_workbook(site.workbook)


def test_tahap_has_the_sops_dropdown_as_a_warning_over_the_whole_column(site: Site) -> None:
    sheet = two_cases_one_late(site)[STATUS_TAB]
    letter = get_column_letter(columns(sheet)["Tahap"])
    [dropdown] = [dv for dv in sheet.data_validations.dataValidation if dv.prompt == DROPDOWN_PROMPT]
    assert dropdown.type == "list"
    choices = dropdown.formula1.strip('"').split(",")
    assert choices == site.app.sop.choices() and "Menunggu pelapor" in choices
    assert dropdown.errorStyle == "warning"  # a typed name or number is asked about, never refused
    assert str(dropdown.sqref) == f"{letter}2:{letter}1048576"  # rows added later have it too


def test_late_rows_are_coloured_by_the_terlambat_column(site: Site) -> None:
    sheet = two_cases_one_late(site)[STATUS_TAB]
    late = get_column_letter(columns(sheet)["Terlambat"])
    [formatting] = list(sheet.conditional_formatting)
    [rule] = formatting.rules
    assert rule.formula == [f'LEFT(${late}2,2)="Ya"']
    assert str(formatting.sqref).startswith("A2:") and str(formatting.sqref).endswith("1048576")
    assert rule.dxf.fill.fgColor.rgb.endswith(hex_colour(LATE_RGB))  # the same colour as on Google
    rows = {sheet.cell(r, 1).value: sheet.cell(r, columns(sheet)["Terlambat"]).value for r in (2, 3)}
    assert rows == {TICKET1: "Ya", "CAKRA-2026-000002": "Tidak"}  # what the rule colours


def test_columns_fit_their_content_and_the_header_is_frozen_and_filtered(site: Site) -> None:
    book = two_cases_one_late(site)
    for name in (STATUS_TAB, "Riwayat", "Ringkasan"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                text = str(cell.value) if not isinstance(cell.value, datetime) else "23/11/2026 08:00"
                width = sheet.column_dimensions[cell.column_letter].width
                if len(text) <= 20 or name == "Ringkasan":  # long values (summaries) are capped
                    assert width >= len(text), (name, cell.coordinate, text, width)
    status = book[STATUS_TAB]
    assert status.column_dimensions["A"].width >= len(TICKET1)  # not "CAKRA-2026-00" any more
    assert status.auto_filter.ref == f"A1:{get_column_letter(status.max_column)}3"
    assert book["Riwayat"].auto_filter.ref.startswith("A1:G")
    title = book["Ringkasan"].cell(1, 1).value
    assert book["Ringkasan"].column_dimensions["A"].width >= len("Kepatuhan waktu (SLA) November 2026")
    assert title  # the tab was written


def test_dates_are_dates_and_percentages_are_numbers(site: Site) -> None:
    book = two_cases_one_late(site)
    status = book[STATUS_TAB]
    for header in ("Diterima", "Batas Waktu"):
        cell = status.cell(2, columns(status)[header])
        assert isinstance(cell.value, datetime) and cell.number_format == DATE_FORMAT, header
    assert status.cell(2, columns(status)["Diterima"]).value == datetime(2026, 11, 23, 8, 0)
    assert status.cell(2, columns(status)["Batas Waktu"]).value == datetime(2026, 11, 23, 8, 15)
    riwayat = book["Riwayat"]
    assert isinstance(riwayat.cell(2, 1).value, datetime) and riwayat.cell(2, 1).number_format == DATE_FORMAT
    percents = [c for row in book["Ringkasan"].iter_rows() for c in row if c.number_format == PERCENT_FORMAT]
    assert percents and all(isinstance(c.value, int | float) for c in percents)
    assert percents[0].value == pytest.approx(0.0)  # the operator's step: 0 of 1 decided on time


def test_a_second_cycle_writes_nothing_although_dates_and_percentages_are_typed(site: Site) -> None:
    two_cases_one_late(site)
    backend = site.app.sheets
    saves = backend.writes  # type: ignore[attr-defined]
    assert site.poll(T0 + timedelta(minutes=31, seconds=30)).cells_written == 0
    assert backend.writes == saves  # type: ignore[attr-defined]
    site.close()  # a new process; the next cycles read every row whole in turn, and still find nothing
    assert [site.poll(T0 + timedelta(minutes=m)).cells_written for m in (32, 33, 34)] == [0, 0, 0]


def test_service_columns_are_protected_operator_columns_open_sorting_and_filtering_allowed(
    site: Site,
) -> None:
    sheet = two_cases_one_late(site)[STATUS_TAB]
    assert sheet.protection.sheet and not sheet.protection.password  # no password: anyone may lift it
    assert sheet.protection.sort is False and sheet.protection.autoFilter is False  # False: allowed
    headers = columns(sheet)
    for header in ("Tahap", "Petugas", "Disposisi / Catatan", "Hasil Verifikasi", "Tindak Lanjut"):
        letter = get_column_letter(headers[header])
        assert sheet.column_dimensions[letter].protection.locked is False, header  # rows added later
        assert sheet[f"{letter}2"].protection.locked is False, header
    for header in ("No. Tiket", "Diterima", "Tahap Saat Ini", "Batas Waktu", "Terlambat", "Pesan Sistem"):
        assert sheet.cell(2, headers[header]).protection.locked is True, header


def test_a_new_row_keeps_the_layout_and_an_operator_still_moves_a_case(site: Site) -> None:
    two_cases_one_late(site)
    site.submit(response(40))
    site.poll(T0 + timedelta(minutes=41))
    site.edit(TICKET1, Tahap="3")  # a number typed over the dropdown is still accepted
    site.poll(T0 + timedelta(minutes=42))
    assert site.row(TICKET1)["Tahap Saat Ini"] == "3. Kasubbid"
    sheet = openpyxl.load_workbook(site.workbook)[STATUS_TAB]
    headers = columns(sheet)
    assert sheet.cell(4, headers["Tahap"]).protection.locked is False
    assert isinstance(sheet.cell(4, headers["Diterima"]).value, datetime)
    assert sheet.auto_filter.ref.endswith("4")
    assert len(sheet.data_validations.dataValidation) == 1 and len(sheet.conditional_formatting) == 1


def test_a_long_list_of_choices_lives_in_a_hidden_tab(site: Site) -> None:
    from cakra.tabs.local_format import CHOICES_TAB, OperatorScreen

    screen = OperatorScreen(
        STATUS_TAB, "Riwayat", "Ringkasan", [f"{n}. Tahap, yang panjang" for n in range(30)]
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = STATUS_TAB
    for col, header in enumerate(("No. Tiket", "Tahap"), start=1):
        sheet.cell(1, col).value = header
    screen.lay_out(sheet)
    [dropdown] = sheet.data_validations.dataValidation
    assert dropdown.formula1 == f"'{CHOICES_TAB}'!$A$1:$A$30"
    assert (
        book[CHOICES_TAB].sheet_state == "hidden"
        and book[CHOICES_TAB]["A1"].value == "0. Tahap, yang panjang"
    )


def test_init_lays_out_the_tabs_an_older_version_made(site: Site) -> None:
    from cakra.cycle import ensure_tabs
    from cakra.setup import initialise
    from cakra.sheets.local import LocalWorkbook

    app = site.app
    plain = LocalWorkbook(site.workbook, app.config.tz)  # as before: text only, no dropdown
    app.sheets, screen = plain, app.sheets
    ensure_tabs(app)
    assert not openpyxl.load_workbook(site.workbook)[STATUS_TAB].data_validations.dataValidation
    app.sheets = screen
    lines = list(initialise(app))
    assert any("'Status Kasus' laid out" in line for line in lines)
    sheet = openpyxl.load_workbook(site.workbook)[STATUS_TAB]
    assert [dv.prompt for dv in sheet.data_validations.dataValidation] == [DROPDOWN_PROMPT]
    assert sheet.protection.sheet and sheet.freeze_panes == "A2"


def test_a_date_an_office_program_saved_a_hair_early_still_reads_as_written(site: Site) -> None:
    two_cases_one_late(site)
    book = openpyxl.load_workbook(site.workbook)
    sheet = book[STATUS_TAB]
    cell = sheet.cell(2, columns(sheet)["Batas Waktu"])
    cell.value = datetime(2026, 11, 23, 8, 14, 59, 999000)  # 08:15 as a fraction of a day, rounded down
    book.save(site.workbook)
    # Both cycles: the second one reads the row whole (its turn to be checked, tabs/view.py).
    assert [site.poll(T0 + timedelta(minutes=m)).cells_written for m in (32, 33)] == [0, 0]
