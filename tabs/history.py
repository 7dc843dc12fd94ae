"""The "Riwayat" tab: the audit trail mirrored for operators, one row per history entry, append-only.

Each entry is given its sheet row in the ledger before it is written, so a write that fails is retried
into the same rows next cycle and the tab never gets a row twice.

The tab is a projection of the ledger, so a row someone wiped comes back: on the local workbook (where an
operator's older copy saved over the file loses the newest rows) each cycle's ONE read also takes the
last ``verify_rows`` rows written and, in turn, ``verify_rows`` more from the top (``check_blocks``);
an entry whose row no longer shows it is written again (``wiped``).
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from cakra.common.pii import redact_value
from cakra.common.wording import format_time
from cakra.ledger.store import Ledger
from cakra.sheets.base import Block, CellValue, CellWrite, Tab
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


_TURN_KEY = "riwayat_check"  # ledger meta: the first row of the next turn of checked rows


def check_blocks(ledger: Ledger, verify_rows: int) -> list[Block]:
    """The Riwayat rows to read this cycle: the last ``verify_rows`` written, and the next turn."""
    last = ledger.last_mirrored_row()
    if last < 2:
        return []
    first = int(ledger.meta(_TURN_KEY) or 2)
    first = first if 2 <= first <= last else 2
    width = len(HISTORY_HEADERS)
    return [
        Block.rows(max(2, last - verify_rows + 1), last, width),
        Block.rows(first, min(last, first + verify_rows - 1), width),
    ]


def wiped(tab: Tab | None, blocks: Sequence[Block], ledger: Ledger, sop: Sop, tz: ZoneInfo) -> list[int]:
    """Ids of the entries whose rows in ``blocks`` (as read in ``tab``) no longer show them; moves the
    turn on (call inside the cycle's transaction)."""
    if not blocks or tab is None:
        return []
    rows = {r for block in blocks for r in range(block.first_row, (block.last_row or block.first_row) + 1)}
    gone = [
        entry.id
        for entry in ledger.mirrored_in(rows)
        if _shown(tab, entry.sheet_row) != _trimmed(history_values(entry, sop, tz))  # type: ignore[arg-type]
    ]
    turn = blocks[-1]
    ledger.set_meta(_TURN_KEY, str((turn.last_row or turn.first_row) + 1))
    return gone


def _shown(tab: Tab, sheet_row: int) -> list[str]:
    index = sheet_row - 1
    cells: list[CellValue] = tab.rows[index] if index < len(tab.rows) else []
    return _trimmed(["" if value is None else str(value) for value in cells[: len(HISTORY_HEADERS)]])


def _trimmed(values: list[str]) -> list[str]:
    while values and values[-1] == "":
        values.pop()
    return values
