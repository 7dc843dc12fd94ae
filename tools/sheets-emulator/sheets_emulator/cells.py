"""The stored cell and date serial numbers.

A cell keeps what the user entered (``value`` or ``formula``), its note, its ``userEnteredFormat``
(including an inferred ``numberFormat`` for USER_ENTERED dates, percentages and grouped numbers) and
its data-validation rule.  Numbers are stored as ``float``; JSON output converts integral floats to
``int`` the way the real API prints ``42`` rather than ``42.0``.

Serial numbers count days since 1899-12-30 (the Sheets/Lotus epoch); the fraction is the time of day.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

Scalar = str | float | bool | None

EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class ErrorValue:
    """A formula error such as ``#DIV/0!``; rendered as its code in every value render option."""

    code: str
    message: str = ""

    def __str__(self) -> str:
        return self.code


@dataclass
class Cell:
    """One grid cell.  ``value`` is None and ``formula`` is None for a cell without content."""

    value: Scalar = None
    formula: str | None = None
    note: str | None = None
    fmt: dict[str, Any] | None = None
    validation: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # other CellData fields stored verbatim

    def __deepcopy__(self, memo: dict[int, Any]) -> Cell:
        # A batch runs on a deep copy of the sheets it changes (batch_api): the generic deepcopy of a
        # dataclass costs seconds on a 50,000-row tab. The scalars are immutable; the dicts are copied.
        return Cell(
            self.value,
            self.formula,
            self.note,
            copy.deepcopy(self.fmt, memo) if self.fmt is not None else None,
            copy.deepcopy(self.validation, memo) if self.validation is not None else None,
            copy.deepcopy(self.extra, memo) if self.extra else {},
        )

    def has_value(self) -> bool:
        """True when the cell shows something (a literal or a formula)."""
        return self.formula is not None or self.value is not None

    def is_blank(self) -> bool:
        """True when nothing at all is stored (the cell can be dropped)."""
        return (
            not self.has_value() and not self.note and not self.fmt and not self.validation and not self.extra
        )

    def clear_value(self) -> None:
        """Remove the content, keep note/format/validation (what values.clear does)."""
        self.value = None
        self.formula = None

    def number_format(self) -> dict[str, Any] | None:
        """The cell's numberFormat (``{"type", "pattern"}``) if any."""
        if self.fmt:
            nf = self.fmt.get("numberFormat")
            if isinstance(nf, dict):
                return nf
        return None

    def clone(self) -> Cell:
        """A deep copy."""
        return copy.deepcopy(self)


def to_serial(moment: datetime) -> float:
    """Naive datetime -> serial number (days since 1899-12-30, fraction = time of day)."""
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def from_serial(serial: float) -> datetime:
    """Serial number -> naive datetime (rounded to the millisecond)."""
    ms = round(serial * 86400000)
    return EPOCH + timedelta(milliseconds=ms)


def json_number(x: float) -> int | float:
    """Integral floats become ints so JSON shows ``42`` like the real API."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x
