"""A Cakra site on the Google backend, talking HTTP to the local Sheets emulator through real gspread.

The service authenticates with a generated service-account key whose ``token_uri`` is the emulator's,
so the real google-auth JWT-bearer path runs. The "form" and the "operators" act server-side
(``SheetsEmulator.enter``), as Google Forms stores answers and as a person types in the Sheets UI, so
the emulator's request log is the service's API bill alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from sheets_emulator.a1 import col_to_letters
from sheets_emulator.cells import to_serial
from sheets_emulator.keys import make_service_account_key
from sheets_emulator.server import SheetsEmulator

from cakra.sheets.endpoint import point_session_at
from tests.site import FORM_HEADERS, Site, _header
from tests.workbook import RESPONSES_TAB, STATUS_TAB


class GoogleSite(Site):
    def __init__(self, folder: Path, emulator: SheetsEmulator) -> None:
        self.emulator = emulator
        self.spreadsheet_id = emulator.create_spreadsheet(
            title="Laporan LINMAS (Jawaban)",
            sheets={RESPONSES_TAB: [FORM_HEADERS]},
            time_zone="Asia/Jakarta",
        )
        self.key = make_service_account_key(folder / "service-account.json", emulator.token_uri)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {emulator.issue_token()}"
        # A client of the test's own, for reading what the API shows (metadata, validation rules).
        self.people = gspread.Client(auth=None, session=point_session_at(session, emulator.base_url))  # type: ignore[arg-type]
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
        self._form(len(self.rows), rows)
        self.rows.extend(rows)

    def set_response(self, index: int, row: list[object]) -> None:
        self.rows[index] = row
        self._form(index, [row])

    def _form(self, index: int, rows: Sequence[list[object]]) -> None:
        """Google Forms stores responses from response ``index`` on: a timestamp as a date serial."""
        stored = [
            [to_serial(v.replace(tzinfo=None)) if isinstance(v, datetime) else v for v in r] for r in rows
        ]
        self.emulator.enter(self.spreadsheet_id, RESPONSES_TAB, f"A{index + 2}", stored, typed=False)

    def edit(self, ticket: str, **values: str) -> None:
        """An operator types into the case's status row in the Sheets UI, one cell after another."""
        header = self.tab(STATUS_TAB)[0]
        number = 2 + [row["No. Tiket"] for row in self.status()].index(ticket)
        for key, value in values.items():
            cell = f"{col_to_letters(header.index(_header(key)))}{number}"
            self.emulator.enter(self.spreadsheet_id, STATUS_TAB, cell, [[value]], typed=True)

    def tab(self, name: str, render: str = "FORMATTED_VALUE") -> list[list[Any]]:
        return self.emulator.values(self.spreadsheet_id, name, render=render)

    def status(self) -> list[dict[str, object]]:
        rows = self.tab(STATUS_TAB)
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
