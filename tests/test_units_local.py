"""Units on the local backend: disposition, a workbook per unit that shows and moves only its own cases,
per-unit mail on a real SMTP server, and a case sent back for correction going to the same unit."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cakra.common.errors import ConfigError
from cakra.workflow.case import Case
from tests.site import T0, Site, response
from tests.smtp_fixtures import SmtpServer, smtp_email_table, to
from tests.workbook import STATUS_TAB, status_records, type_into_case

SOP = Path(__file__).parent / "sops" / "units.toml"
PUPR, DINKES, DRAIN = "UJI-2026-000001", "UJI-2026-000002", "UJI-2026-000003"
UNITS = {
    "dinas_pupr": {"emails": ["pupr@pemda.example.go.id"], "workbook": "unit-pupr.xlsx"},
    "dinkes": {"emails": ["dinkes@pemda.example.go.id"], "workbook": "unit-dinkes.xlsx"},
}
ROLES = {
    "admin_kominfo": {"emails": ["kominfo@pemda.example.go.id"]},
    "kepala_dinas": {"emails": ["kadis@pemda.example.go.id"]},
}


def unit_site(site: Site) -> Site:
    site.extra = {"sop": str(SOP), "roles": ROLES, "units": UNITS, "report": {"roles": ["kepala_dinas"]}}
    return site


@pytest.fixture
def units(site: Site, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Site:
    site.email = smtp_email_table(smtp_server, monkeypatch)
    return unit_site(site)


def unit_rows(site: Site, unit: str) -> dict[str, dict[str, object]]:
    return {str(r["No. Tiket"]): r for r in status_records(site.folder / UNITS[unit]["workbook"])}


def case(site: Site, ticket: str) -> Case:
    (found,) = site.app.ledger.cases_named({ticket}, [])
    return found


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def disposed(site: Site, server: SmtpServer) -> Callable[[int], Any]:
    """Three reports (a road, a clinic, a drain) disposed to their units; returns a clock."""
    at = [T0]

    def tick(minutes: int) -> Any:
        at[0] += timedelta(minutes=minutes)
        return site.poll(at[0])

    site.submit(
        response(0, category="Jalan rusak", description="Jalan berlubang di depan sekolah."),
        response(1, category="Layanan kesehatan", nik="1404015501900002", description="Antrean puskesmas."),
        response(2, category="Drainase", nik="1404015501900003", description="Parit tersumbat."),
    )
    assert tick(2).new == 3
    row = site.row(PUPR)
    # The category table's suggestion: the cell's first value and the system message.
    assert row["Unit Tujuan"] == "Dinas PUPR"
    assert "Saran unit: Dinas PUPR (kategori Jalan rusak)" in str(row["Pesan Sistem"])
    site.edit(PUPR, Tahap="3", Petugas="Rina (Kominfo)")  # accepts the suggestion by moving on
    site.edit(DINKES, Unit_Tujuan="dinkes", Tahap="3. Jawaban SKPD", Petugas="Rina (Kominfo)")  # an alias
    site.edit(DRAIN, Tahap="3", Petugas="Rina (Kominfo)")
    assert tick(5).moved == 3
    return tick


def test_each_unit_workbook_lists_and_moves_only_its_own_cases(units: Site, smtp_server: SmtpServer) -> None:
    site = units
    sent = len(smtp_server.messages)
    tick = disposed(site, smtp_server)
    assert (case(site, PUPR).unit, case(site, DINKES).unit) == ("dinas_pupr", "dinkes")
    riwayat = [r for r in site.app.ledger.history(PUPR) if r.kind == "disposisi"]
    assert [r.note for r in riwayat] == ["Disposisi ke Dinas PUPR"]

    pupr, dinkes = unit_rows(site, "dinas_pupr"), unit_rows(site, "dinkes")
    assert list(pupr) == [PUPR, DRAIN] and list(dinkes) == [DINKES]
    assert pupr[PUPR]["Tahap"] == "3. Jawaban SKPD" and pupr[PUPR]["NIK (disamarkan)"] == "1404********0001"
    for unit in UNITS.values():  # personal data: the unit's file is the service's alone
        assert stat.S_IMODE((site.folder / unit["workbook"]).stat().st_mode) == 0o600

    # The per-unit role's mail: one message per unit, to its recipients, naming only its case.
    (to_pupr,) = to(smtp_server, "pupr", sent)
    (to_dinkes,) = to(smtp_server, "dinkes", sent)
    assert PUPR in body(to_pupr) and DRAIN in body(to_pupr) and DINKES not in body(to_pupr)
    assert DINKES in body(to_dinkes) and PUPR not in body(to_dinkes)
    assert "Dinas PUPR" in str(to_pupr["Subject"]) + body(to_pupr)

    # The PUPR admin pastes the clinic case's ticket into PUPR's workbook and "moves" it: nothing happens.
    append_row(site.folder / "unit-pupr.xlsx", {"No. Tiket": DINKES, "Tahap": "4. Koreksi jawaban"})
    # The dispatcher tries to move the road case on the main sheet, though PUPR has it.
    site.edit(PUPR, Tahap="4. Koreksi jawaban", Petugas="Rina (Kominfo)")
    result = tick(5)
    assert result.moved == 0 and case(site, DINKES).step == "jawab" and case(site, PUPR).step == "jawab"
    foreign = unit_rows(site, "dinas_pupr")[DINKES]
    assert str(foreign["Pesan Sistem"]).startswith("Ditolak: tiket ini bukan kasus Dinas PUPR")
    assert foreign["Nama Pelapor"] in (None, "")  # nothing of the other unit's case is shown there
    assert "ditangani Dinas PUPR di layar unitnya" in str(site.row(PUPR)["Pesan Sistem"])

    # PUPR answers on its own screen: the case moves, the main sheet's Tahap shows where it is now.
    type_into_case(site.folder / "unit-pupr.xlsx", PUPR, {"Tahap": "4", "Petugas": "Budi (PUPR)"})
    assert tick(5).moved == 1
    assert case(site, PUPR).step == "koreksi"
    assert site.row(PUPR)["Tahap"] == "4. Koreksi jawaban"
    assert unit_rows(site, "dinas_pupr")[PUPR]["Tahap Saat Ini"] == "4. Koreksi jawaban"

    # The case is no longer at PUPR's step: PUPR's edit is answered on its screen (read while PUPR has a
    # case at its step: the drain), the case stays.
    type_into_case(site.folder / "unit-pupr.xlsx", PUPR, {"Tahap": "Selesai"})
    assert tick(5).moved == 0 and case(site, PUPR).step == "koreksi"
    assert "bukan di tahap unit Anda" in str(unit_rows(site, "dinas_pupr")[PUPR]["Pesan Sistem"])
    assert "Ditolak" not in str(site.row(PUPR)["Pesan Sistem"])  # the main sheet is not told of it

    # The dispatcher cannot change the unit at the correction step, and sends it back for correction:
    # it goes back to the same unit, whose screen shows the step again and whose mail names it.
    site.edit(PUPR, Unit_Tujuan="Dinas Kesehatan")
    assert tick(5).refused == 1 and case(site, PUPR).unit == "dinas_pupr"
    assert "hanya bisa diubah di tahap disposisi" in str(site.row(PUPR)["Pesan Sistem"])
    sent = len(smtp_server.messages)
    site.edit(PUPR, Tahap="3. Jawaban SKPD", Disposisi="Lengkapi foto perbaikan")
    assert tick(5).moved == 1
    assert (case(site, PUPR).step, case(site, PUPR).unit) == ("jawab", "dinas_pupr")
    assert unit_rows(site, "dinas_pupr")[PUPR]["Tahap"] == "3. Jawaban SKPD"
    assert list(unit_rows(site, "dinkes")) == [DINKES]
    assert len(to(smtp_server, "pupr", sent)) == 1 and to(smtp_server, "dinkes", sent) == []

    # Back at PUPR's step, PUPR moves it again by choosing the same step it chose before.
    type_into_case(site.folder / "unit-pupr.xlsx", PUPR, {"Tahap": "4. Koreksi jawaban"})
    assert tick(5).moved == 1 and case(site, PUPR).step == "koreksi"


def test_disposition_needs_a_known_unit(site: Site) -> None:
    unit_site(site)
    site.submit(response(0, category="Lainnya"), response(1, category="Jalan rusak", nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=1))
    assert site.row(PUPR)["Unit Tujuan"] in (None, "")  # no suggestion for an unlisted category
    site.edit(PUPR, Tahap="3. Jawaban SKPD")
    site.edit(DINKES, Unit_Tujuan="Dinas PUPRR", Tahap="3")
    assert site.poll(T0 + timedelta(minutes=2)).refused == 2
    assert "Isi kolom 'Unit Tujuan'" in str(site.row(PUPR)["Pesan Sistem"])
    assert "Mungkin maksud Anda: Dinas PUPR" in str(site.row(DINKES)["Pesan Sistem"])
    assert case(site, PUPR).step == case(site, DINKES).step == "disposisi"
    site.edit(PUPR, Unit_Tujuan="pu")  # an alias, any case: disposed at once, the case stays put
    site.poll(T0 + timedelta(minutes=3))
    assert (case(site, PUPR).unit, case(site, PUPR).step) == ("dinas_pupr", "disposisi")


def test_unit_config_mistakes_are_one_line(site: Site) -> None:
    unit_site(site)
    site.extra["units"] = {"dinas_pupr": UNITS["dinas_pupr"]}
    with pytest.raises(ConfigError, match=r"unit 'dinkes' \(Dinas Kesehatan\) has no recipients"):
        _ = site.app
    site.extra["units"] = {**UNITS, "dinsos": {"emails": ["x@pemda.example.go.id"], "workbook": "s.xlsx"}}
    with pytest.raises(ConfigError, match=r"\[units.dinsos\] names no unit of the SOP"):
        _ = site.app
    site.extra["units"] = {"dinas_pupr": {**UNITS["dinas_pupr"], "folder": "x"}, "dinkes": UNITS["dinkes"]}
    with pytest.raises(ConfigError, match="unknown key 'units.dinas_pupr.folder'"):
        _ = site.app


def append_row(path: Path, values: dict[str, str]) -> None:
    """Someone types a new row into a unit's workbook (header -> text)."""
    book = openpyxl.load_workbook(path)
    sheet = book[STATUS_TAB]
    columns = {cell.value: cell.column for cell in sheet[1]}
    row = sheet.max_row + 1
    for header, value in values.items():
        sheet.cell(row, columns[header]).value = value
    book.save(path)
