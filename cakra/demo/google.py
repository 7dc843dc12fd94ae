"""``run.py demo --google-emulator``: the same simulated morning through the production Google path.

A local Sheets API emulator stands in for Google; the service talks to it with real gspread and
google-auth (a generated service-account key whose token endpoint is the emulator's). Citizens and
operators act on the spreadsheet as the form and the Sheets UI do (``SheetsEmulator.enter``). Each
cycle's line says how many API requests the service made. The emulator keeps its spreadsheet in
memory, so the demo saves a snapshot of every tab to ``DIR/google-snapshot.xlsx`` before it stops.
The emulator is optional (``cakra.demo.emulator``): without it the demo stops with the install command.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl

from cakra.app import build_app
from cakra.config import load_config
from cakra.demo.data import RESPONSE_HEADERS
from cakra.demo.emulator import import_emulator
from cakra.demo.scenario import (
    DEMO_CONFIG,
    RESPONSES_TAB,
    STATUS_TAB,
    fresh_folder,
    print_emails,
    simulate_morning,
)
from cakra.sheets.google import column_letter

if TYPE_CHECKING:
    from sheets_emulator.server import SheetsEmulator

SHEETS_EPOCH = datetime(1899, 12, 30)
TABS = (RESPONSES_TAB, STATUS_TAB, "Riwayat", "Ringkasan")


def form_value(value: object) -> object:
    """What Google Forms stores: a date serial for the timestamp, the answer's text otherwise."""
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - SHEETS_EPOCH).total_seconds() / 86400
    return value


class GoogleWorld:
    """Citizens (the form) and operators (the Sheets UI) acting on the emulator's spreadsheet directly.

    They act as Google Forms and a person typing do — server-side, not through the API — so the
    emulator's request log holds the service's requests alone.
    """

    def __init__(self, emulator: SheetsEmulator, spreadsheet_id: str) -> None:
        self.emulator = emulator
        self.spreadsheet_id = spreadsheet_id
        self.rows = 0

    def append_responses(self, rows: list[list[object]]) -> None:
        fresh = rows[self.rows :]
        if fresh:
            self._form(f"A{self.rows + 2}", fresh)
            self.rows = len(rows)

    def edit_response(self, index: int, row: list[object]) -> None:
        self._form(f"A{index + 2}", [row])

    def _form(self, cell: str, rows: list[list[object]]) -> None:
        values = [[form_value(v) for v in row] for row in rows]
        self.emulator.enter(self.spreadsheet_id, RESPONSES_TAB, cell, values, typed=False)

    def edit_status(self, ticket: str, values: dict[str, str]) -> None:
        rows = self.emulator.values(self.spreadsheet_id, STATUS_TAB)
        header = rows[0]
        number = next(i for i, r in enumerate(rows, 1) if r and r[header.index("No. Tiket")] == ticket)
        for title, value in values.items():
            cell = f"{column_letter(header.index(title) + 1)}{number}"
            self.emulator.enter(self.spreadsheet_id, STATUS_TAB, cell, [[value]], typed=True)

    def service_requests(self) -> str:
        """The API requests the service made since the last call (its cycle), as a line's ending."""
        entries = [e for e in self.emulator.log if e.kind in ("read", "write")]
        self.emulator.log.reset()
        reads = sum(e.kind == "read" for e in entries)
        return f" — API: {reads} baca, {len(entries) - reads} tulis"


def snapshot(emulator: SheetsEmulator, spreadsheet_id: str, path: Path) -> None:
    """Save every tab's formatted values to an .xlsx at ``path`` (all cells as text)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for tab in TABS:
        sheet = workbook.create_sheet(tab)
        for row in emulator.values(spreadsheet_id, tab):
            sheet.append([str(v) for v in row])
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"
    workbook.save(path)


def run_google_demo(out: Path) -> int:
    """Build the Google demo in ``out`` against a fresh emulator, run the morning, print where to look."""
    server, keys = import_emulator("server"), import_emulator("keys")
    fresh_folder(out, "cakra-demo.sqlite", "cakra-demo.sqlite-wal", "cakra-demo.sqlite-shm")
    emulator = server.SheetsEmulator(require_auth=True).start()
    try:
        spreadsheet_id = emulator.create_spreadsheet(
            title="Laporan LINMAS (Jawaban) - DEMO",
            sheets={TABS[0]: [RESPONSE_HEADERS]},
            time_zone="Asia/Jakarta",
        )
        (out / "credentials").mkdir(mode=0o700, exist_ok=True)
        key = keys.make_service_account_key(out / "credentials" / "service-account.json", emulator.token_uri)
        sheets = (
            f'[sheets]\nbackend = "google"\nspreadsheet_id = "{spreadsheet_id}"\n'
            f'credentials = "{key}"\napi_endpoint = "{emulator.base_url}"\n'
        )
        local = DEMO_CONFIG[DEMO_CONFIG.index("[sheets]") : DEMO_CONFIG.index("[ledger]")]
        config_path = out / "config.toml"
        config_path.write_text(DEMO_CONFIG.replace(local, sheets + "\n"), encoding="utf-8")
        app = build_app(load_config(config_path))
        world = GoogleWorld(emulator, spreadsheet_id)
        try:
            simulate_morning(app, world, note=world.service_requests)
        finally:
            app.close()
        snapshot(emulator, spreadsheet_id, out / "google-snapshot.xlsx")
    finally:
        emulator.stop()
    print()
    print(f"Demo (Google Sheets API, emulator lokal) siap di {out}/")
    print(f"  salinan semua tab       : {out / 'google-snapshot.xlsx'}")
    print_emails(out)
    print(f"  buku besar (audit)      : {out / 'cakra-demo.sqlite'}")
    print("  emulator berisi data di memori dan sudah berhenti; jalankan lagi demo untuk mengulang")
    return 0
