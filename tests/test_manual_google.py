"""The Input Manual tab on the Google backend (real gspread over HTTP to the emulator): its rows become
cases, it costs no request of its own, and the admin's sorting moves nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sheets_emulator.server import SheetsEmulator

from cakra.cycle import ensure_tabs
from cakra.setup import initialise
from cakra.tabs.manual import INPUT_HEADERS, SERVICE_HEADERS, manual_headers
from cakra.workflow.channels import MANUAL_CHANNELS
from tests.google_site import GoogleSite
from tests.site import T0, response
from tests.test_google_cycle import api_calls
from tests.test_google_extras import sheet_meta
from tests.test_manual_intake import LAPOR, LETTER, ticket

MANUAL_TAB = "Input Manual"


def type_rows(site: GoogleSite, *rows: dict[str, object]) -> None:
    """The admin types ``rows`` (header -> text) below the tab's last row, in the Sheets UI."""
    ensure_tabs(site.app)
    header = site.tab(MANUAL_TAB)[0]
    first = len(site.tab(MANUAL_TAB)) + 1
    values = [[row.get(title, "") for title in header] for row in rows]
    site.emulator.enter(site.spreadsheet_id, MANUAL_TAB, f"A{first}", values, typed=False)


def manual_rows(site: GoogleSite) -> list[dict[str, Any]]:
    rows = site.tab(MANUAL_TAB)
    return [dict(zip(rows[0], r + [""] * (len(rows[0]) - len(r)), strict=True)) for r in rows[1:]]


def test_manual_rows_become_cases_and_cost_no_request_of_their_own(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    google_site.submit(response(0))
    google_site.poll(T0 + timedelta(minutes=1))
    google_emulator.log.reset()
    google_site.poll(T0 + timedelta(minutes=2))
    assert api_calls(google_emulator) == ["GET values:batchGet"]  # idle: the one read, the tab inside it

    google_site.submit(response(3, nik="1404015501900003", name="Budi"))
    google_emulator.log.reset()
    google_site.poll(T0 + timedelta(minutes=4))
    form_calls = api_calls(google_emulator)

    type_rows(google_site, LETTER, LAPOR)
    google_emulator.log.reset()
    result = google_site.poll(T0 + timedelta(minutes=6))
    assert result.new == 2
    # A manual row costs what a form response costs: the read, the key columns, the writes.
    assert api_calls(google_emulator) == form_calls
    read = next(e for e in google_emulator.log if e.kind == "read")
    assert "Input+Manual" in read.query or "Input%20Manual" in read.query  # the tab is in the one read

    assert [r["No. Tiket"] for r in manual_rows(google_site)] == [ticket(3), ticket(4)]
    lapor = google_site.row(ticket(4))
    assert (lapor["Saluran"], lapor["No. Referensi"]) == ("LAPOR!", "LPR-2611-0042")
    assert google_site.row(ticket(1))["Saluran"] == "Formulir"

    google_emulator.log.reset()
    assert google_site.poll(T0 + timedelta(minutes=7)).cells_written == 0
    assert api_calls(google_emulator) == ["GET values:batchGet"]


def test_sorting_the_manual_tab_on_google_changes_nothing(google_site: GoogleSite) -> None:
    type_rows(google_site, LETTER, LAPOR)
    google_site.poll(T0 + timedelta(minutes=5))
    rows = google_site.tab(MANUAL_TAB, render="UNFORMATTED_VALUE")
    body = [r + [""] * (len(rows[0]) - len(r)) for r in rows[1:]]
    google_site.emulator.enter(google_site.spreadsheet_id, MANUAL_TAB, "A2", body[::-1], typed=False)
    result = google_site.poll(T0 + timedelta(minutes=10))
    assert (result.new, result.edited, result.cells_written) == (0, 0, 0)
    assert [r["No. Tiket"] for r in manual_rows(google_site)] == [ticket(2), ticket(1)]
    assert len(google_site.status()) == 2


def test_init_makes_the_manual_tab_with_the_channel_dropdown(google_site: GoogleSite) -> None:
    lines = list(initialise(google_site.app))
    assert any("'Saluran'" in line for line in lines)
    header = google_site.tab(MANUAL_TAB)[0]
    # The SOP's declared fields (Cakra LINMAS declares "Link Cakra") come before the service's columns.
    assert header == [*INPUT_HEADERS, "Link Cakra", *SERVICE_HEADERS] == manual_headers(google_site.app.sop)
    sheet = sheet_meta(google_site, MANUAL_TAB)
    assert sheet["properties"]["gridProperties"]["frozenRowCount"] == 1
    validation = sheet["data"][0]["rowData"][1]["values"][header.index("Saluran")]["dataValidation"]
    assert validation["condition"]["type"] == "ONE_OF_LIST" and not validation.get("strict")
    assert [v["userEnteredValue"] for v in validation["condition"]["values"]] == list(MANUAL_CHANNELS)
