"""Benchmark of issue 3: the cost of one poll cycle on the Google backend, ours against two gspread peers.

    .venv/bin/python bench/sheets_cycle.py [--sizes 1000,10000,50000] [--new 0,1,100]
        [--no-cold] [--what-if-gc] [--memory] [--profile FILE.prof] [--one-shot 1000] [--json FILE]

Run by hand (``make bench``; about 5 minutes on 2 cores, 7 with every option); not part of the test
suite. Everything talks HTTP on loopback to the Sheets emulator, which runs in its own process (its
memory and CPU are not the client's); every measured cycle runs in a fresh worker process.

Per size: SETUP replays the form's history through the real cycle (``_site.replay``), then two copies of
the resulting spreadsheet are made for the peers. Per size and number of new responses, each
implementation runs ONE measured cycle in its own worker process on its own copy (the same new responses
are appended to every copy, so scenarios build on each other: "existing" is the size at setup):

- ours:  ``cakra.cycle.poll`` through ``sheets.google.GoogleSheets`` and gspread, warm: the worker first
         ran the previous cycle (as ``run.py serve`` does). At the largest size, extra rows: a cycle that
         must grow a full grid, a cold process (``build_app`` + ``poll``, as ``run.py poll`` from cron),
         and with ``--what-if-gc`` the same cycle with the cyclic GC off;
- (a):   ``get_all_records`` + one ``update_cell`` per cell to write (``_peers``);
- (b):   ``get_all_records`` + ``set_with_dataframe`` of the whole status tab (``_peers``).

Measured per cycle: requests, request and response body bytes (the emulator's request log, reset just
before the cycle), cells written (ours: ``CycleResult.cells_written``; peers: cells in their payloads),
wall time (``time.perf_counter`` around the cycle, in the worker) and peak memory (the worker's peak RSS,
VmHWM, reset with ``/proc/self/clear_refs`` just before the cycle: the whole process — interpreter,
libraries and what the previous cycle left — not only the cycle's own allocations). ``--memory`` adds a
tracemalloc run of ours split by step, ``--profile`` a cProfile run, ``--one-shot N`` the single first
poll of a fresh install over a form that already holds N responses.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import pstats
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the bench's own modules (_site, _peers, ...)

from _emuproc import EmulatorClient, EmulatorProcess

_CTX = mp.get_context("spawn")
WORKER_TIMEOUT = 900


# ------------------------------------------------------------------------------------------------
# worker processes
# ------------------------------------------------------------------------------------------------
def _worker(kind: str, params: dict[str, Any], conn: Any) -> None:
    def go() -> None:
        conn.send(("ready", None))
        if conn.recv() != "go":
            raise SystemExit(1)

    try:
        if kind == "ours":
            from _site import ours

            result = ours(params, go)
        elif kind == "setup":
            from _site import replay

            emu = EmulatorClient(params["address"], params["authkey"])
            result = replay(
                emu,
                Path(params["folder"]),
                params["base_url"],
                params["size"],
                params["chunk"],
                params["keep_open_every"],
                params["walk_every"],
            )
        elif kind == "one-shot":
            result = _one_shot(params)
        else:
            from _peers import peer

            result = peer(params, go)
        conn.send(("ok", result))
    except BaseException:
        conn.send(("error", traceback.format_exc()))


def run_worker(
    kind: str, params: dict[str, Any], *, before_go: Any = None, timeout: float = WORKER_TIMEOUT
) -> dict[str, Any]:
    """Run ``kind`` in a fresh spawned process; ``before_go()`` runs when the worker is ready to measure."""
    parent, child = _CTX.Pipe()
    process = _CTX.Process(target=_worker, args=(kind, params, child), daemon=True)
    process.start()
    try:
        while True:
            if not parent.poll(timeout):
                raise TimeoutError(f"{kind} worker took longer than {timeout} s")
            status, value = parent.recv()
            if status == "ready":
                if before_go is not None:
                    before_go()
                parent.send("go")
                continue
            if status == "error":
                raise RuntimeError(f"{kind} worker failed:\n{value}")
            return value
    finally:
        process.join(30)
        if process.is_alive():
            process.terminate()
            process.join(5)


# ------------------------------------------------------------------------------------------------
# measurements
# ------------------------------------------------------------------------------------------------
def operation(method: str, path: str) -> str:
    """A logged request as the API method it calls (``values.update``, ``spreadsheets.get``, ...)."""
    if path == "/token":
        return "oauth2.token"
    tail = path.rsplit("/", 1)[-1]
    if tail.startswith("values:"):
        return "values." + tail.split(":", 1)[1]
    if "/values/" in path:
        if tail.endswith(":append"):
            return "values.append"
        return {"GET": "values.get", "PUT": "values.update"}.get(method, f"values {method}")
    if tail.endswith(":batchUpdate"):
        return "spreadsheets.batchUpdate"
    return "spreadsheets.get" if method == "GET" else f"{method} {tail}"


def traffic(entries: list[tuple]) -> dict[str, Any]:
    kinds = Counter(kind for _, _, _, kind, *_ in entries)
    calls = Counter(operation(method, path) for method, path, *_ in entries)
    return {
        "requests": len(entries),
        "sent": sum(e[5] for e in entries),
        "received": sum(e[6] for e in entries),
        "kinds": dict(kinds),
        "calls": dict(calls),
        "failed": [e[:5] for e in entries if not 200 <= e[4] < 300],
        "server_seconds": sum(e[7] for e in entries),
    }


def measure(
    emu: EmulatorClient, kind: str, params: dict[str, Any], spreadsheet_id: str, new_rows: list[list[Any]]
) -> dict[str, Any]:
    from _site import RESPONSES_TAB

    def before_go() -> None:
        if new_rows:
            emu.append_rows(spreadsheet_id, RESPONSES_TAB, new_rows)
        emu.settle()
        emu.log_reset()

    result = run_worker(kind, {**params, "spreadsheet_id": spreadsheet_id}, before_go=before_go)
    entries = emu.log_entries()
    result.update(traffic(entries))
    if params["kind"] == "a" and result["executed_calls"] < result["planned_calls"]:
        extrapolate(result, [e for e in entries if e[0] == "PUT"])
    return result


def extrapolate(result: dict[str, Any], puts: list[tuple]) -> None:
    """Peer (a) with capped update_cell calls: scale requests, bytes and time to the calls not run."""
    ran, planned = result["executed_calls"], result["planned_calls"]
    missing = planned - ran
    result["requests"] += missing
    result["sent"] += round(sum(e[5] for e in puts) / len(puts) * missing)
    result["received"] += round(sum(e[6] for e in puts) / len(puts) * missing)
    result["wall"] += result["update_seconds"] / ran * missing
    result["extrapolated"] = (
        f"peer (a): {ran:,} of {planned:,} update_cell calls were run ({len(puts):,} PUTs logged); requests, "
        f"bytes and wall time of the other {missing:,} are extrapolated from the mean of those that ran"
    )


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


# ------------------------------------------------------------------------------------------------
# the one-shot initial poll (a first install on a form that already holds N responses)
# ------------------------------------------------------------------------------------------------
def _one_shot(params: dict[str, Any]) -> dict[str, Any]:
    import cProfile

    from _site import RESPONSE_HEADERS, RESPONSES_TAB, T0, arrivals, build, responses

    from cakra.cycle import poll

    emu = EmulatorClient(params["address"], params["authkey"])
    folder = Path(params["folder"])
    size = params["size"]
    rows = responses(size, 7, arrivals(size, T0, timedelta(days=size // 200 + 1)))
    spreadsheet_id = emu.create("Laporan LINMAS (Jawaban)", {RESPONSES_TAB: [RESPONSE_HEADERS, *rows]})
    key = emu.make_key(str(folder / "service-account.json"))
    app = build(folder, spreadsheet_id, key, params["base_url"])
    profiler = cProfile.Profile()
    t = time.perf_counter()
    profiler.enable()
    result = poll(app, T0 + timedelta(minutes=1))
    profiler.disable()
    wall = time.perf_counter() - t
    stats = pstats.Stats(profiler)
    rows_out = profile_entries(stats, project_only=True)
    return {"wall": wall, "summary": result.summary(), "top": rows_out[:25]}


# ------------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------------
def new_rows(size: int, count: int, at: Any) -> list[list[Any]]:
    from _site import arrivals, responses

    return responses(
        count, 900_000 + size + count, arrivals(count, at - timedelta(minutes=1), timedelta(minutes=3))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="existing cases, comma-separated")
    parser.add_argument("--new", default="0,1,100", help="new responses per measured cycle, comma-separated")
    parser.add_argument(
        "--chunk", type=int, default=0, help="responses per setup cycle (default: size/25, at least 1,000)"
    )
    parser.add_argument("--keep-open-every", type=int, default=50, help="setup: every N-th case is left open")
    parser.add_argument(
        "--walk-every", type=int, default=4, help="setup: every N-th complete case walks the SOP to Selesai"
    )
    parser.add_argument(
        "--update-cell-cap",
        type=int,
        default=0,
        help="peer (a): run at most this many update_cell calls at sizes >= 50,000 and extrapolate (0 = all)",
    )
    parser.add_argument(
        "--no-cold",
        dest="cold",
        action="store_false",
        help="skip the cold-process row for ours at the largest size",
    )
    parser.add_argument("--profile", metavar="FILE", help="profile ours (cProfile) at the largest size")
    parser.add_argument(
        "--memory", action="store_true", help="trace ours' memory per step at the largest size"
    )
    parser.add_argument(
        "--what-if-gc",
        action="store_true",
        help="also run ours at the largest size with the cyclic GC disabled",
    )
    parser.add_argument(
        "--one-shot", metavar="N", help="also time a single initial poll over N responses (N,N,...)"
    )
    parser.add_argument("--json", metavar="FILE", help="write every measurement as JSON")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    news = [int(n) for n in args.new.split(",") if n]

    # Nothing may leave the machine: any non-loopback HTTP(S) request would go to a dead local proxy.
    os.environ.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"

    work = Path(tempfile.mkdtemp(prefix="cakra-bench-"))
    emulator = EmulatorProcess().start()
    emu = emulator.client()
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    setups: list[dict[str, Any]] = []
    one_shots: list[dict[str, Any]] = []
    payloads: list[dict[str, Any]] = []
    common = {"base_url": emulator.base_url, "address": emulator.address, "authkey": emulator.authkey}
    try:
        for size in sizes:
            folder = work / f"site-{size}"
            folder.mkdir()
            t = time.perf_counter()
            setup = run_worker(
                "setup",
                {
                    **common,
                    "folder": str(folder),
                    "size": size,
                    "chunk": args.chunk or max(1000, size // 25),
                    "keep_open_every": args.keep_open_every,
                    "walk_every": args.walk_every,
                },
            )
            copies = {"ours": setup["spreadsheet_id"]}
            for peer in ("a", "b"):
                copies[peer] = emu.copy(setup["spreadsheet_id"], f"peer {peer}")
            setup.update(size=size, total_seconds=time.perf_counter() - t)
            setups.append(setup)
            print(
                f"# setup {size:,}: {setup['polls']} cycles in {setup['seconds']:.1f} s "
                f"(slowest {setup['slowest_poll']:.1f} s); {setup['open']} open cases, "
                f"{setup['history']:,} history entries; cycles: {setup['poll_seconds']}",
                file=sys.stderr,
                flush=True,
            )
            base = {**common, "folder": str(folder), "key": setup["key"]}
            now = setup["last_poll"]
            for count in news:
                now = now + timedelta(minutes=10)
                batch = new_rows(size, count, now)
                for impl in ("ours", "a", "b"):
                    params = {**base, "now": now, "cold": False, "kind": impl}
                    if impl == "a" and args.update_cell_cap and size >= 50_000:
                        params["cap"] = args.update_cell_cap
                    result = measure(emu, "ours" if impl == "ours" else "peer", params, copies[impl], batch)
                    result.update(size=size, count=count, impl=impl)
                    rows.append(result)
                    print(
                        f"# {size:,} / {count} / {impl}: {result['wall']:.2f} s, {result['requests']} requests",
                        file=sys.stderr,
                        flush=True,
                    )
            if size == sizes[-1]:
                extras: list[tuple[str, dict[str, Any]]] = [
                    ("ours-grid-full", {}),
                    ("ours-full-read", {"full_read": True}),
                ]
                if args.cold:
                    extras.append(("ours-cold", {"cold": True}))
                if args.what_if_gc:
                    extras.append(("ours-gc-off", {"gc_off": True}))
                if args.memory:
                    extras.append(("ours-memory", {"memory": True}))
                if args.profile:
                    extras.append(("ours-profiled", {"profile": args.profile}))
                for label, extra in extras:
                    now = now + timedelta(minutes=10)
                    count = 1 if label == "ours-grid-full" else news[-1]
                    batch = new_rows(size, count, now)
                    if label == "ours-grid-full":  # the Riwayat grid is full: this cycle must grow it
                        emu.fit_grid(copies["ours"], "Riwayat")
                    params = {**base, "now": now, "cold": False, "kind": "ours", **extra}
                    result = measure(emu, "ours", params, copies["ours"], batch)
                    result.update(size=size, count=count, impl=label)
                    rows.append(result)
                    print(
                        f"# {size:,} / {count} / {label}: {result['wall']:.2f} s", file=sys.stderr, flush=True
                    )
                payload = emu.payload_sizes(
                    copies["ours"],
                    {
                        "responses tab": ("Form Responses 1", None),
                        "status tab": ("Status Kasus", None),
                        "dashboard tab": ("Ringkasan", None),
                        "responses: Timestamp column only": ("Form Responses 1", [0]),
                        "status: No. Tiket + operator columns (A, N:T)": (
                            "Status Kasus",
                            [0, 13, 14, 15, 16, 17, 18, 19],
                        ),
                    },
                )
                responses = emu.sizes(copies["ours"])["Form Responses 1"][0] - 1
                payloads.append({"size": size, "responses": responses, "parts": payload})
        for size in [int(n) for n in (args.one_shot or "").split(",") if n]:
            folder = work / f"one-shot-{size}"
            folder.mkdir()
            result = run_worker("one-shot", {**common, "folder": str(folder), "size": size})
            result["size"] = size
            one_shots.append(result)
        errors = emu.errors()
    finally:
        emu.close()
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - started
    report(rows, setups, one_shots, payloads, errors, total, args)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "setups": setups}, default=str, indent=1))
    return 1 if errors else 0


SUFFIX = {
    "ours-cold": " (cold)",
    "ours-gc-off": " (GC off)",
    "ours-grid-full": " (grid full)",
    "ours-full-read": " (full read)",
}
NAMES = {
    "ours": "**ours** (Cakra poll)",
    "ours-cold": "ours, cold process (`run.py poll`)",
    "ours-grid-full": "ours, a cycle that must grow the full Riwayat grid",
    "ours-full-read": "ours, a full read (first cycle, or after a config change)",
    "ours-gc-off": "ours, what-if: cyclic GC off during the cycle",
    "ours-memory": "ours under tracemalloc",
    "ours-profiled": "ours under cProfile",
    "a": "(a) get_all_records + update_cell",
    "b": "(b) get_all_records + set_with_dataframe",
}


def report(
    rows: list[dict[str, Any]],
    setups: list[dict[str, Any]],
    one_shots: list[dict[str, Any]],
    payloads: list[dict[str, Any]],
    errors: list[str],
    total: float,
    args: argparse.Namespace,
) -> None:
    print(
        "| existing cases | new responses | implementation | requests | sent | received | cells written "
        "| wall time | peak RSS |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    notes: list[str] = []
    for row in rows:
        if row["impl"] in ("ours-profiled", "ours-memory"):
            continue
        mark = ""
        if row.get("extrapolated"):
            notes.append(row["extrapolated"])
            mark = f" ~[{len(notes)}]"
        print(
            f"| {row['size']:,} | {row['count']} | {NAMES[row['impl']]} | {row['requests']:,}{mark} "
            f"| {human_bytes(row['sent'])}{mark} | {human_bytes(row['received'])}{mark} | {row['cells']:,} "
            f"| {row['wall']:.2f} s{mark} | {row['peak_mb']:.0f} MB |"
        )
    for number, note in enumerate(notes, start=1):
        print(f"\n~[{number}] {note}")

    print("\nOur cycle, where the time goes (s; read/write = GoogleSheets.read/write incl. HTTP + JSON,")
    print("deliver = Outbox.deliver to .eml files, compute = the rest of the wall time; emulator = the")
    print("emulator's own time answering, part of read/write; GC = cyclic garbage collector (passes), part")
    print("of the other columns) and what it did:\n")
    print(
        "| existing | new | read | compute | write | deliver | emulator | GC | requests made | cells by tab | messages | RSS before → peak |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|")
    for row in rows:
        if row["impl"] not in ("ours", "ours-grid-full", "ours-full-read", "ours-cold", "ours-gc-off"):
            continue
        spent = row["spent"]
        compute = row["wall"] - sum(spent.values())
        calls = ", ".join(f"{n}× {c}" for c, n in row["calls"].items())
        print(
            f"| {row['size']:,} | {row['count']}{SUFFIX.get(row['impl'], '')} "
            f"| {spent.get('read_blocks', 0):.2f} | {compute:.2f} | {spent.get('write', 0):.2f} "
            f"| {spent.get('deliver', 0):.2f} | {row['server_seconds']:.2f} "
            f"| {row['gc_seconds']:.2f} ({row['gc_passes']}) | {calls} "
            f"| {', '.join(f'{t} {n:,}' for t, n in row['cells_by_tab'].items()) or '–'} | {row['messages']} "
            f"| {row['rss_before_mb']:.0f} → {row['peak_mb']:.0f} MB |"
        )

    print("\nSetup (the form's history replayed through the real cycle, before any measurement):\n")
    print(
        "| cases | cycles | time | slowest cycle | last cycle | open cases | history entries | status tab cells "
        "| replayed period |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for s in setups:
        status = s["tabs"].get("Status Kasus", (0, 0, 0))
        print(
            f"| {s['cases']:,} | {s['polls']} | {s['seconds']:.1f} s | {s['slowest_poll']:.1f} s "
            f"| {s['last_poll_seconds']:.1f} s | {s['open']:,} | {s['history']:,} | {status[2]:,} "
            f"| {s['first_poll']:%d %b %Y} – {s['last_poll']:%d %b %Y} |"
        )
    for shot in one_shots:
        print(
            f"\nOne initial poll over {shot['size']:,} existing responses: {shot['wall']:.1f} s ({shot['summary']})"
        )
        print("\n| cumulative s | own s | calls | function |\n|---:|---:|---:|---|")
        for cum, own, calls, name in shot["top"][:25]:
            print(f"| {cum:.2f} | {own:.2f} | {calls:,} | `{name}` |")
    for row in rows:
        if row["impl"] != "ours-memory" or not row.get("phases"):
            continue
        print(
            f"\nMemory of our cycle by step at {row['size']:,} existing + {row['count']} new (tracemalloc: Python "
            "allocations made during the cycle, MiB; not RSS):\n"
        )
        print("| step | live before | peak during | live after |\n|---|---:|---:|---:|")
        for name, before, peak, after in row["phases"]:
            print(f"| `{name}` | {before:.0f} | {peak:.0f} | {after:.0f} |")
    for item in payloads:
        print(
            f"\nWhat our read carries at the end of the {item['size']:,} runs ({item['responses']:,} responses; "
            "JSON body bytes as the emulator renders them, plain / gzip -6):\n"
        )
        print("| part | plain | gzip |\n|---|---:|---:|")
        for label, (plain, packed) in item["parts"].items():
            print(f"| {label} | {human_bytes(plain)} | {human_bytes(packed)} |")
    if args.profile:
        print(f"\nProfile of ours written to {args.profile} (python -m pstats {args.profile}).")
        print_profile(args.profile)
    print_targets(rows)
    failed = [(r["size"], r["count"], r["impl"], r["failed"]) for r in rows if r["failed"]]
    if failed:
        print(f"\nNon-2xx responses during measured cycles: {failed}")
    if errors:
        print(f"\nEMULATOR ERRORS ({len(errors)}):\n" + errors[0])
    print(
        f"\nMachine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; code: {tree_state()}; whole run {total:.0f} s. "
        "Bytes are HTTP body bytes, uncompressed (the emulator does not compress; Google gzips for Cakra,"
        " whose user agent asks for it: see the gzip column above)."
    )


def print_targets(rows: list[dict[str, Any]]) -> None:
    """Issue 3's targets, checked on our warm cycles."""
    ours = [r for r in rows if r["impl"] == "ours"]
    if not ours:
        return
    print("\nIssue 3 targets, our warm cycle:\n")
    for size in sorted({r["size"] for r in ours}):
        at = {r["count"]: r for r in ours if r["size"] == size}
        checks = [
            f"requests ≤ 2: {'yes' if all(r['requests'] <= 2 for r in at.values()) else 'NO'}",
            f"≤ 1 when nothing changed: {'yes' if 0 not in at or at[0]['requests'] <= 1 else 'NO'}",
            f"no cells when nothing changed: {'yes' if 0 not in at or at[0]['cells'] == 0 else 'NO'}",
        ]
        if size >= 50_000 and 100 in at:
            r = at[100]
            checks.append(f"100 new under 2 s: {'yes' if r['wall'] < 2 else 'NO'} ({r['wall']:.2f} s)")
            checks.append(f"under 500 MB: {'yes' if r['peak_mb'] < 500 else 'NO'} ({r['peak_mb']:.0f} MB)")
        per_case = [f"{r['cells'] / n:.1f}" for n, r in sorted(at.items()) if n]
        checks.append(f"cells per new case: {', '.join(per_case) or '–'}")
        print(f"- {size:,}: " + "; ".join(checks))


def tree_state() -> str:
    """The commit measured, and how many files differ from it (read-only git calls)."""
    import subprocess

    import cakra

    root = Path(cakra.__file__).resolve().parents[1]
    if os.environ.get("CAKRA_BENCH_CODE"):
        return f"{os.environ['CAKRA_BENCH_CODE']} ({root})"
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return f"unknown ({root})"
    return f"{head} + {len(dirty)} modified files" if dirty else head


PROJECT = Path(__file__).resolve().parents[1]


def profile_entries(stats: pstats.Stats, *, project_only: bool) -> list[tuple[float, float, int, str]]:
    """(cumulative s, own s, calls, "file.py:line(function)"), by cumulative time; ``project_only`` keeps
    Cakra's own functions (not the libraries', the standard library's or the bench's wrappers)."""
    entries = []
    for (file, line, func), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if project_only and (
            not file.startswith(str(PROJECT)) or "/.venv/" in file or file.startswith(str(PROJECT / "bench"))
        ):
            continue
        where = Path(file).relative_to(PROJECT) if file.startswith(str(PROJECT)) else Path(file).name
        entries.append((cumtime, tottime, calls, f"{where}:{line}({func})"))
    return sorted(entries, reverse=True)


def print_profile(path: str, limit: int = 25) -> None:
    stats = pstats.Stats(path)
    print("\n| Cakra's functions by cumulative time | cumulative s | own s | calls |\n|---|---:|---:|---:|")
    for cum, own, calls, name in profile_entries(stats, project_only=True)[:limit]:
        print(f"| `{name}` | {cum:.2f} | {own:.2f} | {calls:,} |")
    print("\n| all functions by own time | cumulative s | own s | calls |\n|---|---:|---:|---:|")
    for cum, own, calls, name in sorted(
        profile_entries(stats, project_only=False), key=lambda e: e[1], reverse=True
    )[:limit]:
        print(f"| `{name}` | {cum:.2f} | {own:.2f} | {calls:,} |")


if __name__ == "__main__":
    sys.exit(main())
