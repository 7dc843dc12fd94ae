"""``run.py export --month 2026-11``: the month's cases and their history as evidence for accountability
(e.g. the Indeks Inovasi Daerah evaluation) — one .xlsx (tabs Kasus, Riwayat, Kepatuhan) and a CSV per table.

The month's cases are those received in it (local time); each comes with its whole history. The export is
meant to leave the agency, so it carries the minimum: the NIK masked, no name, phone or email; an anonymous
report shows no NIK at all; a confidential report's description is withheld; every cell passes ``redact``
(common/pii.py), so a NIK typed into any answer is masked. Everything is text: a cell typed as ``=HYPERLINK(...)`` stays text in the workbook, and CSV cells
that a spreadsheet would run as a formula get a leading apostrophe.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.styles import Font

from cakra.common.errors import CakraError
from cakra.common.pii import mask_nik, redact_value
from cakra.common.wording import durasi, format_time
from cakra.tabs.history import history_values
from cakra.workflow.case import Case
from cakra.workflow.privacy import ANONYMOUS, CONFIDENTIAL, may_see_content, may_see_identity, show_flags
from cakra.workflow.sla import Visit, compliance, month_period, visits

if TYPE_CHECKING:
    from cakra.app import App

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CASE_HEADERS = [
    "No. Tiket",
    "Diterima",
    "Jenis Laporan",
    "Kecamatan",
    "Desa/Kelurahan",
    "Uraian",
    "Kelengkapan",
    "Saluran",
    "No. Referensi",
    "NIK (disamarkan)",
    "Kerahasiaan",
    "Tahap Saat Ini",
    "Ditutup",
    "Lama Penanganan",
    "Waktu Menunggu Pelapor",
    "Tahap Terlambat",
    "Balasan untuk Pelapor",
]
HISTORY_HEADERS = [
    "Waktu",
    "No. Tiket",
    "Kejadian",
    "Dari Tahap",
    "Ke Tahap",
    "Petugas",
    "Catatan",
    "Batas Waktu",
]
COMPLIANCE_HEADERS = ["Tahap", "Tepat Waktu", "Terlambat", "Kepatuhan (%)", "Pernah Menunggu Pelapor"]


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-11"`` -> ``(2026, 11)``; ``CakraError`` with the expected form otherwise."""
    match = _MONTH.match(text.strip())
    if not match:
        raise CakraError(f"--month {text!r} is not a month; write it as YYYY-MM, e.g. --month 2026-11")
    return int(match.group(1)), int(match.group(2))


def export_month(app: App, month: str, out_dir: Path, *, now: datetime | None = None) -> list[Path]:
    """Write ``cakra-<month>.xlsx``, ``cakra-<month>-kasus.csv`` and ``cakra-<month>-riwayat.csv`` into
    ``out_dir``; return their paths. Steps still open are judged at ``now`` (the time of the export),
    or at the end of the month when it is over: a case received minutes ago is minutes old, not late."""
    year, number = parse_month(month)
    tz, sop = app.config.tz, app.sop
    since, until = month_period(year, number, tz)
    now = until if now is None or now > until else now
    cases = [c for c in app.ledger.cases() if since <= c.report.received_at < until]
    tickets = {c.ticket for c in cases}
    history = [h for h in app.ledger.history() if h.ticket in tickets]
    all_visits = visits(cases, history, sop, app.calendar)
    by_ticket: dict[str, list[Visit]] = {}
    for visit in all_visits:
        by_ticket.setdefault(visit.ticket, []).append(visit)

    case_rows = [_case_row(app, case, by_ticket.get(case.ticket, []), now) for case in cases]
    history_rows = [[*history_values(h, sop, tz), format_time(h.deadline, tz)] for h in history]
    compliance_rows = [
        [c.title, str(c.on_time), str(c.late), "" if c.percent is None else str(c.percent), str(c.paused)]
        for c in compliance(all_visits, sop, now, since=since, until=until)
    ]

    # The files leave the agency: every cell passes ``redact`` here, whatever field it comes from.
    case_rows, history_rows = redact_value(case_rows), redact_value(history_rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"cakra-{year:04d}-{number:02d}"
    workbook_path = out_dir / f"{stem}.xlsx"
    _write_workbook(
        workbook_path,
        {
            "Kasus": [CASE_HEADERS, *case_rows],
            "Riwayat": [HISTORY_HEADERS, *history_rows],
            "Kepatuhan": [COMPLIANCE_HEADERS, *compliance_rows],
        },
    )
    cases_csv, history_csv = out_dir / f"{stem}-kasus.csv", out_dir / f"{stem}-riwayat.csv"
    _write_csv(cases_csv, [CASE_HEADERS, *case_rows])
    _write_csv(history_csv, [HISTORY_HEADERS, *history_rows])
    return [workbook_path, cases_csv, history_csv]


def _case_row(app: App, case: Case, case_visits: list[Visit], now: datetime) -> list[str]:
    sop, tz, report = app.sop, app.config.tz, case.report
    content = may_see_content(case, sop, None)
    identity = may_see_identity(case, sop, None)
    waited = sum((v.paused_total(now) for v in case_visits), timedelta(0))
    late = [sop.state_title(v.step) for v in case_visits if v.met(now) is False]
    end = case.closed_at or now
    return [
        case.ticket,
        format_time(report.received_at, tz),
        report.category,
        report.kecamatan,
        report.desa,
        report.description if content else f"({CONFIDENTIAL}: tidak disertakan)",
        report.kelengkapan,
        report.channel,
        report.reference,
        mask_nik(report.nik) if identity else f"({ANONYMOUS})",
        show_flags(case.privacy),
        sop.state_title(case.step),
        format_time(case.closed_at, tz),
        durasi(end - report.received_at - waited),
        durasi(waited) if waited else "",
        ", ".join(dict.fromkeys(late)),
        case.operator.get("reply", "") if content else "",
    ]


def _write_workbook(path: Path, tabs: dict[str, Sequence[Sequence[str]]]) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in tabs.items():
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=value)
                cell.data_type = "s"  # text, never a formula
                if r == 1:
                    cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    workbook.save(path)


def _write_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    # utf-8-sig so Excel reads the encoding right; people open the .xlsx, the CSV is for other programs.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["'" + v if v.startswith(_FORMULA_START) else v for v in row])
