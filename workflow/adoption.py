"""Adopting a form already in use: its older responses become the cases' history, not new work.

An agency that used its form for years before Cakra has thousands of responses it has long handled (or
long forgotten). Opening them as new cases floods every role with overdue work and the citizens with
acknowledgements for reports sent years ago. An adopted response instead becomes a case that:

- gets its ticket in form order, like any other (``open_case``), and is recognised by content ever after
  (the caller remembers its identity as for a new case);
- is **closed** at its own timestamp in the agency's chosen ending, with a history entry saying it was
  adopted (so this month's figures, the dashboard and the idle cycle never count or load it), or
- only when the agency asks for it, stays **open** in the SOP's first step with its clock starting on
  the day it is taken in (not years ago: nothing is overdue at once);
- is never announced: no acknowledgement to the reporter, no notice to a role (the caller leaves it out
  of the cycle's new cases).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from cakra.common.wording import format_time
from cakra.workflow.case import Case, Report
from cakra.workflow.context import StepContext
from cakra.workflow.engine import move, open_case
from cakra.workflow.sop import Sop
from cakra.workflow.storage import NOTE

ADOPTED_ACTOR = "Cakra (adopsi)"
CLOSED_NOTE = (
    "Tanggapan lama, diambil sebagai riwayat saat Cakra mulai dipakai ({when}); ditutup tanpa tindak lanjut"
)
OPEN_NOTE = (
    "Tanggapan lama, diambil saat Cakra mulai dipakai ({when}); batas waktu tahap dihitung sejak saat itu"
)


@dataclass(frozen=True)
class Adoption:
    """Which responses a cycle adopts, and how.

    ``before``: responses received before it are adopted (None: every response the cycle finds new —
    the ``adopt`` command); ``ending``: the SOP ending adopted cases close in, None to leave them open."""

    before: datetime | None
    ending: str | None

    def takes(self, report: Report) -> bool:
        """True when ``report`` is adopted rather than opened as a new case. A response whose timestamp
        cannot be read is adopted only by the command (it cannot be placed before a start date)."""
        if self.before is None:
            return True
        return report.received_at is not None and report.received_at < self.before


def adoption_ending(sop: Sop, wanted: str) -> str:
    """The ending adopted cases close in: ``wanted`` (an ending's id or title), or "" for the SOP's
    first ending (in the built-in SOPs "Selesai": the old report was dealt with outside Cakra; the
    history entry says how it was closed). Raises ``ValueError`` naming the choices when ``wanted`` is not an ending of the SOP."""
    if not wanted:
        return next(iter(sop.endings))
    for ending, spec in sop.endings.items():
        if wanted.strip().casefold() in (ending.casefold(), spec.title.casefold()):
            return ending
    choices = ", ".join(repr(e) for e in sop.endings)
    raise ValueError(f"{wanted!r} is not an ending of the SOP {sop.name!r}; choose one of {choices}")


def adopt_case(report: Report, ctx: StepContext, adoption: Adoption) -> Case:
    """A case for an old response, closed in ``adoption.ending`` at its timestamp (or open, its clock
    starting at ``ctx.now``), with the adoption in its history. Nothing is claimed or sent."""
    when = format_time(ctx.now, ctx.calendar.tz)
    if adoption.ending is None:
        case = open_case(report, ctx, None, clock_from=ctx.now)
        note = OPEN_NOTE.format(when=when)
        ctx.store.record(case.ticket, ctx.now, NOTE, actor=ADOPTED_ACTOR, note=note)
        case.message = note + "."
        return case
    # Placed in time where it happened: created and closed at the form's timestamp, so a month's
    # figures and the cycle's "open or this month" load never see years of history as this month's.
    at = replace(ctx, now=report.received_at or ctx.now)
    case = open_case(report, at, None)
    note = CLOSED_NOTE.format(when=when)
    move(case, adoption.ending, at.by(ADOPTED_ACTOR, note))
    case.operator["step_choice"] = ctx.sop.state_title(adoption.ending)  # the operator's baseline
    case.message = note + "."
    return case
