"""The audit trail in the ledger: every change of every case (append-only), mirrored to the "Riwayat"
tab. An entry that starts or extends a step's clock carries the deadline it set, so the SLA never
recomputes a past deadline. A part of ``Ledger`` (``ledger/store.py``), on its connection and inside its
transactions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from cakra.ledger.sql import utc_text, where_in
from cakra.workflow.storage import HistoryEntry


class HistoryLog:
    """The ledger's history table (mixed into ``Ledger``, which owns ``conn`` and the kept entries)."""

    conn: sqlite3.Connection
    _history_kept: dict[str, list[HistoryEntry]]
    _history_last: int

    def record(
        self,
        ticket: str,
        at: datetime,
        kind: str,
        *,
        from_step: str | None = None,
        to_step: str | None = None,
        actor: str = "",
        note: str = "",
        deadline: datetime | None = None,
    ) -> None:
        self.conn.execute(
            "INSERT INTO history (ticket, at, kind, from_step, to_step, actor, note, deadline)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ticket,
                at.isoformat(),
                kind,
                from_step,
                to_step,
                actor,
                note,
                deadline.isoformat() if deadline else None,
            ),
        )

    def history_of_cases_open_since(self, since: datetime, *, keep: bool = True) -> list[HistoryEntry]:
        """History of the cases still open or closed at/after ``since`` (what this month's figures need),
        in id order. Its ``sheet_row`` may be older than the table's (the figures never need it).

        Every cycle asks for it (10,000 open cases are some 20,000 entries), and history is append-only
        with ids in commit order: this process keeps what it read and reads only entries added since,
        and the whole history of a case that joins the set. ``keep=False`` reads afresh and keeps nothing
        (after a full read: entries kept then would pin the memory its 50,000 cases used)."""
        if not keep:
            self._history_kept, self._history_last = {}, 0
            rows = self.conn.execute(
                f"SELECT {_HISTORY_COLUMNS} FROM history WHERE ticket IN"  # noqa: S608 (constant)
                " (SELECT ticket FROM cases WHERE closed_at IS NULL OR closed_at >= ?) ORDER BY id",
                (utc_text(since),),
            )
            return [_entry(row) for row in rows]
        relevant = {
            ticket
            for (ticket,) in self.conn.execute(
                "SELECT ticket FROM cases WHERE closed_at IS NULL OR closed_at >= ?", (utc_text(since),)
            )
        }
        kept, last = self._history_kept, self._history_last
        newest = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM history").fetchone()[0]
        if newest < last or not last:  # the first call, or not the history read before: read it all
            kept.clear()
            rows = self.conn.execute(
                f"SELECT {_HISTORY_COLUMNS} FROM history WHERE id <= ? AND ticket IN"  # noqa: S608
                " (SELECT ticket FROM cases WHERE closed_at IS NULL OR closed_at >= ?) ORDER BY id",
                (newest, utc_text(since)),
            )
            for row in rows:
                kept.setdefault(row[1], []).append(_entry(row))
            last = newest
        for ticket in list(kept):
            if ticket not in relevant:
                del kept[ticket]
        query = f"SELECT {_HISTORY_COLUMNS} FROM history WHERE {{}} IN ({{}}) AND id <= {int(last)}"  # noqa: S608
        for row in where_in(self.conn, query, "ticket", sorted(relevant - kept.keys())):
            kept.setdefault(row[1], []).append(_entry(row))
        for ticket in relevant:
            kept.setdefault(ticket, [])
        added = self.conn.execute(
            f"SELECT {_HISTORY_COLUMNS} FROM history WHERE id > ? AND id <= ? ORDER BY id",  # noqa: S608
            (last, newest),
        )
        for row in added:
            if row[1] in kept:
                kept[row[1]].append(_entry(row))
        self._history_last = newest
        return sorted((entry for entries in kept.values() for entry in entries), key=_entry_id)

    def history(self, ticket: str | None = None) -> list[HistoryEntry]:
        query = f"SELECT {_HISTORY_COLUMNS} FROM history"  # noqa: S608 (constant)
        rows = (
            self.conn.execute(query + " WHERE ticket = ? ORDER BY id", (ticket,))
            if ticket
            else self.conn.execute(query + " ORDER BY id")
        )
        return [_entry(row) for row in rows]

    def unmirrored_history(self, first_free_row: int) -> list[HistoryEntry]:
        """History not yet on the Riwayat tab; rows get fixed sheet rows, so a retried write lands in place."""
        next_row = max(
            first_free_row,
            (self.conn.execute("SELECT COALESCE(MAX(sheet_row), 0) FROM history").fetchone()[0] or 0) + 1,
        )
        for (entry_id,) in self.conn.execute(
            "SELECT id FROM history WHERE sheet_row IS NULL ORDER BY id"
        ).fetchall():
            self.conn.execute("UPDATE history SET sheet_row = ? WHERE id = ?", (next_row, entry_id))
            next_row += 1
        rows = self.conn.execute(
            f"SELECT {_HISTORY_COLUMNS} FROM history WHERE mirrored = 0 ORDER BY id"  # noqa: S608 (constant)
        )
        return [_entry(row) for row in rows]

    def last_mirrored_row(self) -> int:
        """The Riwayat row of the last entry written there (0: none yet)."""
        return self.conn.execute(
            "SELECT COALESCE(MAX(sheet_row), 0) FROM history WHERE mirrored = 1"
        ).fetchone()[0]

    def mirrored_in(self, rows: Iterable[int]) -> list[HistoryEntry]:
        """The entries already written to these Riwayat rows."""
        query = f"SELECT {_HISTORY_COLUMNS} FROM history WHERE mirrored = 1 AND {{}} IN ({{}}) ORDER BY id"  # noqa: S608
        return [_entry(row) for row in where_in(self.conn, query, "sheet_row", list(rows))]

    def unmirror(self, ids: Iterable[int]) -> None:
        """Write these entries to their Riwayat rows again (someone wiped or changed them)."""
        self.conn.executemany("UPDATE history SET mirrored = 0 WHERE id = ?", [(i,) for i in ids])

    def mark_mirrored(self, ids: Iterable[int]) -> None:
        self.conn.executemany("UPDATE history SET mirrored = 1 WHERE id = ?", [(i,) for i in ids])


_HISTORY_COLUMNS = "id, ticket, at, kind, from_step, to_step, actor, note, sheet_row, deadline"


def _entry_id(entry: HistoryEntry) -> int:
    return entry.id


def _entry(row: tuple) -> HistoryEntry:
    deadline = datetime.fromisoformat(row[9]) if row[9] else None
    return HistoryEntry(row[0], row[1], datetime.fromisoformat(row[2]), *row[3:9], deadline)
