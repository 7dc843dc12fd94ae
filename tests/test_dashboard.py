"""The "Ringkasan" tab: in the cycle's one read and one write, written only where numbers changed."""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import pytest

from cakra.sheets.local import LocalWorkbook
from tests.site import T0, Site, response

TICKETS = [f"CAKRA-2026-00000{n}" for n in (1, 2, 3)]


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def ringkasan(site: Site) -> list[list[object]]:
    sheet = openpyxl.load_workbook(site.workbook)["Ringkasan"]
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def section(rows: list[list[object]], title: str) -> dict[object, list[object]]:
    """The rows under the section whose first cell starts with ``title``, keyed by their first cell."""
    start = next(i for i, row in enumerate(rows) if str(row[0] or "").startswith(title))
    out: dict[object, list[object]] = {}
    for row in rows[start + 1 :]:
        if not row[0]:
            break
        out[row[0]] = [v for v in row[1:] if v is not None]
    return out


def three_cases(site: Site) -> None:
    site.submit(
        response(0),
        response(1, nik="1404015501900002", kecamatan="Enok"),
        response(2, nik="1404015501900003", kecamatan="Reteh"),
    )
    site.poll(minutes(3))


def test_the_dashboard_is_part_of_the_cycles_one_read_and_one_write(site: Site) -> None:
    three_cases(site)
    backend = site.app.sheets
    assert isinstance(backend, LocalWorkbook)
    reads, writes = backend.reads, backend.writes
    site.edit(TICKETS[0], Tahap="3", Petugas="Op")
    site.poll(minutes(5))
    assert (backend.reads - reads, backend.writes - writes) == (1, 1)
    rows = ringkasan(site)
    assert rows[0][0] == "Ringkasan Cakra" and rows[0][1] == "Diperbarui 23/11/2026 08:05"
    assert section(rows, "Kasus terbuka per tahap")["2. Operator"] == [2, 0, 0]
    assert section(rows, "Kasus terbuka per tahap")["3. Kasubbid"] == [1, 0, 0]
    assert section(rows, "Kasus terbuka per tahap")["Jumlah"] == [3, 0, 0]
    assert section(rows, "Kasus per kecamatan") == {
        "Enok": [1, 1, 1],
        "Reteh": [1, 1, 1],
        "Tembilahan": [1, 1, 1],
    }


def test_an_unchanged_state_writes_nothing_and_a_change_writes_only_what_changed(site: Site) -> None:
    three_cases(site)
    backend = site.app.sheets
    writes = backend.writes  # type: ignore[attr-defined]
    assert site.poll(minutes(4)).cells_written == 0
    assert backend.writes == writes  # type: ignore[attr-defined]
    assert ringkasan(site)[0][1] == "Diperbarui 23/11/2026 08:03"  # the stamp alone never moves

    # 08:16: two cases passed the operator's 15 minutes -> the late counts, the SLA row and the stamp.
    before = ringkasan(site)
    written = []
    original = backend.write
    backend.write = lambda cells: written.extend(cells) or original(cells)  # type: ignore[method-assign]
    site.poll(minutes(16.5))
    rows = ringkasan(site)
    assert section(rows, "Kasus terbuka per tahap")["2. Operator"] == [3, 2, 0]
    assert section(rows, "Terlambat per peran")["Operator"] == [2]
    assert section(rows, "Kepatuhan waktu (SLA)")["2. Operator"] == [0, 2, 0, 0]  # 0 % (a number)
    assert rows[0][1] == "Diperbarui 23/11/2026 08:16"
    dashboard = [(c.row, c.col, c.value) for c in written if c.tab == "Ringkasan"]
    assert len(dashboard) == 6  # operator late, total late, Operator's late, SLA late and %, and B1
    for row, col, value in dashboard:
        if (row, col) != (1, 2):
            assert before[row - 1][col - 1] != value


def test_sla_and_time_per_step_this_month(site: Site) -> None:
    three_cases(site)
    for ticket, at in zip(TICKETS, (5, 12, 22), strict=True):
        site.edit(ticket, Tahap="3", Petugas="Op")
        site.poll(minutes(at))
    rows = ringkasan(site)
    sla = section(rows, "Kepatuhan waktu (SLA) November 2026")
    # 5 and 11 minutes on time, 20 minutes late: 66,7 %, stored as a number with a percent format
    assert sla["2. Operator"] == [2, 1, pytest.approx(0.667), 0]
    times = section(rows, "Waktu per tahap November 2026")
    assert times["2. Operator"] == ["11 menit", "20 menit", 3]
    assert times["3. Kasubbid"] == ["-", "-", 0]


def test_stray_cells_are_cleared(site: Site) -> None:
    three_cases(site)
    workbook = openpyxl.load_workbook(site.workbook)
    workbook["Ringkasan"]["F40"] = "coba-coba"
    workbook.save(site.workbook)
    site.poll(minutes(4))
    assert all("coba-coba" not in [str(v) for v in row] for row in ringkasan(site))


def test_the_dashboard_can_be_turned_off(site: Site) -> None:
    site.extra = {"sheets": {"dashboard_tab": ""}}
    three_cases(site)
    assert "Ringkasan" not in openpyxl.load_workbook(site.workbook).sheetnames
