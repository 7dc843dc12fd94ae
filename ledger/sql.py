"""Small SQL helpers the ledger's parts share."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime


def where_in(conn: sqlite3.Connection, query: str, column: str, values: Iterable[str | int]) -> list[tuple]:
    """``query`` (with ``{}`` for the column and the marks) run over ``values`` in chunks of 500."""
    wanted, rows = list(values), []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows += conn.execute(query.format(column, ",".join("?" * len(chunk))), chunk).fetchall()
    return rows


def utc_text(value: datetime | None) -> str | None:
    # UTC in the query columns, so string order is time order whatever the agency's timezone.
    return value.astimezone(UTC).isoformat() if value else None
