"""Packaging proof: the wheel holds all of ``cakra`` and only it, and its ``cakra`` command works installed.

The slow test of the suite (marker ``packaging``, about 10 s): one wheel per run, built from a clean copy
of the checkout, installed with ``--no-deps --no-index`` into a fresh ``python -m venv``. The third-party
dependencies come from this test environment: a .pth file in the fresh venv lists its site-packages as a
plain path, and a plain path's own .pth files are not processed, so the checkout's editable installs
(cakra, sheets_emulator) stay invisible there. Every command runs with the working directory outside the
checkout. Nothing reaches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from cakra.commands import COMMANDS

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
# What a fresh clone would not have, and what the build does not need.
NOT_SOURCE = (
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "demo-out*",
    "outbox",
    "*.sqlite*",
    "tests",
    "bench",
    "tools",
)


def quiet_env() -> dict[str, str]:
    """This environment without anything that would put the checkout on a path, and pip kept offline."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def run(
    *args: str | Path, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env or quiet_env(), capture_output=True, text=True, timeout=300
    )


@dataclass(frozen=True)
class Installed:
    """A fresh virtualenv with the wheel installed: its folder and the ``cakra`` console script."""

    venv: Path
    python: Path
    cakra: Path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once per run from a clean copy (a checkout's stale build/ would leak into it)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        base / "dist",
        source,
        cwd=base,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = (base / "dist").glob("cakra-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh venv (no pip of its own: this environment's pip installs into it) holding the wheel."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=venv.parent)
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(purelib.stdout.strip()) / "cakra-test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    install = run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=venv.parent,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return Installed(venv=venv, python=python, cakra=venv / "bin" / "cakra")


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def record_paths(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        (record,) = [n for n in archive.namelist() if n.endswith(".dist-info/RECORD")]
        return [line.split(",")[0] for line in archive.read(record).decode().splitlines() if line]


def test_the_wheel_holds_every_file_of_every_subpackage_folder(wheel: Path) -> None:
    names = set(wheel_names(wheel))
    for package, folder in PYPROJECT["tool"]["setuptools"]["package-dir"].items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                inside = path.relative_to(ROOT / folder).as_posix()
                assert f"{package.replace('.', '/')}/{inside}" in names, f"{folder}/{inside} is not packaged"
    assert {n for n in names if n.startswith("cakra/templates/email/") and n.endswith(".html")}
    assert "cakra/templates/email/citizen_ack.subject.txt" in names
    assert "cakra/workflow/sops/cakra-linmas.toml" in names


def test_the_wheel_installs_nothing_but_the_cakra_package(wheel: Path) -> None:
    dist_info = f"cakra-{VERSION}.dist-info"
    for paths in (wheel_names(wheel), record_paths(wheel)):
        assert {p.split("/")[0] for p in paths} == {"cakra", dist_info}
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(f"{dist_info}/top_level.txt").decode().split() == ["cakra"]


def test_the_fresh_venv_sees_the_installed_copy_and_not_the_checkout(installed: Installed) -> None:
    probe = "import cakra, importlib.util as u; print(cakra.__file__); print(u.find_spec('sheets_emulator'))"
    result = run(installed.python, "-c", probe, cwd=installed.venv.parent)
    assert result.returncode == 0, result.stderr
    cakra_file, emulator_spec = result.stdout.splitlines()
    assert Path(cakra_file).is_relative_to(installed.venv), cakra_file
    assert emulator_spec == "None"  # the editable installs' .pth files were not processed


def test_the_installed_demo_runs_outside_the_checkout(installed: Installed, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run(installed.cakra, "demo", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Demo siap" in result.stdout
    assert (out / "cakra-demo.xlsx").is_file()
    assert (out / "cakra-demo.sqlite").is_file()
    assert len(list((out / "outbox").glob("*.eml"))) >= 5
    again = run(installed.cakra, "poll", "--config", out / "config.toml", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_the_installed_command_explains_itself(installed: Installed, tmp_path: Path) -> None:
    top = run(installed.cakra, "--help", cwd=tmp_path)
    assert top.returncode == 0 and top.stderr == "", top.stderr
    assert top.stdout.startswith("usage: cakra")
    assert "--config" in top.stdout
    for command in COMMANDS:
        assert f"    {command.name} " in top.stdout
    version = run(installed.cakra, "--version", cwd=tmp_path)
    assert (version.returncode, version.stdout.strip()) == (0, f"cakra {VERSION}")
    for command in COMMANDS:
        result = run(installed.cakra, command.name, "--help", cwd=tmp_path)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert result.stdout.startswith(f"usage: cakra {command.name}")
        assert command.description.splitlines()[0] in result.stdout
