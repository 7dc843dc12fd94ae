"""What the domain needs of storage, and the history it keeps.

The workflow decides; it does not know where its decisions are kept. ``CaseStore`` is the small
interface it writes through (the SQLite ledger in ``cakra.ledger`` implements it): record a history
entry, claim a notice once, look up a NIK's cases, and the ticket sequence; ``CaseArchive`` adds reading
every case and its history, for the summaries. Everything that reads
history (SLA figures, the Riwayat tab, the export) reads ``HistoryEntry`` records.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cakra.workflow.calendar import BusinessCalendar
from cakra.workflow.case import Case
from cakra.workflow.sop import Sop

# History kinds: the words in Riwayat's "Kejadian" column, and what the SLA and export look for.
CREATED = "dibuat"
MOVED = "pindah tahap"
EDITED_BY_REPORTER = "diubah pelapor"
NOTE = "catatan"
# Answers taken from the form once a question the service could not find is back (ingest/questions.py).
FORM_DATA = "data formulir"
PRIVACY_CHANGED = "kerahasiaan"
PAUSED = "menunggu pelapor"
RESUMED = "dilanjutkan"
# A case disposed (or disposed again) to a unit (workflow/disposition.py).
DISPOSED = "disposisi"


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a case's audit trail (append-only)."""

    id: int
    ticket: str
    at: datetime
    kind: str
    from_step: str | None
    to_step: str | None
    actor: str
    note: str
    sheet_row: int | None
    # The deadline this entry set (entering a step, or resuming after a pause); None when it set none.
    deadline: datetime | None = None


class CaseStore(Protocol):
    """The storage the domain writes through; every call joins the caller's open transaction."""

    def record(
        self,
        ticket: str,
        at: datetime,
        kind: str,
        *,
        from_step: str | None = None,
        to_step: str | None = None,
        actor: str = "",
        note: str = "",
        deadline: datetime | None = None,
    ) -> None:
        """Append a history entry for ``ticket``."""
        ...

    def claim(self, key: str, now: datetime) -> bool:
        """True the first time ``key`` is claimed, False ever after (a notice is sent once)."""
        ...

    def cases_by_nik(self, nik: str) -> list[Case]:
        """Every case reported under ``nik``, oldest first."""
        ...

    def seq_taken(self, seq: int) -> bool:
        """Whether a case already has ticket sequence ``seq``."""
        ...

    def max_seq(self) -> int:
        """The highest ticket sequence in use (0 when there is none)."""
        ...


class CaseArchive(CaseStore, Protocol):
    """The store read whole, for summaries and digests (which also claim their runs through it)."""

    def transaction(self) -> AbstractContextManager[Any]:
        """One atomic unit: committed when the block ends, rolled back if it raises."""
        ...

    def cases(self, *, open_only: bool = False) -> list[Case]:
        """Every case (or every open one) in ticket order."""
        ...

    def history(self, ticket: str | None = None) -> list[HistoryEntry]:
        """The history of ``ticket``, or of every case, oldest first."""
        ...


@dataclass(frozen=True)
class CaseBook:
    """What summaries and digests read: the SOP the cases follow, its calendar, and the archive."""

    sop: Sop
    calendar: BusinessCalendar
    archive: CaseArchive
