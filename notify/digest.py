"""The daily digest: each role's open cases in one message, at ``[digest] time`` on every working day.

Sections: late, due before the next digest, waiting on the reporter, and the rest (one line each). A role
with no open cases gets nothing that day. Each (date, role) is claimed in the ledger in the same
transaction as its message, so the job may run any number of times (every tick, every restart) and each
role still gets one digest per working day; a run missed while the service was down is made on start-up.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from cakra.notify.compose import base_context, enqueue_message
from cakra.notify.views import case_view
from cakra.workflow.case import Case

if TYPE_CHECKING:
    from cakra.app import App


def digest_roles(app: App) -> list[str]:
    """``[digest] roles``, or every internal role of the SOP when it is empty."""
    configured = app.config.digest.roles
    return list(configured) or [r.id for r in app.sop.roles.values() if not r.external]


def next_run(app: App, run_date: date, at: time) -> datetime:
    """The next digest after the one of ``run_date``: ``at`` on the next working day."""
    day = run_date + timedelta(days=1)
    while not app.calendar.is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=app.config.tz)


def role_cases(app: App, role: str, cases: list[Case]) -> list[Case]:
    """Open cases whose current step belongs to ``role``, by deadline (no deadline last)."""
    sop = app.sop
    own = [c for c in cases if c.is_open and c.step in sop.steps and sop.steps[c.step].role == role]
    return sorted(own, key=lambda c: (c.deadline is None, c.deadline or c.created_at, c.seq))


def send_digests(app: App, now: datetime, *, run_date: date, at: time) -> int:
    """Enqueue the digest of ``run_date`` for every digest role not yet served; return how many were made."""
    made = 0
    horizon = next_run(app, run_date, at)
    with app.ledger.transaction():
        cases = app.ledger.cases(open_only=True)
        for role in digest_roles(app):
            key = f"digest:{run_date:%Y-%m-%d}:{role}"
            if not app.ledger.claim(key, now):
                continue
            own = role_cases(app, role, cases)
            if not own:
                continue
            late = [c for c in own if c.is_overdue(now)]
            waiting = [c for c in own if c.is_paused]
            soon = [
                c for c in own if c not in late and c not in waiting and c.deadline and c.deadline < horizon
            ]
            rest = [c for c in own if c not in late and c not in waiting and c not in soon]
            groups = {"late": late, "soon": soon, "waiting": waiting, "rest": rest}
            context = {
                **base_context(app, now),
                "role_title": app.sop.roles[role].title,
                "run_date": run_date,
                "next_run": horizon,
                "total": len(own),
                **{name: [case_view(c, app.sop, role, now) for c in group] for name, group in groups.items()},
            }
            if enqueue_message(
                app,
                "digest",
                context,
                dedupe_key=key,
                role=role,
                recipients=app.config.role_emails(role),
                now=now,
            ):
                made += 1
    return made
