"""batchUpdate requests acting on cells: formats, notes, validation, merges, sorting, filters,
copy/cut-paste, conditional formats and borders.

* repeatCell/updateCells apply their ``fields`` mask to each cell's CellData view (a missing masked
  field clears it: ``note: ""`` removes a note as recorded).
* mergeCells keeps only the top-left value of each merge; MERGE_COLUMNS/MERGE_ROWS produce one merge
  per column/row (recorded); merges fully inside the new range are replaced, partial overlaps fail.
* sortRange is stable; blanks sort last in both orders; numbers < text (case-insensitive) < booleans.
* setBasicFilter stores the filter with explicit bounds (``{sheetId}`` alone means the whole grid,
  recorded); sort specs in a filter are stored, not applied.
* copyPaste tiles the source over a larger destination; formulas are copied verbatim (references are
  not re-based — an approximation).
"""

from __future__ import annotations

import copy
from typing import Any

from . import fieldmask
from .batch_api import BatchContext, RequestError, handler
from .cells import Cell, ErrorValue
from .formats import mirror_colors
from .meta_api import cell_from_json, value_json
from .model import Box, Sheet, grid_range
from .render import Renderer

_MERGE_CONFLICT = "You must select all cells in a merged range to merge or unmerge them."


def cell_view(cell: Cell | None) -> dict[str, Any]:
    """The writable CellData fields of a stored cell."""
    if cell is None:
        return {}
    view: dict[str, Any] = copy.deepcopy(cell.extra)
    if cell.formula is not None:
        view["userEnteredValue"] = {"formulaValue": cell.formula}
    elif cell.value is not None:
        view["userEnteredValue"] = value_json(cell.value)
    if cell.fmt:
        view["userEnteredFormat"] = copy.deepcopy(cell.fmt)
    if cell.note:
        view["note"] = cell.note
    if cell.validation:
        view["dataValidation"] = copy.deepcopy(cell.validation)
    return view


def _apply(sheet: Sheet, r: int, c: int, data: dict[str, Any], mask: fieldmask.MaskTree | None) -> None:
    view = cell_view(sheet.cell(r, c))
    fieldmask.assign(view, data, mask)
    sheet.put(r, c, cell_from_json(view))


def _mask(payload: dict[str, Any]) -> fieldmask.MaskTree | None:
    fields = payload.get("fields")
    if not fields:
        raise RequestError("At least one field must be updated. Specify the fields to update with 'fields'.")
    return fieldmask.parse(str(fields))


@handler("repeatCell")
def repeat_cell(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """RepeatCellRequest: the same CellData (masked) on every cell of the range."""
    sheet, (r0, r1, c0, c1) = ctx.box(payload.get("range"))
    mask = _mask(payload)
    data = payload.get("cell") or {}
    for r in range(r0, r1):
        for c in range(c0, c1):
            _apply(sheet, r, c, data, mask)


@handler("updateCells")
def update_cells(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """UpdateCellsRequest with ``range`` (uncovered cells get masked fields cleared) or ``start``."""
    mask = _mask(payload)
    rows = payload.get("rows") or []
    if payload.get("range") is not None:
        sheet, (r0, r1, c0, c1) = ctx.box(payload["range"])
    else:
        start = payload.get("start") or {}
        sheet = ctx.sheet(start.get("sheetId"))
        r0, c0 = int(start.get("rowIndex") or 0), int(start.get("columnIndex") or 0)
        r1 = r0 + len(rows)
        c1 = c0 + max((len(row.get("values") or []) for row in rows), default=0)
        if r1 > sheet.rows or c1 > sheet.cols:
            raise RequestError(f"Attempting to write row: {r1 - 1}, beyond the last row of the sheet.")
    for i, r in enumerate(range(r0, r1)):
        values = (rows[i].get("values") or []) if i < len(rows) else []
        for j, c in enumerate(range(c0, c1)):
            _apply(sheet, r, c, values[j] if j < len(values) else {}, mask)


@handler("setDataValidation")
def set_data_validation(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """SetDataValidationRequest (no ``rule`` clears).  Rules are stored, not enforced on writes."""
    sheet, (r0, r1, c0, c1) = ctx.box(payload.get("range"))
    rule = payload.get("rule")
    for r in range(r0, r1):
        for c in range(c0, c1):
            cell = sheet.cell(r, c) or Cell()
            cell.validation = copy.deepcopy(rule) if rule else None
            sheet.put(r, c, cell)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _inside(inner: Box, outer: Box) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1] and outer[2] <= inner[2] and inner[3] <= outer[3]


def _release(sheet: Sheet, box: Box) -> None:
    for m in sheet.merges:
        if _overlaps(m, box) and not _inside(m, box):
            raise RequestError(_MERGE_CONFLICT)
    sheet.merges = [m for m in sheet.merges if not _inside(m, box)]


@handler("mergeCells")
def merge_cells(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """MergeCellsRequest (MERGE_ALL, MERGE_COLUMNS, MERGE_ROWS)."""
    sheet, box = ctx.box(payload.get("range"))
    r0, r1, c0, c1 = box
    kind = payload.get("mergeType") or "MERGE_ALL"
    if kind == "MERGE_ALL":
        pieces = [box]
    elif kind == "MERGE_COLUMNS":
        pieces = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    elif kind == "MERGE_ROWS":
        pieces = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    else:
        raise RequestError(f"Unknown merge type {kind}")
    _release(sheet, box)
    for piece in pieces:
        if (piece[1] - piece[0]) * (piece[3] - piece[2]) <= 1:
            continue
        sheet.merges.append(piece)
        for r in range(piece[0], piece[1]):
            for c in range(piece[2], piece[3]):
                cell = sheet.cell(r, c)
                if (r, c) != (piece[0], piece[2]) and cell is not None:
                    cell.clear_value()
                    sheet.put(r, c, cell)


@handler("unmergeCells")
def unmerge_cells(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """UnmergeCellsRequest."""
    sheet, box = ctx.box(payload.get("range"))
    _release(sheet, box)


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, float):
        return (0, value)
    if isinstance(value, ErrorValue):
        return (3, value.code)
    return (1, str(value).lower())


@handler("sortRange")
def sort_range(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """SortRangeRequest: stable multi-key sort of the rows of the range."""
    sheet, (r0, r1, c0, c1) = ctx.box(payload.get("range"))
    renderer = Renderer(ctx.ss, ctx.store.now)
    rows = [[sheet.cell(r, c) for c in range(c0, c1)] for r in range(r0, r1)]
    keys = [[renderer.effective(sheet, r, c) for c in range(c0, c1)] for r in range(r0, r1)]
    order = list(range(len(rows)))
    for spec in reversed(payload.get("sortSpecs") or []):
        col = int(spec.get("dimensionIndex") or 0) - c0
        desc = spec.get("sortOrder") == "DESCENDING"
        filled = [i for i in order if 0 <= col < len(keys[i]) and keys[i][col] not in (None, "")]
        blank = [i for i in order if i not in set(filled)]
        filled.sort(key=lambda i: _sort_key(keys[i][col]), reverse=desc)
        order = filled + blank
    for new_r, old_i in enumerate(order):
        for j, c in enumerate(range(c0, c1)):
            sheet.put(r0 + new_r, c, rows[old_i][j])


@handler("setBasicFilter")
def set_basic_filter(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """SetBasicFilterRequest (stored with explicit bounds)."""
    spec = copy.deepcopy(payload.get("filter") or {})
    sheet, box = ctx.box(spec.get("range"))
    spec["range"] = grid_range(box, sheet.sheet_id)
    spec["range"]["sheetId"] = sheet.sheet_id
    sheet.basic_filter = spec


@handler("clearBasicFilter")
def clear_basic_filter(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """ClearBasicFilterRequest."""
    ctx.sheet(payload.get("sheetId")).basic_filter = None


def _pasted(cell: Cell | None, value: Any, paste_type: str) -> Cell | None:
    if paste_type in ("PASTE_NORMAL", "PASTE_NO_BORDERS"):
        out = cell.clone() if cell else None
        if out and paste_type == "PASTE_NO_BORDERS" and out.fmt:
            out.fmt.pop("borders", None)
        return out
    out = Cell()
    if cell is None:
        return out
    if paste_type == "PASTE_VALUES":
        out.value = None if isinstance(value, ErrorValue) else value
    elif paste_type == "PASTE_FORMULA":
        out.value, out.formula = cell.value, cell.formula
    elif paste_type == "PASTE_FORMAT":
        out.fmt = copy.deepcopy(cell.fmt)
    elif paste_type == "PASTE_DATA_VALIDATION":
        out.validation = copy.deepcopy(cell.validation)
    return out


def _merge_into(sheet: Sheet, r: int, c: int, new: Cell | None, paste_type: str) -> None:
    old = sheet.cell(r, c)
    if paste_type in ("PASTE_NORMAL", "PASTE_NO_BORDERS") or new is None:
        sheet.put(r, c, new)
        return
    base = old.clone() if old else Cell()
    if paste_type in ("PASTE_VALUES", "PASTE_FORMULA"):
        base.value, base.formula = new.value, new.formula
    elif paste_type == "PASTE_FORMAT":
        base.fmt = new.fmt
    elif paste_type == "PASTE_DATA_VALIDATION":
        base.validation = new.validation
    sheet.put(r, c, base)


@handler("copyPaste")
def copy_paste(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """CopyPasteRequest (tiling, paste types, TRANSPOSE)."""
    src_sheet, (sr0, sr1, sc0, sc1) = ctx.box(payload.get("source"))
    dst_sheet, (dr0, dr1, dc0, dc1) = ctx.box(payload.get("destination"))
    paste_type = payload.get("pasteType") or "PASTE_NORMAL"
    transpose = payload.get("pasteOrientation") == "TRANSPOSE"
    renderer = Renderer(ctx.ss, ctx.store.now)
    h, w = sr1 - sr0, sc1 - sc0
    ph, pw = (w, h) if transpose else (h, w)
    rows_out = max(ph, (dr1 - dr0) // ph * ph) if ph else 0
    cols_out = max(pw, (dc1 - dc0) // pw * pw) if pw else 0
    source = {
        (i, j): _pasted(
            src_sheet.cell(sr0 + i, sc0 + j), renderer.effective(src_sheet, sr0 + i, sc0 + j), paste_type
        )
        for i in range(h)
        for j in range(w)
    }
    if dr0 + rows_out > dst_sheet.rows or dc0 + cols_out > dst_sheet.cols:
        raise RequestError("The destination range exceeds the grid limits.")
    for i in range(rows_out):
        for j in range(cols_out):
            si, sj = (j % pw, i % ph) if transpose else (i % ph, j % pw)
            src = source[(sj, si)] if transpose else source[(si, sj)]
            _merge_into(dst_sheet, dr0 + i, dc0 + j, copy.deepcopy(src), paste_type)


@handler("cutPaste")
def cut_paste(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """CutPasteRequest: move the source block to a destination coordinate."""
    src_sheet, (sr0, sr1, sc0, sc1) = ctx.box(payload.get("source"))
    dest = payload.get("destination") or {}
    dst_sheet = ctx.sheet(dest.get("sheetId"))
    dr0, dc0 = int(dest.get("rowIndex") or 0), int(dest.get("columnIndex") or 0)
    if dr0 + sr1 - sr0 > dst_sheet.rows or dc0 + sc1 - sc0 > dst_sheet.cols:
        raise RequestError("The destination range exceeds the grid limits.")
    paste_type = payload.get("pasteType") or "PASTE_NORMAL"
    block = {(r - sr0, c - sc0): src_sheet.cell(r, c) for r in range(sr0, sr1) for c in range(sc0, sc1)}
    for r in range(sr0, sr1):
        for c in range(sc0, sc1):
            src_sheet.put(r, c, None)
    for (i, j), cell in block.items():
        _merge_into(
            dst_sheet, dr0 + i, dc0 + j, _pasted(cell, cell.value if cell else None, paste_type), paste_type
        )


@handler("addConditionalFormatRule")
def add_conditional_format_rule(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """AddConditionalFormatRuleRequest (stored; exposed in spreadsheets.get)."""
    rule = copy.deepcopy(payload.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise RequestError("A conditional format rule must have at least one range.")
    sheet, _ = ctx.box(ranges[0])
    index = payload.get("index")
    sheet.conditional_formats.insert(len(sheet.conditional_formats) if index is None else int(index), rule)


@handler("deleteConditionalFormatRule")
def delete_conditional_format_rule(ctx: BatchContext, payload: dict[str, Any]) -> dict[str, Any]:
    """DeleteConditionalFormatRuleRequest -> the removed rule."""
    sheet = ctx.sheet(payload.get("sheetId"))
    index = int(payload.get("index") or 0)
    if not 0 <= index < len(sheet.conditional_formats):
        raise RequestError(f"No conditional format on sheet {sheet.sheet_id} at index {index}")
    return {"rule": sheet.conditional_formats.pop(index)}


@handler("updateBorders")
def update_borders(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """UpdateBordersRequest: outer and inner borders stored in each cell's format."""
    sheet, (r0, r1, c0, c1) = ctx.box(payload.get("range"))
    for r in range(r0, r1):
        for c in range(c0, c1):
            sides = {
                "top": payload.get("top") if r == r0 else payload.get("innerHorizontal"),
                "bottom": payload.get("bottom") if r == r1 - 1 else payload.get("innerHorizontal"),
                "left": payload.get("left") if c == c0 else payload.get("innerVertical"),
                "right": payload.get("right") if c == c1 - 1 else payload.get("innerVertical"),
            }
            sides = {k: v for k, v in sides.items() if v}
            if not sides:
                continue
            cell = sheet.cell(r, c) or Cell()
            fmt = dict(cell.fmt or {})
            borders = dict(fmt.get("borders") or {})
            borders.update({k: mirror_colors(v) for k, v in sides.items()})
            fmt["borders"] = borders
            cell.fmt = fmt
            sheet.put(r, c, cell)
