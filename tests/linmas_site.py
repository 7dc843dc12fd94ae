"""A SINAR LINMAS site (periodic reports, issue 11): the SOP ``sinar-linmas-juai``, a roster of invented
desa with invented addresses, and the desa's activity form. Built on ``tests/site.py``'s ``Site``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sheets_emulator.server import SheetsEmulator

from tests.google_site import GoogleSite
from tests.site import FORM_HEADERS, Site
from tests.workbook import RESPONSES_TAB, new_form_workbook

FORM = [
    "Timestamp",
    "Desa",
    "Periode",
    "Kegiatan",
    "Tanggal Kegiatan",
    "Jumlah Anggota Hadir",
    "Foto Kegiatan",
    "Keterangan",
]
# Invented desa (no claim about Kecamatan Juai's real ones) and invented officials' addresses.
DESA = {
    "contoh_hilir": ("Contoh Hilir", ["sekdes@contoh-hilir.example.go.id"]),
    "contoh_hulu": ("Contoh Hulu", ["sekdes@contoh-hulu.example.go.id"]),
    "contoh_tengah": ("Contoh Tengah", ["sekdes@contoh-tengah.example.go.id"]),
}
OPERATOR = "linmas@juai.example.go.id"
CAMAT = "camat@juai.example.go.id"
PHOTO = "https://drive.google.com/open?id=FOTOlinmas000000001"


def linmas_row(
    at: datetime,
    desa: str,
    periode: str,
    note: str,
    *,
    hadir: object = 12,
    photo: str = PHOTO,
    kegiatan: str = "Patroli malam",
    tanggal: str = "",
) -> list[object]:
    """One synthetic activity report as the form appends it (``note``: its Keterangan, unique per test)."""
    return [at.replace(tzinfo=None), desa, periode, kegiatan, tanggal, hadir, photo, note]


def linmas_extra() -> dict[str, Any]:
    """The config tables a SINAR LINMAS site adds to the base site's."""
    return {
        "sop": "sinar-linmas-juai",
        "citizen": {"send": False},
        "roles": {
            "operator_kecamatan": {"emails": [OPERATOR]},
            "sekcam": {"emails": ["sekcam@juai.example.go.id"]},
            "camat": {"emails": [CAMAT]},
        },
        "roster": {
            desa_id: {"title": title, "emails": emails, "aliases": [title.upper()]}
            for desa_id, (title, emails) in DESA.items()
        },
    }


class LinmasSite(Site):
    def __init__(self, folder: Path, email_backend: dict[str, Any] | None = None) -> None:
        super().__init__(folder, email_backend)
        new_form_workbook(self.workbook, FORM)
        self.extra = linmas_extra()

    def config_table(self) -> dict[str, Any]:
        table = super().config_table()
        table["roles"] = self.extra["roles"]  # only the SOP's roles (the base site's are cakra-linmas's)
        return table


class LinmasGoogleSite(GoogleSite):
    """The same site on the Google backend (the Sheets emulator, real gspread)."""

    def __init__(self, folder: Path, emulator: SheetsEmulator) -> None:
        super().__init__(folder, emulator)
        # The base site's form has more questions: the Linmas form's header, the rest of the row blank.
        header = FORM + [""] * (len(FORM_HEADERS) - len(FORM))
        emulator.enter(self.spreadsheet_id, RESPONSES_TAB, "A1", [header], typed=False)
        self.extra = linmas_extra()

    def config_table(self) -> dict[str, Any]:
        table = super().config_table()
        table["roles"] = self.extra["roles"]
        return table
