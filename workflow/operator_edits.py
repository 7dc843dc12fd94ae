"""Reading what operators changed on the status sheet, validating it against the SOP, applying it.

Only a change since the last cycle counts (each case remembers the operator values it last saw), so an
operator's refused choice is answered once and then left alone, with their value still in the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cakra.ledger import Ledger
from workflow.calendar import BusinessCalendar
from workflow.case import Case
from workflow.engine import check_move, move, resolve_choice
from workflow.sop import Sop
from workflow.status_sheet import COLUMNS, StatusSheet

REFUSED = "Ditolak: "
_TITLES = {c.key: c.header for c in COLUMNS}
_NOTE_KEYS = ("disposisi", "verification", "follow_up")


@dataclass
class EditOutcome:
    moved: list[Case] = field(default_factory=list)
    refused: list[Case] = field(default_factory=list)
    # Every case whose operator values changed (moved, refused or just annotated): all need saving.
    touched: list[Case] = field(default_factory=list)


def apply_operator_edits(
    cases: list[Case], sheet: StatusSheet, sop: Sop, calendar: BusinessCalendar, ledger: Ledger, now: datetime
) -> EditOutcome:
    """Apply every operator change on the sheet to ``cases`` (mutated; the caller saves them)."""
    outcome = EditOutcome()
    for case in cases:
        seen = sheet.operator_values(case.ticket)
        if seen is None:
            continue
        last = case.operator
        changed = {k: v for k, v in seen.items() if v != last.get(k, "")}
        if not changed:
            continue
        actor = seen["petugas"]
        notes = [f"{_TITLES[k]}: {changed[k]}" for k in _NOTE_KEYS if k in changed and changed[k]]
        if "step_choice" in changed:
            before = case.step
            refusal = _try_move(
                case, seen["step_choice"], sop, calendar, ledger, now, actor, "; ".join(notes)
            )
            if refusal:
                case.message = REFUSED + refusal
                outcome.refused.append(case)
            elif case.step != before:
                outcome.moved.append(case)
        elif notes or "petugas" in changed:
            ledger.record(case.ticket, now, "catatan", actor=actor, note="; ".join(notes))
        case.operator = dict(seen)
        outcome.touched.append(case)
    return outcome


def _try_move(
    case: Case,
    choice: str,
    sop: Sop,
    calendar: BusinessCalendar,
    ledger: Ledger,
    now: datetime,
    actor: str,
    note: str,
) -> str | None:
    """Move ``case`` to the operator's choice; return the refusal text instead when it is not allowed."""
    allowed = sop.steps[case.step].next if case.step in sop.steps else ()
    options = ", ".join(sop.state_title(s) for s in allowed)
    if not choice:
        return f"Kolom Tahap kosong. Pilih salah satu: {sop.state_title(case.step)}, {options}."
    target = resolve_choice(sop, choice)
    if target is None:
        return f"Tahap '{choice}' tidak dikenal. Pilihan berikutnya: {options}."
    if target == case.step:
        if case.message.startswith(REFUSED):
            case.message = f"Tahap tetap '{sop.state_title(case.step)}'."
        return None
    refusal = check_move(sop, case, target)
    if refusal:
        return refusal
    move(case, target, sop, calendar, ledger, now, actor=actor, note=note)
    missing = [sop.evidence[e].title for e in _evidence(sop, target) if e in _missing_ids(case, sop)]
    if missing:
        case.message += f" Perhatian: kelengkapan kurang ({', '.join(missing)})."
    return None


def _evidence(sop: Sop, state: str) -> tuple[str, ...]:
    return sop.steps[state].evidence if state in sop.steps else ()


def _missing_ids(case: Case, sop: Sop) -> set[str]:
    titles = set(case.report.missing_evidence)
    return {key for key, item in sop.evidence.items() if item.title in titles}
