"""Sheets v4 value semantics of the emulator, exercised through real gspread (and raw HTTP where
gspread hides the wire format)."""

from __future__ import annotations

import gspread
import pytest
import requests
from gspread.utils import ValueRenderOption
from sheets_emulator.server import SheetsEmulator


def _values_url(emu: SheetsEmulator, sid: str, a1: str) -> str:
    return f"{emu.base_url}/v4/spreadsheets/{sid}/values/{requests.utils.quote(a1, safe='')}"


def test_raw_keeps_strings_user_entered_parses(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.create("raw vs user entered").sheet1
    typed = ["0812345", "=1+1", "TRUE", "12/11/2026", "'0812", "2,000,000.01", "15%"]
    ws.update([typed], "A1", raw=True)
    ws.update([typed], "A2", raw=False)
    formatted = ws.get("A1:G2")
    assert formatted[0] == typed  # RAW stores the text verbatim, apostrophe included
    assert formatted[1] == ["812345", "2", "TRUE", "12/11/2026", "0812", "2,000,000.01", "15%"]
    unformatted = ws.get("A2:G2", value_render_option=ValueRenderOption.unformatted)[0]
    assert unformatted == [812345, 2, True, 46367, "0812", 2000000.01, 0.15]
    formulas = ws.get("A1:G2", value_render_option=ValueRenderOption.formula)
    assert formulas[0][1] == "=1+1" and formulas[1][1] == "=1+1"
    assert emulator.values(ws.spreadsheet_id, "Sheet1", render="FORMULA")[1][:2] == [812345, "=1+1"]


def test_dates_follow_the_spreadsheet_locale_and_date_time_render_option(
    emulator: SheetsEmulator, gc: gspread.Client, http: requests.Session
) -> None:
    sid = emulator.create_spreadsheet("id", {"Data": [["12/11/2026", "12/11/2026 13:30:00"]]}, locale="id_ID")
    url = _values_url(emulator, sid, "Data!A1:B1")
    serial = http.get(url, params={"valueRenderOption": "UNFORMATTED_VALUE"}).json()["values"][0]
    assert serial == [46338, pytest.approx(46338 + 13.5 / 24)]  # D/M/Y: 12 November 2026
    text = http.get(
        url, params={"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING"}
    )
    assert text.json()["values"][0] == ["12/11/2026", "12/11/2026 13:30:00"]
    en = emulator.create_spreadsheet("us", {"Data": [["12/11/2026"], ["1899-12-30"]]}, locale="en_US")
    got = http.get(_values_url(emulator, en, "Data!A1:A2"), params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert got.json()["values"] == [[46367], [0]]  # M/D/Y: 11 December 2026; epoch is serial 0


def test_ragged_rows_and_empty_ranges(
    emulator: SheetsEmulator, gc: gspread.Client, http: requests.Session
) -> None:
    sh = gc.create("ragged")
    ws = sh.sheet1
    ws.update([["A1", "B1", "", "D1"], ["", "b2", "", ""], ["", "", "", ""], ["A4", "B4", "", "D4"]], "A1")
    body = http.get(_values_url(emulator, sh.id, "Sheet1!A1:D6")).json()
    assert body == {
        "range": "Sheet1!A1:D6",
        "majorDimension": "ROWS",
        "values": [["A1", "B1", "", "D1"], ["", "b2"], [], ["A4", "B4", "", "D4"]],
    }
    cols = http.get(_values_url(emulator, sh.id, "Sheet1!A1:D4"), params={"majorDimension": "COLUMNS"}).json()
    assert cols["values"] == [["A1", "", "", "A4"], ["B1", "b2", "", "B4"], [], ["D1", "", "", "D4"]]
    empty = http.get(_values_url(emulator, sh.id, "Sheet1!F1:G9")).json()
    assert empty == {"range": "Sheet1!F1:G9", "majorDimension": "ROWS"}  # no "values" key at all
    assert ws.get_all_values()[2] == ["", "", "", ""]  # gspread pads; the wire format does not


def test_quoted_tab_names_whole_rows_and_columns(
    emulator: SheetsEmulator, gc: gspread.Client, http: requests.Session
) -> None:
    sid = emulator.create_spreadsheet("q", {"Form Responses 1": [["Timestamp", "Nama"]], "It's": [["x"]]})
    sh = gc.open_by_key(sid)
    assert sh.worksheet("Form Responses 1").get("A1:B1") == [["Timestamp", "Nama"]]
    echoed = http.get(_values_url(emulator, sid, "'It''s'!A1")).json()
    assert echoed["range"] == "'It''s'!A1" and echoed["values"] == [["x"]]
    ranges = {
        "'Form Responses 1'": "'Form Responses 1'!A1:Z1000",
        "'Form Responses 1'!A:C": "'Form Responses 1'!A1:C1000",
        "'Form Responses 1'!2:5": "'Form Responses 1'!A2:Z5",
        "'Form Responses 1'!A5:A": "'Form Responses 1'!A5:A1000",
        "'Form Responses 1'!D4:A1": "'Form Responses 1'!A1:D4",
        "A1:B2": "'Form Responses 1'!A1:B2",  # no sheet: the first sheet
    }
    for a1, canonical in ranges.items():
        assert http.get(_values_url(emulator, sid, a1)).json()["range"] == canonical, a1


def test_error_bodies(emulator: SheetsEmulator, gc: gspread.Client, http: requests.Session) -> None:
    sid = emulator.create_spreadsheet("errors")
    bad_sheet = http.get(_values_url(emulator, sid, "Nope!A1"))
    assert bad_sheet.status_code == 400
    assert bad_sheet.json() == {
        "error": {"code": 400, "message": "Unable to parse range: Nope!A1", "status": "INVALID_ARGUMENT"}
    }
    missing = http.get(f"{emulator.base_url}/v4/spreadsheets/doesnotexist")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("doesnotexist")
    emulator.deny("private-sheet")
    assert (
        http.get(f"{emulator.base_url}/v4/spreadsheets/private-sheet").json()["error"]["status"]
        == "PERMISSION_DENIED"
    )
    not_list = http.put(
        _values_url(emulator, sid, "Sheet1!A1"), params={"valueInputOption": "RAW"}, json={"values": "X"}
    )
    assert not_list.json()["error"]["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )
    no_option = http.put(_values_url(emulator, sid, "Sheet1!A1"), json={"values": [["x"]]})
    assert no_option.status_code == 400


def test_grid_limits_update_fails_append_grows(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.create("grid").sheet1
    ws.resize(rows=3, cols=2)
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["a"], ["b"]], "A3")
    assert (
        err.value.args[0]["message"]
        == "Range (Sheet1!A3:A4) exceeds grid limits. Max rows: 3, max columns: 2"
    )
    with pytest.raises(gspread.exceptions.APIError) as err2:
        ws.update([["a", "b", "c"]], "A1:B1")
    assert "Requested writing within range [Sheet1!A1:B1], but tried writing to column [C]" in str(err2.value)
    for i in range(5):
        ws.append_row([f"row {i}", i])
    ws.spreadsheet.fetch_sheet_metadata()
    assert ws.spreadsheet.sheet1.row_count == 5
    assert ws.get_all_values()[-1] == ["row 4", "4"]


def test_write_replies_and_append_table_range(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.create("replies").sheet1
    reply = ws.update([[None, "x"], ["y", None]], "A1:B2")
    assert {k: reply[k] for k in ("updatedRange", "updatedRows", "updatedColumns", "updatedCells")} == {
        "updatedRange": "Sheet1!A1:B2",
        "updatedRows": 2,
        "updatedColumns": 2,
        "updatedCells": 2,
    }
    ws.clear()
    first = ws.append_rows([["h1", "h2"]])
    assert "tableRange" not in first and first["updates"]["updatedRange"] == "Sheet1!A1:B1"
    second = ws.append_rows([["v1", "v2"]], include_values_in_response=True)
    assert second["tableRange"] == "Sheet1!A1:B1"
    assert second["updates"]["updatedRange"] == "Sheet1!A2:B2"
    assert second["updates"]["updatedData"]["values"] == [["v1", "v2"]]


def test_batch_endpoints_used_by_gspread(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.create("batch").sheet1
    emulator.log.reset()
    result = ws.batch_update(
        [{"range": "A1:B1", "values": [["a", "b"]]}, {"range": "A3", "values": [["c"]]}],
        include_values_in_response=True,
    )
    assert (
        result["totalUpdatedCells"] == 3
        and result["totalUpdatedRows"] == 2
        and result["totalUpdatedSheets"] == 1
    )
    assert result["responses"][1]["updatedData"]["values"] == [["c"]]
    got = ws.batch_get(["A1:B1", "A3", "D9"])
    assert [list(v) for v in got] == [[["a", "b"]], [["c"]], []]
    ws.batch_clear(["A1"])
    assert ws.get("A1:B1") == [["", "b"]]
    paths = [(e.method, e.path.rsplit("/", 1)[-1]) for e in emulator.log]
    assert ("POST", "values:batchUpdate") in paths and ("GET", "values:batchGet") in paths
    assert ("POST", "values:batchClear") in paths


def test_formulas_are_evaluated_simply(emulator: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.create("formulas").sheet1
    ws.update([[2, 3, "=A1*B1+1", "=SUM(A1:B1)", "=A1/0", '="n="&A1', "=NOSUCH(1)"]], "A1", raw=False)
    assert ws.get("C1:G1") == [["7", "5", "#DIV/0!", "n=2", "#NAME?"]]
    ws.update([[10]], "A1")
    assert ws.acell("C1").value == "31"


def test_seeding_and_inspection_api(emulator: SheetsEmulator) -> None:
    sid = emulator.create_spreadsheet(
        "seed", {"Tab": [["0812", "x"], [None, 5]]}, time_zone="Asia/Makassar", value_input_option="RAW"
    )
    assert emulator.values(sid, "Tab") == [["0812", "x"], ["", "5"]]
    assert emulator.values(sid, "Tab", render="UNFORMATTED_VALUE") == [["0812", "x"], ["", 5]]
    typed = emulator.create_spreadsheet("typed", {"Tab": [["0812"]]})
    assert emulator.values(typed, "Tab", render="UNFORMATTED_VALUE") == [[812]]
    with emulator.store.lock:
        assert emulator.store.get(sid).props["timeZone"] == "Asia/Makassar"


def test_columns_major_writes_and_insert_rows_append(
    emulator: SheetsEmulator, http: requests.Session
) -> None:
    sid = emulator.create_spreadsheet(
        "cols", {"T": [["h1", "h2"], ["a", "b"], ["tail"]]}, value_input_option="RAW"
    )
    put = http.put(
        _values_url(emulator, sid, "T!D1"),
        params={"valueInputOption": "RAW"},
        json={"majorDimension": "COLUMNS", "values": [["x", "y", "z"]]},
    )
    assert put.json()["updatedRange"] == "T!D1:D3"
    appended = http.post(
        _values_url(emulator, sid, "T!A1:B2") + ":append",
        params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
        json={"values": [["new", "row"]]},
    ).json()
    assert (
        appended["tableRange"] == "T!A1:B3"
    )  # column C is empty: D is another table and appended["updates"]["updatedRange"] == "T!A4:B4"
    assert emulator.values(sid, "T") == [
        ["h1", "h2", "", "x"],
        ["a", "b", "", "y"],
        ["tail", "", "", "z"],
        ["new", "row"],
    ]
