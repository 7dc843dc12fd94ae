"""The SOP as data: load a TOML file into steps, roles, evidence and endings, and validate it.

The format is deliberately open to what later SOPs need (routing to one of many units, several intake
tabs, decisions that loop back, periodic submissions): a step's ``next`` may point backwards, and
unknown top-level tables are rejected only when misspelt, not when a later engine version adds them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cakra.common.errors import SopError
from cakra.workflow.calendar import LimitError, TimeLimit
from cakra.workflow.declared_fields import Field, parse_fields
from cakra.workflow.periods import PeriodicPlan, parse_periodic
from cakra.workflow.units import Unit, parse_units, validate_units

# The SOP files that ship with Cakra (``sop = "sipendekar"`` in a config names one).
BUILTIN_SOPS = Path(__file__).resolve().parent / "sops"

_TOP_KEYS = {
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
    "units",
    "fields",
    "periodic",
}
_STEP_KEYS = {
    "id",
    "title",
    "description",
    "role",
    "limit",
    "evidence",
    "outputs",
    "next",
    "assigns_unit",
    "informs_reporter",
}
_ROLE_KEYS = {"title", "superior", "sees_identity", "external", "per_unit", "internal"}
_EVIDENCE_KEYS = {"title", "field"}
_ENDING_KEYS = {"id", "title"}

# What an operator picks in "Tahap" when a case waits on the reporter (kelengkapan kurang): the step's clock
# stops until the reporter answers or the operator picks the step again (workflow/pause.py). Not a step of
# any SOP: the case stays in its step.
WAITING_TITLE = "Menunggu pelapor"


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    superior: str | None = None
    sees_identity: bool = False
    external: bool = False
    per_unit: bool = False  # recipients are the case's unit's (workflow/units.py)
    internal: bool = False  # a submitter role of the agency itself (no citizen wording)


@dataclass(frozen=True)
class Evidence:
    id: str
    title: str
    field: str


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    role: str
    description: str = ""
    limit: TimeLimit | None = None
    evidence: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    next: tuple[str, ...] = ()
    assigns_unit: bool = False  # the dispatcher picks the case's unit here ("Unit Tujuan")
    # The step where the operator informs the reporter (reply text, WhatsApp link: workflow/reach.py).
    informs_reporter: bool = False


@dataclass(frozen=True)
class Ending:
    id: str
    title: str


@dataclass(frozen=True)
class Sop:
    id: str
    name: str
    agency: str
    reference: str
    intake_step: str
    first_step: str
    ticket_prefix: str
    roles: dict[str, Role]
    steps: dict[str, Step]
    endings: dict[str, Ending]
    evidence: dict[str, Evidence]
    calendar: dict[str, Any] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)
    # Expected periodic submissions (``[periodic]``, workflow/periods.py); None for a complaint flow.
    periodic: PeriodicPlan | None = None

    def state_title(self, state: str) -> str:
        """Title of a step or an ending (what the "Tahap" column shows)."""
        if state in self.steps:
            return self.steps[state].title
        return self.endings[state].title

    def is_ending(self, state: str) -> bool:
        return state in self.endings

    def choices(self) -> list[str]:
        """Every title an operator may pick in "Tahap": steps after intake and endings in SOP order, then
        ``WAITING_TITLE`` (stop the clock while the case waits on the reporter)."""
        titles = [s.title for s in self.steps.values() if s.id != self.intake_step]
        return [*titles, *(e.title for e in self.endings.values()), WAITING_TITLE]

    def superiors(self, role: str) -> list[str]:
        """The chain of superiors above ``role``, nearest first."""
        chain: list[str] = []
        current = self.roles[role].superior
        while current and current not in chain:
            chain.append(current)
            current = self.roles[current].superior
        return chain

    def intake_evidence(self) -> list[Evidence]:
        return [self.evidence[e] for e in self.steps[self.intake_step].evidence]


def _check_keys(where: str, table: dict[str, Any], allowed: set[str], path: Path) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SopError(
            f"{path}: {where} has unknown key {unknown[0]!r}; allowed keys are {', '.join(sorted(allowed))}"
        )


def _require(where: str, table: dict[str, Any], key: str, path: Path) -> Any:
    if key not in table or table[key] in ("", None):
        raise SopError(f"{path}: {where} needs a {key!r}")
    return table[key]


def load_sop(path: Path) -> Sop:
    """Read and validate an SOP file; raise ``SopError`` with one line naming the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SopError(
            f"SOP file {path} does not exist; set 'sop' in the config to an SOP .toml file"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SopError(f"SOP file {path} is not valid TOML: {exc}") from None
    _check_keys("the SOP", data, _TOP_KEYS, path)

    evidence: dict[str, Evidence] = {}
    for key, table in data.get("evidence", {}).items():
        _check_keys(f"evidence {key!r}", table, _EVIDENCE_KEYS, path)
        evidence[key] = Evidence(key, table.get("title", key), table.get("field", key))

    roles: dict[str, Role] = {}
    for key, table in data.get("roles", {}).items():
        _check_keys(f"role {key!r}", table, _ROLE_KEYS, path)
        roles[key] = Role(
            key,
            table.get("title", key),
            table.get("superior"),
            bool(table.get("sees_identity", False)),
            bool(table.get("external", False)),
            bool(table.get("per_unit", False)),
            bool(table.get("internal", False)),
        )
    for role in roles.values():
        if role.superior and role.superior not in roles:
            raise SopError(f"{path}: role {role.id!r} has superior {role.superior!r}, which is not a role")

    steps: dict[str, Step] = {}
    for index, table in enumerate(data.get("steps", []), start=1):
        where = f"step #{index}"
        _check_keys(where, table, _STEP_KEYS, path)
        step_id = _require(where, table, "id", path)
        if step_id in steps:
            raise SopError(f"{path}: step id {step_id!r} is used twice")
        try:
            limit = TimeLimit.parse(table.get("limit"))
        except LimitError as exc:
            raise SopError(f"{path}: step {step_id!r}: {exc}") from None
        steps[step_id] = Step(
            id=step_id,
            title=_require(where, table, "title", path),
            role=_require(where, table, "role", path),
            description=table.get("description", ""),
            limit=limit,
            evidence=tuple(table.get("evidence", ())),
            outputs=tuple(table.get("outputs", ())),
            next=tuple(table.get("next", ())),
            assigns_unit=bool(table.get("assigns_unit", False)),
            informs_reporter=bool(table.get("informs_reporter", False)),
        )
    endings: dict[str, Ending] = {}
    for index, table in enumerate(data.get("endings", []), start=1):
        _check_keys(f"ending #{index}", table, _ENDING_KEYS, path)
        ending_id = _require(f"ending #{index}", table, "id", path)
        endings[ending_id] = Ending(ending_id, table.get("title", ending_id))

    if not steps:
        raise SopError(f"{path}: the SOP has no [[steps]]")
    sop = Sop(
        id=data.get("id", path.stem),
        name=data.get("name", path.stem),
        agency=data.get("agency", ""),
        reference=data.get("reference", ""),
        intake_step=data.get("intake_step", next(iter(steps))),
        first_step=data.get("first_step", list(steps)[min(1, len(steps) - 1)]),
        ticket_prefix=data.get("ticket_prefix", "CAKRA"),
        roles=roles,
        steps=steps,
        endings=endings,
        evidence=evidence,
        calendar=data.get("calendar", {}),
        units=parse_units(data.get("units", {}), path),
        fields=parse_fields(data.get("fields"), path),
    )
    _validate_graph(sop, path)
    per_unit = [r.id for r in roles.values() if r.per_unit]
    validate_units(sop.units, per_unit, [s.id for s in steps.values() if s.assigns_unit], path)
    if "periodic" in data:
        plan = parse_periodic(data["periodic"], path, set(sop.roles), set(sop.endings), set(sop.fields))
        sop = replace(sop, periodic=plan)
    return sop


def _validate_graph(sop: Sop, path: Path) -> None:
    for name in ("intake_step", "first_step"):
        if getattr(sop, name) not in sop.steps:
            raise SopError(f"{path}: {name} {getattr(sop, name)!r} is not a step id")
    states = set(sop.steps) | set(sop.endings)
    overlap = set(sop.steps) & set(sop.endings)
    if overlap:
        raise SopError(
            f"{path}: {sorted(overlap)[0]!r} is both a step and an ending; give them different ids"
        )
    titles = [sop.state_title(s).casefold() for s in states]
    if WAITING_TITLE.casefold() in titles:
        raise SopError(
            f"{path}: {WAITING_TITLE!r} is reserved for pausing a case; give that step another title"
        )
    if len(titles) != len(set(titles)):
        raise SopError(
            f"{path}: two steps or endings share a title; operators pick by title, so make each unique"
        )
    for step in sop.steps.values():
        if step.role not in sop.roles:
            raise SopError(f"{path}: step {step.id!r} has role {step.role!r}; add [roles.{step.role}]")
        for target in step.next:
            if target not in states:
                raise SopError(f"{path}: step {step.id!r} lists next {target!r}, which is no step or ending")
        for item in step.evidence:
            if item not in sop.evidence:
                raise SopError(f"{path}: step {step.id!r} needs evidence {item!r}; add [evidence.{item}]")
    reachable = {sop.first_step}
    frontier = [sop.first_step]
    while frontier:
        for target in sop.steps[frontier.pop()].next:
            if target not in reachable:
                reachable.add(target)
                if target in sop.steps:
                    frontier.append(target)
    if not reachable & set(sop.endings):
        raise SopError(
            f"{path}: no ending can be reached from {sop.first_step!r}; add an ending to some 'next'"
        )
