"""The SOP as data: load a TOML file into steps, roles, fields, units, holds, evidence and endings.

An SOP file describes one agency's procedure (README, "Write your agency's SOP"): its steps with their
roles (one, or several with the first accountable), time limits ("2 hari kerja", "1 minggu", or
``ongoing``), decisions with labelled answers that may loop back, conditions that skip a step, the form
fields beyond the built-in ones, the units a case can be disposed to, and holds. Unknown keys and tables
are rejected, never ignored: a misspelt key would silently change how cases run. Every mistake is found
with its line (``sop_problems``, used by ``cakra validate-sop``); ``load_sop`` raises the first.

The records live in ``workflow/sop_model.py``, reading in ``sop_parse.py``, validation in ``sop_check.py``.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from cakra.common.errors import SopError
from cakra.workflow.periods import parse_periodic
from cakra.workflow.sop_check import check_sop, step_number
from cakra.workflow.sop_model import (
    BUILTIN_FIELDS,
    WAITING_HOLD,
    WAITING_TITLE,
    Condition,
    Ending,
    Evidence,
    Field,
    Hold,
    Role,
    Sop,
    Step,
    Unit,
)
from cakra.workflow.sop_parse import TOP_KEYS, SopReader, Source
from cakra.workflow.units import unit_problems

# The SOP files that ship with Cakra (``sop = "sipendekar"`` in a config names one).
BUILTIN_SOPS = Path(__file__).resolve().parent / "sops"

__all__ = [
    "BUILTIN_FIELDS",
    "BUILTIN_SOPS",
    "WAITING_HOLD",
    "WAITING_TITLE",
    "Condition",
    "Ending",
    "Evidence",
    "Field",
    "Hold",
    "Role",
    "Sop",
    "Step",
    "Unit",
    "load_sop",
    "sop_problems",
    "step_number",
]


def load_sop(path: Path) -> Sop:
    """Read and validate an SOP file; raise ``SopError`` with one line (``file:line: ...``) naming the
    first mistake in the file."""
    sop, problems = sop_problems(path)
    if problems:
        raise SopError(problems[0])
    assert sop is not None
    return sop


def sop_problems(path: Path) -> tuple[Sop | None, list[str]]:
    """The SOP in ``path`` and every mistake in it, one line each in file order (``[]`` when valid).
    The SOP is None when the file cannot be read at all (missing, not TOML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None, [f"SOP file {path} does not exist; set 'sop' in the config to an SOP .toml file"]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"SOP file {path} cannot be read: {exc}"]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"SOP file {path} is not valid TOML: {exc}"]
    reader = SopReader(path, Source(text))
    sop, lines = _read(data, reader)
    check_sop(sop, reader, lines)
    if "periodic" in data:
        try:
            plan = parse_periodic(data["periodic"], path, set(sop.roles), set(sop.endings), set(sop.fields))
        except SopError as exc:
            reader.add(reader.source.key(None, "periodic"), str(exc).removeprefix(f"{path}: "))
        else:
            sop = replace(sop, periodic=plan)
    per_unit = [role.id for role in sop.roles.values() if role.per_unit]
    disposing = [step.id for step in sop.steps.values() if step.assigns_unit]
    for problem in unit_problems(sop.units, per_unit, disposing):
        reader.add(reader.source.key(None, "units"), problem)
    return sop, reader.messages()


def _read(data: dict, reader: SopReader) -> tuple[Sop, dict[str, int | None]]:
    reader.keys("the SOP", data, TOP_KEYS, None)
    steps, lines = reader.steps(data)
    if not steps:
        reader.add(None, "the SOP has no [[steps]]")
    order = list(steps)
    intake = reader.text("the SOP", data, "intake_step", None)
    if not intake:
        if len(steps) > 1:
            reader.add(
                None,
                f"the SOP has {len(steps)} steps but no 'intake_step'; name the step a report is in when it "
                f'arrives, e.g. intake_step = "{order[0]}"',
            )
        intake = order[0] if order else ""
    first = reader.text("the SOP", data, "first_step", None)
    if not first and intake in steps and steps[intake].next:
        first = steps[intake].next[0]
    first = first or (order[min(1, len(order) - 1)] if order else "")
    calendar = data.get("calendar", {})
    if not isinstance(calendar, dict):
        reader.add(reader.source.key(None, "calendar"), "'calendar' must be a table")
        calendar = {}
    sop = Sop(
        id=reader.text("the SOP", data, "id", None) or reader.path.stem,
        name=reader.text("the SOP", data, "name", None) or reader.path.stem,
        agency=reader.text("the SOP", data, "agency", None),
        reference=reader.text("the SOP", data, "reference", None),
        intake_step=intake,
        first_step=first,
        ticket_prefix=reader.text("the SOP", data, "ticket_prefix", None) or "CAKRA",
        roles=reader.roles(data),
        steps=steps,
        endings=reader.endings(data),
        evidence=reader.evidence(data),
        calendar=calendar,
        fields=reader.fields(data),
        units=reader.units(data),
        holds=reader.holds(data),
    )
    return sop, lines
