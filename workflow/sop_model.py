"""The SOP as data: the records an SOP file is read into (``workflow/sop_parse.py`` reads them,
``workflow/sop_check.py`` validates them, ``workflow/sop.py`` is the entry point).

Nothing here reads a file: these are the frozen values the engine, the notices and the sheets work from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cakra.common.text import normalise_header
from cakra.workflow.calendar import TimeLimit

# What an operator picks in "Tahap" when a case waits on the reporter (kelengkapan kurang): the step's clock
# stops until the reporter answers or the operator picks the step again (workflow/pause.py). Not a step of
# any SOP: the case stays in its step.
WAITING_TITLE = "Menunggu pelapor"
# The id of that built-in hold among ``Sop.holds``.
WAITING_HOLD = "menunggu_pelapor"

# Fields every report has (``Report`` attributes, by the names ``ingest/columns.py`` gives their form
# questions), plus the intake channel and the external reference (e.g. a LAPOR! tracking number).
BUILTIN_FIELDS: dict[str, str] = {
    "name": "Nama",
    "nik": "NIK",
    "phone": "No. HP",
    "email": "Email",
    "category": "Jenis laporan",
    "kecamatan": "Kecamatan",
    "desa": "Desa",
    "description": "Uraian",
    "event_photo": "Foto kejadian",
    "ktp_photo": "Foto KTP",
    "channel": "Saluran",
    "reference": "Nomor referensi",
}
# The built-in fields whose ``Report`` attribute holds a list of links, and that attribute's name.
LIST_FIELDS = {"event_photo": "event_photos", "ktp_photo": "ktp_photos"}
FIELD_KINDS = ("text", "choice", "number", "date", "link", "email", "phone", "nik")


if TYPE_CHECKING:
    from cakra.workflow.periods import PeriodicPlan


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    superior: str | None = None
    sees_identity: bool = False
    external: bool = False
    # Recipients are those of the case's unit (config [units.<id>] emails), not one list for the role.
    per_unit: bool = False
    # A submitter role of the agency itself (staff form): internal wording, no citizen acknowledgement.
    internal: bool = False


@dataclass(frozen=True)
class Evidence:
    id: str
    title: str
    field: str


@dataclass(frozen=True)
class Field:
    """A form (or Input Manual) field beyond the built-in ones, found by its question ``headers``."""

    id: str
    title: str
    headers: tuple[str, ...] = ()
    kind: str = "text"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unit:
    """A unit (SKPD, bidang) a case can be disposed to; ``categories`` suggest it for a report's category."""

    id: str
    title: str
    aliases: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hold:
    """A state a case can wait in without leaving its step ("Menunggu pelapor", "Pending")."""

    id: str
    title: str
    stops_clock: bool = True


@dataclass(frozen=True)
class Condition:
    """``when`` of a step: the case's ``field`` must be one of ``values`` (``negate``: must not be)."""

    field: str
    values: tuple[str, ...]
    negate: bool = False

    def holds(self, value: str) -> bool:
        wanted = {normalise_header(v) for v in self.values}
        return (normalise_header(value) in wanted) != self.negate

    def describe(self, title: str) -> str:
        """The condition in words, for the history ("Saluran = LAPOR!")."""
        shown = " / ".join(self.values)
        return f"{title} {'bukan' if self.negate else '='} {shown}"


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
    # Every role working the step; the first (``role``) is the one accountable.
    roles: tuple[str, ...] = ()
    # No deadline by design (a service that runs every working day): never late, shown as ongoing.
    ongoing: bool = False
    # The dispatcher picks the unit here (column "Unit Tujuan").
    assigns_unit: bool = False
    # The step applies only when this holds for the case's report; else skipped to ``skip_to``.
    when: Condition | None = None
    skip_to: str | None = None
    # The step where the operator informs the reporter (reply text, wa.me link).
    informs_reporter: bool = False
    kind: str = "task"  # "task" | "decision"
    # Decisions: answer label -> step or ending.
    answers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.roles:  # built directly with one role (tests, older callers)
            object.__setattr__(self, "roles", (self.role,))

    @property
    def skip_target(self) -> str | None:
        """Where a case goes when this step's condition does not hold."""
        return self.skip_to or (self.next[0] if self.next else None)


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
    fields: dict[str, Field] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    holds: dict[str, Hold] = field(
        default_factory=lambda: {WAITING_HOLD: Hold(WAITING_HOLD, WAITING_TITLE, True)}
    )
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
        """Every title an operator may pick in "Tahap": steps after intake, decision answers, endings, the
        SOP's own holds, then ``WAITING_TITLE`` last (stop the clock while the case waits on the reporter)."""
        titles = [s.title for s in self.steps.values() if s.id != self.intake_step]
        answers = [label for s in self.steps.values() for label in s.answers]
        holds = [h.title for h in self.holds.values() if h.id != WAITING_HOLD]
        endings = [e.title for e in self.endings.values()]
        return list(dict.fromkeys([*titles, *answers, *endings, *holds, WAITING_TITLE]))

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

    def field_title(self, name: str) -> str:
        """A built-in or declared field's label (for history notes and flags)."""
        if name in self.fields:
            return self.fields[name].title
        return BUILTIN_FIELDS.get(name, name)

    @property
    def internal_intake(self) -> bool:
        """The intake is the agency's own staff (a submitter role not external): internal wording, and no
        acknowledgement to a citizen."""
        role = self.roles.get(self.steps[self.intake_step].role)
        return bool(role and (role.internal or not role.external))

    def step_roles_title(self, step: str) -> str:
        """Every role of ``step`` by title, the accountable one first ("Kabid / Tim Lapangan")."""
        if step not in self.steps:
            return ""
        return " / ".join(self.roles[r].title for r in self.steps[step].roles if r in self.roles)
