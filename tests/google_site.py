"""A Cakra site on the Google backend, talking HTTP to the local Sheets emulator through real gspread.

The service authenticates with a generated service-account key whose ``token_uri`` is the emulator's,
so the real google-auth JWT-bearer path runs. The "form" and the "operators" act as in the
Google demo (``cakra.demo_google.GoogleWorld``): server-side, as Google Forms stores answers and as a
person types in the Sheets UI, so the emulator's request log is the service's API bill alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from sheets_emulator.keys import make_service_account_key
from sheets_emulator.server import SheetsEmulator

from cakra.demo.data import RESPONSE_HEADERS
from cakra.demo.google import GoogleWorld
from cakra.sheets.endpoint import point_session_at
from tests.site import Site, _header


class GoogleSite(Site):
    def __init__(self, folder: Path, emulator: SheetsEmulator) -> None:
        self.emulator = emulator
        self.spreadsheet_id = emulator.create_spreadsheet(
            title="Laporan LINMAS (Jawaban)",
            sheets={"Form Responses 1": [RESPONSE_HEADERS]},
            time_zone="Asia/Jakarta",
        )
        self.key = make_service_account_key(folder / "service-account.json", emulator.token_uri)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {emulator.issue_token()}"
        # A client of the test's own, for reading what the API shows (metadata, validation rules).
        self.people = gspread.Client(auth=None, session=point_session_at(session, emulator.base_url))  # type: ignore[arg-type]
        self.world = GoogleWorld(emulator, self.spreadsheet_id)  # the form and the operators, as in the demo
        super().__init__(folder)

    def config_table(self) -> dict[str, Any]:
        table = super().config_table()
        table["sheets"] = {
            "backend": "google",
            "spreadsheet_id": self.spreadsheet_id,
            "credentials": str(self.key),
            "api_endpoint": self.emulator.base_url,
            **table.get("sheets", {}),
        }
        table["sheets"].pop("workbook", None)
        return table

    def submit(self, *rows: list[object]) -> None:
        self.rows.extend(rows)
        self.world.append_responses(self.rows)

    def set_response(self, index: int, row: list[object]) -> None:
        self.rows[index] = row
        self.world.edit_response(index, row)

    def edit(self, ticket: str, **values: str) -> None:
        self.world.edit_status(ticket, {_header(key): value for key, value in values.items()})

    def tab(self, name: str, render: str = "FORMATTED_VALUE") -> list[list[Any]]:
        return self.emulator.values(self.spreadsheet_id, name, render=render)

    def status(self) -> list[dict[str, object]]:
        rows = self.tab("Status Kasus")
        header = rows[0]
        return [dict(zip(header, list(r) + [""] * (len(header) - len(r)), strict=True)) for r in rows[1:]]


@pytest.fixture
def google_emulator() -> Iterator[SheetsEmulator]:
    """An emulator that checks bearer tokens, as Google does."""
    with SheetsEmulator(require_auth=True) as emu:
        yield emu


@pytest.fixture
def google_site(tmp_path: Path, google_emulator: SheetsEmulator) -> Iterator[GoogleSite]:
    site = GoogleSite(tmp_path, google_emulator)
    yield site
    site.close()
