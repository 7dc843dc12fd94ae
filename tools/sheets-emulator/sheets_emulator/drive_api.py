"""The Drive calls gspread makes: files create/get/list/update/delete/copy/export, comments,
permissions, and the v2 CSV import (``PUT /upload/drive/v2/files/{id}?uploadType=media&convert=true``).

* Files are the spreadsheets; ``name`` is the spreadsheet title; lists are ordered newest
  ``createdTime`` first (the order the recordings show).
* ``q`` supports terms joined by ``and``: ``mimeType = "..."``, ``name = "..."``,
  ``name contains "..."``, ``trashed = false`` and ``"<id>" in parents`` / ``parents in "<id>"``.
* ``fields`` selects like a Sheets field mask; defaults mirror Drive (kind, id, name, mimeType).
* Unknown ids answer the Drive-flavoured 404 ``File not found: <id>.``.
* Export supports text/csv and text/tab-separated-values of the first sheet (formatted values,
  rectangular, CRLF-separated); other formats answer 400 (not emulated).
* The CSV import replaces every sheet by one sheet named after the file (recorded), values parsed
  as USER_ENTERED; its v2 reply is a subset of the real v2 File resource.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from typing import Any

from . import fieldmask
from .cells import Cell
from .entry import parse_user_entered
from .errors import ApiError, drive_not_found
from .http_types import Request, Response, json_response
from .model import Sheet, Spreadsheet
from .render import Renderer
from .store import Store, rfc3339

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
_DEFAULT_FILE_FIELDS = "kind,id,name,mimeType"
_TERM = re.compile(
    r"""^\s*(?:(?P<field>mimeType|name|trashed)\s*(?P<op>=|!=|contains)\s*(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|true|false)
    |(?P<pid>'[^']*'|"[^"]*")\s+in\s+parents|parents\s+in\s+(?P<pid2>'[^']*'|"[^"]*"))\s*$""",
    re.VERBOSE,
)


def _file(ss: Spreadsheet) -> dict[str, Any]:
    return {
        "kind": "drive#file",
        "id": ss.id,
        "name": ss.title,
        "mimeType": SPREADSHEET_MIME,
        "starred": False,
        "trashed": False,
        "parents": ["root"],
        "webViewLink": f"https://docs.google.com/spreadsheets/d/{ss.id}/edit?usp=drivesdk",
        "createdTime": rfc3339(ss.created),
        "modifiedTime": rfc3339(ss.modified),
        "owners": [{"kind": "drive#user", "me": True, "emailAddress": ss.permissions[0]["emailAddress"]}]
        if ss.permissions
        else [],
    }


def _select(doc: dict[str, Any], req: Request, default: str) -> dict[str, Any]:
    try:
        mask = fieldmask.parse(req.param("fields") or default)
    except ValueError as exc:
        raise ApiError(400, "Invalid field selection", drive=True, reason="invalidParameter") from exc
    return fieldmask.select(doc, mask)


def _lookup(store: Store, file_id: str) -> Spreadsheet:
    ss = store.spreadsheets.get(file_id)
    if ss is None:
        raise drive_not_found(file_id)
    return ss


def files_create(store: Store, req: Request) -> Response:
    """POST /drive/v3/files (only Google Sheets files are emulated)."""
    body = req.json()
    mime = body.get("mimeType") or SPREADSHEET_MIME
    if mime != SPREADSHEET_MIME:
        raise ApiError(400, f"Only {SPREADSHEET_MIME} files are emulated.", drive=True)
    ss = store.create(str(body.get("name") or "Untitled spreadsheet"))
    return json_response(_select(_file(ss), req, _DEFAULT_FILE_FIELDS))


def files_get(store: Store, req: Request, file_id: str) -> Response:
    """GET /drive/v3/files/{id}."""
    return json_response(_select(_file(_lookup(store, file_id)), req, _DEFAULT_FILE_FIELDS))


def files_update(store: Store, req: Request, file_id: str) -> Response:
    """PATCH /drive/v3/files/{id} (rename)."""
    ss = _lookup(store, file_id)
    body = req.json()
    if body.get("name"):
        ss.props["title"] = str(body["name"])
    store.touch(ss)
    return json_response(_select(_file(ss), req, _DEFAULT_FILE_FIELDS))


def files_delete(store: Store, req: Request, file_id: str) -> Response:
    """DELETE /drive/v3/files/{id} -> 204."""
    _lookup(store, file_id)
    del store.spreadsheets[file_id]
    return Response(204, b"", content_type="text/html")


def _matches(ss: Spreadsheet, query: str) -> bool:
    if not query.strip():
        return True
    for term in re.split(r"\s+and\s+", query.strip()):
        m = _TERM.match(term)
        if not m:
            raise ApiError(400, "Invalid Value", drive=True, reason="invalid")
        pid = m.group("pid") or m.group("pid2")
        if pid is not None:
            if pid[1:-1] != "root":
                return False
            continue
        field, op, raw = m.group("field"), m.group("op"), m.group("value")
        value = raw[1:-1].replace("\\'", "'").replace('\\"', '"') if raw[0] in "'\"" else raw
        actual = {"mimeType": SPREADSHEET_MIME, "name": ss.title, "trashed": "false"}[field]
        ok = value in actual if op == "contains" else actual == value
        if ok == (op == "!="):
            return False
    return True


def files_list(store: Store, req: Request) -> Response:
    """GET /drive/v3/files with q, pageSize, pageToken and fields."""
    query = req.param("q") or ""
    found = [ss for ss in store.spreadsheets.values() if _matches(ss, query)]
    found.sort(key=lambda ss: (ss.created, ss.id), reverse=True)
    size = max(1, min(int(req.param("pageSize") or 100), 1000))
    offset = int(req.param("pageToken") or 0)
    page = found[offset : offset + size]
    doc: dict[str, Any] = {"kind": "drive#fileList"}
    if offset + size < len(found):
        doc["nextPageToken"] = str(offset + size)
    doc["incompleteSearch"] = False
    doc["files"] = [_file(ss) for ss in page]
    return json_response(
        _select(doc, req, "kind,nextPageToken,incompleteSearch,files(" + _DEFAULT_FILE_FIELDS + ")")
    )


def files_copy(store: Store, req: Request, file_id: str) -> Response:
    """POST /drive/v3/files/{id}/copy (``name`` null -> ``Copy of <name>``)."""
    source = _lookup(store, file_id)
    body = req.json()
    clone = copy.deepcopy(source)
    clone.id = store.new_spreadsheet_id()
    clone.props["title"] = str(body.get("name") or f"Copy of {source.title}")
    clone.created = clone.modified = store.now()
    clone.comments = []
    store.spreadsheets[clone.id] = clone
    return json_response(_select(_file(clone), req, _DEFAULT_FILE_FIELDS))


def _table(store: Store, ss: Spreadsheet) -> list[list[str]]:
    sheet = ss.sheets[0]
    renderer = Renderer(ss, store.now)
    rows, cols = sheet.value_extent()
    return [[renderer.formatted(sheet, r, c) or "" for c in range(cols)] for r in range(rows)]


def files_export(store: Store, req: Request, file_id: str) -> Response:
    """GET /drive/v3/files/{id}/export?mimeType=text/csv."""
    ss = _lookup(store, file_id)
    mime = req.param("mimeType") or ""
    delimiter = {"text/csv": ",", "text/tab-separated-values": "\t"}.get(mime)
    if delimiter is None:
        raise ApiError(400, f"Export to {mime or 'an unspecified format'} is not emulated.", drive=True)
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(_table(store, ss))
    text = out.getvalue()
    if text.endswith("\r\n"):
        text = text[:-2]
    return Response(200, text.encode("utf-8"), content_type=mime)


def import_csv(store: Store, req: Request, file_id: str) -> Response:
    """PUT /upload/drive/v2/files/{id}?uploadType=media&convert=true with a CSV body."""
    ss = _lookup(store, file_id)
    rows = list(csv.reader(io.StringIO(req.body.decode("utf-8-sig"))))
    width = max((len(r) for r in rows), default=0)
    sheet = Sheet.new(store.new_sheet_id(ss), ss.title, 0, max(1000, len(rows)), max(26, width))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            entered = parse_user_entered(text, ss.rules)
            if entered.value is not None or entered.formula is not None:
                fmt = {"numberFormat": entered.number_format} if entered.number_format else None
                sheet.put(r, c, Cell(value=entered.value, formula=entered.formula, fmt=fmt))
    ss.sheets = [sheet]
    ss.named_ranges = []
    store.touch(ss)
    return json_response(
        {
            "kind": "drive#file",
            "id": ss.id,
            "title": ss.title,
            "mimeType": SPREADSHEET_MIME,
            "editable": True,
            "copyable": True,
            "createdDate": rfc3339(ss.created),
            "modifiedDate": rfc3339(ss.modified),
            "labels": {
                "viewed": True,
                "restricted": False,
                "starred": False,
                "hidden": False,
                "trashed": False,
            },
        }
    )


def comments_list(store: Store, req: Request, file_id: str) -> Response:
    """GET /drive/v3/files/{id}/comments."""
    ss = _lookup(store, file_id)
    return json_response(_select({"comments": copy.deepcopy(ss.comments)}, req, "comments,nextPageToken"))


def comments_create(store: Store, req: Request, file_id: str) -> Response:
    """POST /drive/v3/files/{id}/comments."""
    ss = _lookup(store, file_id)
    comment = {"id": str(store.new_object_id()), **req.json()}
    ss.comments.append(comment)
    return json_response(_select(comment, req, "id"))


def permissions_list(store: Store, req: Request, file_id: str) -> Response:
    """GET /drive/v3/files/{id}/permissions."""
    ss = _lookup(store, file_id)
    return json_response(
        _select({"kind": "drive#permissionList", "permissions": copy.deepcopy(ss.permissions)}, req, "*")
    )


def permissions_create(store: Store, req: Request, file_id: str) -> Response:
    """POST /drive/v3/files/{id}/permissions."""
    ss = _lookup(store, file_id)
    perm = {"kind": "drive#permission", "id": str(store.new_object_id()), **req.json()}
    ss.permissions.append(perm)
    return json_response(perm)


def permissions_delete(store: Store, req: Request, file_id: str, permission_id: str) -> Response:
    """DELETE /drive/v3/files/{id}/permissions/{permissionId}."""
    ss = _lookup(store, file_id)
    before = len(ss.permissions)
    ss.permissions = [p for p in ss.permissions if p.get("id") != permission_id]
    if len(ss.permissions) == before:
        raise ApiError(404, f"Permission not found: {permission_id}.", drive=True)
    return Response(204, b"", content_type="text/html")
