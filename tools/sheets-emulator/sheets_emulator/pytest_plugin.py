"""pytest fixtures for code that talks to the emulator: ``emulator``, ``gc``, ``http``, ``loopback_only``.

Installing the ``sheets-emulator`` distribution registers this module as a pytest plugin (entry point
group ``pytest11``), so a test anywhere in that environment asks for the fixtures by name without
importing anything; a conftest or test module may override a name with its own fixture. Each test gets a
fresh emulator on its own loopback port (start and stop take milliseconds) and stops it afterwards.
``loopback_only`` is not autouse: a conftest turns it on for its tests (see tests/conftest.py) to prove
that nothing a test runs bypasses the emulator and reaches the network.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import gspread
import pytest
import requests

from .client import gspread_client
from .server import SheetsEmulator


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


_LOOPBACK = ("localhost", "127.", "::1")


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A lookup of any host but loopback fails the test that made it.

    Libraries sometimes swallow network errors (google-auth's background boundary lookup does), so
    the attempt itself is recorded and checked at teardown rather than trusting an exception to surface.
    """
    attempts: list[str] = []
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host is not None and not str(host).startswith(_LOOPBACK):
            attempts.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, f"tests stay on loopback; refused lookup of {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield
    assert not attempts, f"a test tried to reach the network: {attempts}"
