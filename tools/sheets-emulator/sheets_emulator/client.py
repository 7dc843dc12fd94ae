"""Clients wired to an emulator: Google API URLs of a requests session go to the emulator's base URL.

``route_to_emulator(session, base_url)`` mounts a transport adapter on ``session`` for the Google API
origins (``https://sheets.googleapis.com`` and ``https://www.googleapis.com``: Sheets, Drive, uploads).
Every request the session sends there goes to ``base_url`` (scheme, host, port and an optional path
prefix) instead, with the same path and query, and never through a proxy. Other hosts (an OAuth token
URI, anything else) are left alone. It works for a plain ``requests.Session`` and for google-auth's
``AuthorizedSession`` (token refresh and retries go through the same adapters); calling it again
re-points the session. ``gspread_client(base_url)`` is a credential-less gspread client so routed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import gspread
import requests
from requests.adapters import HTTPAdapter

GOOGLE_API_ORIGINS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")


class EmulatorAdapter(HTTPAdapter):
    """A transport adapter that sends each request it gets to ``base_url`` + the request's path."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"the emulator's base URL must look like 'http://host:port', got {base_url!r}")
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def target(self, url: str) -> str:
        """``https://sheets.googleapis.com/v4/x?y`` -> ``<base_url>/v4/x?y`` (any URL's host is replaced)."""
        parts = urlsplit(url)
        return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = self.target(str(request.url))
        # Proxies were chosen for the Google host; the emulator is reached directly.
        return super().send(request, **{**kwargs, "proxies": {}})


def route_to_emulator(session: requests.Session, base_url: str) -> requests.Session:
    """Send ``session``'s Google API requests to the emulator at ``base_url``; returns the session."""
    adapter = EmulatorAdapter(base_url)
    for origin in GOOGLE_API_ORIGINS:
        session.mount(origin, adapter)
    return session


def gspread_client(base_url: str) -> gspread.Client:
    """``gspread.Client(auth=None, session=...)`` whose Google API calls go to ``base_url``."""
    return gspread.Client(auth=None, session=route_to_emulator(requests.Session(), base_url))
