"""URL routing: (method, path regex on the percent-encoded path) -> handler.

Paths match both the Google hosts' paths (``/v4/...``, ``/drive/v3/...``, ``/upload/drive/v2/...``)
and googleapiclient's ``{api_endpoint}/v4/...``.  Method suffixes (``:append``, ``:clear``,
``:batchUpdate``) are matched before decoding so an encoded ``%3A`` inside a range stays part of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from . import batch_cells, batch_sheet  # noqa: F401  (register batchUpdate handlers)
from . import drive_api as drive
from . import gmail_api as gmail
from . import meta_api as meta
from . import values_api as values
from .batch_api import BatchContext, spreadsheets_batch_update
from .batch_sheet import copy_sheet_to
from .control import DRIVE, OTHER, READ, WRITE
from .http_types import Request, Response, json_response
from .store import Store

Handler = Callable[..., Response]
_SID = r"(?P<sid>[^/:?]+)"
_RANGE = r"(?P<raw_range>[^?]+?)"
_FILE = r"(?P<file_id>[^/:?]+)"


def sheets_copy_to(store: Store, req: Request, sid: str, sheet_id: str) -> Response:
    """POST /v4/spreadsheets/{id}/sheets/{sheetId}:copyTo."""
    source = store.get(sid)
    dest = store.get(str(req.json().get("destinationSpreadsheetId") or ""))
    props = copy_sheet_to(BatchContext(store, source), int(sheet_id), BatchContext(store, dest))
    store.touch(dest)
    return json_response(props)


ROUTES: list[tuple[str, re.Pattern[str], Handler, str]] = [
    (m, re.compile(p), h, k)
    for m, p, h, k in [
        ("POST", r"^/v4/spreadsheets$", meta.spreadsheets_create, WRITE),
        ("GET", rf"^/v4/spreadsheets/{_SID}$", meta.spreadsheets_get, READ),
        ("POST", rf"^/v4/spreadsheets/{_SID}:batchUpdate$", spreadsheets_batch_update, WRITE),
        ("POST", rf"^/v4/spreadsheets/{_SID}/sheets/(?P<sheet_id>\d+):copyTo$", sheets_copy_to, WRITE),
        ("GET", rf"^/v4/spreadsheets/{_SID}/values:batchGet$", values.values_batch_get, READ),
        ("POST", rf"^/v4/spreadsheets/{_SID}/values:batchUpdate$", values.values_batch_update, WRITE),
        ("POST", rf"^/v4/spreadsheets/{_SID}/values:batchClear$", values.values_batch_clear, WRITE),
        ("POST", rf"^/v4/spreadsheets/{_SID}/values/{_RANGE}:append$", values.values_append, WRITE),
        ("POST", rf"^/v4/spreadsheets/{_SID}/values/{_RANGE}:clear$", values.values_clear, WRITE),
        ("GET", rf"^/v4/spreadsheets/{_SID}/values/{_RANGE}$", values.values_get, READ),
        ("PUT", rf"^/v4/spreadsheets/{_SID}/values/{_RANGE}$", values.values_update, WRITE),
        ("POST", r"^/drive/v3/files$", drive.files_create, DRIVE),
        ("GET", r"^/drive/v3/files$", drive.files_list, DRIVE),
        ("GET", rf"^/drive/v3/files/{_FILE}$", drive.files_get, DRIVE),
        ("PATCH", rf"^/drive/v3/files/{_FILE}$", drive.files_update, DRIVE),
        ("DELETE", rf"^/drive/v3/files/{_FILE}$", drive.files_delete, DRIVE),
        ("POST", rf"^/drive/v3/files/{_FILE}/copy$", drive.files_copy, DRIVE),
        ("GET", rf"^/drive/v3/files/{_FILE}/export$", drive.files_export, DRIVE),
        ("GET", rf"^/drive/v3/files/{_FILE}/comments$", drive.comments_list, DRIVE),
        ("POST", rf"^/drive/v3/files/{_FILE}/comments$", drive.comments_create, DRIVE),
        ("GET", rf"^/drive/v3/files/{_FILE}/permissions$", drive.permissions_list, DRIVE),
        ("POST", rf"^/drive/v3/files/{_FILE}/permissions$", drive.permissions_create, DRIVE),
        (
            "DELETE",
            rf"^/drive/v3/files/{_FILE}/permissions/(?P<permission_id>[^/]+)$",
            drive.permissions_delete,
            DRIVE,
        ),
        ("PUT", rf"^/upload/drive/v2/files/{_FILE}$", drive.import_csv, DRIVE),
        # Gmail is authenticated like Drive and, like Drive, outside the Sheets quotas.
        ("POST", r"^/gmail/v1/users/(?P<user_id>[^/]+)/messages/send$", gmail.messages_send, DRIVE),
    ]
]


def match(method: str, path: str) -> tuple[Handler, dict[str, str], str] | None:
    """(handler, decoded path groups, kind) for a request, or None."""
    for route_method, pattern, handler, kind in ROUTES:
        if route_method != method:
            continue
        m = pattern.match(path)
        if m:
            groups = {k: (v if k == "raw_range" else unquote(v)) for k, v in m.groupdict().items()}
            return handler, groups, kind
    return None


def classify(method: str, path: str) -> str:
    """Request kind for logs/quotas: read, write, drive, auth or other."""
    found = match(method, path)
    if found is not None:
        return found[2]
    if path.startswith("/v4/"):
        return READ if method == "GET" else WRITE
    if path.startswith(("/drive/", "/upload/")):
        return DRIVE
    return OTHER
