"""What a cycle reads: every tab whole (a full read), or only the cells that can have changed.

Both are ONE ``read_blocks`` request. A full read is made on the first cycle and whenever the
configuration, the SOP or a header changed. Every other cycle reads only:
- of the response tab: the header row, the timestamp column, the rows after the last one seen, and the
  rows whose timestamp changed in the previous cycle (Google Forms rewrites a response's timestamp when
  the respondent edits it, so that column is how an edit shows);
- of the status tab: the header row, the "No. Tiket" column and the operator-owned columns. The service
  columns are compared with what the service last wrote there (ledger ``status_shown``), not read;
- and, in turn, ``[sheets] verify_rows`` whole rows of each tab (the next ones after last cycle's,
  starting again at the top after the last): they are checked as a full read would check them, so a
  response edited by hand (its timestamp unchanged) or a service cell an operator typed over is set right
  when its turn comes, and no cycle ever has to read everything again to find them.

Other tabs the cycle asks for (``read_view``'s ``extra``) ride in the same request: the local Riwayat
check, and the Input Manual tab (``[sheets] manual_tab``), which is read whole every cycle: it is typed
by hand, so small, and reading it whole makes every cycle a full read of it (cakra/manual_intake.py).

So an edited response is taken one cycle after its new timestamp was seen. A header that differs from
the one remembered (an operator moved a column, the form gained a question) makes that cycle do nothing
but ask the next one for a full read.

Rows of the response tab are read by position, so a partial read first checks that the positions still
hold what they held: the timestamp column it reads is compared row by row with the stamps remembered.
A row whose stamp changed to one that another row had (rows sorted, moved, inserted or deleted above
it), a row that became empty, or a tab with fewer rows than before means the rows moved: that cycle does
nothing but ask the next one for a full read, where responses are recognised by content
(``cakra.ingest.identity``). A row whose stamp changed to a stamp never seen is an edit (Google Forms
restamps an edited response), read whole next cycle as before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from cakra.common.errors import CakraError, SheetError
from cakra.ingest.columns import ColumnAliases
from cakra.ingest.questions import FormQuestions, form_questions
from cakra.ingest.responses import locate_columns
from cakra.ledger.store import Ledger
from cakra.sheets.base import Block, SheetBackend, Tab
from cakra.tabs.batch import first_left, rows_batch
from cakra.tabs.status import HEADERS, OPERATOR_KEYS, StatusSheet, cell_text, column_header

log = logging.getLogger("cakra.cycle")
T = TypeVar("T")
STATE_KEY = "sheet_view"
# The form questions (field -> title) the service has relied on; kept apart from STATE_KEY, which is
# forgotten whenever a read must start again, while this must outlive any number of such cycles.
QUESTIONS_KEY = "form_questions"
# Bump when what the service writes changes shape, so the first cycle of a new version reads everything.
FORMAT = 1


@dataclass(frozen=True)
class Layout:
    """Where the cycle's tabs are and how the response tab's columns are found."""

    response_tabs: tuple[str, ...]  # the names the form's response tab may have (the first found is used)
    status_tab: str
    dashboard_tab: str  # "" when there is none
    verify_rows: int  # whole rows of each tab checked per partial read
    columns: ColumnAliases  # which question titles carry which field
    # Changes whenever anything that shapes the service's cells may have changed (config, SOP, this
    # module's FORMAT): a new version makes the next cycle read everything.
    version: str

    @property
    def tab_names(self) -> list[str]:
        """Every tab a full read asks for."""
        return [*self.response_tabs, self.status_tab, *([self.dashboard_tab] if self.dashboard_tab else [])]


@dataclass
class ViewState:
    """What the last cycle learnt about the sheets' layout (kept in the ledger's meta table)."""

    version: str
    responses_tab: str
    responses_header: list[str]
    timestamp_col: int  # 0-based
    status_header: list[str]
    known_rows: int  # rows of the response tab seen so far, header included
    status_rows: int  # rows of the status tab when last read, header included
    pending: list[int] = field(default_factory=list)  # response rows to read whole next cycle
    # The first row of each tab that the next cycle reads whole to check it (see the module doc).
    check_responses: int = 2
    check_status: int = 2
    # Rows of the response tab past ``known_rows`` that a cycle limited to a batch left unread (they
    # existed at its read): the next cycle reads them (at most its own batch of them).
    unread: int = 0


@dataclass
class CycleView:
    full: bool
    responses: Tab
    status: Tab
    dashboard: Tab | None  # None when [sheets] dashboard_tab = "" (or the tab could not be made)
    response_rows: list[int]  # 0-based indices into ``responses.rows`` of the rows read whole
    stamps: dict[int, str]  # sheet row -> timestamp cell of rows read whole, where new (stored on commit)
    state: ViewState
    # 0-based rows of ``status`` read whole this cycle (all of them on a full read): their cells are real.
    checked: range
    # The response header against the questions relied on (lost ones are flagged on the cases read).
    questions: FormQuestions
    # Other tabs' blocks asked for by the cycle in the same request (``read_view``'s ``extra``).
    extra: dict[str, Tab | None] = field(default_factory=dict)


def read_view(
    sheets: SheetBackend,
    ledger: Ledger,
    layout: Layout,
    while_reading: Callable[[bool], T],
    extra: dict[str, Sequence[Block]] | None = None,
    limit: int | None = None,
) -> tuple[CycleView | None, T]:
    """Read what this cycle needs in ONE request; the view is None when a header changed since the last
    cycle (the next cycle reads everything; see the module doc).

    ``extra`` (tab -> blocks) is read in the same request; the view's ``extra`` holds what it found.
    ``while_reading(full)`` loads what the cycle needs from the ledger; for a partial read it runs on a
    helper thread while the request is in flight (so it may use the ledger and nothing the request
    uses). Its result is returned beside the view.
    A partial read that fails makes the next cycle's read a full one.

    ``limit``: read whole at most this many response rows past the ones seen (a batch: see
    ``tabs/batch.py``); the rest stay unread in the view's state (``ViewState.unread``), for the next cycle.
    """
    state, relied = load_state(ledger), relied_questions(ledger)
    wanted = None
    if state is not None and state.version == layout.version:
        wanted = _partial_request(layout, state, limit)
    full = state is None or wanted is None
    if wanted is None:
        wanted = dict.fromkeys(layout.tab_names)
    wanted = {**wanted, **(extra or {})}
    if full:
        # Not alongside: at 50,000 cases a full answer is 55 MB of JSON, and every case loaded at the
        # same time would take the cycle's peak memory past 500 MB.
        tabs = sheets.read_blocks(wanted)
        stored, meanwhile = ledger.response_stamps(), while_reading(full)
    else:
        tabs, stored, meanwhile = _read_alongside(sheets, ledger, wanted, lambda: while_reading(full))
    view = (
        defer_rows(_full_view(layout, tabs, stored, relied), limit)
        if full or state is None
        else _partial_view(layout, state, tabs, stored, relied, limit)
    )
    if view is None:
        forget_view(ledger)
    else:
        view.extra = {name: tabs.get(name) for name in extra or {}}
    return view, meanwhile


def _read_alongside(
    sheets: SheetBackend, ledger: Ledger, wanted: dict[str, Sequence[Block] | None], load: Callable[[], T]
) -> tuple[dict[str, Tab | None], dict[int, str], T]:
    """The read, with the ledger loaded on a helper thread meanwhile (a partial read's answer is a few
    MB, so both fit). The request stays on this thread, so Ctrl-C or SIGTERM interrupts a slow answer or
    a retry's wait as before; a failed read makes the next cycle's read a full one."""
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cakra-ledger") as pool:
            loading = pool.submit(lambda: (ledger.response_stamps(), load()))
            try:
                tabs = sheets.read_blocks(wanted)
            finally:
                stored, loaded = loading.result()  # the ledger is this thread's again from here
    except CakraError:
        forget_view(ledger)  # e.g. rows were deleted and a range now passes the grid's end
        raise
    return tabs, stored, loaded


def commit_view(ledger: Ledger, view: CycleView, status: StatusSheet) -> None:
    """Remember what this cycle read (call inside the cycle's ledger transaction)."""
    ledger.save_response_stamps(view.stamps)
    if view.full:
        ledger.trim_response_stamps(len(view.responses.rows))
    view.state.status_header = status.header
    ledger.set_meta(STATE_KEY, json.dumps(asdict(view.state), ensure_ascii=False))
    relied = {**relied_questions(ledger), **view.questions.titles}
    ledger.set_meta(QUESTIONS_KEY, json.dumps(relied, ensure_ascii=False, sort_keys=True))


def relied_questions(ledger: Ledger) -> dict[str, str]:
    """The form questions (field -> title last found) earlier cycles relied on."""
    try:
        relied = json.loads(ledger.meta(QUESTIONS_KEY) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in relied.items()} if isinstance(relied, dict) else {}


def forget_view(ledger: Ledger) -> None:
    """Make the next cycle read everything."""
    with ledger.transaction():
        ledger.conn.execute("DELETE FROM meta WHERE key = ?", (STATE_KEY,))


def load_state(ledger: Ledger) -> ViewState | None:
    text = ledger.meta(STATE_KEY)
    if not text:
        return None
    try:
        return ViewState(**json.loads(text))
    except (TypeError, ValueError):
        return None  # written by another version: read everything and start again


def _full_view(
    layout: Layout, tabs: dict[str, Tab | None], stored: dict[int, str], relied: dict[str, str]
) -> CycleView:
    wanted = layout.response_tabs
    responses = next((tabs[name] for name in wanted if tabs.get(name) is not None), None)
    if responses is None:
        raise SheetError(
            f"the response tab {' / '.join(repr(n) for n in wanted)} was not found; "
            "set [sheets] responses_tab to the tab the form writes to"
        )
    status = tabs.get(layout.status_tab) or Tab(layout.status_tab, [list(HEADERS)])
    timestamp = locate_columns(responses, layout.columns)["timestamp"]
    rows = list(range(1, len(responses.rows)))
    state = ViewState(
        version=layout.version,
        responses_tab=responses.name,
        responses_header=responses.header,
        timestamp_col=timestamp,
        status_header=status.header,
        known_rows=len(responses.rows),
        status_rows=len(status.rows),
    )
    stamps = {
        row: stamp for row, stamp in _stamps(responses, rows, timestamp).items() if stored.get(row) != stamp
    }
    dashboard = tabs.get(layout.dashboard_tab) if layout.dashboard_tab else None
    checked = range(1, len(status.rows))
    questions = form_questions(responses, layout.columns, relied)
    for name, title in questions.lost.items():  # said once per full read, i.e. per change of the header
        log.warning(
            "form question %r (field '%s') is gone from tab %r: new cases are flagged; restore the title "
            'or add [columns] %s = ["<new title>"] (cakra check lists the candidates)',
            title,
            name,
            responses.name,
            name,
        )
    return CycleView(True, responses, status, dashboard, rows, stamps, state, checked, questions)


def defer_rows(view: CycleView, limit: int | None) -> CycleView:
    """A full read's ``view`` with the response rows past the first ``limit`` left unread
    (``tabs/batch.py``): out of the rows read whole, their stamps not remembered, and released from
    memory at once (the rows kept, and the cases made from them, are what the batch needs)."""
    cut = first_left(len(view.response_rows), limit)
    if cut is None:
        return view
    view.response_rows = view.response_rows[: cut - 1]
    view.stamps = {row: stamp for row, stamp in view.stamps.items() if row <= cut}  # sheet rows 2..cut
    view.state.unread = len(view.responses.rows) - cut
    view.state.known_rows = cut
    del view.responses.rows[cut:]
    return view


def _partial_request(
    layout: Layout, state: ViewState, limit: int | None
) -> dict[str, Sequence[Block] | None] | None:
    """The blocks that can have changed since the last cycle; None when only a full read will do."""
    status_name, width = layout.status_tab, len(state.responses_header)
    header = Tab(status_name, [list(state.status_header)])
    found = [header.column(column_header(key)) for key in ("ticket", *OPERATOR_KEYS)]
    watched = [position for position in found if position is not None]
    if len(watched) < len(found):
        return None  # a column was missing: the full read's StatusSheet puts it back
    check = layout.verify_rows
    # Rows that exist (the grid reaches them), so neither range can pass the grid's end.
    responses_check = _turn(state.check_responses, check, state.known_rows)
    status_check = _turn(state.check_status, check, state.status_rows)
    wanted: dict[str, Sequence[Block] | None] = {
        state.responses_tab: [
            Block.rows(1),
            Block.column(state.timestamp_col + 1),
            # From the last row seen, not the one after: a range that starts past the grid's last row is
            # an error (400 "exceeds grid limits"), and the grid may end right after it.
            # Bounded only by a batch, and only over rows known to exist (a bounded range past the grid's
            # end is an error too).
            Block.rows(
                state.known_rows,
                state.known_rows + batch if (batch := rows_batch(state.unread, limit)) else None,
                width,
            ),
            *(Block.rows(first, last, width) for first, last in _runs(state.pending)),
            *(
                [Block.rows(responses_check.start, responses_check.stop - 1, width)]
                if responses_check
                else []
            ),
        ],
        status_name: [
            Block.rows(1),
            *(Block(1, None, a + 1, b + 1) for a, b in _runs(watched)),
            *([Block(status_check.start, status_check.stop - 1, 1, None)] if status_check else []),
        ],
    }
    if layout.dashboard_tab:
        wanted[layout.dashboard_tab] = None
    return wanted


def _partial_view(
    layout: Layout,
    state: ViewState,
    tabs: dict[str, Tab | None],
    stored: dict[int, str],
    relied: dict[str, str],
    limit: int | None = None,
) -> CycleView | None:
    """What a partial read found; None when a header changed."""
    responses, status = tabs[state.responses_tab], tabs[layout.status_tab]
    if responses is None or status is None:
        return None
    if responses.header != state.responses_header or status.header != state.status_header:
        return None
    known, column = state.known_rows, state.timestamp_col
    if _reordered(responses, known, column, stored):
        return None
    check = layout.verify_rows
    responses_check = _turn(state.check_responses, check, known)
    status_check = _turn(state.check_status, check, state.status_rows)
    read_whole = {*state.pending, *responses_check}  # sheet rows
    batch = rows_batch(state.unread, limit)
    # A batch's rows only: past them the tab holds only the timestamp column's cells.
    end = min(len(responses.rows), known + batch) if batch else len(responses.rows)
    rows = sorted({*range(known, end), *(r - 1 for r in read_whole if r - 1 < len(responses.rows))})
    stamps = _stamps(responses, rows, column)
    pending = [
        index + 1
        for index in range(1, min(known, len(responses.rows)))
        if index + 1 not in stamps
        and column < len(responses.rows[index])
        and stored.get(index + 1) != cell_text(responses.rows[index][column])
    ]
    state = ViewState(
        **{
            **asdict(state),
            "known_rows": known + batch if batch else max(known, len(responses.rows)),
            "unread": state.unread - batch if batch else 0,
            "status_rows": len(status.rows),
            "pending": pending,
            "check_responses": responses_check.stop if responses_check else 2,
            "check_status": status_check.stop if status_check else 2,
        }
    )
    dashboard = tabs.get(layout.dashboard_tab) if layout.dashboard_tab else None
    checked = (
        range(status_check.start - 1, min(status_check.stop - 1, len(status.rows)))
        if status_check
        else range(0)
    )
    questions = form_questions(responses, layout.columns, relied)
    return CycleView(False, responses, status, dashboard, rows, stamps, state, checked, questions)


def _reordered(responses: Tab, known: int, column: int, stored: dict[int, str]) -> bool:
    """Whether the rows seen before no longer hold what they held (see the module doc)."""
    if len(responses.rows) < known:
        return True  # rows were deleted (the grid's end moved up)
    remembered = set(stored.values())
    for index in range(1, known):
        before = stored.get(index + 1)
        if before is None:
            continue
        now = cell_text(responses.cell(index, column))
        if now != before and (not now or now in remembered):
            return True
    return False


def _turn(first: int, count: int, rows: int) -> range:
    """The sheet rows to check this cycle: ``count`` from ``first`` on, starting again at row 2 past the
    last of ``rows`` (header included); empty when there is nothing below the header."""
    if rows < 2 or count < 1:
        return range(0)
    start = first if 2 <= first <= rows else 2
    return range(start, min(start + count, rows + 1))


def _stamps(tab: Tab, rows: list[int], column: int) -> dict[int, str]:
    return {index + 1: cell_text(tab.cell(index, column)) for index in rows}


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted numbers as runs of consecutive ones: [5, 6, 7, 9] -> [(5, 7), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
