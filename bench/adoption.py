"""Benchmark of issue 12, item 1: day one on a form already in use (Google backend, emulator process).

    .venv/bin/python bench/adoption.py [--size 50000] [--open 10000] [--backlog 10000] [--json FILE]

Run by hand (about 5 minutes on 2 cores); not part of the test suite. Side by side, in one run, each
measurement in a fresh worker process against the Sheets emulator in its own process:

1. BEFORE: a site whose ``--size`` cases came through the real cycle over months (``_site.replay``:
   operators walking cases through the SOP, 2 % left open); then its idle cycle (warm, as ``serve``).
2. ADOPT: a form holding ``--size`` responses spread over two years, taken in with ``cakra.adopt.adopt``
   (one cycle: read, adopt, write status and Riwayat); wall time, CPU time, peak RSS (VmHWM reset just
   before), messages made. Then the idle cycle of that site (warm).
3. OPEN: a form with ``--open`` responses adopted as open cases (``--open``); its idle cycle's CPU time,
   profiled (the top entries are printed).
4. BACKLOG: a fresh install's first poll over ``--backlog`` responses received days ago, every case
   overdue (what adoption avoids, and the worst backlog an email can carry), then the daily summary and
   the digests: the largest message filed, against the 1 MB cap.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import multiprocessing as mp
import os
import pstats
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the bench's own modules (_site, _emuproc)

from _emuproc import EmulatorClient, EmulatorProcess, rss_mb
from _site import END, HISTORY_TAB, RESPONSES_TAB, STATUS_TAB, build, replay, reset_peak, responses

from cakra.demo.data import RESPONSE_HEADERS

_CTX = mp.get_context("spawn")
WORKER_TIMEOUT = 900
PARTS = ("before", "adopt", "open", "backlog")
TARGETS = {"adopt_seconds": 60.0, "adopt_peak_mb": 500.0, "open_idle_cpu": 0.5, "email_bytes": 1_000_000}


# ------------------------------------------------------------------------------------------------
# workers (each in a fresh process)
# ------------------------------------------------------------------------------------------------
def _site_app(params: dict[str, Any], *, citizen: bool = True) -> Any:
    return build(
        Path(params["folder"]), params["spreadsheet_id"], params["key"], params["base_url"], citizen=citizen
    )


def _grow_grids(params: dict[str, Any], app: Any, rows: int) -> None:
    """Size the status and Riwayat grids once, as an admin could (``_site.replay`` does the same)."""
    from cakra.cycle import ensure_tabs

    ensure_tabs(app)
    emu = EmulatorClient(params["address"], params["authkey"])
    emu.set_row_count(params["spreadsheet_id"], {STATUS_TAB: rows + 1500, HISTORY_TAB: rows * 2 + 3000})
    emu.close()
    app.sheets.forget_metadata()


def _adopt(params: dict[str, Any]) -> dict[str, Any]:
    from cakra.adopt import adopt

    app = _site_app(params)
    _grow_grids(params, app, params["rows"])
    gc.collect()
    reset_peak()
    wall, cpu = time.perf_counter(), time.process_time()
    result = adopt(app, params["now"], before=None, keep_open=params["keep_open"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = rss_mb("VmHWM")
    outbox = app.ledger.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    open_cases = app.ledger.conn.execute("SELECT COUNT(*) FROM cases WHERE closed_at IS NULL").fetchone()[0]
    app.close()
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_mb": peak,
        "adopted": result.adopted,
        "new": result.new,
        "cells": result.cells_written,
        "outbox": outbox,
        "open": open_cases,
    }


def _idle(params: dict[str, Any]) -> dict[str, Any]:
    """A warm idle cycle: the worker runs the previous cycle first, as ``serve`` had."""
    from cakra.cycle import poll

    app = _site_app(params)
    now: datetime = params["now"]
    poll(app, now - timedelta(minutes=1))
    gc.collect()
    reset_peak()
    profiler = cProfile.Profile() if params.get("profile") else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    result = poll(app, now)
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    out = {
        "wall": wall,
        "cpu": cpu,
        "peak_mb": rss_mb("VmHWM"),
        "new": result.new,
        "cells": result.cells_written,
        "messages": result.messages,
        "open": app.ledger.conn.execute("SELECT COUNT(*) FROM cases WHERE closed_at IS NULL").fetchone()[0],
    }
    if profiler is not None:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
        out["profile"] = text.getvalue()
        # The profile's own overhead inflates the CPU time: measure once more without it.
        cpu = time.process_time()
        poll(app, now + timedelta(minutes=1))
        out["cpu"] = time.process_time() - cpu
    app.close()
    return out


def _backlog(params: dict[str, Any]) -> dict[str, Any]:
    """A fresh install's first poll over a form of overdue responses, then today's summary and digests."""
    from cakra.cycle import poll
    from cakra.jobs import digests, summary

    app = _site_app(params, citizen=False)
    _grow_grids(params, app, params["rows"])
    now: datetime = params["now"]
    result = poll(app, now)
    summary(app, now)
    digests(app, now, run_date=now.date(), at=now.time())
    app.mailer.deliver(now)
    sizes = {p.name: p.stat().st_size for p in (Path(params["folder"]) / "outbox").glob("*.eml")}
    app.close()
    return {"new": result.new, "messages": len(sizes), "largest": max(sizes.values(), default=0)}


def _replay(params: dict[str, Any]) -> dict[str, Any]:
    emu = EmulatorClient(params["address"], params["authkey"])
    return replay(emu, Path(params["folder"]), params["base_url"], params["size"], params["chunk"], 50, 4)


WORKERS = {"replay": _replay, "adopt": _adopt, "idle": _idle, "backlog": _backlog}


def run_worker(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run ``kind`` in a fresh spawned process (its memory and timings are its own); its failure raises."""
    with ProcessPoolExecutor(1, mp_context=_CTX) as pool:
        return pool.submit(WORKERS[kind], params).result(timeout=WORKER_TIMEOUT)


# ------------------------------------------------------------------------------------------------
# the run
# ------------------------------------------------------------------------------------------------
def old_form(emu: Any, folder: Path, count: int, seed: int, *, newest: datetime, span: timedelta) -> dict:
    """A spreadsheet holding ``count`` responses spread over ``span`` up to ``newest``, and its key."""
    step = span / max(count, 1)
    stamps = [newest - span + step * i for i in range(count)]
    rows = []
    for start in range(0, count, 5000):  # the demo generator's mix, in chunks of distinct seeds
        rows += responses(min(5000, count - start), seed + start, stamps[start : start + 5000])
    spreadsheet_id = emu.create(f"Formulir lama {count}", {RESPONSES_TAB: [RESPONSE_HEADERS, *rows]})
    folder.mkdir()
    return {"spreadsheet_id": spreadsheet_id, "key": emu.make_key(str(folder / "service-account.json"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=50_000, help="responses adopted (and cases before)")
    parser.add_argument("--open", type=int, default=10_000, help="responses adopted as open cases")
    parser.add_argument("--backlog", type=int, default=10_000, help="overdue responses on a first poll")
    parser.add_argument("--json", metavar="FILE", help="write every measurement as JSON")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run (default all: {','.join(PARTS)}); e.g. --only open",
    )
    args = parser.parse_args()
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if parts - set(PARTS):
        parser.error(f"--only takes {', '.join(PARTS)}")
    os.environ.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"

    work = Path(tempfile.mkdtemp(prefix="cakra-bench-adopt-"))
    emulator = EmulatorProcess().start()
    emu = emulator.client()
    common = {"base_url": emulator.base_url, "address": emulator.address, "authkey": emulator.authkey}
    out: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        # 1. before: the same number of cases, made by the real cycle over months.
        now = END + timedelta(hours=1)
        if "before" in parts:
            before_site(out, work, common, args.size)
        # 2. adopt the same number of old responses.
        if "adopt" in parts:
            adopt_site(out, work, common, emu, args.size, now)
        # 3. open cases: adopted with --open, then an idle cycle, profiled.
        if "open" in parts:
            open_site(out, work, common, emu, args.open, now)
        # 4. the backlog email: a first poll over overdue responses, then the summary and the digests.
        if "backlog" in parts:
            backlog_site(out, work, common, emu, args.backlog, now)
    finally:
        emu.close()
        emulator.stop()
    out["total_seconds"] = time.perf_counter() - started
    print(f"total {out['total_seconds']:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    return 0


def before_site(out: dict[str, Any], work: Path, common: dict[str, Any], size: int) -> None:
    """The same number of cases, made by the real cycle over months; its idle cycle."""
    before = work / "before"
    before.mkdir()
    setup = run_worker(
        "replay", {**common, "folder": str(before), "size": size, "chunk": max(1000, size // 25)}
    )
    site = {**common, "folder": str(before), "spreadsheet_id": setup["spreadsheet_id"], "key": setup["key"]}
    out["before_idle"] = run_worker("idle", {**site, "now": setup["last_poll"] + timedelta(minutes=5)})
    print(f"before: {setup['cases']:,} cases by replay ({setup['seconds']:.0f} s); idle {out['before_idle']}")


def adopt_site(
    out: dict[str, Any], work: Path, common: dict[str, Any], emu: Any, size: int, now: datetime
) -> None:
    """A form of ``size`` old responses over two years, adopted; then its idle cycle."""
    folder = work / "adopt"
    form = old_form(emu, folder, size, 7000, newest=END - timedelta(days=1), span=timedelta(days=730))
    site = {**common, "folder": str(folder), **form}
    out["adopt"] = run_worker("adopt", {**site, "now": now, "keep_open": False, "rows": size})
    print(f"adopt: {out['adopt']}")
    out["after_idle"] = run_worker("idle", {**site, "now": now + timedelta(minutes=10)})
    print(f"after: idle {out['after_idle']}")


def open_site(
    out: dict[str, Any], work: Path, common: dict[str, Any], emu: Any, size: int, now: datetime
) -> None:
    """``size`` responses adopted as open cases, then an idle cycle, profiled."""
    folder = work / "open"
    form = old_form(emu, folder, size, 9000, newest=END - timedelta(days=1), span=timedelta(days=365))
    site = {**common, "folder": str(folder), **form}
    out["open_adopt"] = run_worker("adopt", {**site, "now": now, "keep_open": True, "rows": size})
    out["open_idle"] = run_worker("idle", {**site, "now": now + timedelta(minutes=5), "profile": True})
    shown = {k: v for k, v in out["open_idle"].items() if k != "profile"}
    print(f"open: adopt {out['open_adopt']}\nopen idle: {shown}")
    print(out["open_idle"]["profile"])


def backlog_site(
    out: dict[str, Any], work: Path, common: dict[str, Any], emu: Any, size: int, now: datetime
) -> None:
    """A first poll over ``size`` overdue responses, then the summary and the digests."""
    folder = work / "backlog"
    form = old_form(emu, folder, size, 11000, newest=now - timedelta(days=2), span=timedelta(days=60))
    site = {**common, "folder": str(folder), **form}
    out["backlog"] = run_worker("backlog", {**site, "now": now, "rows": size})
    print(f"backlog: {out['backlog']}")


if __name__ == "__main__":
    raise SystemExit(main())
