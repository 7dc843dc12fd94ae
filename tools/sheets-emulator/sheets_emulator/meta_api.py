"""spreadsheets.get / spreadsheets.create and the Spreadsheet JSON (metadata and grid data).

``includeGridData`` (``true``/``True``) or a field mask that reaches ``sheets.data`` adds GridData;
``ranges`` restricts the sheets and the data to those ranges; ``fields`` is applied afterwards and
GridData is then trimmed like the real API (trailing empty cells/rows dropped, empty rows as ``{}``,
empty ``rowData`` omitted: ``{"sheets": [{"data": [{}]}]}`` when no masked field exists).
Protected ranges list the owner (``account_email``) as editor; GridRanges omit ``sheetId`` 0.
"""

from __future__ import annotations

import copy
from typing import Any

from . import fieldmask
from .cells import Cell, ErrorValue, json_number
from .defaults import DEFAULT_COLUMN_WIDTH, DEFAULT_COLUMNS, DEFAULT_ROW_HEIGHT, DEFAULT_ROWS
from .errors import bad_request
from .formats import effective_format, mirror_colors, normalize_sheet_props
from .http_types import Request, Response, json_response
from .model import Box, Sheet, Spreadsheet, grid_range
from .ranges import resolve
from .render import Renderer
from .store import Store


def public_range(gr: dict[str, Any]) -> dict[str, Any]:
    """A stored GridRange/DimensionRange for output (``sheetId`` 0 omitted)."""
    out = {k: v for k, v in gr.items() if v is not None}
    if not out.get("sheetId"):
        out.pop("sheetId", None)
    return out


def protected_json(pr: dict[str, Any], owner: str | None) -> dict[str, Any]:
    """A ProtectedRange; with ``owner`` the editors include the owning account (GET shape)."""
    out: dict[str, Any] = {"protectedRangeId": pr["protectedRangeId"], "range": public_range(pr["range"])}
    for key in ("namedRangeId", "description"):
        if pr.get(key):
            out[key] = pr[key]
    if pr.get("warningOnly"):
        out["warningOnly"] = True
    if pr.get("unprotectedRanges"):
        out["unprotectedRanges"] = [public_range(r) for r in pr["unprotectedRanges"]]
    out["requestingUserCanEdit"] = True
    editors = {k: list(v) for k, v in (pr.get("editors") or {}).items() if v}
    if owner and not pr.get("warningOnly"):
        users = editors.setdefault("users", [])
        if owner not in users:
            users.insert(0, owner)
    out["editors"] = editors
    return out


def value_json(value: Any) -> dict[str, Any]:
    if isinstance(value, ErrorValue):
        return {"errorValue": {"type": "ERROR", "message": value.message or value.code}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, float):
        return {"numberValue": json_number(value)}
    return {"stringValue": value}


def cell_json(ss: Spreadsheet, renderer: Renderer, sheet: Sheet, r: int, c: int) -> dict[str, Any]:
    """CellData for one cell ({} when nothing is stored)."""
    cell: Cell | None = sheet.cell(r, c)
    if cell is None:
        return {}
    out: dict[str, Any] = {}
    if cell.has_value():
        out["userEnteredValue"] = {"formulaValue": cell.formula} if cell.formula else value_json(cell.value)
        effective = renderer.effective(sheet, r, c)
        if effective is not None:
            out["effectiveValue"] = value_json(effective)
        formatted = renderer.formatted(sheet, r, c)
        if formatted is not None:
            out["formattedValue"] = formatted
    if cell.fmt:
        out["userEnteredFormat"] = copy.deepcopy(cell.fmt)
    if cell.has_value() or cell.fmt:
        out["effectiveFormat"] = effective_format(ss.props.get("defaultFormat", {}), cell.fmt)
    if cell.note:
        out["note"] = cell.note
    if cell.validation:
        out["dataValidation"] = copy.deepcopy(cell.validation)
    out.update(copy.deepcopy(cell.extra))
    return out


def _dimension_meta(meta: dict[int, dict[str, Any]], index: int, default: int) -> dict[str, Any]:
    out = {"pixelSize": default}
    out.update({k: v for k, v in meta.get(index, {}).items() if v not in (None, False)})
    return out


def grid_data(ss: Spreadsheet, renderer: Renderer, sheet: Sheet, box: Box) -> dict[str, Any]:
    """GridData of ``box``: rowData (untrimmed cell dicts) and dimension metadata."""
    r0, r1, c0, c1 = box
    out: dict[str, Any] = {}
    if r0:
        out["startRow"] = r0
    if c0:
        out["startColumn"] = c0
    rows = []
    for r in range(r0, min(r1, len(sheet.grid))):
        width = min(c1, len(sheet.grid[r]))
        rows.append({"values": [cell_json(ss, renderer, sheet, r, c) for c in range(c0, width)]})
    out["rowData"] = rows
    out["rowMetadata"] = [_dimension_meta(sheet.row_meta, r, DEFAULT_ROW_HEIGHT) for r in range(r0, r1)]
    out["columnMetadata"] = [_dimension_meta(sheet.col_meta, c, DEFAULT_COLUMN_WIDTH) for c in range(c0, c1)]
    return out


def trim_grid(doc: dict[str, Any]) -> None:
    """In place: drop trailing empty cells/rows of every GridData, empty rows become {}."""
    for sheet in doc.get("sheets", []) or []:
        for data in sheet.get("data", []) or []:
            rows = data.get("rowData")
            if not isinstance(rows, list):
                continue
            for row in rows:
                values = row.get("values")
                if isinstance(values, list):
                    while values and not values[-1]:
                        values.pop()
                    if not values:
                        row.pop("values")
            while rows and not rows[-1]:
                rows.pop()
            if not rows:
                data.pop("rowData")


def sheet_json(ss: Spreadsheet, sheet: Sheet, owner: str) -> dict[str, Any]:
    """Sheet metadata without grid data."""
    out: dict[str, Any] = {"properties": copy.deepcopy(sheet.props)}
    if sheet.merges:
        out["merges"] = [public_range(grid_range(m, sheet.sheet_id)) for m in sheet.merges]
    if sheet.conditional_formats:
        out["conditionalFormats"] = [
            {**copy.deepcopy(cf), "ranges": [public_range(r) for r in cf.get("ranges", [])]}
            for cf in sheet.conditional_formats
        ]
    if sheet.protected:
        out["protectedRanges"] = [protected_json(pr, owner) for pr in sheet.protected]
    if sheet.basic_filter is not None:
        bf = copy.deepcopy(sheet.basic_filter)
        bf["range"] = public_range(bf["range"])
        out["basicFilter"] = bf
    if sheet.row_groups:
        out["rowGroups"] = [{**g, "range": public_range(g["range"])} for g in sheet.row_groups]
    if sheet.column_groups:
        out["columnGroups"] = [{**g, "range": public_range(g["range"])} for g in sheet.column_groups]
    return out


def spreadsheet_json(
    store: Store,
    ss: Spreadsheet,
    *,
    include_data: bool = False,
    ranges: list[str] | None = None,
) -> dict[str, Any]:
    """The full Spreadsheet resource (before field masks)."""
    renderer = Renderer(ss, store.now)
    boxes: dict[int, list[Box]] = {}
    if ranges:
        for text in ranges:
            t = resolve(ss, text)
            boxes.setdefault(t.sheet.sheet_id, []).append(t.box)
    sheets = []
    for sheet in ss.sheets:
        if ranges and sheet.sheet_id not in boxes:
            continue
        sj = sheet_json(ss, sheet, store.account_email)
        if include_data:
            wanted = boxes.get(sheet.sheet_id) or [(0, sheet.rows, 0, sheet.cols)]
            sj["data"] = [grid_data(ss, renderer, sheet, b) for b in wanted]
        sheets.append(sj)
    out: dict[str, Any] = {"spreadsheetId": ss.id, "properties": copy.deepcopy(ss.props), "sheets": sheets}
    if ss.named_ranges:
        out["namedRanges"] = [{**nr, "range": public_range(nr["range"])} for nr in ss.named_ranges]
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{ss.id}/edit"
    return out


def render_spreadsheet(store: Store, ss: Spreadsheet, req: Request) -> dict[str, Any]:
    """spreadsheets.get reply honouring includeGridData, ranges and fields."""
    try:
        mask = fieldmask.parse(req.param("fields"))
    except ValueError as exc:
        raise bad_request(f"Invalid field selection {req.param('fields')}") from exc
    include = req.flag("includeGridData")
    if mask is not None:
        sheets_mask = mask.get("sheets")
        include = sheets_mask is not None and (not sheets_mask or "data" in sheets_mask or "*" in sheets_mask)
    doc = spreadsheet_json(store, ss, include_data=include, ranges=req.params_all("ranges"))
    doc = fieldmask.select(doc, mask)
    trim_grid(doc)
    return doc


def spreadsheets_get(store: Store, req: Request, sid: str) -> Response:
    """GET /v4/spreadsheets/{id}."""
    return json_response(render_spreadsheet(store, store.get(sid), req))


_KNOWN_CELL_KEYS = ("userEnteredValue", "userEnteredFormat", "note", "dataValidation")
_COMPUTED_KEYS = ("effectiveValue", "formattedValue", "effectiveFormat")


def cell_from_json(data: dict[str, Any]) -> Cell:
    """A stored Cell from writable CellData fields (computed fields are ignored)."""
    cell = Cell()
    cell.extra = {
        k: copy.deepcopy(v)
        for k, v in data.items()
        if k not in _KNOWN_CELL_KEYS and k not in _COMPUTED_KEYS and v is not None
    }
    uev = data.get("userEnteredValue") or {}
    if "formulaValue" in uev:
        cell.formula = str(uev["formulaValue"])
    elif "numberValue" in uev:
        cell.value = float(uev["numberValue"])
    elif "boolValue" in uev:
        cell.value = bool(uev["boolValue"])
    elif uev.get("stringValue") not in (None, ""):
        cell.value = str(uev["stringValue"])
    if data.get("userEnteredFormat"):
        cell.fmt = mirror_colors(data["userEnteredFormat"])
    cell.note = data.get("note") or None
    cell.validation = data.get("dataValidation") or None
    return cell


def spreadsheets_create(store: Store, req: Request) -> Response:
    """POST /v4/spreadsheets: properties, sheets (with optional initial data) and named ranges."""
    body = req.json()
    props = body.get("properties") or {}
    ss = store.create(
        str(props.get("title") or "Untitled spreadsheet"),
        locale=props.get("locale"),
        time_zone=props.get("timeZone"),
    )
    for key in ("autoRecalc", "defaultFormat", "iterativeCalculationSettings"):
        if props.get(key) is not None:
            ss.props[key] = props[key]
    specs = body.get("sheets") or []
    if specs:
        ss.sheets = []
    for index, spec in enumerate(specs):
        sp = spec.get("properties") or {}
        gp = sp.get("gridProperties") or {}
        sheet_id = sp.get("sheetId")
        if sheet_id is None:
            sheet_id = 0 if index == 0 else store.new_sheet_id(ss)
        sheet = Sheet.new(
            int(sheet_id),
            str(sp.get("title") or f"Sheet{index + 1}"),
            index,
            int(gp.get("rowCount") or DEFAULT_ROWS),
            int(gp.get("columnCount") or DEFAULT_COLUMNS),
        )
        for key, value in sp.items():
            if key not in ("sheetId", "title", "index", "gridProperties") and value is not None:
                sheet.props[key] = value
        sheet.props["gridProperties"].update(
            {k: v for k, v in gp.items() if k not in ("rowCount", "columnCount")}
        )
        normalize_sheet_props(sheet.props)
        for grid in spec.get("data") or []:
            r0, c0 = int(grid.get("startRow") or 0), int(grid.get("startColumn") or 0)
            for i, row in enumerate(grid.get("rowData") or []):
                for j, value in enumerate(row.get("values") or []):
                    sheet.put(r0 + i, c0 + j, cell_from_json(value))
        ss.sheets.append(sheet)
    for nr in body.get("namedRanges") or []:
        ss.named_ranges.append({"namedRangeId": str(store.new_object_id()), **nr})
    return json_response(spreadsheet_json(store, ss))
