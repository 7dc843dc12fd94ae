"""The cycle's second intake: the "Input Manual" tab's rows -> cases, by the form's own path.

The tab is read whole in the cycle's one read request (``read_view``'s ``extra``: it is small, typed by
hand), so every cycle is a full read of it: rows are matched to cases by content (``ingest/identity``)
against the manual cases' own identity records (``source="manual"``: its rows and the form's never
meet), or by the ticket the service wrote on the row, and the rest are read by ``read_reports`` with the
same validation and flags as form responses. Their cases are opened after the form's new responses, so
each takes the next number of the one ticket sequence (``workflow/engine.py allocate_seq``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from cakra.intake import Sorted, sort_responses
from cakra.ledger.store import Ledger
from cakra.sheets.base import CellWrite, Tab
from cakra.tabs.manual import DATE_HEADER, MANUAL_COLUMNS, ManualSheet
from cakra.workflow.case import Case
from cakra.workflow.sop import Sop

SOURCE = "manual"


def sort_manual(
    tab: Tab | None,
    ledger: Ledger,
    sop: Sop,
    *,
    load: Callable[[set[str]], dict[str, Case]],
    tz: ZoneInfo,
    now: datetime,
    earliest: datetime,
) -> tuple[ManualSheet | None, Sorted]:
    """The Input Manual tab as read (None: no such tab) and what its rows with an Uraian turned out to
    be (new cases, edits of cases). Call before the cycle's transaction, like ``sort_responses``."""
    sheet = ManualSheet.of(tab) if tab is not None else None
    if sheet is None or not sheet.readable:
        return sheet, Sorted()  # nothing read: nothing is taken for gone either
    sorted_rows = sort_responses(
        sheet.content,
        sheet.ready,
        sheet.positions[DATE_HEADER],
        ledger,
        MANUAL_COLUMNS,
        sop,
        complete=True,
        load=load,
        tz=tz,
        now=now,
        earliest=earliest,
        source=SOURCE,
        tickets_on_rows=sheet.tickets,
    )
    return sheet, sorted_rows


def manual_writes(
    sheet: ManualSheet | None, ledger: Ledger, fresh: set[str], cases: Iterable[Case]
) -> list[CellWrite]:
    """The cells that show each manual row's case (after ``settle`` in the cycle's transaction, so the
    rows are where this cycle read them); ``fresh``: tickets opened or edited this cycle; ``cases``: the
    cycle's cases (any other a row needs is read from the ledger, not added to them)."""
    if sheet is None:
        return []
    rows = {row: ticket for ticket, _, _, row, gone in ledger.identities(source=SOURCE) if not gone}
    known = {case.ticket: case for case in cases}

    def load(tickets: set[str]) -> dict[str, Case]:
        found = {ticket: known[ticket] for ticket in tickets if ticket in known}
        found.update((c.ticket, c) for c in ledger.cases_named(tickets - set(found), []))
        return found

    return sheet.writes(rows, fresh, load)
