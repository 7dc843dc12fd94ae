"""Periodic reports (issue 11, SINAR LINMAS): matching, revisions, the Monitoring grid on both backends,
fix requests, reminders and the Camat's recap. Real workbook files, the Sheets emulator through real
gspread, a real SMTP server on loopback, frozen (injected) time."""

from __future__ import annotations

import email
import re
import shutil
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sheets_emulator.server import SheetsEmulator

from cakra.serve import Service
from cakra.setup import initialise
from tests.linmas_site import CAMAT, DESA, OPERATOR, LinmasGoogleSite, LinmasSite, linmas_row
from tests.smtp_fixtures import SmtpServer, smtp_email_table

WIB = ZoneInfo("Asia/Jakarta")
HILIR, HULU, TENGAH = (emails[0] for _, emails in DESA.values())
# November 2026's reports are due on 5 December, a Saturday: the due day moves to Monday 7 December, so
# a report is late from Tuesday 8 December 00:00.


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=WIB)  # type: ignore[misc]


@pytest.fixture
def linmas(tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> LinmasSite:
    site = LinmasSite(tmp_path, smtp_email_table(smtp_server, monkeypatch))
    site.extra["periodic"] = {"start": "2026-11-01"}
    yield site
    site.close()


def grid(site: LinmasSite) -> dict[str, list[str]]:
    """The Monitoring tab as desa -> cells (the header row under "Desa")."""
    book = openpyxl.load_workbook(site.workbook)
    rows = [list(r) for r in book["Monitoring"].iter_rows(values_only=True)]
    return {str(r[0]): [str(c or "") for c in r[1:]] for r in rows}


def nov(site: LinmasSite) -> dict[str, str]:
    """Each desa's November 2026 cell."""
    cells = grid(site)
    column = cells["Desa"].index("Nov 2026")
    return {desa: row[column] for desa, row in cells.items() if desa != "Desa"}


def mail_to(server: SmtpServer, address: str) -> list[str]:
    return [str(m.message["Subject"]) for m in server.messages if address in m.rcpt_tos]


def body(server: SmtpServer, address: str, index: int = -1) -> str:
    message = [m.message for m in server.messages if address in m.rcpt_tos][index]
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_submissions_are_matched_to_desa_and_period_and_an_unknown_desa_is_flagged(
    linmas: LinmasSite, smtp_server: SmtpServer
) -> None:
    linmas.submit(
        linmas_row(at(2026, 12, 2, 8, 0), "contoh hilir", "November 2026", "Hilir patroli"),
        linmas_row(at(2026, 12, 2, 8, 5), "CONTOH HULU", "", "Hulu siskamling", tanggal="15/11/2026"),
        # No period, no date: sent on 2 December while November is still due, so November's.
        linmas_row(at(2026, 12, 2, 8, 10), "Desa Contoh Tengah", "", "Tengah pengamanan pasar"),
        linmas_row(at(2026, 12, 2, 8, 15), "Contoh Antah", "November 2026", "Antah patroli"),
    )
    result = linmas.poll(at(2026, 12, 2, 9, 0))
    assert result.new == 4  # the unknown desa's report is a case too, never dropped
    assert nov(linmas) == {"Contoh Hilir": "Sudah", "Contoh Hulu": "Sudah", "Contoh Tengah": "Sudah"}
    rows = {r["Ringkasan"]: r for r in linmas.status()}
    flagged = str(rows["Antah patroli"]["Pesan Sistem"])
    assert "desa 'Contoh Antah' tidak ada di daftar desa" in flagged
    ticket = str(rows["Antah patroli"]["No. Tiket"])
    notes = [e.note for e in linmas.app.ledger.history(ticket) if e.kind == "catatan"]
    assert any("Contoh Antah" in note for note in notes)
    assert "Perlu dicek" not in str(rows["Hilir patroli"]["Pesan Sistem"])
    # The officials are the agency's own, not citizens: nobody gets "Laporan Anda telah diterima".
    assert not [m for m in smtp_server.messages if "telah diterima" in str(m.message["Subject"])]
    assert mail_to(smtp_server, HILIR) == []


def test_an_unreadable_period_is_flagged_and_counted_by_the_timestamp(linmas: LinmasSite) -> None:
    linmas.submit(linmas_row(at(2026, 12, 3, 8, 0), "Contoh Hilir", "bulan lalu", "Hilir patroli"))
    linmas.poll(at(2026, 12, 3, 9, 0))
    [row] = linmas.status()
    assert "periode 'bulan lalu' tidak dikenali; dihitung sebagai periode November 2026" in str(
        row["Pesan Sistem"]
    )
    assert nov(linmas)["Contoh Hilir"] == "Sudah"


def test_a_fix_request_reaches_the_desa_and_a_revision_replaces_the_report(
    linmas: LinmasSite, smtp_server: SmtpServer
) -> None:
    linmas.submit(
        linmas_row(at(2026, 12, 2, 8, 0), "Contoh Hilir", "November 2026", "Hilir patroli", photo="")
    )
    linmas.poll(at(2026, 12, 2, 9, 0))
    [first] = linmas.status()
    assert "Kurang: Foto kegiatan" in str(first["Kelengkapan"])  # a declared link field as evidence
    ticket = str(first["No. Tiket"])
    linmas.edit(ticket, Tahap="Menunggu pelapor", Petugas="Rina", Disposisi="Foto kegiatan belum ada")
    assert linmas.poll(at(2026, 12, 2, 10, 0)).paused == 1
    assert nov(linmas)["Contoh Hilir"] == "Perlu perbaikan"
    [fix] = mail_to(smtp_server, HILIR)
    assert "perlu diperbaiki" in fix and ticket in fix
    text = body(smtp_server, HILIR)
    assert "Catatan pemeriksa: Disposisi / Catatan: Foto kegiatan belum ada" not in text
    assert "Catatan pemeriksa: Foto kegiatan belum ada" in text and "Foto kegiatan" in text
    assert mail_to(smtp_server, HULU) == []  # another desa's officials hear nothing of it
    linmas.poll(at(2026, 12, 2, 11, 0))
    assert len(mail_to(smtp_server, HILIR)) == 1  # once per hold

    linmas.submit(
        linmas_row(at(2026, 12, 3, 8, 0), "Contoh Hilir", "November 2026", "Hilir patroli, dengan foto")
    )
    assert linmas.poll(at(2026, 12, 3, 9, 0)).new == 1
    revision = next(r for r in linmas.status() if r["No. Tiket"] != ticket)
    assert f"sebelumnya {ticket}" in str(revision["Pesan Sistem"]) and "Revisi" in str(
        revision["Pesan Sistem"]
    )
    notes = [e.note for e in linmas.app.ledger.history(str(revision["No. Tiket"])) if e.kind == "catatan"]
    assert any("Revisi" in note for note in notes)
    assert nov(linmas)["Contoh Hilir"] == "Sudah"  # the grid shows the latest report
    assert len(linmas.app.ledger.cases()) == 2  # both kept


def test_the_grid_states_colours_and_only_changed_cells(linmas: LinmasSite) -> None:
    linmas.submit(linmas_row(at(2026, 12, 2, 8, 0), "Contoh Hilir", "November 2026", "Hilir patroli"))
    linmas.poll(at(2026, 12, 2, 9, 0))
    assert grid(linmas)["Desa"][-2:] == ["Nov 2026", "Des 2026"]
    assert len(grid(linmas)["Desa"]) == 12  # the last 12 periods
    assert grid(linmas)["Contoh Hulu"][0] == "-"  # before the monitoring began
    assert nov(linmas) == {"Contoh Hilir": "Sudah", "Contoh Hulu": "Belum", "Contoh Tengah": "Belum"}
    [hilir_ticket] = [str(r["No. Tiket"]) for r in linmas.status()]
    linmas.edit(hilir_ticket, Tahap="Diterima", Petugas="Rina")
    linmas.poll(at(2026, 12, 2, 10, 0))
    assert linmas.poll(at(2026, 12, 2, 11, 0)).cells_written == 0  # nothing changed, nothing written
    assert linmas.poll(at(2026, 12, 7, 23, 0)).cells_written == 0  # still the due day (moved off Saturday)
    late = linmas.poll(at(2026, 12, 8, 1, 0))
    assert nov(linmas) == {"Contoh Hilir": "Sudah", "Contoh Hulu": "Terlambat", "Contoh Tengah": "Terlambat"}
    assert late.cells_written == 2  # the two cells that changed, nothing else
    sheet = openpyxl.load_workbook(linmas.workbook)["Monitoring"]
    colours = {
        rule.formula[0].strip('"'): rule.dxf.fill.fgColor.rgb[-6:]
        for formatting in sheet.conditional_formatting
        for rule in formatting.rules
    }
    assert set(colours) == {"Sudah", "Belum", "Terlambat", "Perlu perbaikan"}
    assert len(set(colours.values())) == 4
    assert colours["Terlambat"] == "FCE3E3"  # the status tab's late colour


def test_the_roster_tab_adds_desa_and_says_what_a_row_lacks(linmas: LinmasSite) -> None:
    linmas.poll(at(2026, 12, 2, 9, 0))
    book = openpyxl.load_workbook(linmas.workbook)
    tab = book["Daftar Desa"]
    tab.append(["Contoh Baru", "Baru", "sekdes@contoh-baru.example.go.id"])
    tab.append(["Contoh Lama", "", "bukan-email"])
    book.save(linmas.workbook)
    linmas.submit(linmas_row(at(2026, 12, 2, 9, 30), "baru", "November 2026", "Baru patroli"))
    linmas.poll(at(2026, 12, 2, 10, 0))
    assert nov(linmas)["Contoh Baru"] == "Sudah" and nov(linmas)["Contoh Lama"] == "Belum"
    rows = list(openpyxl.load_workbook(linmas.workbook)["Daftar Desa"].iter_rows(values_only=True))
    assert rows[2][3] == "Bukan alamat email: bukan-email (diabaikan)"
    assert rows[1][3] in (None, "")


def test_reminders_once_per_desa_and_period_in_office_hours(
    linmas: LinmasSite, smtp_server: SmtpServer
) -> None:
    linmas.submit(linmas_row(at(2026, 12, 2, 8, 0), "Contoh Hilir", "November 2026", "Hilir patroli"))
    linmas.poll(at(2026, 12, 2, 9, 0))
    linmas.poll(at(2026, 12, 3, 9, 0))  # more than 3 days before the (moved) due day: no reminder yet
    assert mail_to(smtp_server, HULU) == []
    linmas.poll(at(2026, 12, 4, 6, 0))  # the reminder day, before office hours
    assert mail_to(smtp_server, HULU) == []
    linmas.poll(at(2026, 12, 4, 9, 0))
    linmas.poll(at(2026, 12, 4, 10, 0))
    [before] = mail_to(smtp_server, HULU)
    assert "Pengingat: laporan November 2026 Desa Contoh Hulu paling lambat 07/12/2026" in before
    assert len(mail_to(smtp_server, TENGAH)) == 1
    assert mail_to(smtp_server, HILIR) == []  # it reported

    linmas.poll(at(2026, 12, 8, 5, 0))  # late now, but before office hours
    assert len(mail_to(smtp_server, HULU)) == 1
    linmas.poll(at(2026, 12, 8, 9, 0))
    linmas.poll(at(2026, 12, 9, 9, 0))
    assert [s for s in mail_to(smtp_server, HULU)][1:] == [
        "[Cakra] Laporan November 2026 Desa Contoh Hulu terlambat"
    ]
    late_lists = [s for s in mail_to(smtp_server, OPERATOR) if "belum melapor" in s]
    assert late_lists == ["[Cakra] 2 desa belum melapor periode November 2026"]
    text = body(
        smtp_server, OPERATOR, [i for i, s in enumerate(mail_to(smtp_server, OPERATOR)) if "belum" in s][0]
    )
    assert "Contoh Hulu" in text and "Contoh Tengah" in text and "Contoh Hilir" not in text
    assert mail_to(smtp_server, HILIR) == []


def test_the_camats_recap_arrives_on_the_configured_day_least_reported_first(
    linmas: LinmasSite, smtp_server: SmtpServer
) -> None:
    linmas.extra["periodic"] = {"start": "2026-10-01", "recap_day": 10, "recap_time": "08:00"}
    linmas.submit(
        linmas_row(at(2026, 11, 2, 8, 0), "Contoh Hilir", "Oktober 2026", "Hilir Oktober", hadir=11),
        linmas_row(at(2026, 11, 20, 8, 0), "Contoh Hulu", "Oktober 2026", "Hulu Oktober, terlambat", hadir=7),
        linmas_row(at(2026, 12, 1, 8, 0), "Contoh Hilir", "November 2026", "Hilir November", hadir=13),
    )
    linmas.poll(at(2026, 12, 1, 9, 0))
    clock = [at(2026, 12, 9, 8, 30)]
    service = Service(linmas.app, clock=lambda: clock[0])
    assert service.recap_job() is False  # not the day
    assert recaps(smtp_server) == []
    clock[0] = at(2026, 12, 10, 8, 1)
    assert service.recap_job() is True
    clock[0] = at(2026, 12, 10, 9, 0)
    assert service.recap_job() is False  # once per month
    [subject] = recaps(smtp_server)
    assert "Oktober 2026 - November 2026: 3 dari 6 laporan masuk, 1 desa belum pernah melapor" in subject
    text = message_text(next(m.message for m in smtp_server.messages if "Rekap" in str(m.message["Subject"])))
    order = [line.split(":")[0].strip(" -") for line in text.splitlines() if line.startswith("  - ")]
    assert order == ["Contoh Tengah", "Contoh Hulu", "Contoh Hilir"]  # least reported first
    assert "Contoh Hulu: 1/2 periode melapor, 0 tepat waktu (0 %)" in text
    assert "Contoh Hilir: 2/2 periode melapor, 2 tepat waktu (100 %); hadir: 11, 13" in text
    message = next(m.message for m in smtp_server.messages if "Rekap" in str(m.message["Subject"]))
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and len(images[0].get_payload(decode=True)) > 10_000


def test_on_google_the_grid_costs_no_request_and_init_colours_it(
    tmp_path: Path, google_emulator: SheetsEmulator
) -> None:
    site = LinmasGoogleSite(tmp_path, google_emulator)
    site.extra["periodic"] = {"start": "2026-11-01"}
    try:
        site.submit(linmas_row(at(2026, 12, 2, 8, 0), "Contoh Hilir", "November 2026", "Hilir patroli"))
        site.poll(at(2026, 12, 2, 9, 0))
        ticket = str(site.status()[0]["No. Tiket"])
        site.edit(ticket, Tahap="Diterima", Petugas="Rina")
        site.poll(at(2026, 12, 2, 10, 0))
        monitoring = site.tab("Monitoring")
        assert monitoring[0][-2:] == ["Nov 2026", "Des 2026"] and monitoring[1][-2] == "Sudah"

        google_emulator.log.reset()
        assert site.poll(at(2026, 12, 2, 11, 0)).cells_written == 0
        assert calls(google_emulator) == ["GET values:batchGet"]  # one read, no write
        google_emulator.log.reset()
        assert site.poll(at(2026, 12, 8, 1, 0)).cells_written == 2  # two desa became late
        assert calls(google_emulator) == ["GET values:batchGet", "POST values:batchUpdate"]
        assert [row[-2] for row in site.tab("Monitoring")[1:]] == ["Sudah", "Terlambat", "Terlambat"]

        list(initialise(site.app))
        list(initialise(site.app))  # twice: the rules are recognised, not added again
        book = site.people.open_by_key(site.spreadsheet_id)
        meta = book.fetch_sheet_metadata({"fields": "sheets(properties,conditionalFormats)"})
        sheet = next(s for s in meta["sheets"] if s["properties"]["title"] == "Monitoring")
        texts = [
            r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
            for r in sheet["conditionalFormats"]
        ]
        assert sorted(texts) == ["Belum", "Perlu perbaikan", "Sudah", "Terlambat"]
    finally:
        site.close()


def recaps(server: SmtpServer) -> list[str]:
    return [s for s in mail_to(server, CAMAT) if "Rekap" in s]


def message_text(message: object) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]


def calls(emu: SheetsEmulator) -> list[str]:
    return [f"{e.method} {e.path.rsplit('/', 1)[-1]}" for e in emu.log if e.kind in ("read", "write")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SINAR LINMAS demo folder after its three months (played once for the tests below)."""
    from cakra.demo.sop_demo import run_sop_demo

    out = tmp_path_factory.mktemp("linmas") / "demo"
    assert run_sop_demo(out, "sinar-linmas-juai") == 0  # every expectation of the scenario held
    return out


def test_the_demo_shows_three_months(demo: Path) -> None:
    book = openpyxl.load_workbook(demo / "cakra-demo.xlsx")
    rows = {r[0]: r[1:] for r in book["Monitoring"].iter_rows(values_only=True)}
    first, last = list(rows["Desa"]).index("Sep 2026"), list(rows["Desa"]).index("Nov 2026") + 1
    shown = {desa: list(cells[first:last]) for desa, cells in rows.items() if desa != "Desa"}
    assert shown.pop("Contoh Sari") == ["Terlambat"] * 3  # the silent desa
    assert all(cells == ["Sudah"] * 3 for cells in shown.values()), shown
    subjects = [str(m["Subject"]) for m in demo_messages(demo)]
    late = {s for s in subjects if s.startswith("[Cakra] Laporan") and s.endswith("terlambat")}
    assert {"Contoh Baru", "Contoh Permai", "Contoh Sari"} == {
        s.split("Desa ")[1].split(" terlambat")[0] for s in late
    }
    assert sum("Contoh Sari terlambat" in s for s in subjects) == 3  # reminded once per period
    assert [s for s in subjects if "Rekap laporan desa" in s] == [
        "[Cakra] Rekap laporan desa September 2026 - November 2026: 27 dari 30 laporan masuk, "
        "1 desa belum pernah melapor"
    ]


def demo_messages(demo: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in sorted((demo / "outbox").glob("*.eml"))
    ]


@pytest.mark.skipif(
    not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()),
    reason="Chromium is not installed (apt-get install -y chromium): the 390 px layout check is skipped",
)
def test_every_periodic_email_fits_a_390_px_phone_screen(demo: Path, tmp_path: Path) -> None:
    from tests.test_phone import SCREEN, _with_images, measure

    kinds = {
        "pengingat": r"^\[Cakra\] Pengingat: laporan ",
        "terlambat": r"^\[Cakra\] Laporan .* terlambat$",
        "daftar desa terlambat": r"desa belum melapor periode",
        "perbaikan": r"perlu diperbaiki",
        "rekap camat": r"Rekap laporan desa",
    }
    pages: dict[str, str] = {}
    for message in demo_messages(demo):
        for kind, pattern in kinds.items():
            if re.search(pattern, str(message["Subject"]).strip()) and kind not in pages:
                pages[kind] = _with_images(message)
                break
    assert set(pages) == set(kinds)
    results = measure(pages, tmp_path)
    assert all(r["inner"] == SCREEN for r in results), results
    too_wide = [r for r in results if r["scroll"] > SCREEN or r["wide"]]
    assert not too_wide, too_wide


def test_cakra_recap_sends_this_months_recap_once(linmas: LinmasSite, smtp_server: SmtpServer) -> None:
    import time_machine

    from cakra.cli import main

    linmas.submit(linmas_row(at(2026, 12, 1, 8, 0), "Contoh Hilir", "November 2026", "Hilir November"))
    linmas.poll(at(2026, 12, 1, 9, 0))
    linmas.close()
    config = linmas.write_config()
    with time_machine.travel(at(2026, 12, 14, 10, 0), tick=False):
        assert main(["--config", str(config), "recap"]) == 0
        assert main(["--config", str(config), "recap"]) == 0  # the month's recap exists: nothing new
    [subject] = recaps(smtp_server)
    assert "November 2026 - November 2026: 1 dari 3 laporan masuk, 2 desa belum pernah melapor" in subject
