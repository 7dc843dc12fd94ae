"""Steps that apply only when a condition on the case's report holds (``when`` in the SOP).

A case about to enter a step whose condition does not hold goes to the step's ``skip_to`` (default: its
first ``next``) instead, and on from there while the next step's condition fails too. Each step passed
over is a SKIPPED entry in the history, saying which condition failed, so nobody wonders why a case never
visited it.
"""

from __future__ import annotations

from datetime import datetime

from cakra.workflow.case import Report
from cakra.workflow.sop import Sop
from cakra.workflow.sop_model import LIST_FIELDS
from cakra.workflow.storage import SKIPPED, CaseStore


def field_value(report: Report, name: str) -> str:
    """The report's answer for a built-in or declared field, as text ("" when none)."""
    if name in report.fields:
        return report.fields[name]
    if name in LIST_FIELDS:
        return ", ".join(getattr(report, LIST_FIELDS[name]))
    value = getattr(report, name, "")
    return value if isinstance(value, str) else ""


def landing(sop: Sop, report: Report, target: str) -> tuple[str, list[tuple[str, str]]]:
    """Where a case bound for ``target`` really lands, and each step skipped on the way with the reason.

    A loop of steps none of which applies is cut where it would repeat (the case stays at that step)."""
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    while target in sop.steps and target not in seen:
        seen.add(target)
        step = sop.steps[target]
        if step.when is None or step.when.holds(field_value(report, step.when.field)):
            break
        onward = step.skip_target
        if onward is None:
            break
        condition = step.when.describe(sop.field_title(step.when.field))
        skipped.append((target, f"Tahap '{step.title}' dilewati: syarat {condition} tidak terpenuhi"))
        target = onward
    return target, skipped


def record_skips(
    store: CaseStore, ticket: str, at: datetime, skipped: list[tuple[str, str]], actor: str = ""
) -> None:
    """One SKIPPED history entry per step passed over (from the skipped step to where the case went on)."""
    for step, note in skipped:
        store.record(ticket, at, SKIPPED, from_step=step, actor=actor, note=note)
