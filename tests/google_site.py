"""A Cakra site on the Google backend, talking HTTP to the local Sheets emulator through real gspread.

The service authenticates with a generated service-account key whose ``token_uri`` is the emulator's,
so the real google-auth JWT-bearer path runs. The "form" writes responses as Google Forms does (a date
serial in the timestamp column, text elsewhere); "operators" type with USER_ENTERED, as the Sheets UI
does. The emulator's request log is the service's API bill.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests

from cakra.demo_data import RESPONSE_HEADERS
from emulator.keys import make_service_account_key
from emulator.server import SheetsEmulator
from sheets.endpoint import point_session_at
from tests.site import Site

SHEETS_EPOCH = datetime(1899, 12, 30)


def serial(value: object) -> object:
    """A form timestamp as Sheets stores a date: days since 1899-12-30 (naive local time)."""
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - SHEETS_EPOCH).total_seconds() / 86400
    return value


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

    def _book(self) -> gspread.Spreadsheet:
        return self.people.open_by_key(self.spreadsheet_id)

    def submit(self, *rows: list[object]) -> None:
        start = len(self.rows) + 2
        self.rows.extend(rows)
        sheet = self._book().worksheet("Form Responses 1")
        values = [[serial(v) for v in row] for row in rows]
        sheet.update(values, f"A{start}", value_input_option="RAW")

    def set_response(self, index: int, row: list[object]) -> None:
        self.rows[index] = row
        sheet = self._book().worksheet("Form Responses 1")
        sheet.update([[serial(v) for v in row]], f"A{index + 2}", value_input_option="RAW")

    def edit(self, ticket: str, **values: str) -> None:
        from tests.site import _header

        sheet = self._book().worksheet("Status Kasus")
        rows = sheet.get_all_values()
        header = rows[0]
        row_number = next(
            i for i, r in enumerate(rows, start=1) if r and r[header.index("No. Tiket")] == ticket
        )
        for key, value in values.items():
            col = header.index(_header(key)) + 1
            sheet.update(
                [[value]], gspread.utils.rowcol_to_a1(row_number, col), value_input_option="USER_ENTERED"
            )

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
