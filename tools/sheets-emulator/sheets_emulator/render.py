"""Reading values out of a sheet: computed values, render options, ragged trimming.

Contracts (checked against the recordings):

* FORMATTED_VALUE (default): everything is a string; numbers formatted per numberFormat/locale,
  booleans ``TRUE``/``FALSE``, formula cells show their computed value, errors their code.
* UNFORMATTED_VALUE: numbers as JSON numbers (``42`` not ``42.0``), booleans as JSON booleans.
* FORMULA: formula text for formula cells, otherwise like UNFORMATTED_VALUE.
* dateTimeRenderOption (ignored for FORMATTED_VALUE): SERIAL_NUMBER (default) gives the serial
  number of DATE/TIME/DATE_TIME-formatted cells, FORMATTED_STRING their formatted text.
* ``read`` trims trailing empty cells of each row and trailing empty rows; interior empty rows are
  ``[]``; an all-empty range yields ``[]`` (the caller then omits the ``values`` key).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .cells import ErrorValue, Scalar, json_number, to_serial
from .formula import Context, evaluate
from .model import Box, Sheet, Spreadsheet
from .numfmt import DATE_TYPES, format_with, general_number

VALUE_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")


class Renderer:
    """Per-request view of one spreadsheet that evaluates formulas lazily with cycle detection."""

    def __init__(self, ss: Spreadsheet, clock: Callable[[], float]) -> None:
        self.ss = ss
        self.clock = clock
        self._cache: dict[tuple[int, int, int], Scalar | ErrorValue] = {}
        self._active: set[tuple[int, int, int]] = set()

    def _now_serial(self) -> float:
        try:
            tz = ZoneInfo(str(self.ss.props.get("timeZone") or "UTC"))
        except (KeyError, ValueError):
            tz = ZoneInfo("UTC")
        return to_serial(datetime.fromtimestamp(self.clock(), tz).replace(tzinfo=None))

    def _context(self, sheet: Sheet) -> Context:
        def pick(title: str | None) -> Sheet | None:
            return sheet if title is None else self.ss.sheet_by_title(title)

        def lookup(title: str | None, r: int, c: int) -> Any:
            target = pick(title)
            if target is None or r >= target.rows or c >= target.cols:
                return ErrorValue("#REF!", "Reference does not exist.")
            return self.effective(target, r, c)

        def rows(title: str | None) -> int:
            target = pick(title)
            return target.rows if target else 0

        return Context(lookup, rows, self._now_serial)

    def effective(self, sheet: Sheet, r: int, c: int) -> Scalar | ErrorValue:
        """The computed value of a cell (None when empty)."""
        cell = sheet.cell(r, c)
        if cell is None:
            return None
        if cell.formula is None:
            return cell.value
        key = (sheet.sheet_id, r, c)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return ErrorValue("#REF!", "Circular dependency detected.")
        self._active.add(key)
        try:
            result = evaluate(cell.formula, self._context(sheet))
        finally:
            self._active.discard(key)
        self._cache[key] = result
        return result

    def formatted(self, sheet: Sheet, r: int, c: int) -> str | None:
        """FORMATTED_VALUE text, or None for an empty cell."""
        return self.render(sheet, r, c, "FORMATTED_VALUE", "SERIAL_NUMBER")

    def render(self, sheet: Sheet, r: int, c: int, option: str, dt_option: str) -> Any:
        """One cell under the render options; None means empty."""
        cell = sheet.cell(r, c)
        if cell is None or not cell.has_value():
            return None
        if option == "FORMULA" and cell.formula is not None:
            return cell.formula
        value = self.effective(sheet, r, c)
        if isinstance(value, ErrorValue):
            return value.code
        if value is None:
            return None
        if isinstance(value, bool):
            return ("TRUE" if value else "FALSE") if option == "FORMATTED_VALUE" else value
        if isinstance(value, str):
            return value
        nf = cell.number_format()
        if option == "FORMATTED_VALUE":
            return format_with(value, nf, self.ss.rules)
        if nf and nf.get("type") in DATE_TYPES and dt_option == "FORMATTED_STRING":
            return format_with(value, nf, self.ss.rules)
        if math.isnan(value) or math.isinf(value):
            return general_number(value)
        return json_number(value)

    def read(self, sheet: Sheet, box: Box, major: str, option: str, dt_option: str) -> list[list[Any]]:
        """Values of a box, trimmed like the real API (see module docstring)."""
        r0, r1, c0, c1 = box
        data_rows = min(r1, len(sheet.grid))
        matrix: list[list[Any]] = []
        for r in range(r0, data_rows):
            row_len = min(c1, len(sheet.grid[r]))
            matrix.append([self.render(sheet, r, c, option, dt_option) for c in range(c0, row_len)])
        if major == "COLUMNS":
            width = max((len(row) for row in matrix), default=0)
            matrix = [[row[c] if c < len(row) else None for row in matrix] for c in range(width)]
        out: list[list[Any]] = []
        for row in matrix:
            while row and (row[-1] is None or row[-1] == ""):
                row.pop()
            out.append(["" if v is None else v for v in row])
        while out and not out[-1]:
            out.pop()
        return out
