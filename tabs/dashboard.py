"""The "Ringkasan" tab: leadership's dashboard, written by the service each cycle only where numbers changed.

The layout is fixed (sections in SOP order; kecamatan sorted by name, last because it grows), so an
unchanged state gives exactly the cells already on the tab and zero writes. Cell B1 says when the numbers
last changed; it is written only together with a changed number, never on its own. The tab belongs to
the service: whatever else is typed into it is cleared.

Sections: open cases per step (and how many of them are late or waiting on the reporter); late cases per
role; SLA compliance this month per step (visits decided this month; time waiting on the reporter not held
against a step); median and 90th-percentile time per step (visits that ended this month, waiting time
excluded); cases per kecamatan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from cakra.common.pii import redact_value
from cakra.common.wording import durasi, format_time, nama_bulan
from cakra.sheets.base import CellValue, CellWrite, Tab
from cakra.tabs.status import cell_text
from cakra.workflow.case import Case
from cakra.workflow.sla import Visit, compliance, month_period, step_times
from cakra.workflow.sop import Sop

TITLE = "Ringkasan Cakra"
STAMP_CELL = (1, 2)  # B1: "Diperbarui ..."
NO_DATA = "-"

Grid = list[list[CellValue]]


def percent_text(value: float | None) -> str:
    """``85.7`` -> ``"85,7%"`` (Indonesian decimal comma); None -> ``"-"``."""
    return NO_DATA if value is None else f"{value:.1f}".replace(".", ",") + "%"


def dashboard_grid(
    cases: Sequence[Case],
    all_visits: Sequence[Visit],
    sop: Sop,
    now: datetime,
    tz: ZoneInfo,
    kecamatan_totals: Mapping[str, int],
) -> Grid:
    """The tab's content at ``now``, row by row (B1 left empty: see ``dashboard_writes``).

    ``cases`` must hold every open case and every case received this month (older closed ones may be
    left out); ``kecamatan_totals`` counts all cases ever, per kecamatan (``Ledger.kecamatan_totals``).
    """
    local = now.astimezone(tz)
    since, until = month_period(local.year, local.month, tz)
    month = f"{nama_bulan(local.month)} {local.year}"
    open_cases = [c for c in cases if c.is_open]
    steps = [s for s in sop.steps.values() if s.id != sop.intake_step]
    grid: Grid = [[TITLE], []]

    grid.append(["Kasus terbuka per tahap", "Terbuka", "Terlambat", "Menunggu pelapor"])
    for step in steps:
        here = [c for c in open_cases if c.step == step.id]
        grid.append(
            [step.title, len(here), sum(c.is_overdue(now) for c in here), sum(c.is_paused for c in here)]
        )
    grid.append(
        [
            "Jumlah",
            len(open_cases),
            sum(c.is_overdue(now) for c in open_cases),
            sum(c.is_paused for c in open_cases),
        ]
    )
    grid.append([])

    grid.append(["Terlambat per peran", "Kasus terlambat"])
    late_roles = Counter(sop.steps[c.step].role for c in open_cases if c.is_overdue(now))
    for role in dict.fromkeys(step.role for step in steps):
        grid.append([sop.roles[role].title, late_roles[role]])
    grid.append([])

    grid.append(
        [f"Kepatuhan waktu (SLA) {month}", "Tepat waktu", "Terlambat", "Kepatuhan", "Pernah menunggu pelapor"]
    )
    for row in compliance(all_visits, sop, now, since=since, until=until):
        grid.append([row.title, row.on_time, row.late, percent_text(row.percent), row.paused])
    grid.append([])

    grid.append(
        [f"Waktu per tahap {month} (tanpa waktu menunggu pelapor)", "Median", "Persentil 90", "Jumlah"]
    )
    for times in step_times(all_visits, sop, now, since=since, until=until):
        grid.append(
            [
                times.title,
                durasi(times.median) if times.median is not None else NO_DATA,
                durasi(times.p90) if times.p90 is not None else NO_DATA,
                times.count,
            ]
        )
    grid.append([])

    grid.append(["Kasus per kecamatan", "Terbuka", f"Masuk {month}", "Semua"])
    kecamatan = lambda c: c.report.kecamatan or "Tidak diisi"  # noqa: E731
    this_month = [c for c in cases if since <= c.report.received_at < until]
    open_count, month_count = (Counter(map(kecamatan, group)) for group in (open_cases, this_month))
    all_count: Counter[str] = Counter()
    for name, count in kecamatan_totals.items():
        all_count[name or "Tidak diisi"] += count
    for name in sorted(all_count, key=str.casefold):
        grid.append([name, open_count[name], month_count[name], all_count[name]])
    return grid


def dashboard_writes(tab: Tab, grid: Grid, now: datetime, tz: ZoneInfo) -> list[CellWrite]:
    """The cells whose text differs from ``tab`` as read (old leftovers are cleared); plus the B1 stamp when
    anything changed. An unchanged state gives ``[]``."""
    out: list[CellWrite] = []
    for r in range(max(len(grid), len(tab.rows))):
        wanted = grid[r] if r < len(grid) else []
        width = max(len(wanted), len(tab.rows[r]) if r < len(tab.rows) else 0)
        for c in range(width):
            if (r + 1, c + 1) == STAMP_CELL:
                continue
            value = redact_value(wanted[c]) if c < len(wanted) else ""  # kecamatan names are citizens' text
            if cell_text(value) != cell_text(tab.cell(r, c)):
                out.append(CellWrite(tab.name, r + 1, c + 1, value if value is not None else ""))
    if out:
        out.append(CellWrite(tab.name, *STAMP_CELL, f"Diperbarui {format_time(now, tz)}"))
    return out
