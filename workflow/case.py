"""The case record: what the citizen reported (``Report``) plus where it stands in the SOP (``Case``)."""

from __future__ import annotations

import json
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

    @property
    def kelengkapan(self) -> str:
        if not self.missing_evidence:
            return "Lengkap"
        return "Kurang: " + ", ".join(self.missing_evidence)

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

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.deadline is not None and now >= self.deadline

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=_encode, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Case:
        data = json.loads(text)
        report_data = data.pop("report")
        report = Report(**{f.name: _decode(f.name, report_data[f.name]) for f in fields(Report)})
        return cls(report=report, **{k: _decode(k, v) for k, v in data.items()})


_DATETIME_FIELDS = {"received_at", "step_entered_at", "deadline", "created_at", "closed_at"}


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def _decode(name: str, value: Any) -> Any:
    if name in _DATETIME_FIELDS and value is not None:
        return datetime.fromisoformat(value)
    return value
