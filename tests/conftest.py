"""Shared fixtures: a real SMTP server, Cakra sites on either backend, and no network beyond loopback.

The Sheets emulator's fixtures (``emulator``, ``gc``, ``http``, ``loopback_only``) come from its pytest
plugin, registered when the ``sheets-emulator`` distribution (tools/sheets-emulator) is installed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from cakra.ledger.loaded import LoadedCases
from tests.google_site import google_emulator, google_site  # noqa: F401
from tests.site import site, smtp_site  # noqa: F401
from tests.smtp_fixtures import (  # noqa: F401
    smtp_login_required_server,
    smtp_server,
    smtp_ssl_server,
    smtp_starttls_server,
    smtp_test_cert,
)


@pytest.fixture(autouse=True)
def no_network(loopback_only: None) -> None:
    """No test may reach beyond loopback: a lookup of any other host fails the test that made it."""


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """A test that runs the CLI in-process (``cakra.cli.main`` sets up logging) leaves the root logger
    as it found it, so its handler does not print into the output of the tests after it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def reused_cases_verified() -> Iterator[None]:
    """Every case the ledger hands out again between cycles is compared with a fresh decode of its
    stored text (``ledger/loaded.py``): a test whose cycle changes a loaded case without saving it fails."""
    LoadedCases.verify = True
    yield
    LoadedCases.verify = False
