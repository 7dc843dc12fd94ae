"""Field masks: ``fields=`` on reads and the ``fields`` of update requests.

Syntax accepted: ``a.b``, ``a/b`` (both separators are used by gspread), commas, parentheses
(``sheets(properties(title,sheetId))``) and ``*``.  ``parse`` returns a tree where ``{}`` marks a
leaf (take the whole value) and ``None`` means "everything".

Read semantics (``select``): keep only masked keys; lists apply the mask to every element; a masked
message that exists but has none of the masked children becomes ``{}`` (``{"sheets": [{"properties":
{}}]}`` as recorded); absent keys stay absent.

Update semantics (``assign``): every masked leaf is copied from the source, and removed from the
target when the source lacks it (clearing, e.g. ``tabColorStyle`` with ``rgbColor: null``).
"""

from __future__ import annotations

from typing import Any

MaskTree = dict[str, Any]


def parse(mask: str | None) -> MaskTree | None:
    """Parse a mask string; None or ``*`` -> None (no restriction)."""
    if mask is None:
        return None
    text = mask.replace(" ", "")
    if text in ("", "*"):
        return None
    tree: MaskTree = {}
    pos = _parse_list(text, 0, tree)
    if pos != len(text):
        raise ValueError(mask)
    return tree


def _parse_list(text: str, pos: int, tree: MaskTree) -> int:
    while pos < len(text):
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        path = [p for p in text[start:pos].replace("/", ".").split(".") if p]
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        if pos < len(text) and text[pos] == "(":
            pos = _parse_list(text, pos + 1, node)
            if pos >= len(text) or text[pos] != ")":
                raise ValueError(text)
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if pos < len(text) and text[pos] == ")":
            return pos
    return pos


def includes(tree: MaskTree | None, *path: str) -> bool:
    """Whether the mask selects anything under ``path``."""
    if tree is None:
        return True
    node: MaskTree = tree
    for part in path:
        if "*" in node or not node:
            return True
        if part not in node:
            return False
        node = node[part]
    return True


def select(value: Any, tree: MaskTree | None) -> Any:
    """Apply a read mask to a JSON value."""
    if tree is None or not tree or "*" in tree:
        return value
    if isinstance(value, list):
        return [select(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: select(value[k], sub) for k, sub in tree.items() if k in value}
    return value


def assign(target: dict[str, Any], source: dict[str, Any] | None, tree: MaskTree | None) -> None:
    """Apply an update mask: copy masked leaves from ``source`` into ``target`` (None = everything)."""
    source = source or {}
    if tree is None or "*" in (tree or {}):
        target.clear()
        target.update({k: v for k, v in source.items() if v is not None})
        return
    for key, sub in tree.items():
        if not sub:
            if source.get(key) is None:
                target.pop(key, None)
            else:
                target[key] = source[key]
            continue
        child = target.get(key)
        if not isinstance(child, dict):
            child = {}
        src_child = source.get(key)
        assign(child, src_child if isinstance(src_child, dict) else {}, sub)
        if child:
            target[key] = child
        else:
            target.pop(key, None)
