"""A Cakra site on the Google backend against the emulator process: data, setup replay, our measured cycle.

Everything here is synthetic (``cakra.demo.data`` generators: invented names and NIKs).
"""

from __future__ import annotations

import gc
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _emuproc import EmulatorClient, rss_mb

from cakra.demo.data import RESPONSE_HEADERS, demo_responses

WIB = ZoneInfo("Asia/Jakarta")
SHEETS_EPOCH = datetime(1899, 12, 30)
RESPONSES_TAB = "Form Responses 1"
STATUS_TAB = "Status Kasus"
HISTORY_TAB = "Riwayat"
# A Monday in working hours: the replay and the measured cycles stay inside one working day.
T0 = datetime(2026, 1, 5, 7, 45, tzinfo=WIB)
# The replay's last chunk arrives on a Wednesday morning; earlier chunks CHUNK_GAP apart before it, so the
# history spans months (a month-bound statistic sees this month's share, not every case).
END = datetime(2026, 1, 14, 7, 45, tzinfo=WIB)
CHUNK_GAP = timedelta(days=14)
POLL_SPACING = timedelta(minutes=4)  # shorter than every step's 15-minute limit: handled cases never escalate
ROLES = {
    "operator": ["operator@kesbangpol.contoh.example"],
    "kasubbid": ["kasubbid@kesbangpol.contoh.example"],
    "kabid": ["kabid@kesbangpol.contoh.example"],
    "kepala_badan": ["kaban@kesbangpol.contoh.example"],
}


def serial(moment: datetime) -> float:
    """A form timestamp as Sheets stores a date: days since 1899-12-30, naive local time."""
    return (moment.astimezone(WIB).replace(tzinfo=None) - SHEETS_EPOCH).total_seconds() / 86400


def config_table(
    folder: Path, spreadsheet_id: str, key: str, base_url: str, *, citizen: bool
) -> dict[str, Any]:
    return {
        "sheets": {
            "backend": "google",
            "spreadsheet_id": spreadsheet_id,
            "credentials": key,
            "api_endpoint": base_url,
        },
        "ledger": {"path": str(folder / "cakra.sqlite")},
        "email": {
            "backend": "outbox",
            "outbox_dir": str(folder / "outbox"),
            "from": "Cakra <cakra@kesbangpol.contoh.example>",
        },
        "citizen": {"send": citizen},
        "roles": {role: {"emails": emails} for role, emails in ROLES.items()},
    }


def build(folder: Path, spreadsheet_id: str, key: str, base_url: str, *, citizen: bool = True) -> Any:
    from cakra.app import build_app
    from cakra.config import build_config

    table = config_table(folder, spreadsheet_id, key, base_url, citizen=citizen)
    return build_app(build_config(table, folder / "config.toml"))


def responses(count: int, seed: int, stamps: list[datetime]) -> list[list[Any]]:
    """``count`` varied synthetic responses (``demo_responses`` mix) received at ``stamps``."""
    if count == 0:
        return []
    rows = demo_responses(T0, count=count, seed=seed, spacing=0)[:count]
    out = []
    for row, stamp in zip(rows, stamps, strict=True):
        row = list(row)
        if isinstance(row[0], datetime):
            row[0] = serial(stamp)
        else:  # the generator's "date typed as text" variant keeps its form
            row[0] = stamp.astimezone(WIB).strftime("%-d/%-m/%Y %-H:%M:%S")
        out.append(["" if v is None else v for v in row])
    return out


def arrivals(count: int, before: datetime, within: timedelta) -> list[datetime]:
    """``count`` moments evenly spread over ``within`` ending 10 s before ``before``."""
    step = (within - timedelta(seconds=10)) / max(count, 1)
    first = before - within
    return [first + step * i for i in range(count)]


# ------------------------------------------------------------------------------------------------
# setup: the form's history replayed through the real cycle
# ------------------------------------------------------------------------------------------------
def replay(
    emu: EmulatorClient,
    folder: Path,
    base_url: str,
    size: int,
    chunk: int,
    keep_open_every: int,
    walk_every: int,
) -> dict[str, Any]:
    """Build the state of a site with ``size`` cases by running the real cycle as it would have run.

    Responses arrive in chunks of ``chunk``, ``CHUNK_GAP`` apart (the last on ``END``), each within the
    few minutes before one real ``poll``. After each cycle, operators type one step for every case (the
    emulator's ``operator_round``), applied by the next cycle: every ``walk_every``-th complete report
    walks 2 -> 3 -> 4 -> 5 -> Selesai over four cycles, the others are closed "Tidak valid" at step 2,
    every ``keep_open_every``-th case is left open (it escalates). A case is always moved before its
    alerts are planned, so only the cases left open escalate. After the last chunk, four more cycles
    ``POLL_SPACING`` apart drain the pipeline, and one more applies the last edits. Citizens'
    acknowledgements are switched off for the replay only (``[citizen] send = false``): rendering and
    filing 50,000 historic messages is setup cost that says nothing about a steady cycle; the measured
    cycles run with the default (on).
    """
    from cakra.cycle import ensure_tabs, poll

    gc.set_threshold(200_000, 50, 1000)  # setup only: fewer full GC passes over the growing case list
    spreadsheet_id = emu.create("Laporan LINMAS (Jawaban)", {RESPONSES_TAB: [RESPONSE_HEADERS]})
    key = emu.make_key(str(folder / "service-account.json"))
    app = build(folder, spreadsheet_id, key, base_url, citizen=False)
    started = time.perf_counter()
    # Cakra makes its tabs (headers, 1,000-row grids); the grids are then sized for the whole replay at
    # once, as an admin could, instead of the service growing them 1,000 rows at a time: each growth is a
    # multi-request spreadsheets.batchUpdate, which the emulator makes atomic by copying the spreadsheet.
    ensure_tabs(app)
    emu.set_row_count(spreadsheet_id, {STATUS_TAB: size + 1500, HISTORY_TAB: size * 4 + 3000})
    app.sheets.forget_metadata()
    polls: list[float] = []
    chunks = (size + chunk - 1) // chunk
    moments = [END - CHUNK_GAP * (chunks - 1 - i) for i in range(chunks)]
    moments += [END + POLL_SPACING * (i + 1) for i in range(4)]
    done = 0
    for index, at in enumerate(moments):
        if index < chunks:
            count = min(chunk, size - done)
            stamps = arrivals(count, at, POLL_SPACING)
            emu.append_rows(spreadsheet_id, RESPONSES_TAB, responses(count, 1000 + index, stamps))
            done += count
        t = time.perf_counter()
        poll(app, at)
        polls.append(time.perf_counter() - t)
        emu.operator_round(spreadsheet_id, STATUS_TAB, keep_open_every, walk_every)
        emu.settle()
    at = moments[-1] + POLL_SPACING
    # One more cycle applies the last round of edits (a state where nothing is waiting to be applied).
    t = time.perf_counter()
    poll(app, at)
    polls.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - started
    cases = app.ledger.cases()
    history = app.ledger.conn.execute("SELECT COUNT(*) FROM history").fetchone()[0]
    summary = {
        "spreadsheet_id": spreadsheet_id,
        "key": key,
        "last_poll": at,
        "seconds": elapsed,
        "polls": len(polls),
        "slowest_poll": max(polls),
        "poll_seconds": [round(p, 2) for p in polls],
        "last_poll_seconds": polls[-1],
        "cases": len(cases),
        "open": sum(1 for c in cases if c.is_open),
        "first_poll": moments[0],
        "history": history,
        "tabs": emu.sizes(spreadsheet_id),
        "peak_rss_mb": rss_mb("VmHWM"),
    }
    app.close()
    return summary


# ------------------------------------------------------------------------------------------------
# our measured cycle
# ------------------------------------------------------------------------------------------------
def timed(target: Any, name: str, spent: dict[str, float]) -> None:
    """Wrap ``target.name`` (an instance attribute) to add its wall time to ``spent[name]``."""
    inner = getattr(target, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t

    setattr(target, name, wrapper)


def ours(params: dict[str, Any], go: Any) -> dict[str, Any]:
    """Our cycle: ``cakra.cycle.poll`` through GoogleSheets + gspread, warm (as in ``serve``) or cold.

    Warm: the process already ran a cycle (credentials, token, spreadsheet metadata, imports and
    templates are in memory, as in ``run.py serve``); the measured cycle is the next one. Cold: the
    measured phase starts with ``build_app`` in a fresh process (as ``run.py poll`` from cron, minus the
    interpreter start and imports).
    """
    from cakra.cycle import poll

    folder = Path(params["folder"])
    now: datetime = params["now"]
    profile = params.get("profile")
    args = (folder, params["spreadsheet_id"], params["key"], params["base_url"])
    app = None
    if not params["cold"]:
        app = build(*args)
        poll(app, now - timedelta(minutes=5))  # the previous cycle of a running service
        if params.get("full_read"):
            from cakra.tabs.view import forget_view

            forget_view(app.ledger)  # as after a config change: this cycle reads every tab whole
    go()  # the orchestrator appends this cycle's new responses and resets the request log
    gc.collect()
    spent: dict[str, float] = {}
    before = rss_mb()
    reset_peak()
    t = time.perf_counter()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    clock = GcClock().__enter__()
    if app is None:
        app = build(*args)
    phases = memory_phases(app) if params.get("memory") else None
    if params.get("gc_off"):
        gc.disable()
    timed(app.sheets, "read_blocks", spent)  # both kinds of read (a full read goes through it too)
    timed(app.sheets, "write", spent)
    tabs: dict[str, int] = {}
    inner_write = app.sheets.write

    def counting_write(cells: Any) -> Any:
        for cell in cells:
            tabs[cell.tab] = tabs.get(cell.tab, 0) + 1
        return inner_write(cells)

    app.sheets.write = counting_write
    timed(app.outbox, "deliver", spent)
    result = poll(app, now)
    gc.enable()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    wall = time.perf_counter() - t
    peak = rss_mb("VmHWM")
    clock.__exit__()
    app.close()
    return {
        "wall": wall,
        "peak_mb": peak,
        "rss_before_mb": before,
        "cells": result.cells_written,
        "new": result.new,
        "messages": result.messages,
        "delivered": result.delivered,
        "spent": spent,
        "cells_by_tab": tabs,
        "phases": phases,
        "gc_seconds": clock.seconds,
        "gc_passes": clock.passes,
        "summary": result.summary(),
    }


class GcClock:
    """Wall time spent in the cyclic garbage collector while active (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.passes = 0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.passes += 1

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def memory_phases(app: Any) -> list[tuple[str, float, float, float]]:
    """Trace Python allocations per step of the cycle (tracemalloc; slows the cycle down).

    Each step records (name, MiB live before, MiB peak during, MiB live after); steps are the functions
    ``cakra.cycle`` calls, wrapped by name, so a renamed one is simply not reported.
    """
    import tracemalloc

    import cakra.cycle as cycle
    from cakra.tabs.status import StatusSheet

    records: list[tuple[str, float, float, float]] = []
    mib = 1024 * 1024

    def wrap(owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name, None)
        if inner is None:
            return

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            try:
                return inner(*args, **kwargs)
            finally:
                current, peak = tracemalloc.get_traced_memory()
                records.append((label, before / mib, peak / mib, current / mib))

        setattr(owner, name, wrapper)

    for name in (
        "read_view",
        "read_reports",
        "StatusSheet",
        "apply_operator_edits",
        "plan_notices",
        "enqueue_notices",
        "enqueue_citizen_messages",
        "history_writes",
        "visits",
        "dashboard_grid",
        "dashboard_writes",
    ):
        wrap(cycle, name, name)
    wrap(StatusSheet, "writes", "StatusSheet.writes")
    wrap(app.ledger, "cases", "ledger.cases")
    wrap(app.ledger, "cases_open_or_since", "ledger.cases_open_or_since")
    wrap(app.ledger, "history", "ledger.history")
    wrap(app.ledger, "unmirrored_history", "ledger.unmirrored_history")
    wrap(app.sheets, "write", "sheets.write")
    wrap(app.outbox, "deliver", "outbox.deliver")
    tracemalloc.start()
    return records


def reset_peak() -> None:
    """Reset this process's VmHWM to its current RSS (Linux ``clear_refs`` 5)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
        fh.write("5")
