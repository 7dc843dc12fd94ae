"""Planning and applying value writes (values.update / batchUpdate / append).

Contracts (recordings + public reports of the real API):

* ``values`` must be a list of lists, else 400 ``Invalid value at 'data.values' (...ListValue), "X"``.
* ``null`` entries leave cells untouched and are not counted; ``""`` clears a value and counts.
* A range written as one cell (``B2``) is a start point: data may extend from it.  Any other
  range bounds the data: 400 ``Requested writing within range [R], but tried writing to row [N]``
  (or ``column [C]``).
* Conclusion on grid growth (recorded behaviour reported in gspread/Home Assistant issues:
  ``Range (Solar!Y1) exceeds grid limits`` on an update, ``append`` documented as adding rows):
  values.update/batchUpdate never expand the grid and answer 400 ``Range (...) exceeds grid limits.
  Max rows: R, max columns: C``; values.append adds rows as needed but not columns.
* ``updatedRange`` is the box spanned by the data (rows x longest row) from the start cell;
  ``updatedRows``/``updatedColumns`` count rows/columns with at least one written cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .a1 import col_to_letters, format_range
from .cells import Cell
from .entry import Entered, parse_raw, parse_user_entered
from .errors import ApiError, bad_request, exceeds_grid, invalid_value
from .model import Sheet, Spreadsheet
from .ranges import Target

LIST_VALUE = "type.googleapis.com/google.protobuf.ListValue"
INPUT_OPTIONS = ("RAW", "USER_ENTERED")


@dataclass
class WritePlan:
    """Cells to write into one sheet, validated but not yet applied."""

    sheet: Sheet
    start_row: int
    start_col: int
    n_rows: int
    n_cols: int
    cells: list[tuple[int, int, Entered]] = field(default_factory=list)

    @property
    def range_text(self) -> str:
        """Canonical ``updatedRange``."""
        return format_range(
            self.sheet.title,
            self.start_row,
            self.start_row + max(self.n_rows, 1),
            self.start_col,
            self.start_col + max(self.n_cols, 1),
        )

    def stats(self) -> dict[str, Any]:
        """``updatedRange``/``updatedRows``/``updatedColumns``/``updatedCells``."""
        out: dict[str, Any] = {"updatedRange": self.range_text}
        if self.cells:
            out["updatedRows"] = len({r for r, _, _ in self.cells})
            out["updatedColumns"] = len({c for _, c, _ in self.cells})
            out["updatedCells"] = len(self.cells)
        return out


def check_values(values: Any, field_name: str = "data.values") -> list[list[Any]]:
    """Validate the proto ListValue shape of ``values``."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise invalid_value(field_name, values, LIST_VALUE)
    for i, row in enumerate(values):
        if not isinstance(row, list):
            raise invalid_value(f"{field_name}[{i}]", row, LIST_VALUE)
    return values


def check_input_option(option: Any) -> str:
    """valueInputOption is mandatory for writes."""
    if option in (None, "", "INPUT_VALUE_OPTION_UNSPECIFIED"):
        raise bad_request("'valueInputOption' is required but not specified")
    if option not in INPUT_OPTIONS:
        raise bad_request(
            f"Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), \"{option}\""
        )
    return str(option)


def _orient(values: list[list[Any]], major: str | None) -> list[list[Any]]:
    if major != "COLUMNS":
        return values
    height = max((len(col) for col in values), default=0)
    return [[col[r] if r < len(col) else None for col in values] for r in range(height)]


def plan_write(
    ss: Spreadsheet,
    target: Target,
    values: list[list[Any]],
    major: str | None,
    option: str,
    *,
    start: tuple[int, int] | None = None,
    allow_row_growth: bool = False,
) -> WritePlan:
    """Validate a write of ``values`` into ``target`` (or at ``start``) and return the plan."""
    matrix = _orient(values, major)
    sheet = target.sheet
    r0, c0 = start if start is not None else (target.box[0], target.box[2])
    n_rows = len(matrix)
    n_cols = max((len(row) for row in matrix), default=0)
    if start is None and not target.single:
        tr0, tr1, tc0, tc1 = target.box
        if n_rows > tr1 - tr0:
            raise bad_request(
                f"Requested writing within range [{target.text}], but tried writing to row [{tr0 + (tr1 - tr0) + 1}]"
            )
        if n_cols > tc1 - tc0:
            raise bad_request(
                f"Requested writing within range [{target.text}], but tried writing to column "
                f"[{col_to_letters(tc1)}]"
            )
    end_row, end_col = r0 + max(n_rows, 1), c0 + max(n_cols, 1)
    too_tall = end_row > sheet.rows and not allow_row_growth
    if too_tall or end_col > sheet.cols or r0 >= sheet.rows and not allow_row_growth:
        raise exceeds_grid(format_range(sheet.title, r0, end_row, c0, end_col), sheet.rows, sheet.cols)
    plan = WritePlan(sheet, r0, c0, n_rows, n_cols)
    for i, row in enumerate(matrix):
        for j, raw in enumerate(row):
            if raw is None:
                continue
            if isinstance(raw, dict | list):
                raise invalid_value(
                    f"data.values[{i}].values[{j}]", raw, "type.googleapis.com/google.protobuf.Value"
                )
            entered = parse_raw(raw) if option == "RAW" else parse_user_entered(raw, ss.rules)
            plan.cells.append((r0 + i, c0 + j, entered))
    return plan


def apply_plan(plan: WritePlan) -> None:
    """Write the planned cells (grows rows for append plans)."""
    sheet = plan.sheet
    if plan.start_row + plan.n_rows > sheet.rows:
        sheet.resize(rows=plan.start_row + plan.n_rows)
    for r, c, entered in plan.cells:
        cell = sheet.cell(r, c) or Cell()
        cell.value, cell.formula = entered.value, entered.formula
        if entered.number_format:
            cell.fmt = dict(cell.fmt or {})
            cell.fmt["numberFormat"] = dict(entered.number_format)
        sheet.put(r, c, cell)


def totals(plans: list[WritePlan]) -> dict[str, int]:
    """``totalUpdated*`` of a values.batchUpdate."""
    rows = {(p.sheet.sheet_id, r) for p in plans for r, _, _ in p.cells}
    cols = {(p.sheet.sheet_id, c) for p in plans for _, c, _ in p.cells}
    cells = sum(len(p.cells) for p in plans)
    sheets = {p.sheet.sheet_id for p in plans if p.cells}
    return {
        "totalUpdatedRows": len(rows),
        "totalUpdatedColumns": len(cols),
        "totalUpdatedCells": cells,
        "totalUpdatedSheets": len(sheets),
    }


def find_table(sheet: Sheet, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The "logical table" values.append appends after: the contiguous region around the first
    non-empty cell inside ``box`` (Excel-style current region), or None when ``box`` is empty."""
    r0, r1, c0, c1 = box

    def filled(r: int, c: int) -> bool:
        cell = sheet.cell(r, c)
        return cell is not None and cell.has_value()

    first = next(
        (
            (r, c)
            for r in range(r0, min(r1, len(sheet.grid)))
            for c in range(c0, min(c1, len(sheet.grid[r])))
            if filled(r, c)
        ),
        None,
    )
    if first is None:
        return None
    top, bottom, left, right = first[0], first[0] + 1, first[1], first[1] + 1
    changed = True
    while changed:
        changed = False
        lo_c, hi_c = max(left - 1, 0), min(right + 1, sheet.cols)
        if bottom < sheet.rows and any(filled(bottom, c) for c in range(lo_c, hi_c)):
            bottom, changed = bottom + 1, True
        if top > 0 and any(filled(top - 1, c) for c in range(lo_c, hi_c)):
            top, changed = top - 1, True
        lo_r, hi_r = max(top - 1, 0), min(bottom + 1, sheet.rows)
        if right < sheet.cols and any(filled(r, right) for r in range(lo_r, hi_r)):
            right, changed = right + 1, True
        if left > 0 and any(filled(r, left - 1) for r in range(lo_r, hi_r)):
            left, changed = left - 1, True
    return top, bottom, left, right


def ensure_option(value: Any, allowed: tuple[str, ...], name: str, default: str) -> str:
    """Validate an enum parameter (None -> default)."""
    if value in (None, ""):
        return default
    if value not in allowed:
        raise ApiError(400, f"Invalid value at '{name}', \"{value}\"")
    return str(value)
