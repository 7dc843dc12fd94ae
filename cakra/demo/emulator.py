"""The local Google Sheets emulator, an optional tool: imported only when a command needs it.

The emulator is a distribution of its own (tools/sheets-emulator); Cakra does not depend on it at
install time. ``import_emulator`` is the one place that imports it, for ``run.py emulator`` and
``run.py demo --google-emulator``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cakra.common.errors import CakraError

INSTALL_HINT = (
    "the Google Sheets emulator is not installed; run: pip install tools/sheets-emulator "
    "(make demo and make test install it)"
)


def import_emulator(module: str) -> ModuleType:
    """``sheets_emulator.<module>`` (e.g. ``"server"``, ``"keys"``), imported now.

    Raises ``CakraError`` with the install command when the emulator is not installed; any other
    import failure (a module of the emulator that does not exist, a broken install) propagates.
    """
    try:
        return importlib.import_module(f"sheets_emulator.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == "sheets_emulator":
            raise CakraError(INSTALL_HINT) from None
        raise
