"""What the sheets held when the service last read or wrote them, kept in the ledger.

Each response row's timestamp cell (``responses``), each case's response as last seen (``response_of``,
and ``manual_of`` for the Input Manual tab: how a response is recognised wherever its row moves,
``ingest/identity.py``) and the service columns last written on each status row (``status_shown``), so a
cycle reads and compares only what can have changed. A part of ``Ledger`` (``ledger/store.py``), on its
connection and inside its transactions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from cakra.ledger.sql import where_in

_IDENTITY_TABLES = {"form": "response_of", "manual": "manual_of"}


class SheetMemory:
    """The ledger's memory of the sheets (mixed into ``Ledger``, which owns ``conn``)."""

    conn: sqlite3.Connection

    def response_stamps(self) -> dict[int, str]:
        """Response sheet row -> its timestamp cell as last read."""
        return dict(self.conn.execute("SELECT row, stamp FROM responses"))

    def save_response_stamps(self, stamps: dict[int, str]) -> None:
        self.conn.executemany(
            "INSERT INTO responses (row, stamp) VALUES (?, ?) ON CONFLICT(row) DO UPDATE SET stamp=excluded.stamp",
            stamps.items(),
        )

    def identities(
        self,
        fingerprints: Iterable[str] | None = None,
        rows: Iterable[int] | None = None,
        *,
        source: str = "form",
    ) -> list[tuple[str, str, str, int, bool]]:
        """Each case's response as last seen: (ticket, fingerprint, stamp, row, gone) (the fields of
        ``cakra.ingest.identity.Identity``): every case's, or those with one of ``fingerprints`` or
        last seen in one of ``rows`` (what a partial read's few rows can match). ``source``: "form"
        (the response tab) or "manual" (the Input Manual tab)."""
        query = f"SELECT ticket, fingerprint, stamp, row, gone FROM {_IDENTITY_TABLES[source]}"  # noqa: S608
        if fingerprints is None and rows is None:
            found = self.conn.execute(query).fetchall()
        else:
            where = query + " WHERE {} IN ({})"
            found = list(
                dict.fromkeys(
                    where_in(self.conn, where, "fingerprint", fingerprints or [])
                    + where_in(self.conn, where, "row", rows or [])
                )
            )
        return [(ticket, fp, stamp, row, bool(gone)) for ticket, fp, stamp, row, gone in found]

    def save_identities(
        self, identities: Iterable[tuple[str, str, str, int, bool]], *, source: str = "form"
    ) -> None:
        """Remember (ticket, fingerprint, stamp, row, gone) of each case's response (``source``: as
        ``identities``)."""
        self.conn.executemany(
            f"INSERT INTO {_IDENTITY_TABLES[source]} (ticket, fingerprint, stamp, row, gone)"  # noqa: S608
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(ticket) DO UPDATE SET fingerprint=excluded.fingerprint, stamp=excluded.stamp,"
            " row=excluded.row, gone=excluded.gone",
            [(t, fp, stamp, row, int(gone)) for t, fp, stamp, row, gone in identities],
        )

    def trim_response_stamps(self, rows: int) -> None:
        """Forget the stamps of rows past ``rows`` (the tab is shorter now: rows were deleted)."""
        self.conn.execute("DELETE FROM responses WHERE row > ?", (rows,))

    def shown(self, tickets: Iterable[str] | None = None) -> dict[str, str]:
        """Ticket -> the service columns last written to its status row (JSON), for ``tickets`` or all."""
        if tickets is None:
            return dict(self.conn.execute("SELECT ticket, shown FROM status_shown"))
        return dict(
            where_in(self.conn, "SELECT ticket, shown FROM status_shown WHERE {} IN ({})", "ticket", tickets)
        )

    def remembered(self, tickets: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Ticket -> (``shown``'s text, the basis it was computed on; "" when none) for ``tickets``."""
        query = "SELECT ticket, shown, basis FROM status_shown WHERE {} IN ({})"
        return {
            ticket: (shown, basis) for ticket, shown, basis in where_in(self.conn, query, "ticket", tickets)
        }

    def save_shown(self, shown: Mapping[str, str | tuple[str, str]]) -> None:
        """Remember ticket -> shown text, or (shown text, basis) (see ``remembered``)."""
        self.conn.executemany(
            "INSERT INTO status_shown (ticket, shown, basis) VALUES (?, ?, ?)"
            " ON CONFLICT(ticket) DO UPDATE SET shown=excluded.shown, basis=excluded.basis",
            [(t, v, "") if isinstance(v, str) else (t, *v) for t, v in shown.items()],
        )
