"""The verdict of ``cakra validate-sop`` on one SOP file: its mistakes, or a one-line summary of it."""

from __future__ import annotations

from pathlib import Path

from cakra.workflow.sop import Sop, sop_problems


def summary(sop: Sop) -> str:
    """``ok: 7 steps, 4 roles, ...``: what the file describes, to check it against the SOP on paper."""
    decisions = sum(1 for s in sop.steps.values() if s.kind == "decision")
    conditional = sum(1 for s in sop.steps.values() if s.when is not None)
    holds = len(sop.holds) - 1  # the built-in "Menunggu pelapor" is always there
    return (
        f"ok: {len(sop.steps)} steps, {len(sop.roles)} roles, {len(sop.endings)} endings, "
        f"{decisions} decisions, {conditional} conditional steps, {len(sop.fields)} fields, "
        f"{len(sop.units)} units, {holds} holds"
    )


def validate_sop(path: Path) -> tuple[list[str], bool]:
    """The lines to print for ``path`` and whether it is valid."""
    sop, problems = sop_problems(path)
    if problems or sop is None:
        return problems, False
    return [summary(sop)], True
