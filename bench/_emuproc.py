"""The Sheets emulator in its own process, driven over a local control socket.

Running the emulator in a separate process keeps its memory (a million-cell spreadsheet is hundreds of
MB of Python objects) and its CPU time out of the measured process: a worker's peak RSS and wall time are
the client's own, and the emulator answers HTTP on loopback exactly as in the tests.

``EmulatorProcess.start()`` spawns it; ``client()`` returns a proxy whose method calls run in the
emulator process (``Ops`` below): seeding spreadsheets, appending form rows, "operators" typing into the
status tab, and reading or resetting the request log. Every state change takes ``store.lock``, as an HTTP
request does.
"""

from __future__ import annotations

import copy
import multiprocessing as mp
import os
import secrets
import tempfile
import threading
import traceback
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

_CTX = mp.get_context("spawn")


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident set (or its high-water mark with ``VmHWM``) in MiB, from /proc."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Ops:
    """What the control socket can ask of the emulator (all run in the emulator process)."""

    def __init__(self, emu: Any) -> None:
        self.emu = emu

    # seeding and copying -------------------------------------------------------------------------
    def create(self, title: str, sheets: dict[str, list[list[Any]]], raw: bool = True) -> str:
        return self.emu.create_spreadsheet(
            title=title,
            sheets=sheets,
            time_zone="Asia/Jakarta",
            value_input_option="RAW" if raw else "USER_ENTERED",
        )

    def copy(self, spreadsheet_id: str, title: str) -> str:
        """A deep copy of a spreadsheet under a new id (grid sizes, formats, protection included)."""
        store = self.emu.store
        with store.lock:
            clone = copy.deepcopy(store.spreadsheets[spreadsheet_id])
            clone.id = store.new_spreadsheet_id()
            clone.props["title"] = title
            store.spreadsheets[clone.id] = clone
            return clone.id

    def make_key(self, path: str) -> str:
        """A synthetic service-account key made HERE, so this process can verify its JWT signatures."""
        from sheets_emulator.keys import make_service_account_key

        return str(make_service_account_key(path, self.emu.token_uri))

    # what the form and the operators do ----------------------------------------------------------
    def append_rows(self, spreadsheet_id: str, tab: str, rows: list[list[Any]]) -> int:
        """Append rows after the last row holding data, as Google Forms does (values stored RAW)."""
        from sheets_emulator.cells import Cell
        from sheets_emulator.entry import parse_raw

        store = self.emu.store
        with store.lock:
            sheet = store.get(spreadsheet_id).sheet_by_title(tab)
            start = sheet.value_extent()[0]
            needed = start + len(rows)
            if needed > sheet.rows:
                sheet.props["gridProperties"]["rowCount"] = needed
            for r, row in enumerate(rows, start=start):
                for c, raw in enumerate(row):
                    if raw is None or raw == "":
                        continue
                    entered = parse_raw(raw)
                    sheet.put(r, c, Cell(value=entered.value, formula=entered.formula))
            return start + 1  # 1-based sheet row of the first appended row

    def operator_round(self, spreadsheet_id: str, tab: str, keep_open_every: int, walk_every: int) -> int:
        """Operators move every case one step (typing into "Tahap" and "Petugas" as in the Sheets UI).

        Every ``walk_every``-th case, when its report is complete, walks the whole SOP: 2. Operator ->
        3. Kasubbid -> 4. Kabid verifikasi -> 5. Kepala Badan -> Selesai, one step per round; the others
        are closed "Tidak valid" at step 2; every ``keep_open_every``-th case is never touched (it stays
        open and escalates). Returns the number of rows edited.
        """
        from sheets_emulator.cells import Cell

        nxt = {
            "3. Kasubbid": "4. Kabid verifikasi",
            "4. Kabid verifikasi": "5. Kepala Badan",
            "5. Kepala Badan": "Selesai",
        }
        store = self.emu.store
        with store.lock:
            sheet = store.get(spreadsheet_id).sheet_by_title(tab)
            header = [c.value if c else None for c in sheet.grid[0]]
            col = {name: header.index(name) for name in header if name}
            edits = 0

            def text(row: list[Any], name: str) -> str:
                i = col[name]
                cell = row[i] if i < len(row) else None
                return "" if cell is None or cell.value is None else str(cell.value)

            for r in range(1, len(sheet.grid)):
                row = sheet.grid[r]
                ticket = text(row, "No. Tiket")
                seq = int(ticket.rsplit("-", 1)[1]) if ticket else 0
                if not ticket or seq % keep_open_every == 0:
                    continue
                current, typed = text(row, "Tahap Saat Ini"), text(row, "Tahap")
                if typed != current:
                    continue  # an edit is already waiting for the next cycle
                if current == "2. Operator":
                    walk = seq % walk_every == 0 and text(row, "Kelengkapan") == "Lengkap"
                    choice = "3. Kasubbid" if walk else "Tidak valid"
                else:
                    choice = nxt.get(current)
                if choice is None:
                    continue
                sheet.put(r, col["Tahap"], Cell(value=choice))
                sheet.put(r, col["Petugas"], Cell(value=f"Petugas {r % 7 + 1}"))
                edits += 1
            return edits

    def set_row_count(self, spreadsheet_id: str, rows: dict[str, int]) -> None:
        """Give tabs a bigger grid (what ``appendDimension`` does, without the emulator copying the whole
        spreadsheet for an atomic multi-request batch)."""
        store = self.emu.store
        with store.lock:
            ss = store.get(spreadsheet_id)
            for tab, count in rows.items():
                grid = ss.sheet_by_title(tab).props["gridProperties"]
                grid["rowCount"] = max(grid["rowCount"], count)

    def fit_grid(self, spreadsheet_id: str, tab: str) -> int:
        """Shrink a tab's grid to its data rows (a full grid: the next appended row needs growth)."""
        store = self.emu.store
        with store.lock:
            sheet = store.get(spreadsheet_id).sheet_by_title(tab)
            rows = max(sheet.value_extent()[0], 1)
            sheet.resize(rows=rows)
            return rows

    # inspection ----------------------------------------------------------------------------------
    def values(self, spreadsheet_id: str, tab: str, render: str = "FORMATTED_VALUE") -> list[list[Any]]:
        return self.emu.values(spreadsheet_id, tab, render=render)

    def payload_sizes(
        self, spreadsheet_id: str, parts: dict[str, tuple[str, list[int] | None]]
    ) -> dict[str, Any]:
        """Body bytes of a values.batchGet-like answer for some tabs (or some of their columns), plain
        and gzip-compressed: ``parts`` maps a label to (tab, 0-based columns or None for all)."""
        import gzip
        import json

        out = {}
        for label, (tab, columns) in parts.items():
            rows = self.emu.values(spreadsheet_id, tab, render="UNFORMATTED_VALUE")
            if columns is not None:
                rows = [[row[c] if c < len(row) else "" for c in columns] for row in rows]
            body = json.dumps(
                {"range": tab, "majorDimension": "ROWS", "values": rows}, indent=2, ensure_ascii=False
            )
            raw = body.encode("utf-8")
            out[label] = (len(raw), len(gzip.compress(raw, 6)))
        return out

    def sizes(self, spreadsheet_id: str) -> dict[str, tuple[int, int, int]]:
        """Per tab: (rows with data, grid rows, non-empty cells)."""
        store = self.emu.store
        with store.lock:
            out = {}
            for sheet in store.get(spreadsheet_id).sheets:
                cells = sum(1 for row in sheet.grid for cell in row if cell is not None)
                out[sheet.title] = (sheet.value_extent()[0], sheet.rows, cells)
            return out

    def settle(self) -> None:
        """Collect garbage now, freeze what is left and keep the cyclic collector off until the next
        settle, so no GC pass lands inside a measured request: building a 9 MB answer allocates about a
        million objects, and the passes that triggers over the half-built answer are emulator noise
        (0.3-0.6 s, varying from run to run), not the client's cost or anything Google would show."""
        import gc

        with self.emu.store.lock:
            gc.enable()
            gc.collect()
            gc.freeze()
            gc.disable()

    def log_reset(self) -> None:
        self.emu.log.reset()

    def log_entries(self) -> list[tuple[str, str, str, str, int, int, int, float]]:
        """(method, path, query, kind, status, bytes_in, bytes_out, seconds) of every logged request."""
        return [
            (e.method, e.path, e.query, e.kind, e.status, e.bytes_in, e.bytes_out, e.duration)
            for e in self.emu.log.snapshot()
        ]

    def errors(self) -> list[str]:
        return list(self.emu.errors)

    def rss(self) -> float:
        return rss_mb()


def _serve(address: str, authkey: bytes, ready: Connection) -> None:
    from sheets_emulator.server import SheetsEmulator

    emu = SheetsEmulator(require_auth=True).start()
    ops = Ops(emu)
    listener = Listener(address, family="AF_UNIX", authkey=authkey)
    ready.send(emu.base_url)
    stop = threading.Event()

    def handle(conn: Connection) -> None:
        with conn:
            while True:
                try:
                    name, args, kwargs = conn.recv()
                except (EOFError, OSError):
                    return
                if name == "shutdown":
                    conn.send(("ok", None))
                    stop.set()
                    return
                try:
                    conn.send(("ok", getattr(ops, name)(*args, **kwargs)))
                except Exception:
                    conn.send(("error", traceback.format_exc()))

    def accept() -> None:
        while not stop.is_set():
            try:
                conn = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    stop.wait()
    emu.stop()
    listener.close()


class EmulatorClient:
    """A connection to the emulator process; ``client.append_rows(...)`` runs ``Ops.append_rows`` there."""

    def __init__(self, address: str, authkey: bytes) -> None:
        self._conn = Client(address, family="AF_UNIX", authkey=authkey)

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self._conn.send((name, args, kwargs))
            status, value = self._conn.recv()
            if status != "ok":
                raise RuntimeError(f"emulator {name} failed:\n{value}")
            return value

        return call

    def close(self) -> None:
        self._conn.close()


class EmulatorProcess:
    """Spawns the emulator process; ``address``/``authkey`` let other processes connect too."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="cakra-bench-emu-"))
        self.address = str(self.folder / "control.sock")
        self.authkey = secrets.token_bytes(16)
        self.base_url = ""
        self.process: Any = None

    def start(self) -> EmulatorProcess:
        parent, child = _CTX.Pipe()
        self.process = _CTX.Process(
            target=_serve, args=(self.address, self.authkey, child), name="sheets-emulator", daemon=True
        )
        self.process.start()
        if not parent.poll(60):
            raise RuntimeError("the emulator process did not start")
        self.base_url = parent.recv()
        return self

    def client(self) -> EmulatorClient:
        return EmulatorClient(self.address, self.authkey)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            client = self.client()
            client.shutdown()
            client.close()
        except (OSError, EOFError, RuntimeError):
            pass
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self.process = None
        for leftover in self.folder.iterdir():
            leftover.unlink()
        os.rmdir(self.folder)
