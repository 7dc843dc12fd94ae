"""One poll cycle: read -> ingest -> operator edits -> ledger commit -> write -> deliver.

What the cycle needs of every tab (responses, status, the "Ringkasan" dashboard) is read in ONE request
(``cakra.sheet_view``: whole tabs, or only the cells that can have changed) and every cell it changes is
written in ONE ``sheets.write`` call.

The order is what makes a crash lose nothing: everything decided in a cycle (cases, history, outbox
rows) is committed in one ledger transaction before the sheet is written or a message leaves. A sheet
write that fails is simply made again next cycle (the status sheet is a projection of the ledger), and
an outbox row is sent until the server accepts it, once.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from cakra import adoption_run, unit_screens
from cakra.app import App
from cakra.intake import settle, sort_responses
from cakra.ledger.lock import cycle_lock
from cakra.ledger.store import Ledger
from cakra.manual_intake import manual_writes, sort_manual
from cakra.notify.citizen import enqueue_citizen_messages
from cakra.notify.compose import enqueue_notices
from cakra.notify.outbox import OutboxRow
from cakra.notify.pacing import pace
from cakra.notify.plan import RoleNotice, plan_notices
from cakra.periodic import grid_writes, periodic_tab_headers, tabs_to_read, take_cycle
from cakra.row_guard import guard_for, take_edited_response, take_new_response
from cakra.sheet_write import month_start, write_sheets
from cakra.sheets.base import Block
from cakra.tabs.dashboard import TITLE as DASHBOARD_TITLE
from cakra.tabs.history import HISTORY_HEADERS, check_blocks, wiped
from cakra.tabs.links import case_links
from cakra.tabs.manual import manual_headers
from cakra.tabs.status import HEADERS, StatusSheet
from cakra.tabs.view import commit_view, load_state, read_view
from cakra.workflow.adoption import Adoption, adopt_case
from cakra.workflow.case import Case
from cakra.workflow.channels import is_manual
from cakra.workflow.context import StepContext
from cakra.workflow.disposition import operator_rules
from cakra.workflow.operator_edits import apply_operator_edits

log = logging.getLogger("cakra.cycle")

Progress = Callable[[int, int], None]  # (responses taken in so far, of how many)


@dataclass
class CycleResult:
    new: int = 0
    adopted: int = 0  # old responses taken in as history (workflow/adoption.py): nobody is told
    edited: int = 0
    moved: int = 0
    refused: int = 0
    cells_written: int = 0
    messages: int = 0
    delivered: int = 0
    failed: int = 0
    reminders: int = 0  # cases in reminder sections this cycle
    escalations: int = 0  # cases in escalation sections this cycle
    citizen: int = 0  # acknowledgements and closing messages to reporters
    paused: int = 0
    resumed: int = 0
    delivery_trouble: str = ""  # one line when the transport refused messages ("" when all went)
    unread: int = 0  # response rows a batch (``limit``) left for the next cycle (tabs/batch.py)

    @property
    def found_work(self) -> bool:
        return any(
            (
                self.new,
                self.adopted,
                self.edited,
                self.moved,
                self.refused,
                self.cells_written,
                self.delivered,
            )
        )

    def summary(self) -> str:
        return (
            f"{self.new} kasus baru, "
            + (f"{self.adopted} tanggapan lama diambil sebagai riwayat, " if self.adopted else "")
            + f"{self.edited} diubah pelapor, {self.moved} pindah tahap, "
            f"{self.refused} ditolak, {self.paused} ditunda, {self.resumed} dilanjutkan, "
            f"{self.cells_written} sel ditulis, {self.messages} pesan dibuat "
            f"({self.reminders} pengingat, {self.escalations} eskalasi), {self.citizen} pesan pelapor, "
            f"{self.delivered} terkirim, {self.failed} gagal"
            + (f"; {self.delivery_trouble}" if self.delivery_trouble else "")
        )


def ensure_tabs(app: App) -> list[str]:
    """Create the status, history and dashboard tabs when missing (first run, or an operator deleted one)."""
    sheets = app.config.sheets
    wanted = {sheets.status_tab: HEADERS, sheets.history_tab: HISTORY_HEADERS}
    if sheets.dashboard_tab:
        wanted[sheets.dashboard_tab] = [DASHBOARD_TITLE]
    if sheets.manual_tab:
        wanted[sheets.manual_tab] = manual_headers(app.sop)
    wanted.update(periodic_tab_headers(app))  # expected periodic reports: Monitoring, Daftar Desa
    existing = set(app.sheets.tab_names())
    return [
        name
        for name, header in wanted.items()
        if name not in existing and app.sheets.ensure_tab(name, header)
    ]


def poll(
    app: App,
    now: datetime,
    *,
    on_before_send: Callable[[OutboxRow], None] | None = None,
    adoption: Adoption | None = None,
    progress: Progress | None = None,
    limit: int | None = None,
) -> CycleResult:
    """Run exactly one cycle at ``now`` (an aware datetime). Raises CakraError for a fixable problem.

    New responses that ``adoption`` takes (default: ``[intake] start``'s) are adopted as history, not
    opened; ``progress(done, total)`` is called as the cycle's new responses are taken in.
    ``limit``: take at most this many response rows past those seen; the rest are left for the next
    cycle (``result.unread`` says how many: ``tabs/batch.py``).
    An ``adopt`` that was stopped before its last batch is resumed (``cakra/adoption_run.py``).
    Holds the ledger's cycle lock: a second process polling the same ledger gets ``Busy`` at once.
    """
    with cycle_lock(app.ledger.path), collector_paused():
        resumed = None if adoption is not None else adoption_run.unfinished(app.ledger)
        if resumed is not None:
            adoption, limit = resumed[0], limit or resumed[1]
        try:
            result = _poll(app, now, on_before_send, adoption or app.configured_adoption, progress, limit)
        except BaseException:
            app.ledger.forget_loaded()  # a failed cycle may have changed loaded cases it never saved
            raise
        if resumed is not None and not result.unread and load_state(app.ledger) is not None:
            adoption_run.finish(app.ledger)
        return result


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one cycle.

    A cycle builds hundreds of thousands of short-lived objects (every case, every cell read) and almost
    no reference cycles; with the collector on, a 50,000-case cycle spent ~20 % of its time in
    collections that freed nothing. Reference counting still frees everything; the collector resumes
    (and catches up) after the cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _poll(
    app: App,
    now: datetime,
    on_before_send: Callable[[OutboxRow], None] | None,
    adoption: Adoption | None,
    progress: Progress | None,
    limit: int | None = None,
) -> CycleResult:
    config, sop, ledger = app.config, app.sop, app.ledger
    result = CycleResult()
    ensure_tabs(app)

    def load(full: bool) -> tuple[list[Case], dict[str, str]]:
        """What the cycle needs from the ledger whatever the sheets say (loaded while they are read)."""
        if full:
            return ledger.cases(), {}
        # reuse: this cycle saves every case it changes (ledger/loaded.py), and forgets them if it fails.
        return ledger.cases_open_or_since(month_start(app, now), reuse=True), ledger.operator_signatures()

    history_tab = config.sheets.history_tab
    # Only the local workbook can be saved over by an older copy; on Google a block past a shrunk grid
    # would be an error, and rows deleted there by hand are the operator's choice.
    riwayat = check_blocks(ledger, config.sheets.verify_rows) if config.sheets.backend == "local" else []
    extra: dict[str, list[Block] | None] = {history_tab: riwayat} if riwayat else {}
    manual_tab = config.sheets.manual_tab
    if manual_tab:
        extra[manual_tab] = None  # small, read whole every cycle (cakra/manual_intake.py)
    extra.update(tabs_to_read(app))  # expected periodic reports: Monitoring, Daftar Desa (cakra/periodic.py)
    view, (cases, signatures) = read_view(app.sheets, ledger, app.layout, load, extra or None, limit)
    if view is None:
        log.info("susunan kolom lembar berubah; siklus berikutnya membaca semua tab")
        return _deliver(app, now, result, on_before_send)
    status = StatusSheet(view.status)
    result.unread = view.state.unread
    unsettled: set[str] = set()
    checked = {ticket for ticket, index in status.rows.items() if index in view.checked}
    if not view.full:
        # Rows an operator changed, and cases without a row (deleted, or a write that failed).
        on_rows = status.operator_signatures()
        unsettled = {ticket for ticket, signature in signatures.items() if on_rows.get(ticket) != signature}
        _load_more(cases, ledger, unsettled | checked)
    open_before = {case.ticket for case in cases if case.is_open}

    def candidates(tickets: set[str]) -> dict[str, Case]:
        _load_more(cases, ledger, tickets)
        return {case.ticket: case for case in cases if case.ticket in tickets}

    responses = sort_responses(
        view.responses,
        view.response_rows,
        view.state.timestamp_col,
        ledger,
        config.columns,
        sop,
        complete=view.full and not view.state.unread,  # rows left unread may hold any case's response
        load=candidates,
        tz=app.sheets.timezone,
        now=now,
        earliest=datetime(config.intake.earliest_year, 1, 1, tzinfo=config.tz),
        questions=view.questions,
        # A response read while a question was lost is read again once the question is back.
        reread={c.ticket for c in cases if view.questions.regained(c.report.lost_questions)},
    )
    manual_sheet, manual = sort_manual(
        view.extra.get(manual_tab) if manual_tab else None,
        ledger,
        sop,
        load=candidates,
        tz=app.sheets.timezone,
        now=now,
        earliest=datetime(config.intake.earliest_year, 1, 1, tzinfo=config.tz),
    )
    window = config.intake.duplicate_window
    ctx = StepContext(sop, app.calendar, ledger, now)
    guard = guard_for(ledger)  # one row that fails is flagged on its case; the others go on
    with ledger.transaction():
        by_ticket = {case.ticket: case for case in cases}
        for ticket, report in [*responses.edits, *manual.edits]:
            existing = by_ticket[ticket]
            report.response_key = existing.report.response_key  # the response keeps its identity
            resumed = take_edited_response(guard, existing, report, ctx, config.tz, ledger.save_case)
            unsettled.add(existing.ticket)
            result.resumed += bool(resumed)
            result.edited += resumed is not None
        new: list[Case] = []
        adopted: list[Case] = []
        # The form's new responses first: they take the numbers their rows prefer (engine.allocate_seq).
        arrivals = [*responses.new, *manual.new]
        for done, report in enumerate(arrivals, 1):
            if adoption is not None and adoption.takes(report):
                # History, not work: no duplicate check, no acknowledgement, no notice.
                case = adopt_case(report, ctx, adoption)
                ledger.save_case(case)
                adopted.append(case)
            elif (case := take_new_response(guard, report, ctx, window, ledger.save_case)) is not None:
                new.append(case)
            else:
                continue
            cases.append(case)
            unsettled.add(case.ticket)
            if progress is not None:
                progress(done, len(arrivals))
        opened = {
            source: {
                c.report.response_row: c.ticket for c in (*new, *adopted) if is_manual(c.report) == by_hand
            }
            for source, by_hand in (("form", False), ("manual", True))
        }
        settle(ledger, responses, opened["form"], now)
        settle(ledger, manual, opened["manual"], now, source="manual")
        fresh = {*opened["manual"].values(), *(ticket for ticket, _ in manual.edits)}
        manual_cells = manual_writes(manual_sheet, ledger, fresh, cases)
        result.new, result.adopted = len(new), len(adopted)
        # Between full reads, only rows whose operator values differ from the ledger's can hold an edit.
        maybe_edited = None if view.full else unsettled | checked
        edits = apply_operator_edits(
            cases,
            lambda t: status.operator_values(t) if maybe_edited is None or t in maybe_edited else None,
            ctx,
            guard,
            operator_rules(None),
        )
        # Units' own screens: read, their edits applied to their own cases only (cakra/unit_screens.py).
        unit_work = unit_screens.apply(app, status, cases, ctx, guard, edits, new)
        for case in edits.touched:
            ledger.save_case(case)
            unsettled.add(case.ticket)
        result.moved, result.refused = len(edits.moved), len(edits.refused)
        result.paused, result.resumed = len(edits.paused), result.resumed + len(edits.resumed)
        periodic = take_cycle(app, view, ctx, new, edits.paused, guard)
        open_cases = [c for c in cases if c.is_open]
        planned = plan_notices(
            sop,
            ledger,
            now,
            new=new,
            entered=edits.moved,
            open_cases=open_cases,
            calendar=app.calendar,
            policy=app.alerts,
        )
        by_ticket = {c.ticket: c for c in open_cases}
        per_unit = [role.id for role in sop.roles.values() if role.per_unit]
        notices = pace(planned, app.mailer.held, by_ticket, now, list(sop.roles), per_unit)
        told = {c.ticket for notice in notices for group in notice.sections.values() for c in group}
        links = case_links(app.sheets, config.sheets.status_tab, status, cases, told)
        result.messages = enqueue_notices(app.mailer, sop, notices, now, links)
        result.messages += periodic.messages if periodic else 0
        result.reminders, result.escalations = _count(notices, "reminder"), _count(notices, "escalated")
        if config.citizen.send:
            closed = [c for c in edits.moved if not c.is_open]
            contact = config.citizen.contact
            result.citizen = enqueue_citizen_messages(
                app.mailer, sop, now, opened=new, closed=closed, contact=contact
            )
        ledger.unmirror(wiped(view.extra.get(history_tab), riwayat, ledger, sop, config.tz))
        history = ledger.unmirrored_history(first_free_row=2)
        commit_view(ledger, view, status)

    # A closed case nobody touched shows what it showed last cycle, until its row's turn to be checked.
    watched = open_before | unsettled
    on_sheet = cases if view.full else [c for c in cases if c.ticket in watched or c.ticket in checked]
    periodic_cells = grid_writes(app, view, periodic)
    result.cells_written = write_sheets(
        app,
        now,
        view,
        status,
        on_sheet,
        cases,
        history,
        watched,
        checked,
        [*unit_work.main, *manual_cells, *periodic_cells],
    )
    result.cells_written += unit_screens.write(app, unit_work)
    return _deliver(app, now, result, on_before_send)


def _load_more(cases: list[Case], ledger: Ledger, tickets: set[str]) -> None:
    """Add the cases with ``tickets`` that ``cases`` lacks (kept in ticket order)."""
    missing = tickets - {case.ticket for case in cases}
    if missing:
        cases.extend(ledger.cases_named(missing, []))
        cases.sort(key=lambda c: c.seq)


def _deliver(
    app: App, now: datetime, result: CycleResult, on_before_send: Callable[[OutboxRow], None] | None
) -> CycleResult:
    delivery = app.mailer.deliver(now, on_before_send=on_before_send)
    result.delivered, result.failed = len(delivery.sent), len(delivery.failed)
    result.delivery_trouble = delivery.trouble()
    log.log(
        logging.WARNING if result.delivery_trouble else logging.INFO, "siklus selesai: %s", result.summary()
    )
    return result


def _count(notices: list[RoleNotice], section: str) -> int:
    return sum(len(notice.sections[section]) for notice in notices)
