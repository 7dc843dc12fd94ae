"""Reminders and escalations: which of a case's alerts are due at ``now`` (a query, never a timer).

For a case in a step with a time limit (all moments counted in the limit's own kind of time):
- **reminder** (level 0) to the step's roles (all of them: a step may have several) once ``reminder_share`` of the time has passed (default 80 %);
- **level 1** at the deadline: the role itself ("overdue") and its direct superior ("escalated");
- **level k** (k = 2 .. the head of the agency) to the k-th superior, ``level_interval`` after level k-1
  (default: the step's own limit again — a "15 menit" step escalates every 15 minutes, a "2 hari kerja" step
  every two working days);
- once the head has heard, a **repeat** to the role and the head every ``repeat_interval`` (default: one
  working day) while the step stays undone (only the latest repeat is due: a service that was down sends
  one, not a backlog).
Each alert has a key naming the case, the step entry, the level and the role; the caller claims it in the
ledger in the same transaction as the message, so no alert is ever sent twice (restarts, two processes).
A step limited in working time alerts in working hours only: outside them nothing is due, and what became
due in the night goes out at the next opening. A paused case (waiting on the reporter) has no alerts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cakra.common.errors import ConfigError
from cakra.common.wording import daftar
from cakra.workflow.calendar import BusinessCalendar, LimitError, TimeLimit
from cakra.workflow.case import Case
from cakra.workflow.sop import Sop

_MAX_IDLE_DAYS = 3660  # as the calendar: ten years without a working day is a misconfiguration
_MAX_REPEATS = 10_000  # years of repeats is a stale case: the count stops growing there


@dataclass(frozen=True)
class AlertPolicy:
    """The agency's reminder and escalation settings (config ``[escalation]``)."""

    reminder_share: float = 0.8  # 0 turns reminders off
    level_interval: TimeLimit | None = None  # None: the step's own limit
    escalate_further: bool = True  # False: only the direct superior hears (level 1)
    repeat_interval: TimeLimit | None = TimeLimit(1, "days", working=True)  # None: no repeats

    @classmethod
    def from_config(cls, table: Mapping[str, Any]) -> AlertPolicy:
        """Read ``[escalation]``; raise ``ConfigError`` (one line: what is wrong, how to fix it)."""
        share = float(table.get("reminder_share", 0.8))
        if not 0 <= share < 1:
            raise ConfigError(
                f"[escalation] reminder_share = {share!r}; give a share of the time below 1, e.g. 0.8 for 80 % (0 = no reminders)"
            )
        level_text = table.get("level_interval", "")
        level = _interval(level_text, "level_interval")
        further = level is not None or not str(level_text).strip()  # "" = default, "tidak ada" = no further
        repeat = _interval(table.get("repeat_interval", "1 hari kerja"), "repeat_interval")
        if repeat is not None and repeat.amount == 0:
            raise ConfigError(
                '[escalation] repeat_interval must be longer than 0; e.g. "1 hari kerja" or "tidak ada"'
            )
        return cls(share, level, further, repeat)


def _interval(text: object, key: str) -> TimeLimit | None:
    """An interval from the config: ``""``, ``"tidak ada"`` -> None; ``"1 jam"``, ``"1 hari kerja"`` -> limit."""
    if not isinstance(text, str):
        raise ConfigError(f'[escalation] {key} must be text such as "1 jam", "4 jam kerja" or "1 hari kerja"')
    try:
        return TimeLimit.parse(text)
    except LimitError as exc:
        raise ConfigError(f"[escalation] {key}: {exc}") from None


@dataclass(frozen=True)
class Alert:
    """One notice to one role about one case: ``section`` is how the role's message files it."""

    role: str
    section: str  # "reminder" | "overdue" | "escalated"
    key: str
    level: int  # 0 reminder, 1.. escalation levels, then repeats
    note: str = ""


def forwarded(sop: Sop, chain: list[str]) -> str:
    """An escalation level in words, naming who has heard: "Sudah diteruskan ke Kasubbid dan Kabid"."""
    return "Sudah diteruskan ke " + daftar([sop.roles[role].title for role in chain])


def after(calendar: BusinessCalendar, moment: datetime, interval: TimeLimit) -> datetime:
    """``moment`` plus one ``interval`` of its kind of time. "N hari kerja": the same time of day on the N-th
    working day after ``moment``'s date, kept within that day's office hours ("every working day at 08.45";
    a moment at closing time stays at closing time)."""
    if not (interval.working and interval.in_days):
        return calendar.add(moment, interval.as_timedelta(), working=interval.working)
    if interval.days == 0:
        return calendar.next_working_moment(moment)
    local = moment.astimezone(calendar.tz)
    passed, day = 0, local.date()
    for _ in range(_MAX_IDLE_DAYS * max(interval.days, 1)):
        day += timedelta(days=1)
        passed += calendar.is_working_day(day)
        if passed == interval.days:
            return _same_time_on(calendar, day, local)
    raise AssertionError("unreachable: the calendar has working days")  # pragma: no cover


def latest_repeat(calendar: BusinessCalendar, base: datetime, interval: TimeLimit, now: datetime) -> int:
    """How many whole ``interval``s have passed since ``base`` at ``now`` (0 if none). For "N hari kerja" the
    k-th is at ``base``'s time of day on the (k*N)-th working day after its date (see ``after``), so the
    count is the working days since then divided by N, less one while ``now``'s own day has not yet
    reached that time of day."""
    if now < base:
        return 0
    if not (interval.working and interval.in_days):
        step = interval.as_timedelta()
        return int(calendar.elapsed(base, now, working=interval.working) // step) if step else 0
    if interval.days == 0:
        return 0
    local, last_day = base.astimezone(calendar.tz), now.astimezone(calendar.tz).date()
    passed = calendar.working_days_after(local.date(), last_day)
    count = passed // interval.days
    falls_today = count and passed % interval.days == 0 and calendar.is_working_day(last_day)
    if falls_today and _same_time_on(calendar, last_day, local) > now:
        count -= 1
    return min(count, _MAX_REPEATS)


def _same_time_on(calendar: BusinessCalendar, day: date, local: datetime) -> datetime:
    """``local``'s wall-clock time on working day ``day``, moved into its office hours if outside them."""
    periods = calendar.working_intervals(day)
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=calendar.tz)
    return min(max(wall, periods[0][0]), periods[-1][1])


def reminder_at(case: Case, limit: TimeLimit, calendar: BusinessCalendar, share: float) -> datetime:
    """When ``share`` of the step's time has passed, later by the time its clock stood still."""
    point = calendar.point_at_share(case.step_entered_at, limit, share)
    return calendar.add(point, timedelta(seconds=case.step_paused_seconds), working=limit.working)


def due_alerts(
    case: Case, sop: Sop, calendar: BusinessCalendar, policy: AlertPolicy, now: datetime
) -> list[Alert]:
    """Every alert of ``case`` whose moment has come at ``now`` (claimed or not; the caller claims)."""
    step = sop.steps.get(case.step)
    if step is None or not case.is_open or case.is_paused or step.limit is None or case.deadline is None:
        return []
    limit = step.limit
    if limit.working and not calendar.is_working_time(now):
        return []
    base = f"{case.ticket}:{case.step}:{case.step_entered_at.isoformat()}"
    role = step.role
    # Every role of the step hears its reminder and lateness; the chain of superiors is the accountable
    # (first) role's. The first role keeps the keys of earlier versions; the others' name the role.
    own = [(r, "" if r == role else f":{r}") for r in step.roles]
    if now < case.deadline:
        if policy.reminder_share and now >= reminder_at(case, limit, calendar, policy.reminder_share):
            return [Alert(r, "reminder", f"reminder:{base}{tail}", 0) for r, tail in own]
        return []
    chain = sop.superiors(role)
    levels = chain if policy.escalate_further else chain[:1]
    # Level 1 keeps the keys of earlier versions, so an upgraded ledger never repeats one.
    alerts = [Alert(r, "overdue", f"overdue:{base}:{r}", 1) for r, _ in own]
    if levels:
        alerts.append(
            Alert(levels[0], "escalated", f"escalated:{base}:{levels[0]}", 1, forwarded(sop, levels[:1]))
        )
    interval = policy.level_interval or limit
    due = case.deadline
    for level, superior in enumerate(levels[1:], start=2):
        due = after(calendar, due, interval)
        if now < due:
            return alerts
        alerts.append(
            Alert(
                superior, "escalated", f"escalated:{base}:{superior}", level, forwarded(sop, levels[:level])
            )
        )
    if policy.repeat_interval is None:
        return alerts
    count = latest_repeat(calendar, due, policy.repeat_interval, now)
    if count:
        note = f"Pengingat ulang ke-{count}" + (f". {forwarded(sop, levels)}" if levels else "")
        top = levels[-1] if levels else None
        alerts += [
            Alert(r, "overdue", f"repeat:{base}:{count}:{r}", len(levels) + count, note) for r, _ in own
        ]
        if top:
            alerts.append(Alert(top, "escalated", f"repeat:{base}:{count}:{top}", len(levels) + count, note))
    return alerts
