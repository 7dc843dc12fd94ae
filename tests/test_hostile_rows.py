"""Proof over whole hostile rows (issue 9, item 8, first bullet): no row crashes a cycle, every bad value
is flagged on its case, no good value is.

Two scales, to stay inside ``make test``'s budget (a cycle's cost is dominated by what it writes and
sends, about 30 ms per new case on the local workbook):
- ``test_ten_thousand_rows_...``: >= 10,000 generated rows through the ingest and engine path of a cycle
  (read_reports -> open_case into a real SQLite ledger -> the status tab's values), each row's flags
  checked against the labels its values were drawn with;
- ``test_whole_cycles_...``: a few hundred rows through whole ``poll`` cycles, on the local workbook
  and on the Google backend (the emulator holds what a workbook cannot: control characters).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sheets_emulator.server import SheetsEmulator

from cakra.ingest.columns import ColumnAliases
from cakra.ingest.fields import is_ascii_number
from cakra.ingest.responses import ID_CHARS, TEXT_FIELDS, locate_columns, read_reports, scan_rows
from cakra.ledger.store import Ledger
from cakra.sheets.base import Tab
from cakra.tabs.status import service_values
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.context import StepContext
from cakra.workflow.engine import open_case
from cakra.workflow.sop import BUILTIN_SOPS, load_sop
from tests.google_site import GoogleSite
from tests.hostile_rows import NOW, Cell, Form, expected_flags, form, is_empty, mixed, raised, row
from tests.site import WIB, Site
from tests.workbook import new_form_workbook

ROWS_WANTED = int(os.environ.get("CAKRA_HOSTILE_ROWS", "10000"))
ROWS_PER_EXAMPLE = 100
DRAWN_PER_EXAMPLE = 10  # whole rows drawn; the others mix their cells (tests/hostile_rows.py ``mixed``)
SOP = load_sop(BUILTIN_SOPS / "cakra-linmas.toml")
NOW_WIB = NOW.replace(tzinfo=WIB)
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


# Control characters (Unicode category Cc) but tab, newline and CR, and lone surrogates (Cs).
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _unprintable(text: str) -> bool:
    """What no cell may hold."""
    return UNPRINTABLE.search(text) is not None


def _tab(shape: Form, rows: list[list[Cell]]) -> Tab:
    return Tab("Form Responses 1", [list(shape.header), *([cell.value for cell in r] for r in rows)])


def test_ten_thousand_rows_are_read_flagged_and_opened_without_a_crash(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "cakra.sqlite")
    ctx = StepContext(SOP, BusinessCalendar(WIB), ledger, NOW_WIB)
    read = [0]

    @settings(
        max_examples=ROWS_WANTED // ROWS_PER_EXAMPLE + 10,
        deadline=None,
        database=None,
        suppress_health_check=HEALTH,
    )
    @given(st.data())
    def rows_of_one_form(data: st.DataObject) -> None:
        shape = data.draw(form())
        drawn = data.draw(st.lists(row(shape), min_size=DRAWN_PER_EXAMPLE, max_size=DRAWN_PER_EXAMPLE))
        rows = mixed(drawn, ROWS_PER_EXAMPLE)
        tab = _tab(shape, rows)
        seen = scan_rows(tab, locate_columns(tab, ColumnAliases())["timestamp"])
        reports = read_reports(tab, ColumnAliases(), SOP, WIB, seen, now=NOW_WIB)
        by_row = {report.response_row: report for report in reports}
        assert len(reports) == sum(not is_empty(cells) for cells in rows)  # none dropped
        for number, cells in enumerate(rows, start=2):
            if is_empty(cells):
                continue
            report = by_row[number]
            assert raised(report.problems) == expected_flags(shape, cells), (cells, report.problems)
            for name, (_, limit) in TEXT_FIELDS.items():
                text = getattr(report, name)
                assert len(text) <= limit and not _unprintable(text)
            assert report.nik == "" or is_ascii_number(report.nik) or "NIK" in raised(report.problems)
            assert len(report.nik) <= ID_CHARS and len(report.phone) <= ID_CHARS
            assert report.received_at is None or report.received_at <= NOW_WIB + timedelta(days=1)
        with ledger.transaction():
            for report in reports:
                report.response_key += f"/{read[0]}"  # each example is a form of its own
                case = open_case(report, ctx, timedelta(hours=24))
                ledger.save_case(case)
                shown = service_values(case, SOP, NOW_WIB, WIB, 120)
                assert all(len(value) < 50_000 and not _unprintable(value) for value in shown.values())
                assert case.message.startswith("Perlu dicek") == bool(report.problems or case.duplicate_of)
        read[0] += len(reports)

    rows_of_one_form()
    assert read[0] >= ROWS_WANTED


def _whole_cycles(site: Site, shape: Form, rows: list[list[Cell]]) -> None:
    """Submit ``rows`` under ``shape`` and poll twice: no crash, a case per response, each row with a
    bad value flagged on its case, the workbook still a workbook."""
    site.submit(*([cell.value for cell in cells] for cells in rows))
    site.poll(NOW_WIB)
    site.poll(NOW_WIB + timedelta(minutes=1))
    status = site.status()
    responses = [cells for cells in rows if not is_empty(cells)]
    assert len(status) == len(responses)
    by_row = {case.report.response_row: case for case in site.app.ledger.cases()}
    for number, cells in enumerate(rows, start=2):
        if expected_flags(shape, cells):
            assert by_row[number].message.startswith("Perlu dicek"), (cells, by_row[number].message)


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=HEALTH)
@given(st.data())
def test_whole_cycles_on_the_local_workbook_never_crash_and_flag_every_bad_row(data: st.DataObject) -> None:
    # A workbook cannot hold control characters (openpyxl refuses them), so the form cannot store one.
    shape = data.draw(form(controls=False))
    rows = data.draw(st.lists(row(shape, controls=False), min_size=1, max_size=20))
    with tempfile.TemporaryDirectory() as folder:
        site = Site(Path(folder))
        try:
            new_form_workbook(site.workbook, [title or None for title in shape.header])  # type: ignore[misc]
            _whole_cycles(site, shape, rows)
            openpyxl.load_workbook(site.workbook).close()
        finally:
            site.close()


def _as_in_sheets(cell: Cell) -> Cell:
    """A spreadsheet holds no infinite or NaN number (Sheets shows an error, ``#NUM!``)."""
    if isinstance(cell.value, float) and not math.isfinite(cell.value):
        return Cell("#NUM!", cell.bad)
    return cell


def test_whole_cycles_on_the_google_backend_never_crash_and_flag_every_bad_row(
    google_emulator: SheetsEmulator,
) -> None:
    @settings(max_examples=6, deadline=None, database=None, suppress_health_check=HEALTH)
    @given(st.data())
    def cycles(data: st.DataObject) -> None:
        shape = data.draw(form())
        rows = [list(map(_as_in_sheets, r)) for r in data.draw(st.lists(row(shape), min_size=1, max_size=20))]
        with tempfile.TemporaryDirectory() as folder:
            site = GoogleSite(Path(folder), google_emulator)
            try:
                google_emulator.enter(
                    site.spreadsheet_id, "Form Responses 1", "A1", [shape.header], typed=False
                )
                _whole_cycles(site, shape, rows)
            finally:
                site.close()

    cycles()


def test_an_email_that_grows_when_lower_cased_is_still_cut_to_its_limit() -> None:
    # Found by the generated rows: "İ".lower() is two characters, so cutting before lower-casing let a
    # 320-character email become 640 (and a cell past its limit).
    tab = Tab("Form Responses 1", [["Timestamp", "Email"], [NOW, "İ" * 400]])
    seen = scan_rows(tab, locate_columns(tab, ColumnAliases())["timestamp"])
    (report,) = read_reports(tab, ColumnAliases(), SOP, WIB, seen, now=NOW_WIB)
    assert len(report.email) == TEXT_FIELDS["email"][1]
    assert any(problem.startswith("Email terlalu panjang") for problem in report.problems)
