"""Send a requests session's Google API calls to another endpoint (``api_endpoint``, e.g. the emulator).

``point_session_at(session, "http://127.0.0.1:8080")`` mounts, on ``session``, a transport adapter for
``https://sheets.googleapis.com`` and ``https://www.googleapis.com`` (Drive, uploads) that sends each
request to the given scheme+host (+ optional path prefix) instead, keeping path and query. Mounting
adapters is requests' own extension point, so it works for a plain ``requests.Session`` and for
google-auth's ``AuthorizedSession`` alike (token refresh and its retry of a 401 go through the session as
usual); other hosts (e.g. the OAuth token URI) keep the default adapter. Calling it again re-points the
session. The Google backend uses it for its optional ``api_endpoint`` config key; tests and the demo use
it to talk to the emulator.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import should_bypass_proxies

GOOGLE_API_HOSTS = frozenset({"sheets.googleapis.com", "www.googleapis.com"})


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


class EndpointAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that sends Google API requests to ``api_endpoint`` (see the module doc)."""

    def __init__(self, api_endpoint: str) -> None:
        if not is_endpoint(api_endpoint):
            raise ValueError(f"api_endpoint must look like 'http://host:port', got {api_endpoint!r}")
        super().__init__()
        self.api_endpoint = api_endpoint

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = rewrite_url(request.url or "", self.api_endpoint)
        if url != request.url:
            request = request.copy()
            request.url = url
            # The session chose proxies for Google's host; the request now goes elsewhere (NO_PROXY).
            if kwargs.get("proxies") and should_bypass_proxies(url, no_proxy=None):
                kwargs["proxies"] = {}
        return super().send(request, **kwargs)


def point_session_at(session: requests.Session, api_endpoint: str) -> requests.Session:
    """Mount an ``EndpointAdapter`` for the Google API hosts on ``session``; returns the session."""
    adapter = EndpointAdapter(api_endpoint)
    for host in sorted(GOOGLE_API_HOSTS):
        session.mount(f"https://{host}/", adapter)
    return session
