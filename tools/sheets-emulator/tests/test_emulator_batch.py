"""spreadsheets.batchUpdate and spreadsheets.get metadata, through gspread."""

from __future__ import annotations

import gspread
import pytest
import requests
from sheets_emulator.server import SheetsEmulator


def _meta(emu: SheetsEmulator, http: requests.Session, sid: str, **params: str) -> dict:
    return http.get(f"{emu.base_url}/v4/spreadsheets/{sid}", params=params).json()


def test_sheet_lifecycle_and_properties(
    emulator: SheetsEmulator, gc: gspread.Client, http: requests.Session
) -> None:
    sh = gc.create("sheets")
    assert sh.timezone == "Asia/Jakarta" and sh.locale == "en_US"
    status = sh.add_worksheet("Status", rows=50, cols=8)
    assert (status.row_count, status.col_count, status.index) == (50, 8, 1)
    with pytest.raises(gspread.exceptions.APIError) as dup:
        sh.add_worksheet("status", rows=1, cols=1)
    assert 'A sheet with the name "status" already exists' in str(dup.value)
    status.freeze(rows=1)
    status.update_tab_color("#FF8000")
    status.update_title("Status Kasus")
    sh.reorder_worksheets([status, sh.sheet1])
    props = _meta(emulator, http, sh.id)["sheets"][0]["properties"]
    assert props["title"] == "Status Kasus" and props["index"] == 0
    assert props["gridProperties"] == {"rowCount": 50, "columnCount": 8, "frozenRowCount": 1}
    assert props["tabColorStyle"] == {"rgbColor": {"red": 1, "green": 0.5019608}}
    status.freeze(rows=0)
    assert "frozenRowCount" not in _meta(emulator, http, sh.id)["sheets"][0]["properties"]["gridProperties"]
    sh.worksheet("Sheet1").hide()
    with pytest.raises(gspread.exceptions.APIError) as hide_all:
        status.hide()
    assert "You can't hide all the sheets in a document." in str(hide_all.value)
    sh.del_worksheet(sh.worksheet("Sheet1"))
    with pytest.raises(gspread.exceptions.APIError, match="You can't remove all the sheets"):
        sh.del_worksheet(status)


def test_validation_protection_named_ranges_and_formats_are_stored(
    emulator: SheetsEmulator, gc: gspread.Client, http: requests.Session
) -> None:
    sh = gc.create("meta")
    ws = sh.sheet1
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "BARU"}]}, "strict": True}
    sh.batch_update(
        {
            "requests": [
                {
                    "setDataValidation": {
                        "range": {
                            "sheetId": 0,
                            "startRowIndex": 1,
                            "endRowIndex": 3,
                            "startColumnIndex": 2,
                            "endColumnIndex": 3,
                        },
                        "rule": rule,
                    }
                },
                {
                    "addConditionalFormatRule": {
                        "index": 0,
                        "rule": {
                            "ranges": [{"sheetId": 0, "startColumnIndex": 2, "endColumnIndex": 3}],
                            "booleanRule": {
                                "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": "X"}]},
                                "format": {"backgroundColor": {"red": 1}},
                            },
                        },
                    }
                },
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                        "properties": {"pixelSize": 240},
                        "fields": "pixelSize",
                    }
                },
            ]
        }
    )
    ws.add_protected_range("A1:B1", warning_only=True)
    ws.define_named_range("A1:B2", "Header")
    ws.format("A1:B1", {"textFormat": {"bold": True}})
    doc = _meta(emulator, http, sh.id, includeGridData="true", ranges="Sheet1!A1:C3")
    grid = doc["sheets"][0]["data"][0]
    assert grid["rowData"][1]["values"][2]["dataValidation"] == rule
    assert grid["rowData"][0]["values"][0]["userEnteredFormat"]["textFormat"] == {"bold": True}
    assert grid["columnMetadata"][0] == {"pixelSize": 240}
    sheet = doc["sheets"][0]
    assert sheet["conditionalFormats"][0]["ranges"] == [{"startColumnIndex": 2, "endColumnIndex": 3}]
    assert sheet["protectedRanges"][0]["warningOnly"] is True
    assert doc["namedRanges"][0]["name"] == "Header"
    ws.update([["h1", "h2"]], "Header")
    assert ws.get("Header") == [["h1", "h2"]]
    masked = _meta(emulator, http, sh.id, fields="sheets.properties.title,namedRanges.name")
    assert masked == {"sheets": [{"properties": {"title": "Sheet1"}}], "namedRanges": [{"name": "Header"}]}


def test_dimensions_merges_sort_and_copy(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.create("dims").sheet1
    ws.update([["b", 2], ["a", 1], ["c", 3]], "A1")
    ws.insert_row(["header", "n"], 1)
    ws.sort((1, "asc"), range="A2:B4")
    assert ws.get_all_values()[:4] == [["header", "n"], ["a", "1"], ["b", "2"], ["c", "3"]]
    ws.delete_rows(2)
    ws.insert_cols([["x"]], 1)
    assert ws.get("A1:C2") == [["x", "header", "n"], ["", "b", "2"]]
    ws.merge_cells("A1:A2")
    assert ws.spreadsheet.fetch_sheet_metadata()["sheets"][0]["merges"] == [
        {"startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 1}
    ]
    ws.unmerge_cells("A1:A2")
    ws.copy_range("B1:C1", "E5")
    assert ws.get("E5:F5") == [["header", "n"]]
    ws.add_cols(2)
    ws.spreadsheet.fetch_sheet_metadata()
    assert ws.spreadsheet.sheet1.col_count == 29


def test_batch_update_is_atomic(emulator: SheetsEmulator, gc: gspread.Client, http: requests.Session) -> None:
    sh = gc.create("atomic")
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.batch_update(
            {"requests": [{"addSheet": {"properties": {"title": "New"}}}, {"deleteSheet": {"sheetId": 999}}]}
        )
    assert err.value.args[0]["message"] == "Invalid requests[1].deleteSheet: No grid with id: 999"
    assert [s["properties"]["title"] for s in _meta(emulator, http, sh.id)["sheets"]] == ["Sheet1"]
    unknown = http.post(
        f"{emulator.base_url}/v4/spreadsheets/{sh.id}:batchUpdate", json={"requests": [{"bogus": {}}]}
    )
    assert unknown.json()["error"]["message"] == (
        "Invalid JSON payload received. Unknown name \"bogus\" at 'requests[0]': Cannot find field."
    )
    reply = sh.batch_update({"requests": [{"addSheet": {"properties": {"title": "Log", "index": 0}}}]})
    props = reply["replies"][0]["addSheet"]["properties"]
    assert (
        props["title"] == "Log"
        and props["index"] == 0
        and props["gridProperties"] == {"rowCount": 1000, "columnCount": 26}
    )


def test_drive_calls_made_by_gspread(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    first = gc.create("Laporan A")
    first.sheet1.update([["a", "b"], ["1", "2"]], "A1")
    gc.create("Laporan B")
    assert [f["name"] for f in gc.list_spreadsheet_files()] == ["Laporan B", "Laporan A"]
    assert gc.open("Laporan A").id == first.id
    assert gc.export(first.id, gspread.utils.ExportFormat.CSV) == b"a,b\r\n1,2"
    copied = gc.copy(first.id, title="Salinan")
    assert copied.sheet1.get_all_values() == [["a", "b"], ["1", "2"]]
    gc.import_csv(copied.id, "x,y\n3,4\n")
    assert copied.sheet1.get_all_values() == [["x", "y"], ["3", "4"]]
    gc.del_spreadsheet(first.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open("Laporan A")
