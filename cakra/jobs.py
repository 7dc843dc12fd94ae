"""The scheduled messages as the configuration asks for them: the daily and weekly leadership summaries
and the roles' digests. ``serve``'s jobs and the ``report``/``weekly``/``digest`` commands both call these,
so a run started by hand and one started by the schedule make the same thing."""

from __future__ import annotations

from datetime import date, datetime, time

from cakra.app import App
from cakra.notify.digest import digest_roles, send_digests
from cakra.notify.report import send_summary, send_weekly


def summary(app: App, now: datetime, *, key: str | None = None) -> str | None:
    """The daily summary to ``[report] roles``; the last new Message-ID, None if all existed."""
    return send_summary(app.mailer, app.book, app.config.report.roles, now, key=key)


def weekly(app: App, now: datetime, *, key: str | None = None) -> str | None:
    """The weekly summary to ``[report] roles`` over ``[report] weekly_weeks`` weeks."""
    report = app.config.report
    return send_weekly(app.mailer, app.book, report.roles, report.weekly_weeks, now, key=key)


def digests(app: App, now: datetime, *, run_date: date, at: time) -> int:
    """Each ``[digest] roles`` role's digest of ``run_date`` (once per day and role); how many were made."""
    roles = digest_roles(app.config.digest.roles, app.sop)
    return send_digests(app.mailer, app.book, roles, now, run_date=run_date, at=at)
