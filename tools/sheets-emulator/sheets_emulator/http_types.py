"""Transport-neutral request/response objects used by the API handlers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .errors import ApiError

_TRUE = ("true", "1", "yes")


@dataclass
class Request:
    """An incoming API call.  ``path`` is still percent-encoded; ``params`` is the decoded query."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.params and self.query:
            self.params = parse_qs(self.query, keep_blank_values=True)

    def param(self, name: str, default: str | None = None) -> str | None:
        """Last value of a query parameter."""
        values = self.params.get(name)
        return values[-1] if values else default

    def params_all(self, name: str) -> list[str]:
        """Every value of a repeated query parameter."""
        return list(self.params.get(name, []))

    def flag(self, name: str) -> bool:
        """Boolean query parameter (``true``/``True``/``1``)."""
        value = self.param(name)
        return value is not None and value.lower() in _TRUE

    def json(self) -> Any:
        """The decoded JSON body ({} when empty); 400 with the real wording when malformed."""
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, f"Invalid JSON payload received. {exc}") from exc


@dataclass
class Response:
    """An outgoing answer."""

    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(payload: Any, status: int = 200) -> Response:
    """JSON answer pretty-printed with two spaces like Google's front end."""
    return Response(status, json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8"))


def error_response(err: ApiError) -> Response:
    """Render an ApiError."""
    return Response(err.code, err.body(), headers=dict(err.headers))


def truthy(value: Any) -> bool:
    """JSON/body boolean that may arrive as a string."""
    if isinstance(value, str):
        return value.lower() in _TRUE
    return bool(value)
