"""``sheets_emulator.client``: a session's Google API requests routed to the emulator, others left alone."""

from __future__ import annotations

import pytest
import requests
from sheets_emulator.client import EmulatorAdapter, route_to_emulator
from sheets_emulator.server import SheetsEmulator


def test_target_keeps_path_and_query_under_the_base_url() -> None:
    adapter = EmulatorAdapter("http://127.0.0.1:9/prefix/")
    assert adapter.target("https://sheets.googleapis.com/v4/spreadsheets/x?a=1") == (
        "http://127.0.0.1:9/prefix/v4/spreadsheets/x?a=1"
    )
    assert (
        adapter.target("https://www.googleapis.com/drive/v3/files")
        == "http://127.0.0.1:9/prefix/drive/v3/files"
    )
    with pytest.raises(ValueError):
        EmulatorAdapter("127.0.0.1:8080")


def test_a_routed_session_reaches_the_emulator_and_only_for_google_api_hosts(
    emulator: SheetsEmulator,
) -> None:
    sid = emulator.create_spreadsheet("routed", {"Tab": [["ok"]]})
    session = route_to_emulator(requests.Session(), "http://127.0.0.1:1")
    route_to_emulator(session, emulator.base_url)  # re-pointing replaces the adapters
    got = session.get(f"https://sheets.googleapis.com/v4/spreadsheets/{sid}/values/Tab!A1", timeout=5)
    assert got.status_code == 200 and got.json()["values"] == [["ok"]]
    assert [e.path for e in emulator.log] == [f"/v4/spreadsheets/{sid}/values/Tab!A1"]
    assert isinstance(session.get_adapter("https://www.googleapis.com/drive/v3/files"), EmulatorAdapter)
    assert not isinstance(session.get_adapter("https://oauth2.googleapis.com/token"), EmulatorAdapter)
