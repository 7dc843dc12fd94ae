"""When the scheduled jobs run: the one statement of it, for ``serve``'s loop and ``cakra status``.

Each job runs at its local time on the days it accepts; what was sent lives in the ledger
(``cakra.ledger.runs``), so this module only says *when*.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from functools import partial

from cakra.app import App
from cakra.jobs import sends_on
from cakra.ledger.runs import next_run

Schedule = tuple[time, Callable[[date], bool]]  # a job's local time, and the days it runs on


def schedules(app: App) -> dict[str, Schedule | None]:
    """Each scheduled job (by its title for people) and when it runs; None when it is switched off."""
    config, weekday = app.config, app.config.report.weekly_day
    return {
        "ringkasan harian": (config.serve.report_time, partial(sends_on, app)),
        "digest harian": None if config.digest.time is None else (config.digest.time, partial(sends_on, app)),
        "ringkasan mingguan": None
        if weekday is None
        else (config.report.weekly_time, lambda day: day.weekday() == weekday),
    }


def next_runs(app: App, now: datetime) -> dict[str, datetime | None]:
    """Each scheduled job's next time after ``now`` (None when switched off)."""
    return {
        title: None if plan is None else next_run(now, plan[0], app.config.tz, plan[1])
        for title, plan in schedules(app).items()
    }
