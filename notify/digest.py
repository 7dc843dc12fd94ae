"""The daily digest: each role's open cases in one message, at ``[digest] time`` on every working day.

Sections: late, due before the next digest, waiting on the reporter, and the rest, one row per case. At
most ``DIGEST_ROWS`` rows in all (late ones first); past them each section says how many more there are,
so a backlog of thousands stays a message of a few hundred kilobytes. A role with no open cases gets
nothing that day. Each (date, role) is claimed in the ledger in the same
transaction as its message, so the job may run any number of times (every tick, every restart) and each
role still gets one digest per working day; a run missed while the service was down is made on start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from cakra.notify.mailer import Mailer
from cakra.notify.views import case_view
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.case import Case
from cakra.workflow.sop import Sop
from cakra.workflow.storage import CaseBook

DIGEST_ROWS = 500  # rows per digest, in section order; the rest are counted


def digest_roles(configured: Sequence[str], sop: Sop) -> list[str]:
    """``[digest] roles`` (``configured``), or every internal role of the SOP when it is empty."""
    return list(configured) or [r.id for r in sop.roles.values() if not r.external]


def next_run(calendar: BusinessCalendar, run_date: date, at: time) -> datetime:
    """The next digest after the one of ``run_date``: ``at`` on the next working day."""
    day = run_date + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=calendar.tz)


def digest_key(run_date: date, role: str) -> str:
    """The ledger key of ``role``'s digest of ``run_date`` (claimed with its message, or when skipped)."""
    return f"digest:{run_date:%Y-%m-%d}:{role}"


def role_cases(sop: Sop, role: str, cases: list[Case]) -> list[Case]:
    """Open cases whose current step belongs to ``role``, by deadline (no deadline last)."""
    own = [c for c in cases if c.is_open and c.step in sop.steps and role in sop.steps[c.step].roles]
    return sorted(own, key=lambda c: (c.deadline is None, c.deadline or c.created_at, c.seq))


def send_digests(
    mailer: Mailer, book: CaseBook, roles: Sequence[str], now: datetime, *, run_date: date, at: time
) -> int:
    """Enqueue the digest of ``run_date`` for each of ``roles`` not yet served; return how many were made."""
    made = 0
    sop, archive = book.sop, book.archive
    horizon = next_run(book.calendar, run_date, at)
    with archive.transaction():
        cases = archive.cases(open_only=True)
        # A per-unit role's digest is one per unit, to the unit's recipients, of the unit's cases only.
        targets = [
            (role, unit)
            for role in roles
            for unit in (
                sorted({c.unit for c in role_cases(sop, role, cases)}) if sop.roles[role].per_unit else [""]
            )
        ]
        for role, unit in targets:
            key = digest_key(run_date, role) + (f"@{unit}" if unit else "")
            if not archive.claim(key, now):
                continue
            own = [c for c in role_cases(sop, role, cases) if not unit or c.unit == unit]
            if not own:
                continue
            late = [c for c in own if c.is_overdue(now)]
            waiting = [c for c in own if c.is_paused]
            soon = [
                c for c in own if c not in late and c not in waiting and c.deadline and c.deadline < horizon
            ]
            rest = [c for c in own if c not in late and c not in waiting and c not in soon]
            groups = {"late": late, "soon": soon, "waiting": waiting, "rest": rest}
            budget, shown = DIGEST_ROWS, {}
            for name, group in groups.items():
                shown[name] = [case_view(c, sop, role, now) for c in group[:budget]]
                budget -= len(shown[name])
            context = {
                **mailer.base_context(now, unit),
                "role_title": sop.roles[role].title,
                "run_date": run_date,
                "next_run": horizon,
                "total": len(own),
                "counts": {name: len(group) for name, group in groups.items()},
                **shown,
            }
            if mailer.enqueue(
                "digest",
                context,
                dedupe_key=key,
                role=role,
                recipients=mailer.recipients(role, unit),
                now=now,
            ):
                made += 1
    return made
