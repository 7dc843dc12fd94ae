"""Form fields an SOP declares beyond the built-in ones (``[fields.<id>]``): a minimal reader.

The shared SOP contract (issue 10) gives ``Sop.fields: dict[str, Field]`` with ``Field(id, title,
headers, kind, choices)`` and ``Report.fields`` (field id -> the answer as text). The core SOP work
reads and normalises them fully; this module is the small stand-in the periodic reports (issue 11) need
meanwhile: it parses the table and checks its keys. The answers stay text; whoever reads one (e.g.
``workflow/periods.py`` for a period or a number) parses it and flags what it cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cakra.common.errors import SopError

KINDS = ("text", "choice", "number", "date", "link", "email", "phone", "nik")
_FIELD_KEYS = {"title", "headers", "kind", "choices"}


@dataclass(frozen=True)
class Field:
    id: str
    title: str
    headers: tuple[str, ...]
    kind: str = "text"
    choices: tuple[str, ...] = ()


def parse_fields(table: Any, path: Path) -> dict[str, Field]:
    """``[fields.*]`` as ``Field``s; ``SopError`` (one line) for an unknown key, kind or a bad list."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise SopError(f"{path}: [fields] must be a table of [fields.<id>] tables")
    fields: dict[str, Field] = {}
    for key, spec in table.items():
        if not isinstance(spec, dict):
            raise SopError(f"{path}: [fields.{key}] must be a table")
        unknown = sorted(set(spec) - _FIELD_KEYS)
        if unknown:
            raise SopError(
                f"{path}: field {key!r} has unknown key {unknown[0]!r}; allowed keys are "
                f"{', '.join(sorted(_FIELD_KEYS))}"
            )
        kind = spec.get("kind", "text")
        if kind not in KINDS:
            raise SopError(f"{path}: field {key!r} has kind {kind!r}; use one of {', '.join(KINDS)}")
        headers = spec.get("headers", [spec.get("title", key)])
        choices = spec.get("choices", [])
        for name, value in (("headers", headers), ("choices", choices)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SopError(f'{path}: field {key!r}: {name} must be a list of texts, e.g. ["Periode"]')
        fields[key] = Field(key, str(spec.get("title", key)), tuple(headers), kind, tuple(choices))
    return fields
