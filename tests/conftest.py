"""Shared fixtures: a real SMTP server, the Sheets emulator, and Cakra sites on either backend."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.emulator_fixtures import emulator, gc, http  # noqa: F401
from tests.google_site import google_emulator, google_site  # noqa: F401
from tests.site import site  # noqa: F401
from tests.smtp_fixtures import smtp_server, smtp_ssl_server, smtp_starttls_server, smtp_test_cert  # noqa: F401

_LOOPBACK = ("localhost", "127.", "::1")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test may reach beyond loopback: a lookup of any other host fails the test that made it.

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
