"""The "Riwayat" tab: the audit trail mirrored for operators, one row per history entry, append-only.

Each entry is given its sheet row in the ledger before it is written, so a write that fails is retried
into the same rows next cycle: the tab never needs to be read back and never gets a row twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from cakra.common.pii import redact_value
from cakra.common.wording import format_time
from cakra.sheets.base import CellWrite
from cakra.workflow.sop import Sop
from cakra.workflow.storage import HistoryEntry

HISTORY_HEADERS = ["Waktu", "No. Tiket", "Kejadian", "Dari Tahap", "Ke Tahap", "Petugas", "Catatan"]


def _title(sop: Sop, state: str | None) -> str:
    if not state:
        return ""
    return sop.state_title(state) if state in sop.steps or state in sop.endings else state


def history_values(entry: HistoryEntry, sop: Sop, tz: ZoneInfo) -> list[str]:
    """One history entry as the row operators (and the monthly export) read, under ``HISTORY_HEADERS``;
    every value passed through ``redact`` (an operator's name or a note may hold a NIK)."""
    return redact_value(
        [
            format_time(entry.at, tz),
            entry.ticket,
            entry.kind,
            _title(sop, entry.from_step),
            _title(sop, entry.to_step),
            entry.actor,
            entry.note,
        ]
    )


def history_writes(tab: str, entries: Sequence[HistoryEntry], sop: Sop, tz: ZoneInfo) -> list[CellWrite]:
    cells: list[CellWrite] = []
    for entry in entries:
        assert entry.sheet_row is not None, "unmirrored_history assigns rows"
        values = history_values(entry, sop, tz)
        cells.extend(
            CellWrite(tab, entry.sheet_row, col, value) for col, value in enumerate(values, 1) if value
        )
    return cells
