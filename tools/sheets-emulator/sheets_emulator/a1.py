"""A1 notation: parsing the ranges clients send and formatting the ranges the API echoes.

Contracts (checked against the recorded gspread cassettes):

* ``split_sheet("'It''s'!A1") == ("It's", "A1")``; an unquoted title may contain spaces and any
  character except ``!`` (``🌵 test 1!A1`` is accepted by the real API); no ``!`` means "no sheet part".
* Cell parts: ``A1``, ``A1:B2``, ``A:C`` (whole columns), ``2:5`` (whole rows), ``A5:A`` (to the last
  row), ``A1:1`` (to the last column), reversed corners (``D4:A1``) are normalised.  Indices returned
  are 0-based, end-exclusive; ``None`` means "unbounded" (resolved against the grid later).
* Echoed ranges use the canonical form of the real API: ``Sheet1!A1:Z1000``, ``'D3'!A1`` (quoted when
  the title is not a plain identifier or could be read as a cell reference), single cells as ``A1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COLUMNS = 18278  # ZZZ
_ENDPOINT = re.compile(r"^\$?([A-Za-z]{0,3})\$?([0-9]*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_LIKE = re.compile(r"^[Rr][0-9]*[Cc][0-9]*$")


@dataclass(frozen=True)
class CellSpan:
    """A parsed cell part: 0-based, end-exclusive bounds; ``None`` is unbounded."""

    row_start: int | None
    row_end: int | None
    col_start: int | None
    col_end: int | None
    single: bool = False  # written as one cell ("B2"): values.update may extend from it


def col_to_letters(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    if index < 0:
        raise ValueError(f"negative column index {index}")
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def letters_to_col(letters: str) -> int:
    """'A' -> 0, 'AA' -> 26 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def split_sheet(a1: str) -> tuple[str | None, str | None]:
    """Split ``'Title'!A1:B2`` into (title, cell part).  Title is None when absent.

    Raises ValueError for an unterminated quote or text after a closing quote without ``!``.
    """
    if a1.startswith("'"):
        i = 1
        title = []
        while i < len(a1):
            ch = a1[i]
            if ch == "'":
                if i + 1 < len(a1) and a1[i + 1] == "'":
                    title.append("'")
                    i += 2
                    continue
                rest = a1[i + 1 :]
                if rest == "":
                    return "".join(title), None
                if rest.startswith("!"):
                    return "".join(title), rest[1:]
                raise ValueError(a1)
            title.append(ch)
            i += 1
        raise ValueError(a1)
    if "!" in a1:
        title, _, cells = a1.rpartition("!")
        return title, cells
    return None, a1


def _endpoint(text: str) -> tuple[int | None, int | None] | None:
    m = _ENDPOINT.match(text)
    if not m or (not m.group(1) and not m.group(2)):
        return None
    col = letters_to_col(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        return None
    if col is not None and col >= MAX_COLUMNS:
        return None
    return col, row


def _bounds(a: int | None, b: int | None) -> tuple[int | None, int | None]:
    if a is not None and b is not None:
        return min(a, b), max(a, b) + 1
    if a is not None:
        return a, None
    if b is not None:
        return 0, b + 1
    return None, None


def parse_cells(part: str) -> CellSpan | None:
    """Parse a cell part (no sheet); None when it is not cell notation (maybe a named range)."""
    if ":" not in part:
        ep = _endpoint(part)
        if ep is None or ep[0] is None or ep[1] is None:
            return None
        col, row = ep
        return CellSpan(row, row + 1, col, col + 1, single=True)
    left, _, right = part.partition(":")
    a, b = _endpoint(left), _endpoint(right)
    if a is None or b is None:
        return None
    (c1, r1), (c2, r2) = a, b
    # "A:C" (columns only), "2:5" (rows only), or mixed forms where one corner is complete
    # ("A5:A", "A1:1"); "A:5" is rejected like the real API does.
    pure = (r1 is None and r2 is None) or (c1 is None and c2 is None)
    complete = (c1 is not None and r1 is not None) or (c2 is not None and r2 is not None)
    if not pure and not complete:
        return None
    row_start, row_end = _bounds(r1, r2)
    col_start, col_end = _bounds(c1, c2)
    if (row_start, row_end, col_start, col_end) == (None, None, None, None):
        return None
    return CellSpan(row_start, row_end, col_start, col_end)


def quote_title(title: str) -> str:
    """Canonical sheet-title form used in echoed ranges ('D3' and 'My sheet' quoted, Sheet1 not)."""
    if _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title) and not _R1C1_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_name(row: int, col: int) -> str:
    """(0, 0) -> 'A1'."""
    return f"{col_to_letters(col)}{row + 1}"


def format_box(row_start: int, row_end: int, col_start: int, col_end: int) -> str:
    """Bounded 0-based box -> 'A1:B2' (or 'A1' for a single cell)."""
    first = cell_name(row_start, col_start)
    if row_end - row_start == 1 and col_end - col_start == 1:
        return first
    return f"{first}:{cell_name(row_end - 1, col_end - 1)}"


def format_range(title: str, row_start: int, row_end: int, col_start: int, col_end: int) -> str:
    """Canonical echoed range, e.g. ``Sheet1!A1:Z1000``."""
    return f"{quote_title(title)}!{format_box(row_start, row_end, col_start, col_end)}"


def format_span(title: str, span: CellSpan) -> str:
    """Canonical text of a possibly unbounded span (used in error messages)."""

    def end(ep_col: int | None, ep_row: int | None) -> str:
        return (col_to_letters(ep_col) if ep_col is not None else "") + (
            str(ep_row + 1) if ep_row is not None else ""
        )

    start = end(span.col_start, span.row_start)
    stop = end(
        span.col_end - 1 if span.col_end is not None else None,
        span.row_end - 1 if span.row_end is not None else None,
    )
    text = start if span.single or start == stop else f"{start}:{stop}"
    return f"{quote_title(title)}!{text}"
