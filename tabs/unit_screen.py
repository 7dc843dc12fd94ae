"""A unit's own screen: the status tab of the unit's spreadsheet (Google) or workbook (local).

It is the main status tab's layout (``tabs.status.StatusSheet``, the same columns, the same redaction),
holding only the unit's cases: those disposed to it that are open, or closed within ``RECENT_DAYS``.
What differs from the main sheet, and lives here:
- the operator baseline is the case's ``unit_operator`` (its values on THIS screen), so an edit on the
  main sheet is never taken for one on the unit's, nor the other way round (``unit_baseline``);
- "Pesan Sistem" shows the unit's own answer first (``Case.unit_message``: a refusal of its edit);
- when a case comes (back) to the unit, its "Tahap" cell is set to the step it is in, so the unit's next
  choice is a change (the service writes that operator cell, and only that one, on purpose);
- a row whose ticket is no case of the unit (typed or pasted in) is never applied, only answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from cakra.common.pii import redact
from cakra.sheets.base import CellWrite, RowKey, Tab
from cakra.tabs.status import HEADERS, StatusSheet, cell_text, column_header
from cakra.workflow.case import Case
from cakra.workflow.disposition import at_unit_step, unit_title
from cakra.workflow.sop import Sop

# How long a closed case stays listed on its unit's screen (the unit sees how its cases ended).
RECENT_DAYS = 30
FOREIGN = "Ditolak: tiket ini bukan kasus {unit}; baris ini tidak diproses dan tidak diperbarui."


def listed(sop: Sop, cases: Iterable[Case], unit: str, now: datetime) -> list[Case]:
    """The cases ``unit``'s screen shows: disposed to it, open or closed in the last ``RECENT_DAYS``."""
    since = now - timedelta(days=RECENT_DAYS)
    return [c for c in cases if c.unit == unit and (c.closed_at is None or c.closed_at >= since)]


def is_active(sop: Sop, cases: Iterable[Case], unit: str, changed: set[str]) -> bool:
    """Whether the unit's screen is read this cycle: a case of the unit is open at its unit step (the
    unit may have moved it), or one of its cases changed this cycle (its row needs writing)."""
    return any(c.unit == unit and (at_unit_step(sop, c, unit) or c.ticket in changed) for c in cases)


def empty_tab(name: str) -> Tab:
    return Tab(name, [list(HEADERS)])


@contextmanager
def unit_baseline(cases: Iterable[Case]) -> Iterator[None]:
    """Within the block, each case's ``operator`` is its unit-screen baseline (so ``StatusSheet`` and
    ``apply_operator_edits`` work on this screen unchanged); afterwards both are back in place."""
    swapped = list(cases)
    for case in swapped:
        case.operator, case.unit_operator = case.unit_operator, case.operator
    try:
        yield
    finally:
        for case in swapped:
            case.operator, case.unit_operator = case.unit_operator, case.operator


def arriving(sheet: StatusSheet, sop: Sop, cases: Iterable[Case], moved: set[str]) -> list[CellWrite]:
    """Reset "Tahap" to the current step for the unit's cases that moved this cycle, or came to the unit
    anew, and already have a row; and set every listed case's baseline to what its row will show."""
    out: list[CellWrite] = []
    for case in cases:
        title = sop.state_title(case.step)
        row = sheet.operator_values(case.ticket)
        if row is None:  # a new row: ``StatusSheet.writes`` fills it from the baseline
            case.unit_operator = {"step_choice": title, "unit": unit_title(sop, case.unit)}
            continue
        if case.ticket not in moved and case.unit_operator:
            continue
        case.unit_operator = {**row, "step_choice": title}
        out.extend(step_cell(sheet, case.ticket, title))
    return out


def step_cell(sheet: StatusSheet, ticket: str, title: str) -> list[CellWrite]:
    """The write that makes ``ticket``'s "Tahap" cell show ``title`` (none when it does already, or the
    case has no row): a case moved on the other screen shows where it is now on this one, so the next
    choice typed here is a change, whatever it is."""
    values = sheet.operator_values(ticket)
    if values is None or values["step_choice"] == title:
        return []
    key = RowKey(column_header("ticket"), sheet.positions["ticket"] + 1, ticket)
    row, col = sheet.rows[ticket] + 1, sheet.positions["step_choice"] + 1
    return [CellWrite(sheet.tab.name, row, col, title, key, column_header("step_choice"))]


def foreign_writes(sheet: StatusSheet, own: set[str], unit_name: str) -> list[CellWrite]:
    """An answer in "Pesan Sistem" on every row whose ticket is not one of the unit's cases (once: only
    where the cell does not say it already). Nothing else of such a row is read or written."""
    out: list[CellWrite] = []
    text = FOREIGN.format(unit=unit_name)
    tab, key_col, position = sheet.tab.name, sheet.positions["ticket"] + 1, sheet.positions["message"]
    for ticket, index in sheet.rows.items():
        if ticket in own or cell_text(sheet.tab.cell(index, position)) == text:
            continue
        key = RowKey(column_header("ticket"), key_col, ticket)
        out.append(CellWrite(tab, index + 1, position + 1, text, key, column_header("message")))
    return out


def screen_values(values: Callable[[Case], dict[str, str]]) -> Callable[[Case], dict[str, str]]:
    """The main sheet's service values, with the unit's own answer in "Pesan Sistem" when there is one."""

    def shown(case: Case) -> dict[str, str]:
        out = values(case)
        if case.unit_message:
            out["message"] = redact(case.unit_message)  # it may quote what the operator typed
        return out

    return shown
