"""gspread's HTTP seam, retrying: exponential backoff with full jitter, honouring Retry-After, bounded.

``RetryingHTTPClient`` is the ``gspread.http_client.HTTPClient`` every request of the Google backend goes
through (``gspread.Client(auth, session=..., http_client=RetryingHTTPClient)``): gspread's own methods
and the backend's alike. gspread's ``BackOffHTTPClient`` retries forever and without jitter, so a quota
storm would stall a cycle indefinitely and every client would retry in lock-step. Here a request is tried
a bounded number of times (a dropped connection to the token endpoint during google-auth's refresh
too), waiting ``min(cap, base * 2**n)`` scaled by a random factor (or the server's
Retry-After, when it gives one); then it raises ``SheetError`` — the ledger already holds everything —
and the next cycle carries on. ``sleep`` and ``random`` are injected (``client.policy``) so tests never wait.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import google.auth.exceptions
import requests
from google.auth.credentials import Credentials
from gspread.exceptions import APIError
from gspread.http_client import FileType, HTTPClient, ParamsType

from cakra.common.errors import SheetError

log = logging.getLogger("cakra.sheets")
RETRYABLE = {408, 429, 500, 502, 503, 504}
# What a request does, by the end of its URL path, in the words of the one-line error.
_PURPOSES = (
    (re.compile(r"/values:batchGet$"), "read the tabs"),
    (re.compile(r"/values:batchUpdate$"), "write the changed cells"),
    (re.compile(r"/spreadsheets/[^/]+:batchUpdate$"), "change the spreadsheet"),
    (re.compile(r"/spreadsheets/[^/:]+$"), "read the spreadsheet's metadata"),
)


@dataclass
class RetryPolicy:
    # 2, 4, ... 64 s (each scaled by 0.5-1.0): up to seven tries over one to two minutes, enough to
    # outlast Sheets' per-minute quota window, short enough that a cycle never hangs for long.
    attempts: int = 7
    base: float = 2.0
    cap: float = 64.0
    sleep: Callable[[float], None] = field(default=time.sleep)
    random: Callable[[], float] = field(default=random.random)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based)."""
        if retry_after is not None:
            return min(self.cap, max(0.0, retry_after))
        return min(self.cap, self.base * 2**attempt) * (0.5 + self.random() / 2)


def _retry_after(response: requests.Response | None) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def describe(error: APIError) -> str:
    """``429 RESOURCE_EXHAUSTED: Quota exceeded ...`` from an APIError."""
    body = error.error if isinstance(getattr(error, "error", None), dict) else {}
    return f"{error.code} {body.get('status', '')}: {body.get('message', str(error))}".strip()


def purpose_of(method: str, url: str) -> str:
    """What a request does, for its error line: ``read the tabs``, or ``call GET /v4/...`` when unknown."""
    path = urlsplit(url).path
    for pattern, purpose in _PURPOSES:
        if pattern.search(path):
            return purpose
    return f"call {method.upper()} {path}"


class RetryingHTTPClient(HTTPClient):
    """gspread's HTTP client with bounded, jittered retries of transient failures (see the module doc).

    ``request`` raises ``SheetError`` (one line) when the API refuses a request or is still failing after
    ``policy.attempts`` tries; ``purpose`` names the request in that line (default: from its URL).
    """

    def __init__(self, auth: Credentials | None, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)  # type: ignore[arg-type]  # auth=None with a session of our own
        self.policy = RetryPolicy()

    def request(
        self,
        method: str,
        endpoint: str,
        params: ParamsType | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: FileType = None,
        headers: MutableMapping[str, str] | None = None,
        *,
        purpose: str = "",
    ) -> requests.Response:
        what = purpose or purpose_of(method, endpoint)
        policy, reason = self.policy, "no attempt made"
        for attempt in range(policy.attempts):
            try:
                return super().request(method, endpoint, params, data, json, files, headers)
            except APIError as error:
                if error.code not in RETRYABLE:
                    raise SheetError(f"Google Sheets refused to {what}: {describe(error)}") from None
                reason, retry_after = describe(error), _retry_after(error.response)
            except (requests.ConnectionError, requests.Timeout) as error:
                reason, retry_after = f"connection problem ({type(error).__name__})", None
            except google.auth.exceptions.TransportError:
                # The access token's refresh (google-auth, before the request is sent) lost its connection.
                reason, retry_after = "connection problem while refreshing the access token", None
            except google.auth.exceptions.RefreshError as error:
                if not getattr(error, "retryable", False):
                    raise SheetError(
                        f"Google refused the service account's credentials ({error.args[0] if error.args else error});"
                        " check [sheets] credentials and that the key is still active"
                    ) from None
                reason, retry_after = "the token endpoint failed for now", None
            if attempt + 1 == policy.attempts:
                break
            wait = policy.delay(attempt, retry_after)
            log.warning("%s: %s; mencoba lagi dalam %.1f detik", what, reason, wait)
            policy.sleep(wait)
        raise SheetError(
            f"Google Sheets did not {what} after {policy.attempts} attempts ({reason}); "
            "nothing is lost, the next cycle carries on"
        )
