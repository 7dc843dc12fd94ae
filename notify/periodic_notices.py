"""Messages of periodic reports: fix requests and reminders to a desa, the late list to the kecamatan.

- **Fix request**: when the kecamatan's operator holds a report ("Menunggu pelapor") the desa's officials
  get what to fix (the operator's "Disposisi / Catatan", what the report lacks), once per hold.
- **Before the due day** (from ``[periodic] remind_days_before`` days before it): a reminder to each desa
  whose period is still "Belum".
- **After it**: a reminder to each desa whose period is "Terlambat", and ONE list of the late desa to the
  plan's checker role (the kecamatan's operator).
Each reminder is claimed in the ledger (``store.claim``) under its desa, period and kind, in the cycle's
transaction, so it is made once whoever runs the cycle; they are made only in office hours (the
calendar's working time), so nobody is reminded at night or on a holiday. Only the latest period whose due
day passed is reminded about, never older ones (a service started late does not send a year of reminders).
Desa officials are not an SOP role with fixed addresses: each message goes to its desa's roster addresses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cakra.notify.mailer import Mailer
from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.case import Case
from cakra.workflow.periods import Period, PeriodicPlan, due_at, due_day, period_containing
from cakra.workflow.roster import Roster
from cakra.workflow.storage import CaseStore
from cakra.workflow.submissions import BELUM, TERLAMBAT


@dataclass(frozen=True)
class ReminderPolicy:
    days_before: int = 3  # 0 = no reminder before the due day
    after: bool = True


def enqueue_fix_requests(
    mailer: Mailer,
    plan: PeriodicPlan,
    roster: Roster,
    held: Sequence[tuple[Case, str, Period]],
    now: datetime,
) -> int:
    """Tell each held report's desa what to fix (``held``: case, desa id, period); how many were made."""
    made = 0
    for case, desa_id, period in held:
        recipients = roster.emails(desa_id)
        if case.paused_since is None or not recipients:
            continue
        note = case.operator.get("disposisi", "") or case.operator.get("verification", "")
        context = {
            **mailer.base_context(now),
            "ticket": case.ticket,
            "desa_title": roster.desa[desa_id].title,
            "period_label": period.label,
            "note": note,
            "missing": list(case.waiting_for),
            "received_at": case.report.received_at,
        }
        made += bool(
            mailer.enqueue(
                "periodic_fix",
                context,
                dedupe_key=f"periodic-fix:{case.ticket}:{case.paused_since.isoformat()}",
                role=plan.submitter,
                recipients=recipients,
                now=now,
            )
        )
    return made


def enqueue_reminders(
    mailer: Mailer,
    store: CaseStore,
    plan: PeriodicPlan,
    roster: Roster,
    states: Mapping[str, Mapping[str, str]],
    calendar: BusinessCalendar,
    policy: ReminderPolicy,
    now: datetime,
) -> int:
    """The reminders due at ``now`` (see the module doc); ``states``: desa id -> period key -> state.
    Returns how many messages were made. Call inside the cycle's transaction."""
    if not calendar.is_working_time(now):
        return 0
    current = period_containing(now.astimezone(calendar.tz).date(), plan.every)
    candidates = [current.shifted(-2), current.shifted(-1), current]
    made = 0
    if policy.days_before:
        today = now.astimezone(calendar.tz).date()
        for period in candidates:
            starts = due_day(period, plan, calendar) - timedelta(days=policy.days_before)
            if now < due_at(period, plan, calendar) and today >= starts and today >= period.end:
                made += _remind_desa(
                    mailer, store, plan, roster, states, period, BELUM, "before", calendar, now
                )
    passed = [p for p in candidates if due_at(p, plan, calendar) <= now]
    if policy.after and passed:
        period = passed[-1]
        made += _remind_desa(mailer, store, plan, roster, states, period, TERLAMBAT, "after", calendar, now)
        made += _late_list(mailer, store, plan, roster, states, period, calendar, now)
    return made


def _remind_desa(
    mailer: Mailer,
    store: CaseStore,
    plan: PeriodicPlan,
    roster: Roster,
    states: Mapping[str, Mapping[str, str]],
    period: Period,
    state: str,
    kind: str,
    calendar: BusinessCalendar,
    now: datetime,
) -> int:
    made = 0
    for desa_id, desa in roster.desa.items():
        if states.get(desa_id, {}).get(period.key) != state or not desa.emails:
            continue  # a desa without addresses is reminded once someone adds them
        key = f"periodic-remind-{kind}:{period.key}:{desa_id}"
        if not store.claim(key, now):
            continue
        context = {
            **mailer.base_context(now),
            "desa_title": desa.title,
            "period_label": period.label,
            "due": due_at(period, plan, calendar) - timedelta(minutes=1),
            "late": kind == "after",
        }
        made += bool(
            mailer.enqueue(
                "periodic_reminder",
                context,
                dedupe_key=key,
                role=plan.submitter,
                recipients=list(desa.emails),
                now=now,
            )
        )
    return made


def _late_list(
    mailer: Mailer,
    store: CaseStore,
    plan: PeriodicPlan,
    roster: Roster,
    states: Mapping[str, Mapping[str, str]],
    period: Period,
    calendar: BusinessCalendar,
    now: datetime,
) -> int:
    late = [d.title for d_id, d in roster.desa.items() if states.get(d_id, {}).get(period.key) == TERLAMBAT]
    recipients = mailer.recipients(plan.checker)
    key = f"periodic-late-list:{period.key}"
    if not late or not recipients or not store.claim(key, now):
        return 0
    context = {
        **mailer.base_context(now),
        "period_label": period.label,
        "due": due_at(period, plan, calendar) - timedelta(minutes=1),
        "late": late,
        "total": len(roster.desa),
    }
    made = mailer.enqueue(
        "periodic_late", context, dedupe_key=key, role=plan.checker, recipients=recipients, now=now
    )
    return int(made is not None)
