"""The Sheets emulator is optional for Cakra: not a dependency, imported only by the commands that run it.

Without it installed, every product module still imports, and ``run.py emulator`` and ``run.py demo
--google-emulator`` say in one line how to install it (``cakra.demo.emulator.import_emulator``).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cakra.demo.emulator import INSTALL_HINT

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def run_without_emulator(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python ``code`` (with ``args`` in ``sys.argv``) where the emulator cannot be imported."""
    hidden = "from tests.no_emulator import hide_emulator\nhide_emulator()\n" + code
    return subprocess.run(
        [sys.executable, "-c", hidden, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_product_does_not_depend_on_the_emulator() -> None:
    listed = [spec for spec in PYPROJECT["project"]["dependencies"] if "emulator" in spec]
    assert listed == []


def test_every_product_module_imports_without_the_emulator() -> None:
    code = (
        "import importlib, importlib.util, pkgutil\n"
        f"for package in {PYPROJECT['tool']['setuptools']['packages']!r}:\n"
        "    if importlib.util.find_spec(package) is None:\n"
        "        continue  # a folder of data files (templates)\n"
        "    for module in pkgutil.iter_modules(importlib.import_module(package).__path__, package + '.'):\n"
        "        importlib.import_module(module.name)\n"
    )
    result = run_without_emulator(code)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("argv", [["emulator", "--port", "0"], ["demo", "--google-emulator"]])
def test_commands_that_need_it_say_how_to_install_it(argv: list[str], tmp_path: Path) -> None:
    if argv[0] == "demo":
        argv = [*argv, "--out", str(tmp_path / "demo")]
    result = run_without_emulator(
        "import sys\nfrom cakra.cli import main\nsys.exit(main(sys.argv[1:]))", *argv
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"cakra: {INSTALL_HINT}"]
    assert not (tmp_path / "demo").exists()  # nothing was set up before the emulator was needed
