"""The emulator is a distribution of its own: it imports nothing from an application that uses it.

Every module of the package is parsed with ``ast`` (nothing is imported), so an import inside a
function or under ``if TYPE_CHECKING`` counts as much as one at the top.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import sheets_emulator

PACKAGE = Path(sheets_emulator.__file__).resolve().parent
PROJECT = Path(__file__).resolve().parents[1]


def imported_roots(path: Path) -> set[str]:
    """The top-level names of every absolute import in one module."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def package_imports() -> dict[str, set[str]]:
    """Module path (relative to the package) -> the top-level names it imports."""
    return {str(p.relative_to(PACKAGE)): imported_roots(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_imports_cakra() -> None:
    offenders = sorted(module for module, roots in package_imports().items() if "cakra" in roots)
    assert not offenders, f"the emulator must not import cakra: {offenders}"


def test_every_import_is_the_standard_library_or_a_declared_dependency() -> None:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {spec.split(">")[0].split("<")[0].split("=")[0].strip() for spec in project["dependencies"]}
    allowed = set(sys.stdlib_module_names) | declared | {"pytest"}  # pytest: the plugin, loaded by pytest
    undeclared = {
        module: sorted(roots - allowed) for module, roots in package_imports().items() if roots - allowed
    }
    assert not undeclared, f"imports the emulator's pyproject.toml does not declare: {undeclared}"
