"""Fixtures of the emulator's own tests: no network beyond loopback, and the recorded real API traffic.

``emulator``, ``gc``, ``http`` and ``loopback_only`` come from the distribution's pytest plugin
(``sheets_emulator.pytest_plugin``), registered when it is installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

RECORDINGS_ENV = "SHEETS_EMULATOR_RECORDINGS"
RECORDINGS = Path("shared") / "google-sheets-recordings"


def find_recordings(start: Path) -> Path | None:
    """Where the recorded gspread cassettes are, or None.

    ``$SHEETS_EMULATOR_RECORDINGS`` when set (None if it is not a folder); otherwise the first
    ``shared/google-sheets-recordings`` folder found walking up from ``start`` (in CI and on a
    developer's machine: ``../shared/google-sheets-recordings`` beside the repository).
    """
    if os.environ.get(RECORDINGS_ENV):
        folder = Path(os.environ[RECORDINGS_ENV])
        return folder if folder.is_dir() else None
    return next((f / RECORDINGS for f in start.parents if (f / RECORDINGS).is_dir()), None)


@pytest.fixture(autouse=True)
def no_network(loopback_only: None) -> None:
    """No test may reach beyond loopback: a lookup of any other host fails the test that made it."""


@pytest.fixture(scope="session")
def recordings() -> Path:
    """The folder of recorded cassettes; the tests that need it skip, saying where it was looked for."""
    here = Path(__file__).resolve()
    folder = find_recordings(here)
    if folder is None:
        where = os.environ.get(RECORDINGS_ENV) or f"{RECORDINGS} in any folder above {here.parent}"
        pytest.skip(
            f"recordings not found ({where}); expected ../shared/google-sheets-recordings beside the "
            f"repository, or a folder named by ${RECORDINGS_ENV}"
        )
    return folder
