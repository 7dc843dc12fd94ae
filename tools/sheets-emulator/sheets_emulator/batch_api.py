"""spreadsheets.batchUpdate: dispatch, atomicity, error wording and replies.

* Each request object must hold exactly one known kind, else the real proto error
  ``Invalid JSON payload received. Unknown name "x" at 'requests[0]': Cannot find field.``
* Failures inside a request answer 400 ``Invalid requests[i].<kind>: <message>`` (recorded wording,
  e.g. ``You can't hide all the sheets in a document.``) and nothing is applied: multi-request
  batches run on a copy that replaces the spreadsheet only on success; single requests validate
  before they mutate.
* ``replies`` has one entry per request: ``{}`` or ``{"<kind>": {...}}`` (addSheet, addNamedRange,
  addProtectedRange, add/deleteDimensionGroup, duplicateSheet, deleteConditionalFormatRule).
* ``includeSpreadsheetInResponse`` adds ``updatedSpreadsheet``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import bad_request, unknown_field
from .http_types import Request, Response, json_response, truthy
from .meta_api import spreadsheet_json
from .model import Box, Sheet, Spreadsheet, box_of
from .store import Store


class RequestError(Exception):
    """A failure of one batchUpdate request; wrapped with ``Invalid requests[i].<kind>:``."""


@dataclass
class BatchContext:
    """What request handlers get: the store and the (working copy of the) spreadsheet."""

    store: Store
    ss: Spreadsheet

    def sheet(self, sheet_id: Any) -> Sheet:
        """Sheet by id or RequestError ``No grid with id: N``."""
        sheet = self.ss.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise RequestError(f"No grid with id: {int(sheet_id or 0)}")
        return sheet

    def box(self, gr: dict[str, Any] | None) -> tuple[Sheet, Box]:
        """Resolve a GridRange within its sheet's grid (RequestError when outside it)."""
        gr = gr or {}
        sheet = self.sheet(gr.get("sheetId"))
        box = box_of(gr, sheet.rows, sheet.cols)
        r0, r1, c0, c1 = box
        if r0 < 0 or c0 < 0 or r1 > sheet.rows or c1 > sheet.cols or r0 > r1 or c0 > c1:
            raise RequestError(
                f"Range ({sheet.title}!R{r0 + 1}C{c0 + 1}:R{r1}C{c1}) exceeds grid limits. "
                f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )
        return sheet, box


Handler = Callable[[BatchContext, dict[str, Any]], dict[str, Any] | None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register a request handler for ``kind``."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def apply_requests(store: Store, ss: Spreadsheet, requests: Any) -> tuple[Spreadsheet, list[dict[str, Any]]]:
    """Run requests; returns (resulting spreadsheet, replies).  Raises ApiError, applying nothing."""
    if not isinstance(requests, list):
        raise bad_request("Invalid value at 'requests' (type.googleapis.com/google.apps.sheets.v4.Request)")
    work = _working_copy(ss, requests) if len(requests) > 1 else ss
    ctx = BatchContext(store, work)
    replies: list[dict[str, Any]] = []
    for i, item in enumerate(requests):
        if not isinstance(item, dict) or not item:
            raise bad_request(f"Invalid requests[{i}]: No request set.")
        kinds = [k for k, v in item.items() if v is not None]
        for kind in kinds:
            if kind not in HANDLERS:
                raise unknown_field(kind, f"requests[{i}]")
        if len(kinds) != 1:
            raise bad_request(f"Invalid requests[{i}]: exactly one request kind must be set.")
        kind = kinds[0]
        payload = item[kind] if isinstance(item[kind], dict) else {}
        try:
            reply = HANDLERS[kind](ctx, payload)
        except RequestError as exc:
            raise bad_request(f"Invalid requests[{i}].{kind}: {exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise bad_request(f"Invalid requests[{i}].{kind}: {exc!r}") from exc
        replies.append({kind: reply} if reply is not None else {})
    return work, replies


# Request kinds that change only the one sheet their payload names (and the spreadsheet's named
# ranges, for a dimension change): a batch of only these copies only those sheets.
_ONE_SHEET = {"insertDimension", "appendDimension", "deleteDimension", "updateCells"}


def _working_copy(ss: Spreadsheet, requests: Any) -> Spreadsheet:
    """The copy a multi-request batch runs on (it replaces ``ss`` only on success).

    Deep-copying every tab of a large spreadsheet for each batch (a 50,000-row response tab to insert
    a few status rows) costs seconds and is no behaviour of the API; a batch of ``_ONE_SHEET`` requests
    copies only the sheets it names, the others are shared (it cannot change them)."""
    touched: set[int] = set()
    for item in requests if isinstance(requests, list) else []:
        kinds = [k for k, v in item.items() if v is not None] if isinstance(item, dict) else []
        if len(kinds) != 1 or kinds[0] not in _ONE_SHEET or not isinstance(item[kinds[0]], dict):
            return copy.deepcopy(ss)
        payload = item[kinds[0]]
        where = next((payload[k] for k in ("range", "start") if payload.get(k) is not None), payload)
        if not isinstance(where, dict):
            return copy.deepcopy(ss)
        try:
            touched.add(int(where.get("sheetId") or 0))
        except (TypeError, ValueError):
            return copy.deepcopy(ss)
    work = copy.copy(ss)
    work.props = copy.deepcopy(ss.props)
    work.named_ranges = copy.deepcopy(ss.named_ranges)
    work.sheets = [copy.deepcopy(sheet) if sheet.sheet_id in touched else sheet for sheet in ss.sheets]
    return work


def spreadsheets_batch_update(store: Store, req: Request, sid: str) -> Response:
    """POST /v4/spreadsheets/{id}:batchUpdate."""
    ss = store.get(sid)
    body = req.json()
    work, replies = apply_requests(store, ss, body.get("requests", []))
    store.spreadsheets[sid] = work
    store.touch(work)
    out: dict[str, Any] = {"spreadsheetId": work.id, "replies": replies}
    if truthy(body.get("includeSpreadsheetInResponse")):
        out["updatedSpreadsheet"] = spreadsheet_json(
            store,
            work,
            include_data=truthy(body.get("responseIncludeGridData")),
            ranges=list(body.get("responseRanges") or []) or None,
        )
    return json_response(out)
