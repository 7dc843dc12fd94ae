"""The ledger: a local SQLite file holding what must survive restarts and what a sheet can't be trusted with.

- ``cases``: every case (JSON) with its step and deadline as columns, so "what is due?" is a query;
- ``history``: the audit trail (append-only), mirrored to the "Riwayat" tab (``ledger/history_log.py``);
- ``notices``: which per-case notices (new, entered, overdue) were already claimed, so none repeats;
- ``meta``: small facts (the sheet view's state: see ``cakra/sheet_view.py``);
- ``responses`` and ``status_shown`` (``ledger/sheet_memory.py``): what the sheets held when last read
  or written (each response row's timestamp cell; the service columns of each case's status row), so a
  cycle reads and compares only what can have changed;
- ``response_of``: each case's response as last seen (content fingerprint, timestamp cell, row, and
  whether a full read missed it), which is how a response is recognised wherever its row moves
  (``ingest/identity.py``); ``manual_of`` the same for the cases typed into the Input Manual tab (its
  rows and the form's are numbered apart, so neither is ever taken for the other);
- the outbox table belongs to ``notify.outbox`` and shares this connection and its transactions.

The file holds every full NIK and every message body, so it is private: created 0600 (with its ``-wal``
and ``-shm``), and refused, as the Google key is, when other users can read it. A file that is not a
Cakra ledger (empty, not SQLite, SQLite without Cakra's tables) is refused too, never taken as a new
ledger: cases would be opened again and citizens acknowledged twice (``ledger.guard``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from cakra.common.errors import CakraError
from cakra.ledger.guard import create_private, refuse_unless_ledger, refuse_when_shared
from cakra.ledger.history_log import HistoryLog
from cakra.ledger.loaded import LoadedCases
from cakra.ledger.sheet_memory import SheetMemory
from cakra.ledger.sql import utc_text, where_in
from cakra.workflow.case import Case
from cakra.workflow.storage import HistoryEntry

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    ticket TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    response_key TEXT NOT NULL UNIQUE,
    nik TEXT NOT NULL,
    step TEXT NOT NULL,
    deadline TEXT,
    closed_at TEXT,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL,
    operator TEXT NOT NULL DEFAULT '',
    kecamatan TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS cases_nik ON cases (nik);
CREATE INDEX IF NOT EXISTS cases_open_deadline ON cases (closed_at, deadline);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_step TEXT,
    to_step TEXT,
    actor TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    sheet_row INTEGER,
    mirrored INTEGER NOT NULL DEFAULT 0,
    deadline TEXT
);
CREATE INDEX IF NOT EXISTS history_ticket ON history (ticket);
CREATE INDEX IF NOT EXISTS history_unmirrored ON history (mirrored);
CREATE TABLE IF NOT EXISTS notices (key TEXT PRIMARY KEY, claimed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS responses (row INTEGER PRIMARY KEY, stamp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS response_of (
    ticket TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    stamp TEXT NOT NULL,
    row INTEGER NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS response_of_fingerprint ON response_of (fingerprint);
CREATE INDEX IF NOT EXISTS response_of_row ON response_of (row);
CREATE TABLE IF NOT EXISTS manual_of (
    ticket TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    stamp TEXT NOT NULL,
    row INTEGER NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS manual_of_fingerprint ON manual_of (fingerprint);
CREATE TABLE IF NOT EXISTS status_shown (
    ticket TEXT PRIMARY KEY,
    shown TEXT NOT NULL,
    basis TEXT NOT NULL DEFAULT ''
);
"""


class Ledger(HistoryLog, SheetMemory):
    """Owns the SQLite connection; callers group their changes with ``transaction()``.

    Implements the domain's ``cakra.workflow.storage.CaseStore``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # ``history_of_cases_open_since``'s entries by ticket, read up to history id ``_history_last``.
        self._history_kept: dict[str, list[HistoryEntry]] = {}
        self._history_last = 0
        # The open cases of the last ``cases_open_or_since``, reused while their stored text is unchanged.
        self._loaded = LoadedCases()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                create_private(self.path, _SCHEMA)
            refuse_when_shared(self.path)
            # check_same_thread=False: a cycle loads cases on a helper thread while it waits for the sheets
            # (cakra/sheet_view.py); the connection is never used by two threads at once.
            self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            refuse_unless_ledger(self.conn, self.path)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.executescript(_SCHEMA)
            self._migrate()
            self.conn.commit()
        except OSError as exc:
            raise CakraError(
                f"ledger {self.path} cannot be opened ({exc.strerror}); check [ledger] path and its folder"
            ) from None
        except sqlite3.Error as exc:
            raise CakraError(ledger_failure(self.path, exc)) from None
        refuse_when_shared(self.path)  # the -wal and -shm just made

    def _migrate(self) -> None:
        """Bring a ledger made by an older version up to this schema (additive changes only)."""
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(history)")}
        if "deadline" not in columns:
            self.conn.execute("ALTER TABLE history ADD COLUMN deadline TEXT")
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(cases)")}
        if "kecamatan" not in columns:
            self.conn.execute("ALTER TABLE cases ADD COLUMN kecamatan TEXT NOT NULL DEFAULT ''")
            self.conn.execute(
                "UPDATE cases SET kecamatan = COALESCE(json_extract(data, '$.report.kecamatan'), '')"
            )
        if "operator" not in columns:
            self.conn.execute("ALTER TABLE cases ADD COLUMN operator TEXT NOT NULL DEFAULT ''")
            for case in self.cases():
                self.conn.execute(
                    "UPDATE cases SET operator = ? WHERE ticket = ?", (case.operator_signature, case.ticket)
                )
        self.conn.execute("CREATE INDEX IF NOT EXISTS cases_kecamatan ON cases (kecamatan)")
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(status_shown)")}
        if "basis" not in columns:  # older memories have no basis: never reused, recomputed once
            self.conn.execute("ALTER TABLE status_shown ADD COLUMN basis TEXT NOT NULL DEFAULT ''")
        # Cases made before responses were recognised by content were keyed by their row ("row:N"), and
        # their row's timestamp is in ``responses``: that is where each was last seen.
        self.conn.execute(
            "INSERT OR IGNORE INTO response_of (ticket, fingerprint, stamp, row)"
            " SELECT c.ticket, json_extract(c.data, '$.report.fingerprint'), COALESCE(r.stamp, ''),"
            " CAST(substr(c.response_key, 5) AS INTEGER) FROM cases c"
            " LEFT JOIN responses r ON r.row = CAST(substr(c.response_key, 5) AS INTEGER)"
            " WHERE c.response_key LIKE 'row:%'"
        )

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: committed when the block ends, rolled back if it raises (a SQLite failure,
        such as a full disk, as a ``CakraError`` saying how to fix it: nothing of the unit was kept)."""
        try:
            with self.conn:
                yield self.conn
        except BaseException as exc:
            self._loaded.clear()  # kept cases may hold changes that were just undone (ledger/loaded.py)
            if isinstance(exc, sqlite3.Error):
                raise CakraError(ledger_failure(self.path, exc)) from None
            raise

    # cases -------------------------------------------------------------------------------------------
    def save_case(self, case: Case) -> None:
        # The object may differ from what was loaded now: no digest until it is loaded again.
        vars(case).pop(_DIGEST, None)
        self._loaded.forget(case.ticket)
        self.conn.execute(
            "INSERT INTO cases (ticket, seq, response_key, nik, step, deadline, closed_at, created_at, data,"
            " operator, kecamatan) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ticket) DO UPDATE SET"
            " nik=excluded.nik, step=excluded.step, deadline=excluded.deadline, closed_at=excluded.closed_at,"
            " data=excluded.data, operator=excluded.operator, kecamatan=excluded.kecamatan",
            (
                case.ticket,
                case.seq,
                case.report.response_key,
                case.report.nik,
                case.step,
                utc_text(case.deadline),
                utc_text(case.closed_at),
                utc_text(case.created_at),
                case.to_json(),
                case.operator_signature,
                case.report.kecamatan or "",
            ),
        )

    def cases(self, *, open_only: bool = False) -> list[Case]:
        """Every case in ticket order (the status sheet's order)."""
        where = " WHERE closed_at IS NULL" if open_only else ""
        self._loaded.clear()  # a full read must not hold the kept cases beside all of its own
        rows = self.conn.execute(f"SELECT data FROM cases{where} ORDER BY seq")  # noqa: S608 (constant)
        return [self._case(data) for (data,) in rows]

    def cases_open_or_since(self, since: datetime, *, reuse: bool = False) -> list[Case]:
        """Every open case and every case closed or created since ``since``, in ticket order: what a
        cycle between full reads works on (``since``: the month's start, for the dashboard's figures).

        ``reuse``: hand out the objects of the last such call again where their stored text is unchanged
        (``ledger/loaded.py``; for the cycle, whose every change to a loaded case is saved)."""
        query = (
            "SELECT ticket, data FROM cases WHERE closed_at IS NULL OR closed_at >= ? OR created_at >= ?"
            " ORDER BY seq"
        )
        rows = self.conn.execute(query, (utc_text(since), utc_text(since)))
        if reuse:
            return self._loaded.take(rows, self._case)
        return [self._case(data) for _, data in rows]

    def forget_loaded(self) -> None:
        """Reuse no case loaded so far (a cycle failed: its changes to loaded cases were not all saved)."""
        self._loaded.clear()

    def cases_named(self, tickets: Iterable[str], response_keys: Iterable[str]) -> list[Case]:
        """The cases with these tickets or response keys (each once)."""
        found: dict[int, str] = {}
        for column, values in (("ticket", tickets), ("response_key", response_keys)):
            found.update(where_in(self.conn, "SELECT seq, data FROM cases WHERE {} IN ({})", column, values))
        return [self._case(found[seq]) for seq in sorted(found)]

    def _case(self, data: str) -> Case:
        case = Case.from_json(data)
        # On the object, not in a table of the ledger's: it lives as long as the case (a table kept
        # across cycles pins the memory of a full read's 50,000 cases).
        vars(case)[_DIGEST] = case_digest(data)
        return case

    @staticmethod
    def loaded_digest(case: Case) -> str | None:
        """A digest of the stored case ``case`` was loaded from; None when it was not loaded by a ledger,
        or was saved since (the object may then hold more than was loaded).

        Equal digests mean equal stored cases, so what was derived from one holds for the other
        (``cakra.tabs.shown`` reuses a status row's values on it)."""
        digest = vars(case).get(_DIGEST)
        return digest if isinstance(digest, str) else None

    def operator_signatures(self) -> dict[str, str]:
        """Ticket -> signature of the operator values last seen on its row (every case)."""
        return dict(self.conn.execute("SELECT ticket, operator FROM cases"))

    def kecamatan_totals(self) -> dict[str, int]:
        """Cases per kecamatan as the citizen typed it ("" when not given), all time."""
        return dict(self.conn.execute("SELECT kecamatan, COUNT(*) FROM cases GROUP BY kecamatan").fetchall())

    def case_by_response(self) -> dict[str, Case]:
        return {case.report.response_key: case for case in self.cases()}

    def cases_by_nik(self, nik: str) -> list[Case]:
        rows = self.conn.execute("SELECT data FROM cases WHERE nik = ? ORDER BY seq", (nik,))
        return [Case.from_json(data) for (data,) in rows]

    def open_tickets_by_step(self) -> dict[str, list[str]]:
        """Step -> the tickets of the open cases in it, in ticket order."""
        found: dict[str, list[str]] = {}
        for step, ticket in self.conn.execute(
            "SELECT step, ticket FROM cases WHERE closed_at IS NULL ORDER BY seq"
        ):
            found.setdefault(step, []).append(ticket)
        return found

    def seq_taken(self, seq: int) -> bool:
        return self.conn.execute("SELECT 1 FROM cases WHERE seq = ?", (seq,)).fetchone() is not None

    def max_seq(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM cases").fetchone()[0]

    # small facts ------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    # notices -----------------------------------------------------------------------------------------
    def claim(self, key: str, now: datetime) -> bool:
        """True the first time ``key`` is claimed, False ever after (survives restarts)."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO notices (key, claimed_at) VALUES (?, ?)", (key, now.isoformat())
        )
        return cursor.rowcount == 1


_DIGEST = "_ledger_digest"  # the attribute ``Ledger._case`` gives a loaded case


def case_digest(data: str) -> str:
    """The digest of a case as stored (``Case.to_json``): ``Ledger.loaded_digest``'s."""
    return hashlib.blake2b(data.encode(), digest_size=12).hexdigest()


def ledger_failure(path: Path | None, exc: sqlite3.Error) -> str:
    """One line saying what is wrong with the ledger at ``path`` (None: not known here) and how to fix it."""
    text = str(exc)
    path = path or Path("(see [ledger] path)")
    if "readonly" in text or "read-only" in text:
        return (
            f"the ledger {path} is read-only ({text}); the service's user needs write access to it and to"
            f" its folder {path.parent} (for the -wal and -shm files)"
        )
    if "disk is full" in text or "disk I/O" in text:
        return f"the ledger {path} could not be written ({text}); free disk space, then run again: nothing was lost"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return (
            f"the ledger {path} is damaged ({text}); stop the service and restore it from the latest backup"
            " (sqlite3 .recover can rescue what is left)"
        )
    if "locked" in text or "busy" in text:
        return f"the ledger {path} is busy ({text}); another program holds it, try again in a moment"
    return f"the ledger {path} failed ({text}); check the file, its folder and free disk space"


# Where each intake tab's responses are remembered (constants: table names are never user input).
