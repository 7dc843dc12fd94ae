"""The local workbook as an operator's screen: what ``tabs.google_format`` gives on Google, in openpyxl.

On the status tab:
- a dropdown on ``Tahap`` with the SOP's choices (``Sop.choices``, "Menunggu pelapor" included), as a
  warning, not a stop: operators also type a step's name or number, which the service accepts;
- late rows coloured (a conditional format on the ``Terlambat`` column, the same colour as on Google);
- ``Diterima`` and ``Batas Waktu`` stored as real dates (they sort as dates), every other value as text;
- service columns protected, operator columns unlocked; no password (anyone may lift it in the office
  program), sorting, filtering and resizing allowed in the protection options.
On the status, Riwayat and Ringkasan tabs: columns as wide as their content (up to a limit per column),
a frozen header row; an autofilter on the status and Riwayat tabs (Ringkasan is sections one under
another, which a filter or a sort would only scramble); Riwayat's ``Waktu`` a date, Ringkasan's
percentages numbers with a percent format.

The round trip is exact (``read_rows`` gives back the text ``put`` was given: a date cell as
``23/11/2026 08:15``, a percent as ``66,7%``), because the service compares what it reads with what it
would write: anything else would rewrite every row every cycle.

Everything is applied when a tab is created and again after every write (``lay_out``): the dropdown and
the colour cover whole columns, so rows added later have them; widths only grow, from the cells written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from openpyxl.cell.cell import Cell
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cakra.common.text import normalise_header
from cakra.sheets.base import CellValue
from cakra.sheets.local import set_text
from cakra.tabs.dashboard import percent_text
from cakra.tabs.history import HISTORY_HEADERS
from cakra.tabs.manual import CHANNEL_HEADER, CHANNEL_PROMPT
from cakra.tabs.screen import (
    DROPDOWN_PROMPT,
    LATE_RGB,
    OPERATOR_HEADERS,
    PIXELS_PER_CHARACTER,
    UNIT_PROMPT,
    hex_colour,
    late_formula,
    width_px,
)
from cakra.tabs.status import COLUMNS, column_header
from cakra.workflow.channels import MANUAL_CHANNELS

DATE_FORMAT = "dd/mm/yyyy hh:mm"  # shows what ``format_time`` writes
DATE_TEXT = "%d/%m/%Y %H:%M"
PERCENT_FORMAT = "0.0%"
_PERCENT = re.compile(r"-?\d+,\d%")  # ``percent_text``: "66,7%"
LAST_ROW = 1_048_576  # an .xlsx sheet's last row: whole-column ranges cover every row added later
CHOICES_TAB = "Pilihan Tahap"  # hidden; holds the dropdown's choices when they do not fit inline
UNITS_TAB = "Pilihan Unit"  # hidden; the same for the "Unit Tujuan" dropdown (dozens of SKPD)
_INLINE_LIMIT = 255  # Excel's limit for a list written into the validation itself
_UNLOCKED = Protection(locked=False)
_LATE_FILL = PatternFill(fill_type="solid", start_color=hex_colour(LATE_RGB), end_color=hex_colour(LATE_RGB))
_WARNING = (
    "Pilihan ini tidak ada di daftar tahap SOP. Nama atau nomor tahap tetap diterima; "
    "layanan menulis pesan di 'Pesan Sistem' bila tidak dikenali."
)
_KEY_OF = {normalise_header(c.header): c.key for c in COLUMNS}
_OPERATOR = {normalise_header(h) for h in OPERATOR_HEADERS}
# Ringkasan's widest columns (characters): the first holds section titles and names, the others the
# numbers under headers such as "Pernah menunggu pelapor" and the "Diperbarui ..." stamp.
_DASHBOARD_WIDTHS = (60, 30)


class OperatorScreen:
    """The ``Presentation`` (``cakra.sheets.local``) of the service's tabs on the local workbook."""

    def __init__(
        self,
        status_tab: str,
        history_tab: str,
        dashboard_tab: str,
        choices: Sequence[str],
        units: Sequence[str] = (),
        manual_tab: str = "",
    ) -> None:
        """``units``: the titles the "Unit Tujuan" dropdown offers (none: no dropdown there)."""
        self.status_tab, self.history_tab, self.dashboard_tab = status_tab, history_tab, dashboard_tab
        self.manual_tab = manual_tab
        self.choices = list(choices)
        self.units = list(units)
        status_dates = {column_header("received"), column_header("deadline")}
        self._dates = {
            status_tab: {normalise_header(h) for h in status_dates},
            history_tab: {normalise_header(HISTORY_HEADERS[0])},
        }
        self._widest: dict[str, dict[int, int]] = {}  # tab -> column -> longest text written since lay_out
        self._new_rows: dict[str, set[int]] = {}  # status rows written since lay_out

    # -- reading -------------------------------------------------------------------------------------
    def read_rows(self, tab: str, sheet: Worksheet) -> list[list[CellValue]] | None:
        if tab == self.dashboard_tab:
            return [
                [_shown(cell.value, getattr(cell, "number_format", None)) for cell in row]
                for row in sheet.iter_rows()
            ]
        dates = self._dates.get(tab)
        if dates is None:
            return None
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return []
        columns = [
            i for i, title in enumerate(header) if title is not None and normalise_header(str(title)) in dates
        ]
        out: list[list[CellValue]] = [list(header)]
        for raw in rows:
            row = list(raw)
            for i in columns:
                if i < len(row) and isinstance(row[i], datetime):
                    row[i] = _minute_text(row[i])
            out.append(row)
        return out

    # -- writing -------------------------------------------------------------------------------------
    def put(self, sheet: Worksheet, cell: Cell, value: str | int | float | None) -> None:
        tab = sheet.title
        header = sheet.cell(1, cell.column).value if cell.row > 1 else None
        title = normalise_header(str(header)) if header is not None else ""
        if isinstance(value, str) and title in self._dates.get(tab, ()):
            moment = _date(value)
            if moment is not None:
                cell.value, cell.number_format = moment, DATE_FORMAT
                self._note(tab, cell.column, value)
                return
        if isinstance(value, str) and tab == self.dashboard_tab and _PERCENT.fullmatch(value):
            cell.value, cell.number_format = float(value[:-1].replace(",", ".")) / 100, PERCENT_FORMAT
            self._note(tab, cell.column, value)
            return
        set_text(cell, value)
        self._note(tab, cell.column, "" if value is None else str(value))
        if tab == self.status_tab and cell.row > 1:
            self._new_rows.setdefault(tab, set()).add(cell.row)

    def _note(self, tab: str, col: int, text: str) -> None:
        widest = self._widest.setdefault(tab, {})
        widest[col] = max(widest.get(col, 0), len(text))

    # -- laying out ----------------------------------------------------------------------------------
    def lay_out(self, sheet: Worksheet) -> None:
        tab = sheet.title
        if tab and tab == self.manual_tab:
            self._lay_out_manual(sheet)
            return
        if tab not in (self.status_tab, self.history_tab, self.dashboard_tab):
            return
        sheet.freeze_panes = "A2"
        header = [cell.value for cell in sheet[1]]
        self._fit_widths(sheet, header)
        if tab != self.dashboard_tab:
            last = max(len(header), 1)
            sheet.auto_filter.ref = f"A1:{get_column_letter(last)}{max(sheet.max_row, 2)}"
        if tab == self.status_tab:
            positions = {
                _KEY_OF[normalise_header(str(title))]: col
                for col, title in enumerate(header, start=1)
                if title is not None and normalise_header(str(title)) in _KEY_OF
            }
            self._dropdown(sheet, positions.get("step_choice"))
            self._unit_dropdown(sheet, positions.get("unit") if self.units else None)
            self._late_colour(sheet, positions.get("late"), len(header))
            self._protect(sheet, header)
        self._widest.pop(tab, None)
        self._new_rows.pop(tab, None)

    def _lay_out_manual(self, sheet: Worksheet) -> None:
        """The Input Manual tab: frozen header, filter, widths, and the channel dropdown on "Saluran" (a
        warning, not a stop: a channel not in the list is accepted as typed). Nothing is protected: the
        admin types here."""
        sheet.freeze_panes = "A2"
        header = [cell.value for cell in sheet[1]]
        self._fit_widths(sheet, header)
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{max(sheet.max_row, 2)}"
        validations = sheet.data_validations
        validations.dataValidation = [dv for dv in validations.dataValidation if dv.prompt != CHANNEL_PROMPT]
        col = next(
            (
                i
                for i, title in enumerate(header, start=1)
                if normalise_header(title) == normalise_header(CHANNEL_HEADER)
            ),
            None,
        )
        if col is None:
            return
        dropdown = DataValidation(
            type="list",
            formula1='"' + ",".join(MANUAL_CHANNELS) + '"',
            allow_blank=True,
            showDropDown=False,  # (sic) False shows the in-cell arrow
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=CHANNEL_HEADER,
            error="Saluran ini tidak ada di daftar; tetap diterima seperti diketik.",
            showInputMessage=True,
            promptTitle=CHANNEL_HEADER,
            prompt=CHANNEL_PROMPT,
        )
        letter = get_column_letter(col)
        dropdown.add(f"{letter}2:{letter}{LAST_ROW}")
        validations.append(dropdown)
        self._widest.pop(sheet.title, None)

    def _fit_widths(self, sheet: Worksheet, header: list[object]) -> None:
        """Each column as wide as its header and the longest text written into it, up to its limit
        (Ringkasan's first row is content like any other: its columns are sized by what they hold)."""
        written = self._widest.get(sheet.title, {})
        dashboard = sheet.title == self.dashboard_tab
        for col, cell in enumerate(header, start=1):  # the first row reaches the last column in use
            title = None if dashboard else cell
            text = "" if title is None else str(title)
            key = _KEY_OF.get(normalise_header(text))
            if sheet.title == self.status_tab and key is not None:
                limit = width_px(key) // PIXELS_PER_CHARACTER
            elif dashboard:
                limit = _DASHBOARD_WIDTHS[0] if col == 1 else _DASHBOARD_WIDTHS[1]
            else:
                limit = width_px("") // PIXELS_PER_CHARACTER
            wanted = min(max(len(text), written.get(col, 0)) + 2, max(limit, len(text) + 2))
            dimension = sheet.column_dimensions[get_column_letter(col)]
            if (dimension.width or 0) < wanted:
                dimension.width = wanted

    def _dropdown(self, sheet: Worksheet, col: int | None) -> None:
        """The SOP's choices on the ``Tahap`` column (whole column), replacing the one laid before."""
        _warning_list(sheet, col, self._choices_formula(sheet), "Tahap", DROPDOWN_PROMPT, _WARNING)

    def _unit_dropdown(self, sheet: Worksheet, col: int | None) -> None:
        """The SOP's unit titles on "Unit Tujuan" (a warning too: an alias typed is accepted)."""
        formula = _list_formula(sheet, self.units, UNITS_TAB)
        error = "Unit ini tidak ada di daftar; nama lain (alias) unit tetap diterima."
        _warning_list(sheet, col, formula, "Unit Tujuan", UNIT_PROMPT, error)

    def _choices_formula(self, sheet: Worksheet) -> str:
        return _list_formula(sheet, self.choices, CHOICES_TAB)

    def _late_colour(self, sheet: Worksheet, col: int | None, width: int) -> None:
        """Late rows light red, whole rows, replacing the rule laid before (the column may have moved)."""
        ours = re.compile(r'LEFT\(\$[A-Z]+2,2\)="Ya"')
        kept = ConditionalFormattingList()
        for formatting in sheet.conditional_formatting:
            for rule in formatting.rules:
                if not any(ours.fullmatch(f) for f in rule.formula or []):
                    kept.add(formatting.sqref, rule)
        if col is not None:
            kept.add(
                f"A2:{get_column_letter(max(width, col))}{LAST_ROW}",
                FormulaRule(formula=[late_formula(get_column_letter(col))], fill=_LATE_FILL),
            )
        sheet.conditional_formatting = kept

    def _protect(self, sheet: Worksheet, header: list[object]) -> None:
        """Protect the sheet without a password; unlock the operator columns (cells and whole columns)."""
        protection = sheet.protection
        protection.sheet = True
        # In the file format, False means "not locked": the operators may still do these.
        protection.sort = protection.autoFilter = False
        protection.formatColumns = protection.formatRows = False
        new_rows = self._new_rows.get(sheet.title, set())
        for col, title in enumerate(header, start=1):
            if title is None or normalise_header(str(title)) not in _OPERATOR:
                continue
            dimension = sheet.column_dimensions[get_column_letter(col)]
            if dimension.protection.locked:  # first time here (or the column moved here): every row
                dimension.protection = _UNLOCKED
                rows: Sequence[int] = range(2, sheet.max_row + 1)
            else:
                rows = sorted(new_rows)
            for row in rows:
                sheet.cell(row, col).protection = _UNLOCKED


def _list_formula(sheet: Worksheet, items: Sequence[str], holder_tab: str) -> str:
    """A dropdown's list: inline when Excel allows it, else the range of a hidden tab holding it."""
    inline = ",".join(items)
    if len(inline) <= _INLINE_LIMIT and '"' not in inline and all("," not in t for t in items):
        return f'"{inline}"'
    book = sheet.parent
    holder = book[holder_tab] if holder_tab in book.sheetnames else book.create_sheet(holder_tab)
    holder.sheet_state = "hidden"
    holder.delete_rows(1, holder.max_row)
    for row, title in enumerate(items, start=1):
        set_text(holder.cell(row, 1), title)
    return f"'{holder_tab}'!$A$1:$A${len(items)}"


def _minute_text(moment: datetime) -> str:
    """A date cell as ``23/11/2026 08:15``, to the nearest minute: an office program that saved the file
    may leave 08:14:59.999 where 08:15 was written (dates are fractions of a day there)."""
    return (moment + timedelta(seconds=30)).replace(second=0, microsecond=0).strftime(DATE_TEXT)


def _date(text: str) -> datetime | None:
    """``23/11/2026 08:15`` as a (naive, wall-clock) datetime; None for anything else."""
    try:
        moment = datetime.strptime(text, DATE_TEXT)
    except ValueError:
        return None
    return moment if moment.strftime(DATE_TEXT) == text else None


def _shown(value: CellValue, number_format: str | None) -> CellValue:
    """A Ringkasan cell as the text the service wrote (a percent cell as ``66,7%``)."""
    if number_format == PERCENT_FORMAT and isinstance(value, int | float) and not isinstance(value, bool):
        return percent_text(value * 100)
    return value


def _warning_list(
    sheet: Worksheet, col: int | None, formula: str, title: str, prompt: str, error: str
) -> None:
    """A dropdown of ``formula``'s list on column ``col`` (whole column; none when ``col`` is None),
    replacing the one laid before (found by its ``prompt``). It warns and never refuses: what operators
    type otherwise (a number, an alias) is accepted and read by the service."""
    validations = sheet.data_validations
    validations.dataValidation = [dv for dv in validations.dataValidation if dv.prompt != prompt]
    if col is None:
        return
    dropdown = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showDropDown=False,  # (sic) False shows the in-cell arrow
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle=title,
        error=error,
        showInputMessage=True,
        promptTitle=title,
        prompt=prompt,
    )
    letter = get_column_letter(col)
    dropdown.add(f"{letter}2:{letter}{LAST_ROW}")
    validations.append(dropdown)
