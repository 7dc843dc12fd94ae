"""``run.py export --month``: the month's cases and history as .xlsx and CSV, minimal personal data."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine

from cakra.cli import main
from cakra.export import CASE_HEADERS, export_month
from tests.helpers_time import wib, with_privacy
from tests.site import T0, Site, response

FORMULA = '=HYPERLINK("http://contoh.example","klik")'


def month_of_cases(site: Site) -> None:
    site.submit(
        response(0, description=f"{FORMULA} NIK saya 1404015501900001"),
        with_privacy(response(1, nik="1404015501900002", description="Isi rahasia sekali."), "Rahasia"),
        with_privacy(response(2, nik="1404015501900003", name="Siti Anonim"), "Anonim"),
        response(nik="1404015501900004", timestamp=wib(2026, 10, 30, 9, 0).replace(tzinfo=None)),  # October
    )
    site.poll(T0 + timedelta(minutes=3))
    site.edit("CAKRA-2026-000001", Tahap="3", Petugas="Op. Rahmat", Disposisi="cek NIK 1404015501900001")
    site.poll(T0 + timedelta(minutes=20))


def test_the_month_as_xlsx_and_csv_with_its_history_and_no_identity(site: Site, tmp_path: Path) -> None:
    month_of_cases(site)
    paths = export_month(site.app, "2026-11", tmp_path / "bukti", now=T0 + timedelta(minutes=30))
    assert [p.name for p in paths] == [
        "cakra-2026-11.xlsx",
        "cakra-2026-11-kasus.csv",
        "cakra-2026-11-riwayat.csv",
    ]

    workbook = openpyxl.load_workbook(paths[0])
    assert workbook.sheetnames == ["Kasus", "Riwayat", "Kepatuhan"]
    cases = [
        dict(zip(CASE_HEADERS, row, strict=True))
        for row in workbook["Kasus"].iter_rows(min_row=2, values_only=True)
    ]
    assert [c["No. Tiket"] for c in cases] == ["CAKRA-2026-000001", "CAKRA-2026-000002", "CAKRA-2026-000003"]
    first, secret, anonymous = cases
    assert first["NIK (disamarkan)"] == "1404********0001"
    assert first["Uraian"] == f"{FORMULA} NIK saya 1404********0001"
    assert first["Tahap Saat Ini"] == "3. Kasubbid" and first["Tahap Terlambat"] == "2. Operator"
    assert secret["Uraian"] == "(Rahasia: tidak disertakan)" and secret["Kerahasiaan"] == "Rahasia"
    assert anonymous["NIK (disamarkan)"] == "(Anonim)"
    assert all(cell.data_type != "f" for row in workbook["Kasus"].iter_rows() for cell in row)
    history = list(workbook["Riwayat"].iter_rows(min_row=2, values_only=True))
    assert {row[1] for row in history} == {"CAKRA-2026-000001", "CAKRA-2026-000002", "CAKRA-2026-000003"}
    move = next(row for row in history if row[2] == "pindah tahap")
    assert move[5] == "Op. Rahmat" and "1404********0001" in move[6] and move[7] == "23/11/2026 08:35"
    sla = {row[0]: row[1:] for row in workbook["Kepatuhan"].iter_rows(min_row=2, values_only=True)}
    assert sla["2. Operator"][:2] == ("0", "3")

    everything = " ".join(
        str(v) for tab in workbook for row in tab.iter_rows(values_only=True) for v in row if v
    )
    for personal in (
        "1404015501900001",
        "Andi Saputra",
        "Siti Anonim",
        "+6281234567890",
        "andi@contoh.example",
    ):
        assert personal not in everything

    with paths[1].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CASE_HEADERS and len(rows) == 4
    assert rows[1][5] == "'" + first["Uraian"]  # a spreadsheet opening the CSV must not run it
    with paths[2].open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == len(history) + 1


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """``main`` configures the root logger for a real run; put it back for the tests that follow."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_export_command_is_registered_and_checks_the_month(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], keep_logging: None
) -> None:
    month_of_cases(site)
    config = site.write_config()
    site.close()
    assert main(["--config", str(config), "export", "--month", "2026-10", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed[0].endswith("cakra-2026-10.xlsx")
    october = openpyxl.load_workbook(printed[0])["Kasus"]
    assert [row[0] for row in october.iter_rows(min_row=2, values_only=True)] == ["CAKRA-2026-000004"]

    assert main(["--config", str(config), "export", "--month", "11-2026"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "write it as YYYY-MM, e.g. --month 2026-11" in error


def test_the_current_month_measures_open_cases_up_to_the_time_of_the_export(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], keep_logging: None
) -> None:
    site.submit(response(0))  # received 08:00; the Operator has 15 minutes
    site.poll(T0 + timedelta(minutes=1))
    config = site.write_config()
    site.close()
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):  # the same day, ten minutes on
        assert main(["--config", str(config), "export", "--month", "2026-11", "--out", str(tmp_path)]) == 0
    with (tmp_path / "cakra-2026-11-kasus.csv").open(encoding="utf-8-sig", newline="") as handle:
        (case,) = [dict(zip(CASE_HEADERS, row, strict=True)) for row in list(csv.reader(handle))[1:]]
    assert case["Lama Penanganan"] == "10 menit"
    assert case["Tahap Terlambat"] == ""  # not late: 10 of its 15 minutes
