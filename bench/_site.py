"""A Cakra site on the Google backend against the emulator process: data, setup replay, our measured cycle.

Everything here is synthetic (``cakra.demo_data`` generators: invented names and NIKs).
"""

from __future__ import annotations

import gc
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _emuproc import EmulatorClient, rss_mb

from cakra.demo_data import RESPONSE_HEADERS, demo_responses

WIB = ZoneInfo("Asia/Jakarta")
SHEETS_EPOCH = datetime(1899, 12, 30)
RESPONSES_TAB = "Form Responses 1"
STATUS_TAB = "Status Kasus"
# A Monday in working hours: the replay and the measured cycles stay inside one working day.
T0 = datetime(2026, 1, 5, 7, 45, tzinfo=WIB)
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
    emu: EmulatorClient, folder: Path, base_url: str, size: int, chunk: int, keep_open_every: int
) -> dict[str, Any]:
    """Build the state of a site with ``size`` cases by running the real cycle as it would have run.

    Responses arrive in chunks of ``chunk``; one real ``poll`` per chunk, ``POLL_SPACING`` apart.
    Between polls, operators type one step for every case (the emulator's ``operator_round``), so a
    complete report walks 2 -> 3 -> 4 -> 5 -> Selesai over four cycles and an incomplete one is closed
    "Tidak valid"; every ``keep_open_every``-th case is left open. After the last chunk, four more
    cycles drain the pipeline. Citizens' acknowledgements are switched off for the replay only
    (``[citizen] send = false``): rendering and filing 50,000 historic messages is setup cost that says
    nothing about a steady cycle; the measured cycles run with the default (on).
    """
    from cakra.cycle import poll

    spreadsheet_id = emu.create("Laporan LINMAS (Jawaban)", {RESPONSES_TAB: [RESPONSE_HEADERS]})
    key = emu.make_key(str(folder / "service-account.json"))
    app = build(folder, spreadsheet_id, key, base_url, citizen=False)
    started = time.perf_counter()
    polls: list[float] = []
    at = T0
    chunks = (size + chunk - 1) // chunk
    done = 0
    for index in range(chunks + 4):
        if index < chunks:
            count = min(chunk, size - done)
            stamps = arrivals(count, at, POLL_SPACING)
            emu.append_rows(spreadsheet_id, RESPONSES_TAB, responses(count, 1000 + index, stamps))
            done += count
        t = time.perf_counter()
        poll(app, at)
        polls.append(time.perf_counter() - t)
        emu.operator_round(spreadsheet_id, STATUS_TAB, keep_open_every)
        at += POLL_SPACING
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
    if app is None:
        app = build(*args)
    timed(app.sheets, "read", spent)
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
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    wall = time.perf_counter() - t
    peak = rss_mb("VmHWM")
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
        "summary": result.summary(),
    }


def reset_peak() -> None:
    """Reset this process's VmHWM to its current RSS (Linux ``clear_refs`` 5)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
        fh.write("5")
