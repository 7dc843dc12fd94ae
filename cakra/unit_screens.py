"""The cycle's unit-screen step: each unit sees and moves only its own cases (issue 10, item 3).

Why a screen per unit: Google shares whole spreadsheets, so a tab per unit in the main spreadsheet would
be open to every unit; each unit therefore gets a spreadsheet of its own (``[units.<id>]
spreadsheet_id``), shared by the agency with that unit only, and locally a workbook of its own
(``workbook``). The service keeps them (``tabs.unit_screen``) and reads back what the unit typed.

Per cycle, inside the cycle's ledger transaction, after the main sheet's edits (``apply``):
- a new case at a disposition step gets its unit suggestion (workflow/disposition.py);
- each unit screen that is *active* (a case of the unit is open at its unit step, or one of its cases
  changed this cycle) is read, ONE request per unit; the others are not read at all;
- the unit operator's edits are applied ONLY to that unit's cases and ONLY while the case is at the
  unit's step (``disposition.operator_rules(unit)``); any other change on the screen is answered there;
and after the main sheet's write (``write``): ONE write per unit screen with changes. A unit screen that
cannot be read or written is logged and skipped: the other units and the main sheet go on, and the
screen is a projection of the ledger, set right the next cycle it is reached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from cakra.app import App
from cakra.common.errors import CakraError, SheetBusy
from cakra.sheets.base import CellWrite, SheetBackend
from cakra.sheets.local import LocalWorkbook
from cakra.tabs.status import HEADERS, StatusSheet, service_values
from cakra.tabs.unit_screen import (
    arriving,
    empty_tab,
    foreign_writes,
    is_active,
    listed,
    screen_values,
    step_cell,
    unit_baseline,
)
from cakra.workflow.case import Case
from cakra.workflow.context import StepContext
from cakra.workflow.disposition import at_unit_step, operator_rules, suggest_for_new, unit_title
from cakra.workflow.operator_edits import EditOutcome, RowGuard, apply_operator_edits

log = logging.getLogger("cakra.cycle")


@dataclass
class UnitWork:
    """What the cycle writes to the unit screens after the main sheet (unit id -> cells)."""

    writes: dict[str, list[CellWrite]] = field(default_factory=dict)
    # "Tahap" cells of the main sheet set to where a unit moved its case (in the main sheet's one write).
    main: list[CellWrite] = field(default_factory=list)
    unit_moved: set[str] = field(default_factory=set)  # tickets a unit moved on its screen this cycle


def apply(
    app: App,
    status: StatusSheet,
    cases: list[Case],
    ctx: StepContext,
    guard: RowGuard,
    edits: EditOutcome,
    new: list[Case],
) -> UnitWork:
    """Suggest units for ``new`` cases, apply the unit screens' edits into ``edits`` (moved, refused,
    touched ... as the main sheet's are), and compute each active unit screen's writes."""
    work = UnitWork()
    sop = ctx.sop
    if not sop.units:
        return work
    for case in new:
        if suggest_for_new(sop, case):
            edits.touched.append(case)
    for case in edits.moved:
        if at_unit_step(sop, case):
            case.message += f" Ditangani {unit_title(sop, case.unit)} di lembar unitnya."
    changed = {c.ticket for c in (*new, *edits.touched)}
    moved = {c.ticket for c in edits.moved}
    for unit_id, backend in app.unit_sheets.items():
        if not is_active(sop, cases, unit_id, changed):
            continue
        try:
            tab = _read(app, backend)
        except CakraError as exc:
            log.warning("lembar unit %s tidak terbaca (%s); dicoba lagi siklus berikutnya", unit_id, exc)
            continue
        work.writes[unit_id] = _one_unit(app, unit_id, tab, cases, ctx, guard, edits, moved, work)
        for case in edits.moved:
            if case.unit == unit_id and case.ticket in work.unit_moved:
                title = sop.state_title(case.step)
                case.operator["step_choice"] = title
                work.main.extend(step_cell(status, case.ticket, title))
    return work


def _read(app: App, backend: SheetBackend) -> StatusSheet:
    """The unit's status tab, whole (ONE request; a unit's screen is small): made when missing."""
    name = app.config.sheets.status_tab
    if isinstance(backend, LocalWorkbook) and not backend.path.exists():
        backend.ensure_tab(name, HEADERS)  # the unit's first case: its workbook is made now
    tab = backend.read_blocks({name: None}).get(name)
    if tab is None:
        backend.ensure_tab(name, HEADERS)
        tab = empty_tab(name)
    return StatusSheet(tab)


def _one_unit(
    app: App,
    unit_id: str,
    sheet: StatusSheet,
    cases: list[Case],
    ctx: StepContext,
    guard: RowGuard,
    edits: EditOutcome,
    moved: set[str],
    work: UnitWork,
) -> list[CellWrite]:
    sop, ledger = ctx.sop, app.ledger
    # Rows may name cases the cycle did not load (closed long ago): look them up before judging a row.
    known = {c.ticket for c in cases}
    cases.extend(ledger.cases_named(set(sheet.rows) - known, []))
    own = [c for c in cases if c.unit == unit_id and c.ticket in sheet.rows]
    said = {c.ticket: c.message for c in own}
    with unit_baseline(own):
        outcome = apply_operator_edits(own, sheet.operator_values, ctx, guard, operator_rules(unit_id))
    for case in outcome.refused:  # the unit's refusal is said on its screen, not on the main sheet
        case.unit_message, case.message = case.message, said[case.ticket]
    for case in outcome.touched:
        if case not in outcome.refused:
            case.unit_message = ""
    for case in outcome.moved:
        moved.add(case.ticket)
        work.unit_moved.add(case.ticket)
    for name in ("moved", "refused", "paused", "resumed", "touched", "failed"):
        getattr(edits, name).extend(getattr(outcome, name))
    shown = listed(sop, cases, unit_id, ctx.now)
    resets = arriving(sheet, sop, shown, moved)
    edits.touched.extend(shown)  # their baselines may have been set: saved with the cycle
    config = app.config

    def values(case: Case) -> dict[str, str]:
        return service_values(case, sop, ctx.now, config.tz, config.intake.description_chars)

    with unit_baseline(shown):
        cells = sheet.writes(shown, screen_values(values))
    mine = {c.ticket for c in cases if c.unit == unit_id}
    return [*cells, *resets, *foreign_writes(sheet, mine, unit_title(sop, unit_id))]


def write(app: App, work: UnitWork) -> int:
    """ONE write per unit screen with changes (after the ledger committed); returns cells written."""
    written = 0
    for unit_id, cells in work.writes.items():
        if not cells:
            continue
        try:
            written += app.unit_sheets[unit_id].write(cells)
        except SheetBusy:
            continue  # the unit's workbook is open or was saved meanwhile: next cycle writes again
        except CakraError as exc:
            log.warning("lembar unit %s tidak tertulis (%s); dicoba lagi siklus berikutnya", unit_id, exc)
    return written
