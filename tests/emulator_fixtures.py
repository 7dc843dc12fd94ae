"""Shared pytest fixtures for code that talks to the Sheets emulator.

Import them into a test module (``from tests.emulator_fixtures import emulator, gc``) or from a
conftest.  Each test gets a fresh emulator on its own loopback port (start/stop take milliseconds).
"""

from __future__ import annotations

from collections.abc import Iterator

import gspread
import pytest
import requests
from sheets_emulator.client import gspread_client
from sheets_emulator.server import SheetsEmulator


@pytest.fixture
def emulator() -> Iterator[SheetsEmulator]:
    """A started emulator without auth (gspread with ``auth=None`` sends no token)."""
    with SheetsEmulator(require_auth=False) as emu:
        yield emu


@pytest.fixture
def gc(emulator: SheetsEmulator) -> gspread.Client:
    """A real gspread client whose Google API calls go to ``emulator``."""
    return gspread_client(emulator.base_url)


@pytest.fixture
def http(emulator: SheetsEmulator) -> Iterator[requests.Session]:
    """A plain requests session for raw API calls (use ``emulator.base_url`` + path)."""
    with requests.Session() as session:
        yield session
