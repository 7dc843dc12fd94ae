"""Reading an SOP file's TOML into ``workflow/sop_model.py`` records, every mistake kept with its line.

tomllib gives values but no positions, so ``Source`` finds a mistake's line by scanning the text: the
table's header (``[roles.kabid]``, the n-th ``[[steps]]``), then the key's ``key =`` line inside it.
Reading never stops at the first mistake: ``SopReader.problems`` collects them all (``cakra validate-sop``
prints each; ``load_sop`` raises the first). Unknown keys and tables are mistakes, never ignored: a typo
in an SOP would otherwise silently change how cases run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cakra.workflow.calendar import LimitError, TimeLimit
from cakra.workflow.sop_model import (
    BUILTIN_FIELDS,
    FIELD_KINDS,
    WAITING_HOLD,
    WAITING_TITLE,
    Condition,
    Ending,
    Evidence,
    Field,
    Hold,
    Role,
    Step,
    Unit,
)

TOP_KEYS = {
    "id",
    "name",
    "reference",
    "agency",
    "intake_step",
    "first_step",
    "ticket_prefix",
    "evidence",
    "roles",
    "steps",
    "endings",
    "calendar",
    "fields",
    "units",
    "holds",
    "periodic",
}
STEP_KEYS = {
    "id",
    "title",
    "description",
    "role",
    "limit",
    "evidence",
    "outputs",
    "next",
    "ongoing",
    "assigns_unit",
    "when",
    "skip_to",
    "informs_reporter",
    "kind",
    "answers",
}
ROLE_KEYS = {"title", "superior", "sees_identity", "external", "per_unit", "internal"}
EVIDENCE_KEYS = {"title", "field"}
ENDING_KEYS = {"id", "title"}
FIELD_KEYS = {"title", "headers", "kind", "choices"}
UNIT_KEYS = {"title", "aliases", "categories"}
HOLD_KEYS = {"title", "stops_clock"}
WHEN_KEYS = {"field", "in", "equals", "not_in"}

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


class Source:
    """Line numbers (1-based) of an SOP file's tables and keys, found by scanning its text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str]] = []
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if match and "=" not in match.group(2):
                parts = (p.strip().strip("\"'") for p in match.group(2).split("."))
                self.headers.append((number, ".".join(parts)))

    def table(self, name: str, index: int = 0) -> int | None:
        """The line of the ``index``-th header named ``name`` (``[roles.kabid]``, ``[[steps]]``)."""
        found = [number for number, header in self.headers if header == name]
        return found[index] if index < len(found) else None

    def key(self, start: int | None, key: str) -> int | None:
        """The line of ``key = ...`` in the table whose header is on line ``start`` (None: the top level,
        before any header); falls back to the header itself, or to any line assigning ``key``."""
        begin = start or 0
        ends = [number for number, _ in self.headers if number > begin]
        end = ends[0] if ends else len(self.lines) + 1
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for number in range(begin + 1, end):
            if pattern.match(self.lines[number - 1]):
                return number
        if start is not None:
            return start
        for number, line in enumerate(self.lines, start=1):
            if pattern.match(line):
                return number
        return self.table(key)


@dataclass
class SopReader:
    """Reads one SOP file's parsed TOML; ``problems`` holds (line, message) for every mistake."""

    path: Path
    source: Source
    problems: list[tuple[int | None, str]] = field(default_factory=list)

    def add(self, line: int | None, message: str) -> None:
        self.problems.append((line, message))

    def messages(self) -> list[str]:
        """Every mistake as one line, ``file.toml:42: ...``, in the order of the file."""
        ordered = sorted(self.problems, key=lambda p: (p[0] is None, p[0] or 0))
        return [f"{self.path}:{line}: {text}" if line else f"{self.path}: {text}" for line, text in ordered]

    # -- values ------------------------------------------------------------------------------------------

    def keys(self, where: str, table: Any, allowed: set[str], at: int | None) -> dict[str, Any]:
        """``table`` as a dict (a mistake when it is not a table), each unknown key a mistake."""
        if not isinstance(table, dict):
            self.add(at, f"{where} must be a table of keys ({', '.join(sorted(allowed))})")
            return {}
        for key in sorted(set(table) - allowed):
            self.add(
                self.source.key(at, key),
                f"{where} has unknown key {key!r}; allowed keys are {', '.join(sorted(allowed))}",
            )
        return table

    def text(self, where: str, table: dict[str, Any], key: str, at: int | None, default: str = "") -> str:
        """One text value; a list (or anything else) where one value is expected is a mistake."""
        value = table.get(key, default)
        if isinstance(value, str):
            return value
        kind = "a list" if isinstance(value, list) else f"a {type(value).__name__}"
        self.add(self.source.key(at, key), f"{where}: {key!r} is {kind} where one text value is expected")
        return default

    def texts(self, where: str, table: dict[str, Any], key: str, at: int | None) -> tuple[str, ...]:
        """A list of texts (one text is taken as a list of one)."""
        value = table.get(key, [])
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.add(self.source.key(at, key), f"{where}: {key!r} must be a list of texts")
        return ()

    def flag(
        self, where: str, table: dict[str, Any], key: str, at: int | None, default: bool = False
    ) -> bool:
        value = table.get(key, default)
        if isinstance(value, bool):
            return value
        self.add(self.source.key(at, key), f"{where}: {key!r} must be true or false, not {value!r}")
        return default

    def required(self, where: str, table: dict[str, Any], key: str, at: int | None) -> str:
        value = self.text(where, table, key, at)
        if not value:
            self.add(at, f"{where} needs a {key!r}")
        return value

    # -- tables ------------------------------------------------------------------------------------------

    def named_tables(self, data: dict[str, Any], name: str) -> list[tuple[str, dict[str, Any], int | None]]:
        """``[name.<id>]`` tables as (id, table, header line)."""
        tables = data.get(name, {})
        if not isinstance(tables, dict):
            self.add(self.source.key(None, name), f"{name!r} must be tables like [{name}.<id>]")
            return []
        return [(key, value, self.source.table(f"{name}.{key}")) for key, value in tables.items()]

    def roles(self, data: dict[str, Any]) -> dict[str, Role]:
        roles: dict[str, Role] = {}
        for key, raw, at in self.named_tables(data, "roles"):
            where = f"role {key!r}"
            table = self.keys(where, raw, ROLE_KEYS, at)
            role = Role(
                key,
                self.text(where, table, "title", at, key) or key,
                self.text(where, table, "superior", at) or None,
                self.flag(where, table, "sees_identity", at),
                self.flag(where, table, "external", at),
                self.flag(where, table, "per_unit", at),
                self.flag(where, table, "internal", at),
            )
            if role.external and role.internal:
                self.add(at, f"{where} is both external and internal; a submitter is one or the other")
            roles[key] = role
        return roles

    def evidence(self, data: dict[str, Any]) -> dict[str, Evidence]:
        items: dict[str, Evidence] = {}
        for key, raw, at in self.named_tables(data, "evidence"):
            table = self.keys(f"evidence {key!r}", raw, EVIDENCE_KEYS, at)
            title = self.text(f"evidence {key!r}", table, "title", at, key) or key
            items[key] = Evidence(key, title, self.text(f"evidence {key!r}", table, "field", at, key) or key)
        return items

    def fields(self, data: dict[str, Any]) -> dict[str, Field]:
        declared: dict[str, Field] = {}
        for key, raw, at in self.named_tables(data, "fields"):
            where = f"field {key!r}"
            table = self.keys(where, raw, FIELD_KEYS, at)
            if key in BUILTIN_FIELDS:
                self.add(at, f"{where} is a built-in field; give the declared field another id")
            kind = self.text(where, table, "kind", at, "text")
            if kind not in FIELD_KINDS:
                self.add(
                    self.source.key(at, "kind"),
                    f"{where} has kind {kind!r}; use one of {', '.join(FIELD_KINDS)}",
                )
            choices = self.texts(where, table, "choices", at)
            if kind == "choice" and not choices:
                self.add(at, f"{where} is a choice field without 'choices'; list them")
            if choices and kind != "choice":
                self.add(
                    self.source.key(at, "choices"),
                    f"{where} has 'choices' but kind {kind!r}; set kind = \"choice\"",
                )
            title = self.text(where, table, "title", at, key) or key
            headers = self.texts(where, table, "headers", at) or (title,)
            declared[key] = Field(key, title, headers, kind, choices)
        return declared

    def units(self, data: dict[str, Any]) -> dict[str, Unit]:
        units: dict[str, Unit] = {}
        for key, raw, at in self.named_tables(data, "units"):
            where = f"unit {key!r}"
            table = self.keys(where, raw, UNIT_KEYS, at)
            units[key] = Unit(
                key,
                self.text(where, table, "title", at, key) or key,
                self.texts(where, table, "aliases", at),
                self.texts(where, table, "categories", at),
            )
        return units

    def holds(self, data: dict[str, Any]) -> dict[str, Hold]:
        holds = {WAITING_HOLD: Hold(WAITING_HOLD, WAITING_TITLE, True)}
        for key, raw, at in self.named_tables(data, "holds"):
            where = f"hold {key!r}"
            table = self.keys(where, raw, HOLD_KEYS, at)
            if key == WAITING_HOLD:
                self.add(at, f"{where} is built in ({WAITING_TITLE!r}); give the hold another id")
                continue
            title = self.text(where, table, "title", at, key) or key
            holds[key] = Hold(key, title, self.flag(where, table, "stops_clock", at, True))
        return holds

    def endings(self, data: dict[str, Any]) -> dict[str, Ending]:
        endings: dict[str, Ending] = {}
        for index, raw in enumerate(data.get("endings", []) or []):
            at = self.source.table("endings", index)
            where = f"ending #{index + 1}"
            table = self.keys(where, raw, ENDING_KEYS, at)
            ending_id = self.required(where, table, "id", at)
            if ending_id:
                endings[ending_id] = Ending(
                    ending_id, self.text(where, table, "title", at, ending_id) or ending_id
                )
        return endings

    def steps(self, data: dict[str, Any]) -> tuple[dict[str, Step], dict[str, int | None]]:
        """The steps in file order, and the line of each one's ``id``."""
        steps: dict[str, Step] = {}
        lines: dict[str, int | None] = {}
        raw_steps = data.get("steps", [])
        if not isinstance(raw_steps, list):
            self.add(self.source.key(None, "steps"), "'steps' must be [[steps]] tables")
            return steps, lines
        for index, raw in enumerate(raw_steps):
            at = self.source.table("steps", index)
            table = self.keys(f"step #{index + 1}", raw, STEP_KEYS, at)
            step_id = self.required(f"step #{index + 1}", table, "id", at)
            if not step_id:
                continue
            where = f"step {step_id!r}"
            line = self.source.key(at, "id")
            if step_id in steps:
                self.add(line, f"step id {step_id!r} is used twice")
                continue
            lines[step_id] = line
            steps[step_id] = self._step(step_id, where, table, at)
        return steps, lines

    def _step(self, step_id: str, where: str, table: dict[str, Any], at: int | None) -> Step:
        roles = self._roles(where, table.get("role"), at)
        limit = None
        limit_text = self.text(where, table, "limit", at)
        try:
            limit = TimeLimit.parse(limit_text)
        except LimitError as exc:
            self.add(self.source.key(at, "limit"), f"{where}: {exc}")
        ongoing = self.flag(where, table, "ongoing", at)
        if ongoing and limit is not None:
            self.add(
                self.source.key(at, "ongoing"),
                f"{where} is ongoing and has a limit; an ongoing step has no deadline",
            )
        kind = self.text(where, table, "kind", at, "task")
        if kind not in ("task", "decision"):
            self.add(self.source.key(at, "kind"), f'{where} has kind {kind!r}; use "task" or "decision"')
        answers = self._answers(where, table.get("answers", {}), at)
        nexts = self.texts(where, table, "next", at)
        if kind == "decision":
            if not answers:
                self.add(at, f'{where} is a decision without \'answers\'; add answers = {{ "Ya" = "..." }}')
            if "next" in table:
                self.add(
                    self.source.key(at, "next"),
                    f"{where} is a decision: its next steps are its answers' targets; remove 'next'",
                )
            nexts = tuple(dict.fromkeys(answers.values()))
        elif answers:
            self.add(
                self.source.key(at, "answers"),
                f"{where} has 'answers' but is no decision; add kind = \"decision\"",
            )
        return Step(
            id=step_id,
            title=self.required(where, table, "title", at),
            role=roles[0] if roles else "",
            roles=roles or ("",),
            description=self.text(where, table, "description", at),
            limit=limit,
            evidence=self.texts(where, table, "evidence", at),
            outputs=self.texts(where, table, "outputs", at),
            next=nexts,
            ongoing=ongoing,
            assigns_unit=self.flag(where, table, "assigns_unit", at),
            when=self._when(where, table.get("when"), at),
            skip_to=self.text(where, table, "skip_to", at) or None,
            informs_reporter=self.flag(where, table, "informs_reporter", at),
            kind=kind,
            answers=answers,
        )

    def _roles(self, where: str, value: Any, at: int | None) -> tuple[str, ...]:
        """``role``: one role id, or a list of them (the first accountable)."""
        line = self.source.key(at, "role")
        if isinstance(value, str) and value:
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            if len(set(value)) != len(value):
                self.add(line, f"{where} lists a role twice")
            return tuple(dict.fromkeys(value))
        if value in (None, "", []):
            self.add(at, f"{where} needs a 'role'")
        else:
            self.add(line, f"{where}: 'role' must be a role id or a list of role ids")
        return ()

    def _answers(self, where: str, value: Any, at: int | None) -> dict[str, str]:
        line = self.source.key(at, "answers")
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.add(
                line,
                f'{where}: \'answers\' must map each label to a step or ending, e.g. {{ "Ya" = "draft" }}',
            )
            return {}
        return dict(value)

    def _when(self, where: str, value: Any, at: int | None) -> Condition | None:
        if value is None:
            return None
        line = self.source.key(at, "when")
        table = self.keys(f"{where}'s 'when'", value, WHEN_KEYS, line)
        tests = [key for key in ("in", "equals", "not_in") if key in table]
        name = table.get("field")
        if not isinstance(name, str) or not name or len(tests) != 1:
            self.add(
                line,
                f'{where}: \'when\' needs a field and one of in, equals, not_in, e.g. {{ field = "saluran", in = ["LAPOR!"] }}',
            )
            return None
        raw = table[tests[0]]
        if tests[0] == "equals":
            if not isinstance(raw, str):
                self.add(line, f"{where}: 'when' equals takes one text value, not {type(raw).__name__}")
                return None
            values: tuple[str, ...] = (raw,)
        elif isinstance(raw, list) and raw and all(isinstance(v, str) for v in raw):
            values = tuple(raw)
        else:
            self.add(line, f"{where}: 'when' {tests[0]} takes a list of texts")
            return None
        return Condition(name, values, negate=tests[0] == "not_in")
