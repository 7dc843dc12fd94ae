"""Unit tests of the emulator's building blocks (A1 notation, serial dates, formats, masks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sheets_emulator import fieldmask
from sheets_emulator.a1 import col_to_letters, letters_to_col, parse_cells, quote_title, split_sheet
from sheets_emulator.cells import from_serial, to_serial
from sheets_emulator.entry import parse_raw, parse_user_entered
from sheets_emulator.numfmt import format_with, general_number, rules_for


@given(st.integers(min_value=0, max_value=18277))
def test_column_letters_round_trip(index: int) -> None:
    assert letters_to_col(col_to_letters(index)) == index


@given(st.text(min_size=1, max_size=30).filter(lambda t: "\x00" not in t))
def test_quoted_titles_split_back(title: str) -> None:
    assert split_sheet(f"{quote_title(title)}!B2") == (title, "B2")


@given(st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2200, 1, 1)))
def test_serial_numbers_round_trip_to_the_millisecond(moment: datetime) -> None:
    assert abs(from_serial(to_serial(moment)) - moment) <= timedelta(milliseconds=1)


def test_serial_epoch_and_known_values() -> None:
    assert to_serial(datetime(1899, 12, 30)) == 0
    assert to_serial(datetime(2026, 12, 11, 12)) == 46367.5


def test_a1_parsing_and_quoting() -> None:
    assert parse_cells("A:C") is not None and parse_cells("A:5") is None and parse_cells("Nama") is None
    assert split_sheet("'It''s'!A1") == ("It's", "A1") and split_sheet("Tab") == (None, "Tab")
    assert [quote_title(t) for t in ("Sheet1", "D3", "Form Responses 1", "R1C1")] == [
        "Sheet1",
        "'D3'",
        "'Form Responses 1'",
        "'R1C1'",
    ]


def test_user_entered_and_raw_parsing() -> None:
    en, idr = rules_for("en_US"), rules_for("id_ID")
    assert parse_raw("=1+1").value == "=1+1" and parse_raw("").value is None
    assert parse_user_entered("0812345", en).value == 812345
    assert parse_user_entered("'0812", en).value == "0812"
    assert parse_user_entered("1.234,5", idr).value == 1234.5
    assert parse_user_entered("31/12/2026", en).value == "31/12/2026"  # not a M/D/Y date: stays text
    assert parse_user_entered("31/12/2026", idr).number_format == {"type": "DATE", "pattern": "dd/MM/yyyy"}


def test_number_formatting() -> None:
    assert [general_number(x) for x in (42.0, 1 / 1024, 2 / 3, 1e16)] == [
        "42",
        "0.0009765625",
        "0.6666666667",
        "1E+16",
    ]
    assert format_with(1234.5, {"type": "NUMBER", "pattern": "#,##0.00"}, rules_for("id_ID")) == "1.234,50"
    assert format_with(46367.25, {"type": "DATE_TIME", "pattern": "dd/MM/yyyy HH:mm"}) == "11/12/2026 06:00"


def test_field_masks() -> None:
    tree = fieldmask.parse("sheets(properties(title,sheetId)),sheets/data/rowData/values/note")
    doc = {"sheets": [{"properties": {"title": "A", "sheetId": 0, "index": 0}, "data": [{"rowData": []}]}]}
    assert fieldmask.select(doc, tree) == {
        "sheets": [{"properties": {"title": "A", "sheetId": 0}, "data": [{"rowData": []}]}]
    }
    target = {"gridProperties": {"rowCount": 5, "frozenRowCount": 1}, "title": "x"}
    fieldmask.assign(
        target, {"gridProperties": {"rowCount": 9}}, fieldmask.parse("gridProperties.rowCount,title")
    )
    assert target == {"gridProperties": {"rowCount": 9, "frozenRowCount": 1}}
