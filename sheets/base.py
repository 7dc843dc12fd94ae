"""The sheet backend interface: whole tabs in, one batch of changed cells out.

Every backend (the local .xlsx workbook, Google Sheets) keeps the same promises, which is what lets the
core run unchanged on either:
- ``read(tabs)`` reads every tab a cycle needs in ONE request; a missing tab comes back as ``None``.
- ``write(cells)`` writes every changed cell in ONE request and makes no request when given nothing.
- strings are stored as text, never as formulas or numbers ("RAW"): citizen input such as
  ``=HYPERLINK(...)`` or ``+62 812...`` stays exactly what was typed.
- ``ensure_tab`` creates a missing tab with its header row (a structural change, used on first run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

CellValue = str | int | float | bool | datetime | None


@dataclass(frozen=True)
class CellWrite:
    """One cell to write: 1-based row and column, as on the sheet."""

    tab: str
    row: int
    col: int
    value: str | int | float | None


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


def normalise_header(title: Any) -> str:
    return " ".join(str(title or "").replace("\n", " ").split()).strip(" :?*").casefold()


class SheetBackend(Protocol):
    """What the core needs from a spreadsheet."""

    @property
    def timezone(self) -> ZoneInfo:
        """The spreadsheet's own timezone (date cells are wall-clock times in it)."""
        ...

    def read(self, tabs: Sequence[str]) -> dict[str, Tab | None]: ...

    def write(self, cells: Sequence[CellWrite]) -> int: ...

    def ensure_tab(self, name: str, header: Sequence[str]) -> bool: ...

    def tab_names(self) -> list[str]: ...
