"""The architecture's own statement: which layer may import which, and no import circles.

Walks every module of the installed ``cakra`` package with ``ast`` (imports inside functions and under
``TYPE_CHECKING`` count too: a lower layer must not even name a higher one) and fails on an edge that
``ALLOWED`` does not list, or on any circle between modules. ``docs/architecture.md`` draws the same.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

# Layer -> the layers (and optional tools) it may import. Bottom first. "app" is cakra's own top-level
# modules and folders (wiring, cycle, commands, demo): the only place that sees everything.
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "sheets": {"common"},
    "workflow": {"common"},
    "ingest": {"common", "workflow", "sheets"},
    "ledger": {"common", "workflow"},
    "notify": {"common", "workflow"},
    "tabs": {"common", "workflow", "sheets", "ingest", "ledger"},
    "app": {"common", "sheets", "workflow", "ingest", "ledger", "notify", "tabs", "sheets_emulator"},
}
PROJECT_ROOTS = ("cakra", "sheets_emulator")


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "sheets_emulator":
        return "sheets_emulator"
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "app"


def package_modules() -> dict[str, Path]:
    """Every module of the ``cakra`` package -> its source file (wherever its folder lives: the layers'
    folders sit beside ``cakra/`` in the repository and inside it once installed)."""
    found: dict[str, Path] = {}
    pending = ["cakra", *(f"cakra.{layer}" for layer in ALLOWED if layer != "app")]
    while pending:
        name = pending.pop()
        spec = importlib.util.find_spec(name)
        assert spec is not None, name
        if spec.submodule_search_locations is None:
            found[name] = Path(spec.origin)
            continue
        if spec.origin and spec.origin.endswith(".py"):
            found[name] = Path(spec.origin)
        for folder in spec.submodule_search_locations:
            for entry in sorted(Path(folder).iterdir()):
                if entry.suffix == ".py" and entry.stem != "__init__":
                    found[f"{name}.{entry.stem}"] = entry
                elif (entry / "__init__.py").exists() and f"{name}.{entry.name}" not in found:
                    pending.append(f"{name}.{entry.name}")
    return found


def imports_of(module: str, path: Path, known: set[str]) -> Iterator[str]:
    """The project modules ``module`` imports (a name imported from a package counts as its module)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [
                f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in known else stem for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target.split(".")[0] in PROJECT_ROOTS:
                yield target


def graph() -> dict[str, set[str]]:
    modules = package_modules()
    known = set(modules)
    return {name: set(imports_of(name, path, known)) - {name} for name, path in modules.items()}


def test_the_package_is_walked_whole() -> None:
    modules = package_modules()
    assert {"cakra.workflow.engine", "cakra.ledger.store", "cakra.tabs.status", "cakra.cli"} <= set(modules)
    assert {layer_of(name) for name in modules} == set(ALLOWED)


def test_no_layer_imports_one_it_may_not() -> None:
    forbidden = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if layer_of(target) != layer_of(source) and layer_of(target) not in ALLOWED[layer_of(source)]
    )
    assert forbidden == []


def test_no_import_circles() -> None:
    edges = graph()
    circles = [c for c in strongly_connected(edges) if len(c) > 1]
    assert circles == []


def test_layers_themselves_form_no_circle() -> None:
    layer_edges = {layer: {t for t in allowed if t in ALLOWED} for layer, allowed in ALLOWED.items()}
    assert [c for c in strongly_connected(layer_edges) if len(c) > 1] == []


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; nodes only named as targets count as nodes with no edges."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return out


def test_the_circle_finder_finds_circles() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"], ["d"]]
