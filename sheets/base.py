"""The sheet backend interface: whole tabs in, one batch of changed cells out.

Every backend (the local .xlsx workbook, Google Sheets) keeps the same promises, which is what lets the
core run unchanged on either:
- ``read(tabs)`` reads every tab a cycle needs in ONE request; a missing tab comes back as ``None``.
- ``read_blocks(wanted)`` is the same ONE request for parts of tabs (a header row, a few columns, the
  rows after the last one seen): a tab comes back with the cells of its blocks in their places and
  ``None`` everywhere else, the same shape on every backend (``project``), so the core never depends
  on reading more than it asked for.
- ``write(cells)`` writes every changed cell in ONE request and makes no request when given nothing.
- strings are stored as text, never as formulas or numbers ("RAW"): citizen input such as
  ``=HYPERLINK(...)`` or ``+62 812...`` stays exactly what was typed.
- a write may be addressed by what its row holds instead of where the row was (``RowKey``): the backend
  finds the row and the column again at write time (``readdress``), so rows an operator inserted,
  deleted or sorted between the cycle's read and its write move nothing onto another case's row. A
  keyed cell whose row or column cannot be found for certain is not written; ``write`` returns the
  number of cells it wrote, so the caller sees it.
- ``ensure_tab`` creates a missing tab with its header row (a structural change, used on first run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from cakra.common.text import normalise_header

CellValue = str | int | float | bool | datetime | None


@dataclass(frozen=True)
class RowKey:
    """The row a write belongs to, found at write time: the one whose cell under ``header`` reads
    ``value`` (``col``: where that column was when the cycle read the tab, 1-based). ``new``: the cycle
    is adding the row; when no row holds the key it goes below the last one that holds a key."""

    header: str
    col: int
    value: str
    new: bool = False


@dataclass(frozen=True)
class CellWrite:
    """One cell to write: 1-based row and column, as on the sheet when the cycle read it.

    With ``key`` the row is found again at write time, and with ``header`` the column (the header its
    column had when read); ``row``/``col`` are then only where they were."""

    tab: str
    row: int
    col: int
    value: str | int | float | None
    key: RowKey | None = None
    header: str = ""


@dataclass(frozen=True)
class KeyColumn:
    """What a tab holds at write time, as far as re-addressing needs: its header row, the values of the
    key column as read at the key's remembered position (index 0 is row 1), and its last row in use."""

    header: Sequence[CellValue]
    keys: Sequence[CellValue]
    last_row: int


def readdress(cells: Sequence[CellWrite], now: Mapping[str, KeyColumn | None]) -> list[CellWrite]:
    """``cells`` with every keyed cell moved to where its row and column are now (``now``: per tab, see
    ``KeyColumn``; None when the tab is gone); unkeyed cells as they are.

    A keyed cell is left out when its tab's key column is no longer where it was, its column's header is
    gone, its key is on two rows, or its key is on no row and the row is not ``new`` (an operator
    deleted it: the next cycle adds it again whole). New rows keep their order below the last keyed row;
    their cells keep their ``key`` (every other cell comes back without one), so a backend may append
    those rows instead of writing them in place.
    """
    out = [cell for cell in cells if cell.key is None]
    keyed: dict[str, list[CellWrite]] = {}
    for cell in cells:
        if cell.key is not None:
            keyed.setdefault(cell.tab, []).append(cell)
    for tab, tab_cells in keyed.items():
        fresh = now.get(tab)
        if fresh is None:
            continue
        columns = Tab(tab, [list(fresh.header)])
        keys = {cell.key for cell in tab_cells if cell.key is not None}
        if any(columns.column(k.header) != k.col - 1 for k in keys):
            continue  # the key column moved: nothing of this tab can be placed for certain
        rows: dict[str, int] = {}
        twice: set[str] = set()
        last_keyed = 1
        for index, value in enumerate(fresh.keys[1:], start=2):
            text = "" if value is None else str(value).strip()
            if not text:
                continue
            last_keyed = index
            if text in rows:
                twice.add(text)
            rows[text] = index
        next_free = max(last_keyed, fresh.last_row) + 1
        # Header cells this write adds where the header row is empty now (a deleted column put back).
        adding = {
            normalise_header(str(c.value)): c.col - 1
            for c in cells
            if c.tab == tab and c.key is None and c.row == 1 and c.value
            if c.col > len(fresh.header) or fresh.header[c.col - 1] in (None, "")
        }
        placed: dict[str, int] = {}
        added: set[str] = set()
        for cell in sorted(tab_cells, key=lambda c: c.row):
            key = cell.key
            assert key is not None
            if key.value in twice:
                continue
            if key.value not in placed:
                if key.value in rows:
                    placed[key.value] = rows[key.value]
                elif key.new:
                    placed[key.value] = max(next_free, cell.row)
                    next_free = placed[key.value] + 1
                    added.add(key.value)
                else:
                    continue
            col = columns.column(cell.header) if cell.header else cell.col - 1
            if col is None:
                col = adding.get(normalise_header(cell.header))  # a column this same write puts back
            if col is None:
                continue
            out.append(
                CellWrite(tab, placed[key.value], col + 1, cell.value, key if key.value in added else None)
            )
    return out


@dataclass
class Tab:
    """A tab's values as read: ``rows[0]`` is the header row (sheet row 1). Rows may be ragged."""

    name: str
    rows: list[list[CellValue]]
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for position, title in enumerate(self.header):
            key = normalise_header(title)
            if key and key not in self._index:
                self._index[key] = position

    @property
    def header(self) -> list[str]:
        return ["" if v is None else str(v) for v in self.rows[0]] if self.rows else []

    def column(self, title: str) -> int | None:
        """0-based position of a header (case, spacing and trailing punctuation ignored), or None."""
        return self._index.get(normalise_header(title))

    def cell(self, row_index: int, col: int) -> CellValue:
        """Value at 0-based row/column positions; ``None`` past a ragged row's end."""
        row = self.rows[row_index] if row_index < len(self.rows) else []
        return row[col] if col < len(row) else None


@dataclass(frozen=True)
class Block:
    """A rectangle of a tab to read: 1-based, inclusive; ``None`` as an end means "to the tab's edge".

    ``last_row=None`` needs ``last_col`` (a column to the bottom, or the rows from ``first_row`` on);
    ``last_col=None`` needs ``last_row`` (whole rows).
    """

    first_row: int
    last_row: int | None
    first_col: int = 1
    last_col: int | None = None

    def __post_init__(self) -> None:
        if self.last_row is None and self.last_col is None:
            raise ValueError("a block open both down and right is a whole tab: ask for the tab instead")

    @classmethod
    def column(cls, col: int, first_row: int = 1) -> Block:
        return cls(first_row, None, col, col)

    @classmethod
    def rows(cls, first: int, last: int | None = None, width: int | None = None) -> Block:
        return cls(first, last if last is not None else (None if width else first), 1, width)


def place(rows: list[list[CellValue]], block: Block, values: Sequence[Sequence[CellValue]]) -> None:
    """Put a block's values (ragged, starting at its top-left cell) into ``rows`` at their positions."""
    top, left = block.first_row - 1, block.first_col - 1
    if len(rows) < top + len(values):
        rows.extend([] for _ in range(top + len(values) - len(rows)))
    for offset, values_row in enumerate(values):
        if not values_row:
            continue
        row = rows[top + offset]
        if not row and left == 0:
            # A list just parsed from the answer is ours: taken as it is (a full read's million cells
            # are not copied once more).
            rows[top + offset] = values_row if isinstance(values_row, list) else list(values_row)
            continue
        end = left + len(values_row)
        if len(row) < end:
            row.extend([None] * (end - len(row)))
        row[left:end] = values_row


def place_columns(rows: list[list[CellValue]], block: Block, columns: Sequence[Sequence[CellValue]]) -> None:
    """``place`` for values read column by column (``majorDimension=COLUMNS``); empty cells stay unset."""
    top, left = block.first_row - 1, block.first_col - 1
    for offset, column in enumerate(columns):
        position = left + offset
        if len(rows) < top + len(column):
            rows.extend([] for _ in range(top + len(column) - len(rows)))
        for index, value in enumerate(column, start=top):
            if value == "" or value is None:
                continue
            row = rows[index]
            if len(row) <= position:
                row.extend([None] * (position + 1 - len(row)))
            row[position] = value


def assemble(
    name: str, parts: Sequence[tuple[Block, Sequence[Sequence[CellValue]]]], *, by_columns: bool = False
) -> Tab:
    """A partial tab from each block's values as read (trailing empty rows dropped, like the API);
    ``by_columns``: the values came as ``majorDimension=COLUMNS``. Empty cells are ``None`` or ``""``
    (read as the same: see ``cell_text``)."""
    rows: list[list[CellValue]] = []
    for block, values in parts:
        (place_columns if by_columns else place)(rows, block, values)
    while rows and not rows[-1]:
        rows.pop()
    return Tab(name, rows)


def project(tab: Tab, blocks: Sequence[Block]) -> Tab:
    """The part of a whole ``tab`` that ``blocks`` cover, shaped exactly as a partial read returns it."""
    parts = []
    for block in blocks:
        last_row = len(tab.rows) if block.last_row is None else min(block.last_row, len(tab.rows))
        values = []
        for index in range(block.first_row - 1, last_row):
            cut = tab.rows[index][block.first_col - 1 : block.last_col]
            while cut and cut[-1] in (None, ""):
                cut.pop()
            values.append(cut)
        parts.append((block, values))
    return assemble(tab.name, parts)


class SheetBackend(Protocol):
    """What the core needs from a spreadsheet."""

    @property
    def timezone(self) -> ZoneInfo:
        """The spreadsheet's own timezone (date cells are wall-clock times in it)."""
        ...

    def read(self, tabs: Sequence[str]) -> dict[str, Tab | None]: ...

    def read_blocks(self, wanted: Mapping[str, Sequence[Block] | None]) -> dict[str, Tab | None]:
        """ONE request for parts of tabs (``None``: the whole tab); a missing tab comes back as ``None``."""
        ...

    def write(self, cells: Sequence[CellWrite]) -> int: ...

    def ensure_tab(self, name: str, header: Sequence[str]) -> bool: ...

    def tab_names(self) -> list[str]: ...
