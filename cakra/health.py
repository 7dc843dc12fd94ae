"""Watching the service run: the outcome of each cycle, the heartbeat, and the alerts to IT staff.

Contract:
- ``watched_poll(app, now)`` runs one cycle (``cakra.cycle.poll``) and records its outcome in the
  ledger's ``meta`` table: a good cycle stores its time (``health.last_good``), resets the failure count
  and touches the heartbeat file (``[admin] heartbeat_file``); a failed one counts up
  ``health.failures``, keeps its error (one line, NIK-masked) and re-raises. A cycle that found another
  process holding the ledger (``Busy``) is neither.
- An **episode** starts when ``[admin] failures_before_alert`` cycles in a row failed, or when a message
  has waited undelivered longer than ``[admin] undelivered_after``. Its alert goes once to
  ``[admin] emails`` (claimed in the ledger under the episode's start, so restarts and cron runs never
  repeat it) and is delivered ahead of the backlog; a failed send is said in the log. When the episode
  clears, one "pulih" (recovered) email follows, once.
- ``health_report(app, now)`` is what ``cakra status`` prints.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cakra.app import App
from cakra.common.pii import redact
from cakra.common.wording import durasi, format_time
from cakra.config import Config
from cakra.cycle import CycleResult, poll
from cakra.ledger.lock import Busy
from cakra.notify.outbox import OutboxHealth
from cakra.schedule import next_runs  # the serve schedule's own rules, not a copy

log = logging.getLogger("cakra.health")

ADMIN_ROLE = "admin"  # the outbox role of alerts to IT staff (not an SOP role)
LAST_GOOD, FAILURES, LAST_ERROR, FAILING_SINCE, STUCK_SINCE = (
    "health.last_good",
    "health.failures",
    "health.last_error",
    "health.failing_since",
    "health.undelivered_since",
)


def watched_poll(app: App, now: datetime) -> CycleResult:
    """One cycle with its outcome recorded and alerted on (see the module doc); re-raises a failure."""
    try:
        result = poll(app, now)
    except Busy:
        raise
    except Exception as exc:
        try:
            cycle_failed(app, now, exc)
        except Exception:  # recording must never hide the cycle's own error
            log.exception("the failed cycle could not be recorded in the ledger")
        raise
    cycle_succeeded(app, now)
    return result


def _one_line(text: str) -> str:
    return redact(" ".join(text.split()))[:300]


def cycle_failed(app: App, now: datetime, exc: BaseException) -> None:
    """Count a failed cycle; alert once when the count reaches ``failures_before_alert``."""
    ledger, admin = app.ledger, app.config.admin
    failures = int(ledger.meta(FAILURES) or 0) + 1
    error = _one_line(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))
    with ledger.transaction():
        ledger.set_meta(FAILURES, str(failures))
        ledger.set_meta(LAST_ERROR, error)
        if failures == 1:
            ledger.set_meta(FAILING_SINCE, now.isoformat())
        since = ledger.meta(FAILING_SINCE) or now.isoformat()
        alert = failures >= admin.failures_before_alert and _episode(
            app, now, "gagal", since, error, failures
        )
    if alert:
        _send_alert(app, now)


def cycle_succeeded(app: App, now: datetime) -> None:
    """Record a good cycle, touch the heartbeat file, and open or close the episodes it decides."""
    ledger = app.ledger
    since = ledger.meta(FAILING_SINCE) if int(ledger.meta(FAILURES) or 0) else None
    outbox = app.mailer.outbox.health(excluding_role=ADMIN_ROLE)
    stuck = (
        outbox.oldest_pending is not None and now - outbox.oldest_pending > app.config.admin.undelivered_after
    )
    stuck_since = ledger.meta(STUCK_SINCE) or ""
    with ledger.transaction():
        ledger.set_meta(LAST_GOOD, now.isoformat())
        ledger.set_meta(FAILURES, "0")
        ledger.set_meta(FAILING_SINCE, "")
        send = bool(since) and _recovered(app, now, "gagal", since)
        if stuck:
            assert outbox.oldest_pending is not None
            stuck_since = stuck_since or outbox.oldest_pending.isoformat()
            ledger.set_meta(STUCK_SINCE, stuck_since)
            send |= _episode(app, now, "tertunda", stuck_since, outbox.last_error or "", outbox.pending)
        elif stuck_since:
            ledger.set_meta(STUCK_SINCE, "")
            send |= _recovered(app, now, "tertunda", stuck_since)
    touch_heartbeat(app.config.admin.heartbeat_file, now)
    if send:
        _send_alert(app, now)


def touch_heartbeat(path: Path, now: datetime) -> None:
    """Write ``now`` into the heartbeat file (its mtime is what an external monitor watches)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(now.isoformat() + "\n", encoding="utf-8")
        os.utime(path, (now.timestamp(), now.timestamp()))
    except OSError as exc:
        log.error("heartbeat file %s cannot be written (%s); check [admin] heartbeat_file", path, exc)


def _episode(app: App, now: datetime, kind: str, since: str, error: str, count: int) -> bool:
    """Claim and queue the alert of the episode ``kind`` that began at ``since``; True when queued now."""
    if not app.ledger.claim(f"admin:{kind}:{since}", now):
        return False
    what = "cycles failed in a row" if kind == "gagal" else "messages undelivered"
    log.error("ALERT for [admin] emails: %d %s since %s; last error: %s", count, what, since, error)
    return _queue(
        app, now, f"admin:{kind}:{since}", kind=kind, recovered=False, since=since, error=error, count=count
    )


def _recovered(app: App, now: datetime, kind: str, since: str) -> bool:
    """Queue the "pulih" email of an episode that was alerted; True when queued now."""
    if not app.ledger.claim(f"admin:{kind}:{since}:pulih", now):
        return False
    if not app.ledger.claim(f"admin:{kind}:{since}", now):  # alerted before: tell that it cleared
        log.info("recovered: the %s episode that began %s has cleared", kind, since)
        return _queue(app, now, f"admin:{kind}:{since}:pulih", kind=kind, recovered=True, since=since)
    return False  # never alerted (cleared before the threshold): nothing to take back


def _queue(app: App, now: datetime, key: str, **context: object) -> bool:
    recipients = list(app.config.admin.emails)
    if not recipients:
        log.warning("no [admin] emails configured: the alert above is only in this log")
        return False
    since = datetime.fromisoformat(str(context["since"]))
    full = {**app.mailer.base_context(now), **context, "since": since}
    made = app.mailer.enqueue(
        "admin_alert", full, dedupe_key=key, role=ADMIN_ROLE, recipients=recipients, now=now
    )
    return made is not None


def _send_alert(app: App, now: datetime) -> None:
    """Deliver the queued alert ahead of the backlog; say plainly in the log when that fails too."""
    try:
        delivery = app.mailer.deliver(now, first_role=ADMIN_ROLE)
    except Exception as exc:  # the alert must never turn a report into a crash
        log.error("the alert email to [admin] emails could not be sent: %s", _one_line(str(exc)))
        return
    if delivery.halted or delivery.failed or delivery.retrying:
        log.error(
            "the alert email to [admin] emails could not be sent either (%s); look at this server's log",
            _one_line(delivery.last_error or delivery.halted or ""),
        )


@dataclass(frozen=True)
class HealthReport:
    """What ``cakra status`` shows, read from the ledger only (nothing is contacted)."""

    last_good: datetime | None
    failures: int
    last_error: str
    outbox: OutboxHealth
    next_runs: dict[str, datetime | None]  # job title -> its next scheduled time (None: not scheduled)


def health_report(app: App, now: datetime) -> HealthReport:
    """The ledger's view of the service's health at ``now``."""
    ledger = app.ledger
    last = ledger.meta(LAST_GOOD)
    return HealthReport(
        datetime.fromisoformat(last) if last else None,
        int(ledger.meta(FAILURES) or 0),
        ledger.meta(LAST_ERROR) or "" if int(ledger.meta(FAILURES) or 0) else "",
        app.mailer.outbox.health(excluding_role=ADMIN_ROLE),
        next_runs(app, now),
    )


def status_lines(report: HealthReport, now: datetime, config: Config) -> tuple[bool, list[str]]:
    """``cakra status``'s lines, and whether all is well (see the command's help for what is not)."""
    tz, outbox = config.tz, report.outbox
    waited = now - outbox.oldest_pending if outbox.oldest_pending else None
    stuck = waited is not None and waited > config.admin.undelivered_after
    if report.last_good is None:
        good = "last good cycle: never"
    else:
        good = f"last good cycle: {format_time(report.last_good, tz)} ({durasi(now - report.last_good)} ago)"
    lines = [good, f"failed cycles in a row: {report.failures}"]
    if report.failures:
        lines.append(f"last error: {report.last_error}")
    pending = f"messages pending: {outbox.pending} ({outbox.retrying} refused at least once)"
    if waited is not None:
        pending += f", oldest waiting {durasi(waited)}"
    lines += [pending, f"messages failed for good: {outbox.failed}"]
    if outbox.last_error and (outbox.pending or outbox.failed):
        lines.append(f"last delivery error: {_one_line(outbox.last_error)}")
    for title, at in report.next_runs.items():
        lines.append(f"next {title}: {format_time(at, tz) if at else 'off'}")
    lines.append(f"heartbeat file: {config.admin.heartbeat_file}")
    return report.last_good is not None and not report.failures and not stuck, lines
