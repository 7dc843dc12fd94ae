"""Which form questions the response tab holds now, against the ones the service relied on.

A form is edited while Cakra runs: an agency retitles "Uraian Kejadian" to "Kronologi", drops a
question, adds one. A question the service relied on (found in an earlier cycle, or named under the
config's ``[columns]``) that it can no longer find is *lost*: each response read while it is lost is
flagged on its case (``Report.lost_questions``) instead of silently showing an empty field as complete,
and ``cakra check`` fails until the title is restored or mapped. A header that matches no field is
*unrecognised*; ``suggest_field`` says which field it might be.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cakra.common.text import normalise_header
from cakra.ingest.columns import REQUIRED_FIELDS, ColumnAliases
from cakra.sheets.base import Tab

# How alike (difflib ratio, 0..1) a header and a field's name must be to be offered as that field.
_SUGGEST_CUTOFF = 0.6


@dataclass(frozen=True)
class FormQuestions:
    """The response tab's header read against the fields the service knows."""

    found: dict[str, int]  # field -> 0-based column
    titles: dict[str, str]  # field -> the question title it was found under
    lost: dict[str, str] = field(default_factory=dict)  # field -> the title relied on, not found now
    unrecognised: list[str] = field(default_factory=list)  # headers that are no known field
    duplicates: list[str] = field(default_factory=list)  # titles that head more than one column

    def lost_problem(self, name: str) -> str:
        """The flag on a case read while ``name``'s question was lost (Bahasa Indonesia)."""
        return f"pertanyaan formulir '{self.lost[name]}' tidak ditemukan"

    def regained(self, lost_before: Iterable[str]) -> list[str]:
        """Which of the fields lost when a response was read are found again now."""
        return [name for name in lost_before if name in self.found]

    def suggestions(self, columns: ColumnAliases) -> dict[str, str | None]:
        """Each unrecognised title -> the field it might be: among the fields not found, by their header
        names and, for a lost one, the title it had."""
        candidates = {
            name: (*([self.lost[name]] if name in self.lost else []), *titles)
            for name, titles in columns.names.items()
            if name not in self.found
        }
        return {title: suggest_field(title, candidates) for title in self.unrecognised}


def form_questions(tab: Tab, columns: ColumnAliases, relied: Mapping[str, str]) -> FormQuestions:
    """Locate each field of ``columns`` in ``tab``'s header; ``relied`` maps the fields found in earlier
    cycles to their titles then. A field the form no longer asks on purpose is set to ``[]`` under
    ``[columns]`` and is never looked for (``ColumnAliases.unasked``)."""
    aliases = columns.names
    found: dict[str, int] = {}
    for name, titles in aliases.items():
        position = next((p for p in map(tab.column, titles) if p is not None), None)
        if position is not None:
            found[name] = position
    header = tab.header
    titles = {name: header[position] for name, position in found.items()}
    wanted = {
        **relied,
        **{name: columns.extra[name][0] for name in columns.required if name in columns.extra},
    }
    lost = {
        name: title
        for name, title in wanted.items()
        if name in aliases and name not in found and name not in REQUIRED_FIELDS
    }
    used = set(found.values())
    seen: set[str] = set()
    unrecognised: list[str] = []
    duplicates: list[str] = []
    for position, title in enumerate(header):
        key = normalise_header(title)
        if not key:
            continue
        if key in seen:
            duplicates.append(title)
        elif position not in used:
            unrecognised.append(title)
        seen.add(key)
    return FormQuestions(found, titles, lost, unrecognised, duplicates)


def suggest_field(title: str, candidates: Mapping[str, Sequence[str]]) -> str | None:
    """The field (of ``candidates``: field -> header names) a question title most likely is, by fuzzy
    match, or None when none is close: ``"Kronologi Kejadian"`` -> ``"description"`` (like "Uraian
    Kejadian")."""
    wanted = normalise_header(title)
    best, best_score = None, _SUGGEST_CUTOFF
    for name, titles in candidates.items():
        for known in titles:
            score = difflib.SequenceMatcher(None, wanted, normalise_header(known)).ratio()
            if score > best_score:
                best, best_score = name, score
    return best
