"""The Camat's monthly recap of periodic reports as a scheduled job (``serve``) and a command
(``cakra recap``), like the daily and weekly summaries in ``cakra/jobs.py``: keyed by its month
(``periodic-recap:2026-12``), so whoever makes a month's recap first makes it and nobody makes it again;
one missed by more than ``STALE_AFTER`` is recorded as skipped, never sent late.
"""

from __future__ import annotations

from datetime import date, datetime, time

from cakra.app import App
from cakra.common.errors import ConfigError
from cakra.notify.periodic_recap import recap_rows, send_recap
from cakra.periodic import FIRST_PERIOD_KEY
from cakra.sheets.base import Tab
from cakra.tabs.monitoring import roster_rows
from cakra.workflow.periods import Period, due_at, period_containing, recent_periods
from cakra.workflow.roster import build_roster
from cakra.workflow.submissions import submission_of


def recap_key(app: App, run: datetime) -> str:
    return f"periodic-recap:{run.astimezone(app.config.tz):%Y-%m}"


def recap_periods(app: App, now: datetime) -> list[Period]:
    """The last ``[periodic] recap_periods`` periods whose due moment passed, none before the monitoring
    began (``[periodic] start``, else the first period the service expected)."""
    plan = app.sop.periodic
    assert plan is not None
    settings = app.config.periodic
    start = settings.start or _remembered_start(app)
    first = period_containing(start, plan.every) if start else None
    window = recent_periods(now, plan, app.calendar, settings.recap_periods + 2)
    due = [p for p in window if due_at(p, plan, app.calendar) <= now and (first is None or p >= first)]
    return due[-settings.recap_periods :]


def recap(app: App, now: datetime, *, run: datetime | None = None) -> str | None:
    """The recap of ``run``'s month (default ``now``'s) to ``[periodic] recap_roles``, once per month; the
    last new Message-ID, None when it existed already (or there is nothing to recap yet)."""
    plan = app.sop.periodic
    if plan is None:
        raise ConfigError(f"the SOP {app.config.sop_path} has no [periodic] plan; there is nothing to recap")
    periods = recap_periods(app, now)
    if not periods:
        return None
    since = datetime.combine(periods[0].start, time(), tzinfo=app.config.tz)
    roster = build_roster(app.config.roster, roster_rows(_roster_tab(app)))
    subs = [submission_of(c, plan, roster, app.calendar) for c in app.ledger.cases_open_or_since(since)]
    rows = recap_rows(subs, roster, periods, plan, app.calendar, now)
    roles = app.config.periodic.recap_roles
    return send_recap(app.mailer, app.book, roles, rows, periods, now, key=recap_key(app, run or now))


def _remembered_start(app: App) -> date | None:
    remembered = app.ledger.meta(FIRST_PERIOD_KEY)
    return date.fromisoformat(remembered) if remembered else None


def _roster_tab(app: App) -> Tab | None:
    """The "Daftar Desa" tab as it is now (one read; the recap is a job, not a cycle)."""
    name = app.config.periodic.roster_tab
    return app.sheets.read([name]).get(name) if name else None
