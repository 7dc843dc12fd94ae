"""Validating an SOP read by ``workflow/sop_parse.py``: references, titles, numbers and the step graph.

Every mistake is added to the reader with the line it is on (``SopReader.add``), so ``cakra validate-sop``
lists them all: an unknown role or field, a ``next``/answer/``skip_to`` that is no step or ending, two
steps sharing a number ("4. X" and "4. Y": typing "4" could not tell them apart) or a title, a step no
case can reach, a step from which no ending can be reached.
"""

from __future__ import annotations

from collections.abc import Iterable

from cakra.common.text import normalise_header
from cakra.workflow.sop_model import BUILTIN_FIELDS, WAITING_TITLE, Sop, Step
from cakra.workflow.sop_parse import SopReader


def step_number(title: str) -> str | None:
    """The number an operator may type for a step: "4" of "4. Kabid verifikasi" (None without one)."""
    head = normalise_header(title).split(".")[0].strip()
    return head if head.isdigit() else None


def check_sop(sop: Sop, reader: SopReader, lines: dict[str, int | None]) -> None:
    """Add every mistake of ``sop`` to ``reader`` (``lines``: each step's ``id`` line)."""
    source = reader.source
    for name in ("intake_step", "first_step"):
        if getattr(sop, name) not in sop.steps:
            reader.add(source.key(None, name), f"{name} {getattr(sop, name)!r} is not a step id")
    for role in sop.roles.values():
        if role.superior and role.superior not in sop.roles:
            at = source.key(source.table(f"roles.{role.id}"), "superior")
            reader.add(at, f"role {role.id!r} has superior {role.superior!r}, which is not a role")
    for ending in sop.endings:
        if ending in sop.steps:
            reader.add(lines.get(ending), f"{ending!r} is both a step and an ending; give them different ids")
    _check_titles(sop, reader, lines)
    for step in sop.steps.values():
        _check_step(sop, step, reader, source.key(lines.get(step.id), "id"))
    for item in sop.evidence.values():
        if item.field not in BUILTIN_FIELDS and item.field not in sop.fields:
            at = source.key(source.table(f"evidence.{item.id}"), "field")
            known = ", ".join([*BUILTIN_FIELDS, *sop.fields])
            reader.add(
                at,
                f"evidence {item.id!r} names field {item.field!r}, which no form question provides; "
                f"declare [fields.{item.field}] or use one of {known}",
            )
    if sop.first_step in sop.steps:
        _check_graph(sop, reader, lines)


def _check_titles(sop: Sop, reader: SopReader, lines: dict[str, int | None]) -> None:
    """Operators pick by title, number or answer label: each must name one thing."""
    seen: dict[str, str] = {}
    numbers: dict[str, str] = {}
    named = [(s.id, s.title, reader.source.key(lines.get(s.id), "title")) for s in sop.steps.values()]
    named += [(e.id, e.title, reader.source.table("endings", i)) for i, e in enumerate(sop.endings.values())]
    named += [(h.id, h.title, reader.source.table(f"holds.{h.id}")) for h in sop.holds.values()]
    for state, title, at in named:
        key = normalise_header(title)
        if not key:
            continue
        if key == normalise_header(WAITING_TITLE) and state != "menunggu_pelapor":
            reader.add(at, f"{WAITING_TITLE!r} is reserved for pausing a case; give {state!r} another title")
        elif key in seen:
            reader.add(
                at,
                f"{state!r} has the title {title!r} of {seen[key]!r}; operators pick by title, so make each unique",
            )
        seen.setdefault(key, state)
        number = step_number(title)
        if number is not None and state in sop.steps:
            if number in numbers:
                reader.add(
                    at,
                    f"step {state!r} has number {number} like step {numbers[number]!r}; "
                    "typing the number must name one step, so renumber one",
                )
            numbers.setdefault(number, state)


def _check_step(sop: Sop, step: Step, reader: SopReader, at: int | None) -> None:
    states = set(sop.steps) | set(sop.endings)
    where = f"step {step.id!r}"
    for role in step.roles:
        if role and role not in sop.roles:
            reader.add(reader.source.key(at, "role"), f"{where} has role {role!r}; add [roles.{role}]")
    for target in step.next:
        if target not in states:
            reader.add(
                reader.source.key(at, "next"), f"{where} lists next {target!r}, which is no step or ending"
            )
    for label, target in step.answers.items():
        if target not in states:
            reader.add(
                reader.source.key(at, "answers"),
                f"{where} answer {label!r} leads to {target!r}, which is no step or ending",
            )
        if normalise_header(label) == normalise_header(WAITING_TITLE):
            reader.add(
                reader.source.key(at, "answers"), f"{where} answer {label!r} is reserved for pausing a case"
            )
    if len({normalise_header(label) for label in step.answers}) != len(step.answers):
        reader.add(reader.source.key(at, "answers"), f"{where} has two answers with the same label")
    if step.skip_to and step.skip_to not in states:
        reader.add(
            reader.source.key(at, "skip_to"), f"{where} skips to {step.skip_to!r}, which is no step or ending"
        )
    if step.when is not None:
        _check_condition(sop, step, reader, reader.source.key(at, "when"))
    for item in step.evidence:
        if item not in sop.evidence:
            reader.add(
                reader.source.key(at, "evidence"), f"{where} needs evidence {item!r}; add [evidence.{item}]"
            )


def _check_condition(sop: Sop, step: Step, reader: SopReader, at: int | None) -> None:
    assert step.when is not None
    name = step.when.field
    where = f"step {step.id!r}"
    if name not in BUILTIN_FIELDS and name not in sop.fields:
        reader.add(
            at, f"{where}'s 'when' names field {name!r}; declare [fields.{name}] or use a built-in field"
        )
        return
    declared = sop.fields.get(name)
    if declared and declared.choices:
        known = {normalise_header(c) for c in declared.choices}
        for value in step.when.values:
            if normalise_header(value) not in known:
                reader.add(
                    at, f"{where}'s 'when' value {value!r} is not one of the choices of field {name!r}"
                )
    if step.skip_target is None:
        reader.add(at, f"{where} has a 'when' but nowhere to skip to; add 'next' or 'skip_to'")
    if step.id == sop.first_step and step.id == sop.intake_step:
        reader.add(at, f"{where} is the intake step; it cannot be skipped")


def _successors(step: Step) -> Iterable[str]:
    yield from step.next
    if step.when is not None and step.skip_target:
        yield step.skip_target


def _check_graph(sop: Sop, reader: SopReader, lines: dict[str, int | None]) -> None:
    """Every step reachable from the first (or intake) step, and an ending reachable from every step."""
    reachable = {sop.first_step, sop.intake_step}
    frontier = [s for s in reachable if s in sop.steps]
    while frontier:
        for target in _successors(sop.steps[frontier.pop()]):
            if target not in reachable:
                reachable.add(target)
                if target in sop.steps:
                    frontier.append(target)
    if not reachable & set(sop.endings):
        reader.add(None, f"no ending can be reached from {sop.first_step!r}; add an ending to some 'next'")
        return
    for step in sop.steps:
        if step not in reachable:
            reader.add(
                lines.get(step),
                f"step {step!r} cannot be reached from {sop.first_step!r}; list it in some 'next' or answer",
            )
    finishing = set(sop.endings)
    changed = True
    while changed:
        changed = False
        for step in sop.steps.values():
            if step.id not in finishing and any(t in finishing for t in _successors(step)):
                finishing.add(step.id)
                changed = True
    for step in sop.steps:
        if step in reachable and step not in finishing and step != sop.intake_step:
            reader.add(
                lines.get(step),
                f"step {step!r} has no way to an ending; add an ending or a later step to its 'next'",
            )
