"""Make this interpreter behave as if the ``sheets-emulator`` distribution were not installed."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


class EmulatorNotInstalled(importlib.abc.MetaPathFinder):
    """An import finder that finds ``sheets_emulator`` nowhere, as where it is not installed."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] == "sheets_emulator":
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def hide_emulator() -> None:
    """Forget the emulator's imported modules and refuse to import them again (for a subprocess)."""
    for name in [m for m in sys.modules if m.partition(".")[0] == "sheets_emulator"]:
        del sys.modules[name]
    sys.meta_path.insert(0, EmulatorNotInstalled())
