"""Periodic reports inside the cycle (issue 11): the hooks ``cakra/cycle.py`` calls when the SOP expects
submissions (``[periodic]``, workflow/periods.py); for any other SOP every hook does nothing.

- ``tabs_to_read``: the "Monitoring" and "Daftar Desa" tabs, read whole in the cycle's ONE read
  (``read_view``'s ``extra``);
- ``take_cycle`` (inside the cycle's ledger transaction): each new submission is matched to its desa
  and period; an unknown desa or an unreadable period is flagged on its case (never dropped), a second
  submission for the same desa and period is marked as a revision (history and "Pesan Sistem"); a held
  report's desa gets the fix request; reminders and the late list go out when due;
- ``grid_writes``: the Monitoring cells and the Daftar Desa messages that changed, for the cycle's ONE
  write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from cakra.app import App
from cakra.notify.periodic_notices import ReminderPolicy, enqueue_fix_requests, enqueue_reminders
from cakra.sheets.base import CellWrite
from cakra.tabs.monitoring import (
    grid_writes as monitoring_cells,
)
from cakra.tabs.monitoring import (
    monitoring_grid,
    roster_message_writes,
    roster_rows,
)
from cakra.tabs.view import CycleView
from cakra.workflow.case import Case
from cakra.workflow.context import StepContext
from cakra.workflow.operator_edits import RowGuard
from cakra.workflow.periods import Period, period_by_timestamp, period_containing, recent_periods
from cakra.workflow.roster import Roster, build_roster
from cakra.workflow.storage import NOTE
from cakra.workflow.submissions import Submission, earlier_of, state_grid, submission_of


@dataclass
class PeriodicCycle:
    """What this cycle found of the periodic reports (the write and the counts use it)."""

    roster: Roster
    periods: list[Period]
    states: dict[str, list[str]]  # desa id -> state per period of ``periods``
    messages: int = 0
    flagged: list[str] = field(default_factory=list)  # tickets flagged this cycle (unknown desa ...)


def tabs_to_read(app: App) -> dict[str, None]:
    """The periodic tabs to read whole in the cycle's one request ({} for a complaint SOP)."""
    if app.sop.periodic is None:
        return {}
    settings = app.config.periodic
    return {name: None for name in (settings.monitoring_tab, settings.roster_tab) if name}


def periodic_tab_headers(app: App) -> dict[str, list[str]]:
    """The periodic tabs ``ensure_tabs`` creates when missing, with their first row."""
    from cakra.tabs.monitoring import MONITORING_HEADER, ROSTER_HEADERS

    if app.sop.periodic is None:
        return {}
    settings = app.config.periodic
    wanted = {settings.monitoring_tab: [MONITORING_HEADER], settings.roster_tab: ROSTER_HEADERS}
    return {name: header for name, header in wanted.items() if name}


def roster_of(app: App, view: CycleView) -> Roster:
    """The config's roster with the "Daftar Desa" tab's rows merged in."""
    return build_roster(app.config.roster, roster_rows(view.extra.get(app.config.periodic.roster_tab)))


def take_cycle(
    app: App, view: CycleView, ctx: StepContext, new: list[Case], held: list[Case], guard: RowGuard
) -> PeriodicCycle | None:
    """This cycle's periodic work (see the module doc); None for a complaint SOP. Call inside the
    cycle's ledger transaction, after new cases and operator edits were saved."""
    plan, calendar, ledger, now = app.sop.periodic, app.calendar, app.ledger, ctx.now
    if plan is None:
        return None
    roster = roster_of(app, view)
    periods = recent_periods(now, plan, calendar, app.config.periodic.periods_shown)
    since = datetime.combine(periods[0].start, time(), tzinfo=calendar.tz)
    cases = {case.ticket: case for case in ledger.cases_open_or_since(since)}
    cases.update({case.ticket: case for case in (*new, *held)})
    subs = {ticket: submission_of(case, plan, roster, calendar) for ticket, case in cases.items()}
    result = PeriodicCycle(roster, periods, {})
    for case in new:
        with guard(case, f"laporan berkala {case.ticket}") as failure:
            if _tag(case, subs[case.ticket], list(subs.values()), ctx):
                ledger.save_case(case)
                result.flagged.append(case.ticket)
        if failure.reason is not None:
            ledger.save_case(case)
    paused = [
        (case, subs[case.ticket].desa, subs[case.ticket].period)
        for case in held
        if case.is_paused and subs[case.ticket].desa
    ]
    result.messages += enqueue_fix_requests(app.mailer, plan, roster, paused, now)
    first = first_period(app, now)
    result.states = state_grid(subs.values(), roster, periods, plan, calendar, now, first)
    by_key = {d: dict(zip((p.key for p in periods), row, strict=True)) for d, row in result.states.items()}
    settings = app.config.periodic
    policy = ReminderPolicy(settings.remind_days_before, settings.remind_after)
    result.messages += enqueue_reminders(app.mailer, ledger, plan, roster, by_key, calendar, policy, now)
    return result


FIRST_PERIOD_KEY = "periodic_first_day"


def first_period(app: App, now: datetime) -> Period:
    """The first period the roster is expected to report for: ``[periodic] start``'s, else the one being
    collected when the service first ran (remembered in the ledger, so it never moves). Call inside the
    cycle's transaction."""
    plan, calendar = app.sop.periodic, app.calendar
    assert plan is not None
    start = app.config.periodic.start
    if start is None:
        remembered = app.ledger.meta(FIRST_PERIOD_KEY)
        if remembered:
            start = date.fromisoformat(remembered)
        else:
            start = period_by_timestamp(now, plan, calendar).start
            app.ledger.set_meta(FIRST_PERIOD_KEY, start.isoformat())
    return period_containing(start, plan.every)


def _tag(case: Case, sub: Submission, others: list[Submission], ctx: StepContext) -> bool:
    """Say on a new submission's case what it is for, what is wrong with it and whether it revises an
    earlier one (its "Pesan Sistem" and a history note); True when anything was said."""
    notes: list[str] = []
    if not sub.desa:
        shown = sub.desa_answer[:60] or "kosong"
        notes.append(
            f"Perlu dicek: desa '{shown}' tidak ada di daftar desa; laporan disimpan tetapi belum masuk tab "
            "Monitoring sampai desanya ditambahkan ke Daftar Desa (atau sebagai alias)"
        )
        problem = f"Desa '{shown}' tidak dikenal"
        if problem not in case.report.problems:
            case.report.problems.append(problem)
    if sub.period_problem:
        notes.append(sub.period_problem)
    earlier = earlier_of(sub, others)
    if earlier is not None:
        notes.append(
            f"Revisi: laporan periode {sub.period.label} kedua dari desa ini (sebelumnya {earlier.ticket}); "
            "yang terbaru yang dihitung di Monitoring"
        )
    if not notes:
        return False
    text = ". ".join(notes)
    ctx.store.record(case.ticket, ctx.now, NOTE, note=text)
    case.message = f"{case.message} {text}." if case.message else f"{text}."
    return True


def grid_writes(app: App, view: CycleView, periodic: PeriodicCycle | None) -> list[CellWrite]:
    """The cells of the Monitoring and Daftar Desa tabs that changed ([] for a complaint SOP)."""
    if periodic is None:
        return []
    settings = app.config.periodic
    writes: list[CellWrite] = []
    if settings.monitoring_tab:
        grid = monitoring_grid(periodic.roster, periodic.periods, periodic.states)
        tab = view.extra.get(settings.monitoring_tab)
        writes += monitoring_cells(tab, settings.monitoring_tab, grid)
    if settings.roster_tab:
        tab = view.extra.get(settings.roster_tab)
        writes += roster_message_writes(tab, settings.roster_tab, periodic.roster.row_problems)
    return writes
