"""In-memory spreadsheets: sheets with a sparse grid, merges, ranges and dimension edits.

Grid ranges inside the model are API-shaped ``GridRange`` dicts (``startRowIndex`` ... optional =
unbounded, ``sheetId``) so they can be echoed back verbatim; boxes are ``(r0, r1, c0, c1)`` tuples,
0-based and end-exclusive.  Inserting/deleting rows or columns shifts cell data, merges, named and
protected ranges, basic filters and dimension metadata like the real API does (conditional-format
ranges, dimension groups and formula references are not re-based: a documented approximation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .cells import Cell
from .defaults import DEFAULT_COLUMNS, DEFAULT_ROWS, spreadsheet_properties
from .numfmt import LocaleRules, rules_for

Box = tuple[int, int, int, int]
_KEYS = {"ROWS": ("startRowIndex", "endRowIndex"), "COLUMNS": ("startColumnIndex", "endColumnIndex")}


def box_of(gr: dict[str, Any], rows: int, cols: int) -> Box:
    """Resolve a GridRange dict against a grid size into a bounded box."""
    return (
        int(gr.get("startRowIndex") or 0),
        int(gr["endRowIndex"]) if gr.get("endRowIndex") is not None else rows,
        int(gr.get("startColumnIndex") or 0),
        int(gr["endColumnIndex"]) if gr.get("endColumnIndex") is not None else cols,
    )


def grid_range(box: Box, sheet_id: int | None = None) -> dict[str, Any]:
    """Box -> GridRange dict (sheetId 0 omitted like proto3 JSON does)."""
    gr: dict[str, Any] = {}
    if sheet_id:
        gr["sheetId"] = sheet_id
    gr.update(startRowIndex=box[0], endRowIndex=box[1], startColumnIndex=box[2], endColumnIndex=box[3])
    return gr


def shift_range(gr: dict[str, Any], dim: str, at: int, count: int) -> dict[str, Any] | None:
    """Shift a GridRange for an insert (count > 0) or delete of [at, at-count) (count < 0).

    Returns None when a delete removes the whole range along that dimension.
    """
    start_key, end_key = _KEYS[dim]
    start, end = gr.get(start_key), gr.get(end_key)
    out = dict(gr)
    if count > 0:
        if start is not None and start >= at:
            out[start_key] = start + count
        if end is not None and end > at:
            out[end_key] = end + count
        return out
    lo, hi = at, at - count

    def move(i: int) -> int:
        return i if i <= lo else (lo if i <= hi else i - (hi - lo))

    if start is not None:
        out[start_key] = move(start)
    if end is not None:
        out[end_key] = move(end)
    if start is not None and end is not None and out[start_key] >= out[end_key]:
        return None
    return out


@dataclass
class Sheet:
    """One tab.  ``props`` is the API SheetProperties dict (kept in the real key order)."""

    props: dict[str, Any]
    grid: list[list[Cell | None]] = field(default_factory=list)
    merges: list[Box] = field(default_factory=list)
    protected: list[dict[str, Any]] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    row_groups: list[dict[str, Any]] = field(default_factory=list)
    column_groups: list[dict[str, Any]] = field(default_factory=list)
    row_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    col_meta: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def new(
        cls, sheet_id: int, title: str, index: int, rows: int = DEFAULT_ROWS, cols: int = DEFAULT_COLUMNS
    ) -> Sheet:
        """A blank GRID sheet."""
        props = {
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }
        return cls(props=props)

    @property
    def sheet_id(self) -> int:
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def rows(self) -> int:
        return int(self.props["gridProperties"]["rowCount"])

    @property
    def cols(self) -> int:
        return int(self.props["gridProperties"]["columnCount"])

    def cell(self, r: int, c: int) -> Cell | None:
        """The stored cell or None."""
        if r < len(self.grid):
            row = self.grid[r]
            if c < len(row):
                return row[c]
        return None

    def ensure(self, r: int, c: int) -> Cell:
        """The cell at (r, c), created if absent."""
        while len(self.grid) <= r:
            self.grid.append([])
        row = self.grid[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        if row[c] is None:
            row[c] = Cell()
        cell = row[c]
        assert cell is not None
        return cell

    def put(self, r: int, c: int, cell: Cell | None) -> None:
        """Store (or remove with None / a blank cell) the cell at (r, c)."""
        if cell is None or cell.is_blank():
            if self.cell(r, c) is not None:
                self.grid[r][c] = None
            return
        self.ensure(r, c)
        self.grid[r][c] = cell

    def data_extent(self) -> tuple[int, int]:
        """(rows, cols) of the smallest top-left box holding every stored cell."""
        rows = cols = 0
        for r, row in enumerate(self.grid):
            last = max((c for c, cell in enumerate(row) if cell is not None), default=-1)
            if last >= 0:
                rows = r + 1
                cols = max(cols, last + 1)
        return rows, cols

    def value_extent(self) -> tuple[int, int]:
        """Like data_extent but only counting cells with a value or formula."""
        rows = cols = 0
        for r, row in enumerate(self.grid):
            last = max((c for c, cell in enumerate(row) if cell is not None and cell.has_value()), default=-1)
            if last >= 0:
                rows = r + 1
                cols = max(cols, last + 1)
        return rows, cols

    def resize(self, rows: int | None = None, cols: int | None = None) -> None:
        """Set the grid size, dropping data outside it."""
        gp = self.props["gridProperties"]
        if rows is not None:
            gp["rowCount"] = rows
            del self.grid[rows:]
            self.row_meta = {k: v for k, v in self.row_meta.items() if k < rows}
        if cols is not None:
            gp["columnCount"] = cols
            for row in self.grid:
                del row[cols:]
            self.col_meta = {k: v for k, v in self.col_meta.items() if k < cols}
        self.merges = [m for m in self.merges if m[1] <= self.rows and m[3] <= self.cols]

    def _shift_meta(self, meta: dict[int, dict[str, Any]], at: int, count: int) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for k, v in meta.items():
            if count > 0:
                out[k + count if k >= at else k] = v
            elif not at <= k < at - count:
                out[k + count if k >= at else k] = v
        return out

    def shift(self, dim: str, at: int, count: int) -> None:
        """Insert ``count`` rows/columns at ``at`` (count > 0) or delete [at, at-count) (count < 0)."""
        gp = self.props["gridProperties"]
        if dim == "ROWS":
            if count > 0:
                if at < len(self.grid):
                    self.grid[at:at] = [[] for _ in range(count)]
            else:
                del self.grid[at : at - count]
            gp["rowCount"] = self.rows + count
            self.row_meta = self._shift_meta(self.row_meta, at, count)
        else:
            for row in self.grid:
                if count > 0:
                    if at < len(row):
                        row[at:at] = [None] * count
                else:
                    del row[at : at - count]
            gp["columnCount"] = self.cols + count
            self.col_meta = self._shift_meta(self.col_meta, at, count)
        merges = []
        for m in self.merges:
            gr = shift_range(grid_range(m), dim, at, count)
            if gr is not None:
                merges.append(box_of(gr, self.rows, self.cols))
        self.merges = merges
        kept = []
        for pr in self.protected:
            gr = shift_range(pr["range"], dim, at, count)
            if gr is not None:
                kept.append({**pr, "range": gr})
        self.protected = kept
        if self.basic_filter is not None:
            gr = shift_range(self.basic_filter["range"], dim, at, count)
            self.basic_filter = None if gr is None else {**self.basic_filter, "range": gr}


@dataclass
class Spreadsheet:
    """A spreadsheet (also a Drive file: ``title`` is the Drive ``name``)."""

    id: str
    props: dict[str, Any]
    sheets: list[Sheet]
    created: float
    modified: float
    named_ranges: list[dict[str, Any]] = field(default_factory=list)
    permissions: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def new(
        cls, sid: str, title: str, locale: str, time_zone: str, now: float, first_sheet: Sheet
    ) -> Spreadsheet:
        """A spreadsheet with one sheet."""
        return cls(sid, spreadsheet_properties(title, locale, time_zone), [first_sheet], now, now)

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def rules(self) -> LocaleRules:
        return rules_for(str(self.props.get("locale", "en_US")))

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        """Sheet with that id or None."""
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        """Exact title match first, then case-insensitive (the real API is case-insensitive)."""
        for s in self.sheets:
            if s.title == title:
                return s
        low = title.lower()
        return next((s for s in self.sheets if s.title.lower() == low), None)

    def named_range(self, name: str) -> dict[str, Any] | None:
        """Named range by (case-insensitive) name."""
        low = name.lower()
        return next((n for n in self.named_ranges if str(n["name"]).lower() == low), None)

    def reindex(self) -> None:
        """Renumber ``index`` after moves/adds/deletes."""
        for i, s in enumerate(self.sheets):
            s.props["index"] = i

    def shift(self, sheet: Sheet, dim: str, at: int, count: int) -> None:
        """Dimension insert/delete on a sheet including spreadsheet-level named ranges."""
        sheet.shift(dim, at, count)
        kept = []
        for nr in self.named_ranges:
            if int(nr["range"].get("sheetId", 0)) != sheet.sheet_id:
                kept.append(nr)
                continue
            gr = shift_range(nr["range"], dim, at, count)
            if gr is not None:
                kept.append({**nr, "range": gr})
        self.named_ranges = kept
