"""Redirect Google API calls of a requests session to another endpoint (``api_endpoint``).

``point_session_at(session, "http://127.0.0.1:8080")`` makes every request the session sends to
``https://sheets.googleapis.com`` or ``https://www.googleapis.com`` (Drive, uploads) go to the given
scheme+host (+ optional path prefix) instead, keeping path and query.  It works for a plain
``requests.Session`` and for ``google.auth.transport.requests.AuthorizedSession`` (token refresh and
retries go through the same wrapped ``request``); other hosts (e.g. the OAuth token URI) are left
alone.  Calling it again re-points the session.  The production Google backend uses this for its
optional ``api_endpoint`` config key; tests use it to talk to the emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

GOOGLE_API_HOSTS = frozenset({"sheets.googleapis.com", "www.googleapis.com"})
_ORIGINAL = "_cakra_original_request"


def is_endpoint(api_endpoint: str) -> bool:
    """True for a base URL with a scheme and a host, e.g. ``http://127.0.0.1:8085``."""
    parts = urlsplit(api_endpoint)
    return bool(parts.scheme and parts.netloc)


def rewrite_url(url: str, api_endpoint: str) -> str:
    """``https://sheets.googleapis.com/v4/x?y`` -> ``<api_endpoint>/v4/x?y``; other URLs unchanged."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in GOOGLE_API_HOSTS:
        return url
    base = urlsplit(api_endpoint.rstrip("/"))
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))


def point_session_at(session: requests.Session, api_endpoint: str) -> requests.Session:
    """Wrap ``session.request`` so Google API URLs go to ``api_endpoint``; returns the session."""
    if not is_endpoint(api_endpoint):
        raise ValueError(f"api_endpoint must look like 'http://host:port', got {api_endpoint!r}")
    original: Callable[..., requests.Response] = getattr(session, _ORIGINAL, None) or session.request

    def request(*args: Any, **kwargs: Any) -> requests.Response:
        if "url" in kwargs:
            kwargs["url"] = rewrite_url(str(kwargs["url"]), api_endpoint)
        elif len(args) >= 2:
            args = (args[0], rewrite_url(str(args[1]), api_endpoint), *args[2:])
        return original(*args, **kwargs)

    setattr(session, _ORIGINAL, original)
    session.request = request  # type: ignore[method-assign]
    return session
