"""spreadsheets.values.* handlers: get, batchGet, update, batchUpdate, append, clear, batchClear.

Reply shapes follow the recordings: ``{"range", "majorDimension", "values"?}`` (no ``values`` key
for an empty range), ``updatedRange/updatedRows/updatedColumns/updatedCells``, ``totalUpdated*`` plus
``responses`` for batchUpdate, ``tableRange`` (only when a table was found) plus ``updates`` for
append, ``clearedRange(s)`` for clears.  ``includeValuesInResponse`` adds ``updatedData``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .http_types import Request, Response, json_response, truthy
from .model import Spreadsheet
from .ranges import Target, resolve
from .render import DATE_OPTIONS, VALUE_OPTIONS, Renderer
from .store import Store
from .writes import (
    WritePlan,
    apply_plan,
    check_input_option,
    check_values,
    ensure_option,
    find_table,
    plan_write,
    totals,
)

MAJOR = ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED")


def _major(value: Any) -> str:
    major = ensure_option(value, MAJOR, "major_dimension", "ROWS")
    return "ROWS" if major == "DIMENSION_UNSPECIFIED" else major


def value_range(
    store: Store, ss: Spreadsheet, target: Target, major: str, option: str, dt: str
) -> dict[str, Any]:
    """A ValueRange reply for a resolved target."""
    out: dict[str, Any] = {"range": target.text, "majorDimension": major}
    values = Renderer(ss, store.now).read(target.sheet, target.box, major, option, dt)
    if values:
        out["values"] = values
    return out


def _read_options(req: Request) -> tuple[str, str, str]:
    return (
        _major(req.param("majorDimension")),
        ensure_option(
            req.param("valueRenderOption"), VALUE_OPTIONS, "value_render_option", "FORMATTED_VALUE"
        ),
        ensure_option(
            req.param("dateTimeRenderOption"), DATE_OPTIONS, "date_time_render_option", "SERIAL_NUMBER"
        ),
    )


def values_get(store: Store, req: Request, sid: str, raw_range: str) -> Response:
    """GET /v4/spreadsheets/{id}/values/{range}."""
    ss = store.get(sid)
    major, option, dt = _read_options(req)
    return json_response(value_range(store, ss, resolve(ss, unquote(raw_range)), major, option, dt))


def values_batch_get(store: Store, req: Request, sid: str) -> Response:
    """GET /v4/spreadsheets/{id}/values:batchGet?ranges=...&ranges=..."""
    ss = store.get(sid)
    major, option, dt = _read_options(req)
    targets = [resolve(ss, r) for r in req.params_all("ranges")]
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if targets:
        out["valueRanges"] = [value_range(store, ss, t, major, option, dt) for t in targets]
    return json_response(out)


def _updated_data(
    store: Store, ss: Spreadsheet, plan: WritePlan, body: dict[str, Any], req: Request
) -> dict[str, Any]:
    option = ensure_option(
        body.get("responseValueRenderOption") or req.param("responseValueRenderOption"),
        VALUE_OPTIONS,
        "response_value_render_option",
        "FORMATTED_VALUE",
    )
    dt = ensure_option(
        body.get("responseDateTimeRenderOption") or req.param("responseDateTimeRenderOption"),
        DATE_OPTIONS,
        "response_date_time_render_option",
        "SERIAL_NUMBER",
    )
    box = (
        plan.start_row,
        plan.start_row + max(plan.n_rows, 1),
        plan.start_col,
        plan.start_col + max(plan.n_cols, 1),
    )
    return value_range(store, ss, Target(plan.sheet, box, False), "ROWS", option, dt)


def _update_reply(
    store: Store, ss: Spreadsheet, plan: WritePlan, include: bool, body: dict[str, Any], req: Request
) -> dict[str, Any]:
    reply: dict[str, Any] = {"spreadsheetId": ss.id, **plan.stats()}
    if include:
        reply["updatedData"] = _updated_data(store, ss, plan, body, req)
    return reply


def _write_target(ss: Spreadsheet, a1: str) -> Target:
    """A single-cell start may lie anywhere (data extent is checked later); a range must fit the grid."""
    target = resolve(ss, a1, check_grid=False)
    return target if target.single else resolve(ss, a1)


def values_update(store: Store, req: Request, sid: str, raw_range: str) -> Response:
    """PUT /v4/spreadsheets/{id}/values/{range}?valueInputOption=..."""
    ss = store.get(sid)
    body = req.json()
    values = check_values(body.get("values"))
    option = check_input_option(req.param("valueInputOption"))
    target = _write_target(ss, unquote(raw_range))
    plan = plan_write(ss, target, values, body.get("majorDimension"), option)
    apply_plan(plan)
    store.touch(ss)
    return json_response(_update_reply(store, ss, plan, req.flag("includeValuesInResponse"), {}, req))


def values_batch_update(store: Store, req: Request, sid: str) -> Response:
    """POST /v4/spreadsheets/{id}/values:batchUpdate (all-or-nothing)."""
    ss = store.get(sid)
    body = req.json()
    option = check_input_option(body.get("valueInputOption"))
    plans = []
    for i, item in enumerate(body.get("data") or []):
        values = check_values(item.get("values"), f"data[{i}].values")
        target = _write_target(ss, str(item.get("range", "")))
        plans.append(plan_write(ss, target, values, item.get("majorDimension"), option))
    for plan in plans:
        apply_plan(plan)
    if plans:
        store.touch(ss)
    include = truthy(body.get("includeValuesInResponse"))
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if plans:
        out.update(totals(plans))
        out["responses"] = [_update_reply(store, ss, p, include, body, req) for p in plans]
    return json_response(out)


def values_append(store: Store, req: Request, sid: str, raw_range: str) -> Response:
    """POST /v4/spreadsheets/{id}/values/{range}:append."""
    ss = store.get(sid)
    body = req.json()
    values = check_values(body.get("values"))
    option = check_input_option(req.param("valueInputOption"))
    insert = ensure_option(
        req.param("insertDataOption"), ("OVERWRITE", "INSERT_ROWS"), "insert_data_option", "OVERWRITE"
    )
    target = resolve(ss, unquote(raw_range))
    table = find_table(target.sheet, target.box)
    start = (table[1], table[2]) if table else (target.box[0], target.box[2])
    plan = plan_write(
        ss, target, values, body.get("majorDimension"), option, start=start, allow_row_growth=True
    )
    if insert == "INSERT_ROWS" and plan.n_rows and start[0] < target.sheet.rows:
        ss.shift(target.sheet, "ROWS", start[0], plan.n_rows)
    apply_plan(plan)
    store.touch(ss)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if table:
        out["tableRange"] = Target(target.sheet, table, False).text
    out["updates"] = _update_reply(store, ss, plan, req.flag("includeValuesInResponse"), {}, req)
    return json_response(out)


def _clear(target: Target) -> None:
    sheet = target.sheet
    r0, r1, c0, c1 = target.box
    for r in range(r0, min(r1, len(sheet.grid))):
        for c in range(c0, min(c1, len(sheet.grid[r]))):
            cell = sheet.cell(r, c)
            if cell is not None:
                cell.clear_value()
                sheet.put(r, c, cell)


def values_clear(store: Store, req: Request, sid: str, raw_range: str) -> Response:
    """POST /v4/spreadsheets/{id}/values/{range}:clear (values only; formats stay)."""
    ss = store.get(sid)
    target = resolve(ss, unquote(raw_range))
    _clear(target)
    store.touch(ss)
    return json_response({"spreadsheetId": ss.id, "clearedRange": target.text})


def values_batch_clear(store: Store, req: Request, sid: str) -> Response:
    """POST /v4/spreadsheets/{id}/values:batchClear {"ranges": [...]}."""
    ss = store.get(sid)
    targets = [resolve(ss, str(r)) for r in (req.json().get("ranges") or [])]
    for t in targets:
        _clear(t)
    store.touch(ss)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if targets:
        out["clearedRanges"] = [t.text for t in targets]
    return json_response(out)
