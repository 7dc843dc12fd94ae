"""Scheduled runs (digests, weekly summary): when is one due, and under which key.

The scheduler in ``serve`` is only a clock tick; what was sent lives in the ledger. A run is identified by
the local date it belongs to, so a run missed while the service was down is found on start-up (the latest
occurrence at or before now) and made once — a second tick, a restart or a second process finds its key
already claimed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo

from cakra.common.errors import ConfigError

# How far back a missed run is still worth making: older ones are stale news (the next run covers them).
LOOKBACK_DAYS = 7


def parse_clock(text: str, where: str) -> time:
    """``"07:30"`` or ``"07.30"`` -> ``time(7, 30)``; ``ConfigError`` naming ``where`` otherwise."""
    try:
        hours, minutes = (int(part) for part in text.strip().replace(".", ":").split(":"))
        return time(hours, minutes)
    except ValueError:
        raise ConfigError(f'{where} = {text!r} must be a local time like "07:00"') from None


def latest_run(
    now: datetime, at: time, tz: tzinfo, accept: Callable[[date], bool] = lambda _day: True
) -> datetime | None:
    """The latest local ``at`` on an accepted day that is not after ``now`` (within ``LOOKBACK_DAYS``)."""
    local = now.astimezone(tz)
    for back in range(LOOKBACK_DAYS + 1):
        day = local.date() - timedelta(days=back)
        moment = datetime.combine(day, at, tzinfo=tz)
        if moment <= local and accept(day):
            return moment
    return None


def next_run(
    now: datetime, at: time, tz: tzinfo, accept: Callable[[date], bool] = lambda _day: True
) -> datetime | None:
    """The first local ``at`` on an accepted day that is after ``now`` (within ``LOOKBACK_DAYS``)."""
    local = now.astimezone(tz)
    for ahead in range(LOOKBACK_DAYS + 1):
        day = local.date() + timedelta(days=ahead)
        moment = datetime.combine(day, at, tzinfo=tz)
        if moment > local and accept(day):
            return moment
    return None
