"""The case record: what the citizen reported (``Report``) plus where it stands in the SOP (``Case``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any


@dataclass
class Report:
    """One form response, normalised. ``problems`` are flagged on the case, never a reason to drop it."""

    response_key: str
    response_row: int
    fingerprint: str
    received_at: datetime
    name: str = ""
    nik: str = ""
    phone: str = ""
    email: str = ""
    category: str = ""
    kecamatan: str = ""
    desa: str = ""
    description: str = ""
    event_photos: list[str] = field(default_factory=list)
    ktp_photos: list[str] = field(default_factory=list)
    missing_evidence: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # "Rahasia" / "Anonim" as the citizen chose them on the form (workflow/privacy.py).
    privacy: list[str] = field(default_factory=list)
    # Form questions (field -> title) the service relied on that the tab lacked when this was read:
    # those answers are unknown, not empty (taken once the question is back, ingest/questions.py).
    lost_questions: dict[str, str] = field(default_factory=dict)
    # The SOP's declared fields ([fields.<id>]): field id -> the answer as text ("" when not given).
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def kelengkapan(self) -> str:
        missing = "Kurang: " + ", ".join(self.missing_evidence) if self.missing_evidence else ""
        if self.lost_questions:
            titles = ", ".join(f"'{title}'" for title in self.lost_questions.values())
            unknown = f"Perlu dicek: pertanyaan formulir {titles} tidak ditemukan"
            return f"{unknown}; {missing}" if missing else unknown
        return missing or "Lengkap"

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.desa, self.kecamatan) if part)

    @property
    def nik_valid(self) -> bool:
        return bool(self.nik) and not any(p.startswith("NIK") for p in self.problems)


@dataclass
class Case:
    """A report moving through the SOP. Deadlines are data: stored when the case enters a step."""

    ticket: str
    seq: int
    report: Report
    step: str
    step_entered_at: datetime
    deadline: datetime | None
    created_at: datetime
    closed_at: datetime | None = None
    duplicate_of: str | None = None
    # Operator-owned status-sheet values as last seen, to tell an operator's change from no change.
    operator: dict[str, str] = field(default_factory=dict)
    # The service's last message on the case (the "Pesan Sistem" column).
    message: str = ""
    # Privacy flags in force ("Rahasia", "Anonim"): the citizen's (never removed) plus the operator's.
    privacy: list[str] = field(default_factory=list)
    # The flags the citizen ever chose on the form; kept even if a later edit of the response drops one.
    citizen_privacy: list[str] = field(default_factory=list)
    # Roles whose step the case has been in: with "Rahasia" only they see its content.
    handlers: list[str] = field(default_factory=list)
    # Waiting on the reporter (kelengkapan kurang): the clock of the current step is stopped since then.
    paused_since: datetime | None = None
    # What was missing when the clock stopped; an edited response that supplies it restarts the clock.
    waiting_for: list[str] = field(default_factory=list)
    # Time the current step's clock stood still so far, in the step limit's kind of time (seconds).
    step_paused_seconds: float = 0.0
    # The unit (SOP ``[units.<id>]``) the case is disposed to; "" when none (workflow/disposition.py).
    unit: str = ""
    # The operator values last seen on the unit's own screen (cakra/unit_screens.py): the unit screen's
    # baseline, kept apart from ``operator`` (the main sheet's) so the two screens never fight.
    unit_operator: dict[str, str] = field(default_factory=dict)
    # The service's answer shown on the unit screen only (a refusal of the unit's edit); "" = ``message``.
    unit_message: str = ""
    # What operators wrote in the note columns while the case is in its current step (workflow/handover.py):
    # each {label, text, actor, at (ISO)}; emptied when the case moves.
    step_notes: list[dict] = field(default_factory=list)
    # What the step last left produced, for the next role: {from_step, from_title, outputs, notes, actor,
    # at (ISO), returned, reason}; None before the case first moves.
    handover: dict | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def is_overdue(self, now: datetime) -> bool:
        """Past its deadline and still open; never while the clock stands still (waiting on the reporter)."""
        return self.is_open and not self.is_paused and self.deadline is not None and now >= self.deadline

    @property
    def operator_signature(self) -> str:
        return operator_signature(self.operator.items())

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=_encode, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Case:
        """Inverse of ``to_json``; fields added in later versions take their defaults for older rows."""
        data = json.loads(text)
        report_data = data.pop("report")
        # Every cycle loads every case, so this is a hot path: field names are looked up once (below),
        # and only the datetime fields are converted.
        report = Report(**{k: v for k, v in report_data.items() if k in _REPORT_FIELDS})
        report.received_at = _decode(report.received_at)
        case = cls(report=report, **{k: v for k, v in data.items() if k in _CASE_FIELDS})
        for name in _CASE_DATETIMES:
            setattr(case, name, _decode(getattr(case, name)))
        return case


def operator_signature(values: Iterable[tuple[str, str]]) -> str:
    """Operator values as one comparable text; an empty value counts as no value (an empty cell).

    The ledger keeps each case's signature beside it, so a cycle finds the rows an operator changed by
    comparing texts, without loading every case. (\x1e and \x1f cannot be typed into a cell.)
    """
    return "\x1f".join(sorted(f"{key}\x1e{value}" for key, value in values if value))


_REPORT_FIELDS = frozenset(f.name for f in fields(Report))
_CASE_FIELDS = frozenset(f.name for f in fields(Case)) - {"report"}
_CASE_DATETIMES = ("step_entered_at", "deadline", "created_at", "closed_at", "paused_since")


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def _decode(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
