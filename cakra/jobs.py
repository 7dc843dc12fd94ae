"""The scheduled messages as the configuration asks for them: the daily and weekly leadership summaries
and the roles' digests. ``serve``'s jobs and the ``report``/``weekly``/``digest`` commands both call these,
so a run started by hand and one started by the schedule make the same thing, under the same key:

- the daily summary is keyed by its local day (``daily-summary:2026-11-23``), each digest by its day and
  role, the weekly summary by its week (Monday's date): whoever makes a period's run first makes it, and
  nobody makes it again;
- nothing is sent on a day the calendar closes (weekend, holiday) unless ``[report] on_non_working_days``;
- a daily run missed on an earlier day is stale news: it is recorded as skipped (claimed in the ledger,
  logged), never sent late — a first start on a Sunday does not send Friday's digest; so is a weekly
  summary missed by more than ``STALE_AFTER`` (a first start on Thursday sends no Monday summary).

Each of these records messages and delivers them while holding the ledger's cycle lock (``locked``), so
it never delivers at the same time as a cycle or another job (which sent messages twice).
"""

from __future__ import annotations

import logging
import time as time_module
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from cakra.app import App
from cakra.ledger.lock import cycle_lock
from cakra.notify.digest import digest_key, digest_roles, send_digests
from cakra.notify.report import send_summary, send_weekly, week_start

log = logging.getLogger(__name__)

# How long a scheduled job or a "send it now" command waits for a running cycle to finish (seconds).
LOCK_WAIT_SECONDS = 60.0
# A weekly run missed by more than this is recorded as skipped rather than sent late.
STALE_AFTER = timedelta(days=1)


@contextmanager
def locked(
    app: App, wait: float = LOCK_WAIT_SECONDS, pause: Callable[[float], object] = time_module.sleep
) -> Iterator[None]:
    """Hold the ledger's cycle lock (waiting up to ``wait`` seconds, ``pause`` between tries; ``Busy``
    after that)."""
    with cycle_lock(app.ledger.path, wait=wait, pause=pause):
        yield


def local_day(app: App, now: datetime) -> date:
    """``now``'s date in the agency's timezone."""
    return now.astimezone(app.config.tz).date()


def sends_on(app: App, day: date) -> bool:
    """Whether summaries and digests go out on ``day``: a working day, or any day when configured."""
    return app.config.report.on_non_working_days or app.calendar.is_working_day(day)


def summary_key(day: date) -> str:
    """The daily summary's run key (the outbox keys add ``:<role>``)."""
    return f"daily-summary:{day:%Y-%m-%d}"


def summary(app: App, now: datetime) -> str | None:
    """Today's daily summary to ``[report] roles``, once per day; the last new Message-ID, None if all
    existed."""
    key = summary_key(local_day(app, now))
    return send_summary(app.mailer, app.book, app.config.report.roles, now, key=key)


def weekly_key(app: App, run: datetime) -> str:
    """The weekly summary's run key: its week (Monday's date)."""
    return f"weekly-summary:{week_start(run, app.config.tz):%Y-%m-%d}"


def weekly(app: App, now: datetime, *, run: datetime | None = None) -> str | None:
    """The weekly summary of ``run``'s week (default: ``now``'s) to ``[report] roles``, once per week."""
    report = app.config.report
    key = weekly_key(app, run or now)
    return send_weekly(app.mailer, app.book, report.roles, report.weekly_weeks, now, key=key)


def digests(app: App, now: datetime, *, run_date: date, at: time) -> int:
    """Each ``[digest] roles`` role's digest of ``run_date`` (once per day and role); how many were made."""
    roles = digest_roles(app.config.digest.roles, app.sop)
    return send_digests(app.mailer, app.book, roles, now, run_date=run_date, at=at)


def skip_missed(app: App, now: datetime, keys: Iterable[str], what: str) -> bool:
    """Record the runs ``keys`` as skipped (claimed, so never sent late); log it once. True when any was
    newly recorded (the caller holds the cycle lock)."""
    with app.ledger.transaction():
        fresh = [key for key in keys if app.ledger.claim(key, now)]
    if fresh:
        log.info("%s terlewat saat layanan tidak berjalan; dicatat dilewati, tidak dikirim: %s", what, fresh)
    return bool(fresh)


def skipped_digest_keys(app: App, day: date) -> list[str]:
    """The keys of every configured role's digest of ``day``."""
    return [digest_key(day, role) for role in digest_roles(app.config.digest.roles, app.sop)]


def closed_day_note(app: App, now: datetime) -> str | None:
    """Why nothing is sent today (in the operator's words), or None when today is a sending day."""
    day = local_day(app, now)
    if sends_on(app, day):
        return None
    return (
        f"{day:%d/%m/%Y} bukan hari kerja: tidak ada yang dikirim "
        "(atur [report] on_non_working_days = true untuk mengirim juga pada hari libur)"
    )
