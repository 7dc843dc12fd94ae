"""What every transition of a case needs besides the case: the SOP, the calendar, the store, the moment,
and who acts (with their note)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.sop import Sop
from cakra.workflow.storage import CaseStore


@dataclass(frozen=True)
class StepContext:
    """The context of one change to a case: ``actor`` is the Petugas ("" for the service or the
    reporter), ``note`` what they wrote with it."""

    sop: Sop
    calendar: BusinessCalendar
    store: CaseStore
    now: datetime
    actor: str = ""
    note: str = ""

    def by(self, actor: str, note: str = "") -> StepContext:
        """The same moment, acted by ``actor`` with ``note``."""
        return replace(self, actor=actor, note=note)
