"""The "Monitoring" tab (who has reported, period by period) and the "Daftar Desa" tab (who must report).

Monitoring: one row per desa of the roster (in roster order), one column per period (the last
``[periodic] periods_shown``, oldest left), each cell one of Sudah / Belum / Terlambat / Perlu perbaikan
(``workflow/submissions.py``). The service owns the tab: it writes only the cells whose text differs
from what the cycle read (an unchanged month is zero writes), clears anything else typed into it, and
both tabs are read whole inside the cycle's ONE read (they are a few dozen rows) and written inside its
ONE write, so the grid costs no request of its own. Colour comes from conditional formatting by text
(``tabs/monitoring_format.py``), set once, so a changed state never needs a formatting request.

Daftar Desa: the kecamatan's own list (Desa, Alias, Email Aparat); the service only writes its
"Pesan Sistem" column, one line per row it could not use fully. Those cells are addressed by row, not
by a key: a row moved between the read and the write gets its line corrected the next cycle, which
costs less than the extra read a keyed write takes on Google.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cakra.common.pii import redact_value
from cakra.common.text import normalise_header
from cakra.sheets.base import CellValue, CellWrite, Tab
from cakra.tabs.status import cell_text
from cakra.workflow.periods import Period
from cakra.workflow.roster import Roster, RosterRow

MONITORING_HEADER = "Desa"
ROSTER_HEADERS = ["Desa", "Alias", "Email Aparat", "Pesan Sistem"]
_ALIASES = {
    "title": ("desa", "nama desa", "desa/kelurahan"),
    "aliases": ("alias", "nama lain"),
    "emails": ("email aparat", "email", "email aparat desa", "alamat email"),
    "message": ("pesan sistem",),
}

Grid = list[list[CellValue]]


def monitoring_grid(roster: Roster, periods: Sequence[Period], states: Mapping[str, list[str]]) -> Grid:
    """The tab's content: a header row (Desa, then each period's short label), a row per desa."""
    grid: Grid = [[MONITORING_HEADER, *(p.short_label for p in periods)]]
    for desa_id, desa in roster.desa.items():
        grid.append([desa.title, *states.get(desa_id, [])])
    return grid


def grid_writes(tab: Tab | None, name: str, grid: Grid) -> list[CellWrite]:
    """The cells of ``grid`` whose text differs from ``tab`` as read (None: a new, empty tab), and the
    cells beyond it cleared (a desa taken off the roster leaves no stale row)."""
    rows = tab.rows if tab is not None else []
    out: list[CellWrite] = []
    for r in range(max(len(grid), len(rows))):
        wanted = grid[r] if r < len(grid) else []
        width = max(len(wanted), len(rows[r]) if r < len(rows) else 0)
        for c in range(width):
            value = redact_value(wanted[c]) if c < len(wanted) else ""  # desa names may be typed by anyone
            shown = tab.cell(r, c) if tab is not None else None
            if cell_text(value) != cell_text(shown):
                out.append(CellWrite(name, r + 1, c + 1, value if value is not None else ""))
    return out


def roster_rows(tab: Tab | None) -> list[RosterRow]:
    """The "Daftar Desa" tab's rows as typed (columns found by header, any order); [] without the tab."""
    if tab is None or not tab.rows:
        return []
    columns = _columns(tab)
    if columns.get("title") is None:
        return []
    rows = []
    for index in range(1, len(tab.rows)):
        texts = {key: cell_text(tab.cell(index, col)) for key, col in columns.items() if col is not None}
        rows.append(
            RosterRow(index + 1, texts.get("title", ""), texts.get("aliases", ""), texts.get("emails", ""))
        )
    return rows


def roster_message_writes(tab: Tab | None, name: str, problems: Mapping[int, str]) -> list[CellWrite]:
    """The "Pesan Sistem" cells of the roster tab that must change (a line where a row has a problem,
    empty where it has none any more); [] without the tab or the column."""
    if tab is None or not tab.rows:
        return []
    col = _columns(tab).get("message")
    if col is None:
        return []
    out = []
    for index in range(1, len(tab.rows)):
        wanted = problems.get(index + 1, "")
        if cell_text(tab.cell(index, col)) != wanted:
            out.append(CellWrite(name, index + 1, col + 1, wanted))
    return out


def _columns(tab: Tab) -> dict[str, int | None]:
    header = [normalise_header(title) for title in tab.header]
    return {
        key: next((header.index(n) for n in names if n in header), None) for key, names in _ALIASES.items()
    }
