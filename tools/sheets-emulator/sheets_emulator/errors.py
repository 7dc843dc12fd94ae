"""Error bodies in the shapes the real Google APIs use.

Sheets v4 errors: ``{"error": {"code", "message", "status"}}`` (optionally ``details``).
Drive v3 errors additionally carry the legacy ``errors`` list with ``domain``/``reason``.
Messages that the recordings show are reproduced verbatim by the helpers below.
"""

from __future__ import annotations

import json
from typing import Any

STATUS_BY_CODE: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
        "or other valid authentication credential. "
        "See https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}

MISSING_CREDENTIALS = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


class ApiError(Exception):
    """An error answer; ``body()`` renders the JSON the real API would send."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        drive: bool = False,
        reason: str | None = None,
    ) -> None:
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES.get(code, "Error")
        self.status = status or STATUS_BY_CODE.get(code, "UNKNOWN")
        self.details = details
        self.headers = headers or {}
        self.drive = drive
        self.reason = reason
        super().__init__(f"{code} {self.message}")

    def payload(self) -> dict[str, Any]:
        """The decoded JSON body."""
        if self.drive:
            err: dict[str, Any] = {"message": self.message, "domain": "global"}
            err["reason"] = self.reason or {404: "notFound", 403: "forbidden"}.get(self.code, "badRequest")
            if self.code == 404:
                err.update({"location": "fileId", "locationType": "parameter"})
            return {"error": {"code": self.code, "message": self.message, "errors": [err]}}
        inner: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            inner["details"] = self.details
        return {"error": inner}

    def body(self) -> bytes:
        """The JSON body as UTF-8 bytes (pretty-printed like Google's front end)."""
        return json.dumps(self.payload(), indent=2, ensure_ascii=False).encode("utf-8")


def bad_request(message: str) -> ApiError:
    """400 INVALID_ARGUMENT with a message."""
    return ApiError(400, message)


def not_found(message: str = "Requested entity was not found.") -> ApiError:
    """404 NOT_FOUND (Sheets flavour)."""
    return ApiError(404, message)


def drive_not_found(file_id: str) -> ApiError:
    """404 from Drive v3 for an unknown file id."""
    return ApiError(404, f"File not found: {file_id}.", drive=True)


def unable_to_parse(range_text: str) -> ApiError:
    """The real message for a range naming an unknown sheet or malformed notation."""
    return bad_request(f"Unable to parse range: {range_text}")


def exceeds_grid(range_text: str, rows: int, cols: int) -> ApiError:
    """The real message for ranges outside the sheet's grid."""
    return bad_request(f"Range ({range_text}) exceeds grid limits. Max rows: {rows}, max columns: {cols}")


def invalid_value(field: str, value: Any, type_url: str) -> ApiError:
    """Proto-JSON type mismatch, e.g. ``"values": "X"`` where a list is expected."""
    shown = json.dumps(value, ensure_ascii=False)
    message = f"Invalid value at '{field}' ({type_url}), {shown}"
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": message}],
        }
    ]
    return ApiError(400, message, details=details)


def unknown_field(name: str, where: str) -> ApiError:
    """Proto-JSON unknown field (e.g. an unsupported batchUpdate request kind)."""
    message = f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field."
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": where, "description": message}],
        }
    ]
    return ApiError(400, message, details=details)


def quota_exceeded(kind: str, limit: int, project: str = "project_number:000000000000") -> ApiError:
    """429 RESOURCE_EXHAUSTED with the real per-minute quota message for ``kind`` 'Read'/'Write'."""
    metric = f"{kind} requests"
    message = (
        f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user' of "
        f"service 'sheets.googleapis.com' for consumer '{project}'."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                "quota_limit": f"{kind}RequestsPerMinutePerUser",
                "quota_limit_value": str(limit),
                "quota_location": "global",
                "service": "sheets.googleapis.com",
                "consumer": "projects/" + project.rpartition(":")[2],
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                }
            ],
        },
    ]
    return ApiError(429, message, details=details)
