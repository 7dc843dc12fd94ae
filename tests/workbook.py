"""The tests' own synthetic form workbook: what the form and the operators do to a local .xlsx.

It belongs to the tests' world (``tests/site.py`` holds the form's questions and answers), not to the
demo, so either can change alone. The form stores what a citizen typed as text (even
``=HYPERLINK(...)``); an operator's typing is stored as a spreadsheet program stores it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from cakra.common.text import normalise_header
from cakra.tabs.local_format import DATE_TEXT

RESPONSES_TAB, STATUS_TAB = "Form Responses 1", "Status Kasus"


def new_form_workbook(path: Path, headers: Sequence[str]) -> None:
    """A workbook whose only tab is the form's response tab, holding the form's ``headers``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = RESPONSES_TAB
    _form_row(sheet, 1, headers)
    workbook.save(path)


def sync_responses(path: Path, rows: Sequence[Sequence[object]]) -> None:
    """Make the response tab hold ``rows`` below its header: the form adds those not there yet."""
    _change(path, lambda book: _add_missing(book[RESPONSES_TAB], rows))


def rewrite_response(path: Path, index: int, row: Sequence[object]) -> None:
    """A respondent edits response ``index`` (0 = sheet row 2): the form rewrites that row in place."""
    _change(path, lambda book: _form_row(book[RESPONSES_TAB], index + 2, row))


def type_into_case(path: Path, ticket: str, values: dict[str, str]) -> None:
    """An operator types ``values`` (header -> text) into the status row of ``ticket``."""

    def type_values(book: Workbook) -> None:
        sheet = book[STATUS_TAB]
        columns = {normalise_header(cell.value): cell.column for cell in sheet[1] if cell.value}
        tickets = {sheet.cell(r, columns["no. tiket"]).value: r for r in range(sheet.max_row, 1, -1)}
        if ticket not in tickets:
            raise KeyError(ticket)
        for header, value in values.items():
            sheet.cell(tickets[ticket], columns[normalise_header(header)]).value = value

    _change(path, type_values)


def status_records(path: Path) -> list[dict[str, object]]:
    """The status tab as one header -> value dict per case row; a date cell as the text it shows."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        header, *rows = book[STATUS_TAB].iter_rows(values_only=True)
    finally:
        book.close()
    return [dict(zip(map(str, header), map(shown_value, row), strict=False)) for row in rows]


def shown_value(value: object) -> object:
    """A cell as the text it shows: a date cell (the service's date columns) as ``23/11/2026 08:15``."""
    return value.strftime(DATE_TEXT) if isinstance(value, datetime) else value


def _change(path: Path, edit: Callable[[Workbook], None]) -> None:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)


def _add_missing(sheet: Worksheet, rows: Sequence[Sequence[object]]) -> None:
    for number, row in enumerate(rows[sheet.max_row - 1 :], start=sheet.max_row + 1):
        _form_row(sheet, number, row)


def _form_row(sheet: Worksheet, number: int, values: Sequence[object]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(number, column)
        cell.value = value  # None empties the cell
        if isinstance(value, str):
            cell.data_type = "s"
