"""Links from an email to a case's row in the status sheet.

On Google Sheets: the status tab's address with the row selected
(``https://docs.google.com/spreadsheets/d/<id>/edit#gid=<sheetId>&range=A<row>``); the tab's id comes
from the spreadsheet metadata the backend already holds, so a link costs no request. A local workbook
has no address: messages name the workbook and the ticket instead (the mailer's ``status_place``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from cakra.sheets.base import SheetBackend
from cakra.sheets.google import GoogleSheets
from cakra.tabs.status import StatusSheet
from cakra.workflow.case import Case

SHEET_URL = "https://docs.google.com/spreadsheets/d/{spreadsheet}/edit#gid={sheet}&range=A{row}"


def row_url(spreadsheet_id: str, sheet_id: int, row: int) -> str:
    """The address of ``row`` (1-based, as the sheet numbers it) of tab ``sheet_id``."""
    return SHEET_URL.format(spreadsheet=spreadsheet_id, sheet=sheet_id, row=row)


def case_links(
    backend: SheetBackend, tab: str, status: StatusSheet, cases: Iterable[Case], wanted: Collection[str]
) -> dict[str, str]:
    """Ticket -> the address of its row in ``tab``, for the tickets in ``wanted`` (``{}`` off Google).

    A case without a row yet gets the row this cycle's write gives it: the next free rows, in the order
    of ``cases`` — the order ``StatusSheet.writes`` appends them in.
    """
    if not isinstance(backend, GoogleSheets) or not wanted:
        return {}
    sheet_id = backend.sheet_properties(tab)["sheetId"]
    spreadsheet = backend.spreadsheet_for(tab)
    rows, free = dict(status.rows), status.next_row
    links = {}
    for case in cases:
        index = rows.get(case.ticket)
        if index is None:
            index, free = free, free + 1
        if case.ticket in wanted:
            links[case.ticket] = row_url(spreadsheet, sheet_id, index + 1)
    return links
