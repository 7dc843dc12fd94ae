"""batchUpdate requests acting on sheets, dimensions, named and protected ranges.

Sheet moves use the API's "index before the move" rule; deleting the last sheet, hiding every
sheet, duplicate titles and unknown ids fail with the real wording.  Dimension groups set
``rowGroupControlAfter``/``columnGroupControlAfter`` like the recordings show.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from . import fieldmask
from .a1 import parse_cells
from .batch_api import BatchContext, RequestError, handler
from .formats import normalize_sheet_props
from .meta_api import protected_json, public_range
from .model import Sheet
from .render import Renderer

_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")


def _mask(payload: dict[str, Any]) -> fieldmask.MaskTree | None:
    fields = payload.get("fields")
    if not fields:
        raise RequestError("At least one field must be updated. Specify the fields to update with 'fields'.")
    return fieldmask.parse(str(fields))


def _check_title(ctx: BatchContext, title: str, ignore: Sheet | None = None) -> None:
    for s in ctx.ss.sheets:
        if s is not ignore and s.title.lower() == title.lower():
            raise RequestError(f'A sheet with the name "{title}" already exists. Please enter another name.')


def _move(ctx: BatchContext, sheet: Sheet, index: int) -> None:
    old = ctx.ss.sheets.index(sheet)
    target = index if index <= old else index - 1
    ctx.ss.sheets.pop(old)
    ctx.ss.sheets.insert(max(0, min(target, len(ctx.ss.sheets))), sheet)
    ctx.ss.reindex()


@handler("addSheet")
def add_sheet(ctx: BatchContext, payload: dict[str, Any]) -> dict[str, Any]:
    """AddSheetRequest -> reply with the full new SheetProperties."""
    props = payload.get("properties") or {}
    n = len(ctx.ss.sheets) + 1
    while ctx.ss.sheet_by_title(f"Sheet{n}") is not None:
        n += 1
    title = str(props.get("title") or f"Sheet{n}")
    _check_title(ctx, title)
    sheet_id = props.get("sheetId")
    if sheet_id is not None and ctx.ss.sheet_by_id(int(sheet_id)) is not None:
        raise RequestError(f"A sheet with id {sheet_id} already exists.")
    gp = props.get("gridProperties") or {}
    sheet = Sheet.new(
        int(sheet_id) if sheet_id is not None else ctx.store.new_sheet_id(ctx.ss),
        title,
        0,
        int(gp.get("rowCount") or 1000),
        int(gp.get("columnCount") or 26),
    )
    if props.get("sheetType"):
        sheet.props["sheetType"] = props["sheetType"]
    for key, value in props.items():
        if key not in ("sheetId", "title", "index", "sheetType", "gridProperties") and value is not None:
            sheet.props[key] = copy.deepcopy(value)
    sheet.props["gridProperties"].update(
        {k: v for k, v in gp.items() if k not in ("rowCount", "columnCount")}
    )
    normalize_sheet_props(sheet.props)
    index = props.get("index")
    position = len(ctx.ss.sheets) if index is None else max(0, min(int(index), len(ctx.ss.sheets)))
    ctx.ss.sheets.insert(position, sheet)
    ctx.ss.reindex()
    return {"properties": copy.deepcopy(sheet.props)}


@handler("deleteSheet")
def delete_sheet(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """DeleteSheetRequest."""
    sheet = ctx.sheet(payload.get("sheetId"))
    if len(ctx.ss.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    ctx.ss.sheets.remove(sheet)
    ctx.ss.named_ranges = [
        n for n in ctx.ss.named_ranges if int(n["range"].get("sheetId", 0)) != sheet.sheet_id
    ]
    ctx.ss.reindex()


@handler("duplicateSheet")
def duplicate_sheet(ctx: BatchContext, payload: dict[str, Any]) -> dict[str, Any]:
    """DuplicateSheetRequest -> reply with the copy's properties."""
    source = ctx.sheet(payload.get("sourceSheetId"))
    title = str(payload.get("newSheetName") or f"Copy of {source.title}")
    _check_title(ctx, title)
    copy_sheet = copy.deepcopy(source)
    new_id = payload.get("newSheetId")
    copy_sheet.props["sheetId"] = int(new_id) if new_id is not None else ctx.store.new_sheet_id(ctx.ss)
    copy_sheet.props["title"] = title
    copy_sheet.props.pop("hidden", None)
    index = payload.get("insertSheetIndex")
    ctx.ss.sheets.insert(len(ctx.ss.sheets) if index is None else int(index), copy_sheet)
    ctx.ss.reindex()
    return {"properties": copy.deepcopy(copy_sheet.props)}


@handler("updateSheetProperties")
def update_sheet_properties(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """UpdateSheetPropertiesRequest (title, index, hidden, gridProperties, tab colour, ...)."""
    src = payload.get("properties") or {}
    sheet = ctx.sheet(src.get("sheetId"))
    mask = _mask(payload)
    new = copy.deepcopy(sheet.props)
    fieldmask.assign(new, src, mask)
    new["sheetId"] = sheet.sheet_id
    new.setdefault("sheetType", sheet.props.get("sheetType", "GRID"))
    title = new.get("title") or sheet.title
    if title != sheet.title:
        _check_title(ctx, str(title), ignore=sheet)
    if new.get("hidden") and all(s.props.get("hidden") for s in ctx.ss.sheets if s is not sheet):
        raise RequestError("You can't hide all the sheets in a document.")
    gp = new.setdefault("gridProperties", {})
    rows = int(gp.get("rowCount") or sheet.rows)
    cols = int(gp.get("columnCount") or sheet.cols)
    if rows < 1 or cols < 1:
        raise RequestError("Sheet must have at least one row and one column.")
    index = new.get("index", sheet.props["index"])
    new["title"] = title
    new["index"] = sheet.props["index"]
    gp["rowCount"], gp["columnCount"] = sheet.rows, sheet.cols
    sheet.props.clear()
    sheet.props.update(new)
    sheet.resize(rows, cols)
    if index != sheet.props["index"]:
        _move(ctx, sheet, int(index))
    normalize_sheet_props(sheet.props)


@handler("updateSpreadsheetProperties")
def update_spreadsheet_properties(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """UpdateSpreadsheetPropertiesRequest (title, locale, timeZone, ...)."""
    fieldmask.assign(ctx.ss.props, payload.get("properties") or {}, _mask(payload))


def _dimension(ctx: BatchContext, rng: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    sheet = ctx.sheet(rng.get("sheetId"))
    dim = str(rng.get("dimension") or "")
    if dim not in ("ROWS", "COLUMNS"):
        raise RequestError("Invalid dimension, must be ROWS or COLUMNS.")
    count = sheet.rows if dim == "ROWS" else sheet.cols
    start = int(rng.get("startIndex") or 0)
    end = int(rng["endIndex"]) if rng.get("endIndex") is not None else count
    if start < 0 or end < start:
        raise RequestError(f"Invalid range: startIndex {start}, endIndex {end}")
    return sheet, dim, start, end


@handler("insertDimension")
def insert_dimension(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """InsertDimensionRequest: shifts data, merges and ranges."""
    sheet, dim, start, end = _dimension(ctx, payload.get("range") or {})
    count = sheet.rows if dim == "ROWS" else sheet.cols
    if start > count:
        raise RequestError(f"Cannot insert at index {start}; the sheet has {count} {dim.lower()}.")
    if end > start:
        ctx.ss.shift(sheet, dim, start, end - start)


@handler("deleteDimension")
def delete_dimension(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """DeleteDimensionRequest."""
    sheet, dim, start, end = _dimension(ctx, payload.get("range") or {})
    count = sheet.rows if dim == "ROWS" else sheet.cols
    end = min(end, count)
    if start == 0 and end >= count:
        raise RequestError(f"You can't delete all the {dim.lower()} on the sheet.")
    if end > start:
        ctx.ss.shift(sheet, dim, start, start - end)


@handler("appendDimension")
def append_dimension(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """AppendDimensionRequest: grow the grid at the end."""
    sheet = ctx.sheet(payload.get("sheetId"))
    length = int(payload.get("length") or 0)
    if length <= 0:
        raise RequestError("length must be greater than zero.")
    if payload.get("dimension") == "ROWS":
        sheet.resize(rows=sheet.rows + length)
    else:
        sheet.resize(cols=sheet.cols + length)


@handler("updateDimensionProperties")
def update_dimension_properties(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """UpdateDimensionPropertiesRequest (pixelSize, hiddenByUser) over a DimensionRange."""
    sheet, dim, start, end = _dimension(ctx, payload.get("range") or {})
    mask = _mask(payload)
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    for i in range(start, end):
        entry = meta.setdefault(i, {})
        fieldmask.assign(entry, payload.get("properties") or {}, mask)


def text_width(text: str) -> int:
    """Approximate rendered width in px (Arial 10pt; calibrated on the recorded 1024 x 'A' -> 8691)."""
    width = 6.0
    for ch in text:
        if ch.isupper():
            width += 8.4814
        elif ch.isspace():
            width += 3.7
        elif ord(ch) > 0x2E80:
            width += 13.3
        elif ch.isalnum():
            width += 7.0
        else:
            width += 4.0
    return int(math.floor(width + 0.5))


@handler("autoResizeDimensions")
def auto_resize_dimensions(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """AutoResizeDimensionsRequest: columns fit their widest formatted value (empty columns keep
    their width); rows get the default height."""
    sheet, dim, start, end = _dimension(ctx, payload.get("dimensions") or {})
    renderer = Renderer(ctx.ss, ctx.store.now)
    for i in range(start, end):
        if dim == "ROWS":
            ctx_meta = sheet.row_meta.setdefault(i, {})
            ctx_meta["pixelSize"] = 21
            continue
        texts = [renderer.formatted(sheet, r, i) for r in range(len(sheet.grid))]
        widths = [text_width(t) for t in texts if t]
        if widths:
            sheet.col_meta.setdefault(i, {})["pixelSize"] = max(widths)


def _groups(sheet: Sheet, dim: str) -> list[dict[str, Any]]:
    return sheet.row_groups if dim == "ROWS" else sheet.column_groups


def _group_reply(sheet: Sheet, dim: str) -> dict[str, Any]:
    groups = [{**g, "range": public_range(g["range"])} for g in _groups(sheet, dim)]
    return {"dimensionGroups": groups} if groups else {}


@handler("addDimensionGroup")
def add_dimension_group(ctx: BatchContext, payload: dict[str, Any]) -> dict[str, Any]:
    """AddDimensionGroupRequest -> all groups of that dimension."""
    sheet, dim, start, end = _dimension(ctx, payload.get("range") or {})
    groups = _groups(sheet, dim)
    depth = 1 + sum(1 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"])
    rng = {"sheetId": sheet.sheet_id, "dimension": dim, "startIndex": start, "endIndex": end}
    groups.append({"range": rng, "depth": depth})
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))
    key = "rowGroupControlAfter" if dim == "ROWS" else "columnGroupControlAfter"
    sheet.props["gridProperties"][key] = True
    return _group_reply(sheet, dim)


@handler("deleteDimensionGroup")
def delete_dimension_group(ctx: BatchContext, payload: dict[str, Any]) -> dict[str, Any]:
    """DeleteDimensionGroupRequest -> the remaining groups (``{}`` when none)."""
    sheet, dim, start, end = _dimension(ctx, payload.get("range") or {})
    groups = _groups(sheet, dim)
    match = [g for g in groups if g["range"]["startIndex"] == start and g["range"]["endIndex"] == end]
    if not match:
        raise RequestError("No dimension group found for the given range.")
    groups.remove(max(match, key=lambda g: g["depth"]))
    return _group_reply(sheet, dim)


def _checked_name(ctx: BatchContext, name: Any, ignore_id: str | None = None) -> str:
    text = str(name or "")
    if not _NAME.match(text) or parse_cells(text) is not None or text.upper() in ("TRUE", "FALSE"):
        raise RequestError(f'The name "{text}" is not valid.')
    for nr in ctx.ss.named_ranges:
        if nr["namedRangeId"] != ignore_id and str(nr["name"]).lower() == text.lower():
            raise RequestError(f'A named range with the name "{text}" already exists.')
    return text


def _stored_range(ctx: BatchContext, gr: dict[str, Any]) -> dict[str, Any]:
    sheet, _ = ctx.box(gr)
    out: dict[str, Any] = {"sheetId": sheet.sheet_id}
    for key in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"):
        if gr.get(key) is not None:
            out[key] = int(gr[key])
    return out


@handler("addNamedRange")
def add_named_range(ctx: BatchContext, payload: dict[str, Any]) -> dict[str, Any]:
    """AddNamedRangeRequest -> ``{"namedRange": {...}}`` with a string id."""
    spec = payload.get("namedRange") or {}
    name = _checked_name(ctx, spec.get("name"))
    nr = {
        "namedRangeId": str(spec.get("namedRangeId") or ctx.store.new_object_id()),
        "name": name,
        "range": _stored_range(ctx, spec.get("range") or {}),
    }
    ctx.ss.named_ranges.append(nr)
    return {"namedRange": {**nr, "range": public_range(nr["range"])}}


def _named(ctx: BatchContext, named_id: Any) -> dict[str, Any]:
    for nr in ctx.ss.named_ranges:
        if nr["namedRangeId"] == str(named_id):
            return nr
    raise RequestError(f"No named range with id: {named_id}")


@handler("deleteNamedRange")
def delete_named_range(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """DeleteNamedRangeRequest."""
    ctx.ss.named_ranges.remove(_named(ctx, payload.get("namedRangeId")))


@handler("updateNamedRange")
def update_named_range(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """UpdateNamedRangeRequest (fields: name and/or range)."""
    spec = payload.get("namedRange") or {}
    nr = _named(ctx, spec.get("namedRangeId"))
    mask = _mask(payload)
    new = copy.deepcopy(nr)
    fieldmask.assign(new, spec, mask)
    new["namedRangeId"] = nr["namedRangeId"]
    new["name"] = _checked_name(ctx, new.get("name"), ignore_id=nr["namedRangeId"])
    new["range"] = _stored_range(ctx, new.get("range") or {})
    nr.clear()
    nr.update(new)


def _protected(ctx: BatchContext, pr_id: Any) -> tuple[Sheet, dict[str, Any]]:
    for sheet in ctx.ss.sheets:
        for pr in sheet.protected:
            if pr["protectedRangeId"] == int(pr_id or 0):
                return sheet, pr
    raise RequestError(f"No protected range with id: {pr_id}")


@handler("addProtectedRange")
def add_protected_range(ctx: BatchContext, payload: dict[str, Any]) -> dict[str, Any]:
    """AddProtectedRangeRequest -> ``{"protectedRange": {...}}`` (editors as given, owner added on GET)."""
    spec = dict(payload.get("protectedRange") or {})
    if spec.get("namedRangeId"):
        spec["range"] = _named(ctx, spec["namedRangeId"])["range"]
    sheet, _ = ctx.box(spec.get("range"))
    pr = {k: copy.deepcopy(v) for k, v in spec.items() if v is not None and k != "requestingUserCanEdit"}
    pr["protectedRangeId"] = int(spec.get("protectedRangeId") or ctx.store.new_object_id())
    pr["range"] = _stored_range(ctx, spec.get("range") or {})
    sheet.protected.append(pr)
    return {"protectedRange": protected_json(pr, None)}


@handler("deleteProtectedRange")
def delete_protected_range(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """DeleteProtectedRangeRequest."""
    sheet, pr = _protected(ctx, payload.get("protectedRangeId"))
    sheet.protected.remove(pr)


@handler("updateProtectedRange")
def update_protected_range(ctx: BatchContext, payload: dict[str, Any]) -> None:
    """UpdateProtectedRangeRequest (masked)."""
    spec = payload.get("protectedRange") or {}
    _, pr = _protected(ctx, spec.get("protectedRangeId"))
    fieldmask.assign(pr, spec, _mask(payload))
    pr["protectedRangeId"] = int(spec["protectedRangeId"])


def copy_sheet_to(ctx_source: BatchContext, sheet_id: int, dest: BatchContext) -> dict[str, Any]:
    """spreadsheets.sheets.copyTo: copy a sheet into another spreadsheet; returns its properties."""
    source = ctx_source.sheet(sheet_id)
    clone = copy.deepcopy(source)
    title = f"Copy of {source.title}"
    n = 2
    while dest.ss.sheet_by_title(title) is not None:
        title, n = f"Copy of {source.title} {n}", n + 1
    clone.props["sheetId"] = dest.store.new_sheet_id(dest.ss)
    clone.props["title"] = title
    clone.protected = []
    dest.ss.sheets.append(clone)
    dest.ss.reindex()
    return copy.deepcopy(clone.props)
