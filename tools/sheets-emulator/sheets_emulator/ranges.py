"""Resolving A1 range text against a spreadsheet (sheet lookup, named ranges, grid limits).

* No sheet part: cell notation refers to the first sheet; otherwise a sheet title, otherwise a
  named range; otherwise 400 ``Unable to parse range: <text as sent>``.
* ``Sheet!Name`` where ``Name`` is a named range resolves to that named range (seen in recordings).
* Unbounded ends are clipped to the grid (``A1:A`` -> ``A1:A1000``); any bounded index outside the
  grid is 400 ``Range (<canonical>) exceeds grid limits. Max rows: R, max columns: C``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .a1 import CellSpan, format_range, format_span, parse_cells, split_sheet
from .errors import exceeds_grid, unable_to_parse
from .model import Box, Sheet, Spreadsheet, box_of


@dataclass(frozen=True)
class Target:
    """A resolved range: sheet, bounded box, and whether it was written as a single cell."""

    sheet: Sheet
    box: Box
    single: bool

    @property
    def text(self) -> str:
        """Canonical echo, e.g. ``Sheet1!A1:Z1000``."""
        return format_range(self.sheet.title, *self.box)


def _named(ss: Spreadsheet, name: str) -> Target | None:
    nr = ss.named_range(name)
    if nr is None:
        return None
    sheet = ss.sheet_by_id(int(nr["range"].get("sheetId", 0)))
    if sheet is None:
        return None
    return Target(sheet, box_of(nr["range"], sheet.rows, sheet.cols), False)


def _bound(sheet: Sheet, span: CellSpan, check_grid: bool) -> Target:
    r0 = span.row_start if span.row_start is not None else 0
    c0 = span.col_start if span.col_start is not None else 0
    r1 = span.row_end if span.row_end is not None else sheet.rows
    c1 = span.col_end if span.col_end is not None else sheet.cols
    if check_grid and (r1 > sheet.rows or c1 > sheet.cols or r0 >= sheet.rows or c0 >= sheet.cols):
        raise exceeds_grid(format_span(sheet.title, span), sheet.rows, sheet.cols)
    return Target(sheet, (r0, max(r1, r0 + 1), c0, max(c1, c0 + 1)), span.single)


def resolve(ss: Spreadsheet, text: str, *, check_grid: bool = True) -> Target:
    """Resolve ``text``; raises ApiError (400) for unknown sheets, bad notation or grid overflow."""
    try:
        title, cells = split_sheet(text)
    except ValueError as exc:
        raise unable_to_parse(text) from exc
    if title is None:
        assert cells is not None
        span = parse_cells(cells)
        if span is not None:
            return _bound(ss.sheets[0], span, check_grid)
        sheet = ss.sheet_by_title(cells)
        if sheet is not None:
            return Target(sheet, (0, sheet.rows, 0, sheet.cols), False)
        named = _named(ss, cells)
        if named is not None:
            return named
        raise unable_to_parse(text)
    sheet = ss.sheet_by_title(title)
    if sheet is None:
        raise unable_to_parse(text)
    if not cells:
        return Target(sheet, (0, sheet.rows, 0, sheet.cols), False)
    span = parse_cells(cells)
    if span is None:
        named = _named(ss, cells)
        if named is not None:
            return named
        raise unable_to_parse(text)
    return _bound(sheet, span, check_grid)
