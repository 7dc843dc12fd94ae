"""Retrying Google API calls: exponential backoff with full jitter, honouring Retry-After, bounded.

gspread's own BackOffHTTPClient retries forever and without jitter, so a quota storm would stall a
cycle indefinitely and every client would retry in lock-step. Here a call is tried a bounded number of
times, waiting ``min(cap, base * 2**n)`` scaled by a random factor (or the server's Retry-After, when
it gives one); then the cycle fails cleanly — the ledger already holds everything — and the next cycle
carries on. ``sleep`` and ``random`` are injected so tests never wait.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import requests
from gspread.exceptions import APIError

from cakra.common.errors import SheetError

log = logging.getLogger("cakra.sheets")
T = TypeVar("T")
RETRYABLE = {408, 429, 500, 502, 503, 504}


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


def call(what: str, func: Callable[[], T], policy: RetryPolicy) -> T:
    """Run ``func`` (one API request), retrying transient failures; raise ``SheetError`` when done trying."""
    for attempt in range(policy.attempts):
        try:
            return func()
        except APIError as error:
            if error.code not in RETRYABLE:
                raise SheetError(f"Google Sheets refused to {what}: {describe(error)}") from None
            reason, retry_after = describe(error), _retry_after(error.response)
        except (requests.ConnectionError, requests.Timeout) as error:
            reason, retry_after = f"connection problem ({type(error).__name__})", None
        if attempt + 1 == policy.attempts:
            break
        wait = policy.delay(attempt, retry_after)
        log.warning("%s: %s; mencoba lagi dalam %.1f detik", what, reason, wait)
        policy.sleep(wait)
    raise SheetError(
        f"Google Sheets did not {what} after {policy.attempts} attempts ({reason}); "
        "nothing is lost, the next cycle carries on",
        transient=True,
    )
