"""A cycle's response rows -> which are new cases, which edit a case, which moved, which are gone.

The rule is ``cakra.ingest.identity``'s; this module applies it with the ledger: it loads what each case's
response looked like when last seen, reads only rows no case holds, and afterwards remembers where every
response now is. Call ``sort_responses`` before the cycle's transaction and ``settle`` inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from cakra.ingest.columns import ColumnAliases
from cakra.ingest.identity import Candidates, Identity, Sighting, edit_of, sight
from cakra.ingest.questions import FormQuestions
from cakra.ingest.responses import read_reports, scan_rows
from cakra.ledger.store import Ledger
from cakra.sheets.base import Tab
from cakra.workflow.case import Case, Report
from cakra.workflow.sop import Sop
from cakra.workflow.storage import NOTE

GONE_NOTE = "Tanggapan formulir kasus ini tidak ada lagi di tab jawaban (dihapus?); kasus tetap berjalan"
BACK_NOTE = "Tanggapan formulir kasus ini ada lagi di tab jawaban"
MANUAL_GONE_NOTE = (
    "Baris Input Manual kasus ini tidak ada lagi (dihapus, atau Uraian dikosongkan?); kasus tetap berjalan"
)
MANUAL_BACK_NOTE = "Baris Input Manual kasus ini ada lagi"
NOTES = {"form": (GONE_NOTE, BACK_NOTE), "manual": (MANUAL_GONE_NOTE, MANUAL_BACK_NOTE)}


@dataclass
class Sorted:
    """What the rows read this cycle turned out to be."""

    new: list[Report] = field(default_factory=list)
    edits: list[tuple[str, Report]] = field(default_factory=list)  # (ticket, its edited report)
    sighting: Sighting = field(default_factory=Sighting)
    complete: bool = False  # every row was read: unmatched cases' responses are gone
    candidates: set[str] = field(default_factory=set)  # tickets whose case the cycle must load


def sort_responses(
    tab: Tab,
    rows: list[int],
    timestamp_col: int,
    ledger: Ledger,
    columns: ColumnAliases,
    sop: Sop,
    *,
    complete: bool,
    load: Callable[[set[str]], dict[str, Case]],
    tz: ZoneInfo,
    now: datetime,
    questions: FormQuestions | None = None,
    earliest: datetime | None = None,
    reread: set[str] = frozenset(),  # type: ignore[assignment]
    source: str = "form",
    tickets_on_rows: dict[int, str] | None = None,
) -> Sorted:
    """Match ``rows`` (0-based indices into ``tab.rows``, read whole) to known cases and read the rest.

    ``load(tickets)`` returns the cases with those tickets (the candidates of step 2 of the rule).
    ``reread``: tickets whose response is read again even when its content is unchanged (it was read
    while a form question was lost, and the question is back): each found is an edit of its own case.
    ``source``: "form" or "manual" (the Input Manual tab: its own identities, keys and wording).
    ``tickets_on_rows``: sheet row -> the ticket the service wrote on it (the Input Manual tab's "No.
    Tiket"): a changed row carrying the ticket of a case not found by content is an edit of that case,
    whoever it names (the admin, not a citizen, is editing it).
    ``now``, ``questions`` and ``earliest`` are ``read_reports``'."""
    seen = scan_rows(tab, timestamp_col, rows)
    # A full read matches against every case (and finds the gone ones); a partial one needs only the
    # cases its rows can be: the same content, or last seen in the same row.
    known = (
        ledger.identities(source=source)
        if complete
        else ledger.identities([s.fingerprint for s in seen], [s.row for s in seen], source=source)
    )
    sighting = sight(seen, (Identity(*identity) for identity in known))
    out = Sorted(sighting=sighting, complete=complete)
    again = [(ticket, sighting.same[ticket]) for ticket in sorted(reread) if ticket in sighting.same]
    reports = read_reports(
        tab,
        columns,
        sop,
        tz,
        [*sighting.fresh, *(seen for _, seen in again)],
        now=now,
        questions=questions,
        earliest=earliest,
        manual=source == "manual",
    )
    out.edits += [
        (ticket, report) for (ticket, _), report in zip(again, reports[len(sighting.fresh) :], strict=True)
    ]
    reports = reports[: len(sighting.fresh)]
    index = Candidates.of(sighting.unclaimed, complete=complete) if sighting.fresh else None
    options = {s.row: index.of_row(s) for s in sighting.fresh if index is not None}
    marked = {row: ticket for row, ticket in (tickets_on_rows or {}).items() if ticket in sighting.unclaimed}
    out.candidates = {ticket for tickets in options.values() for ticket in tickets} | set(marked.values())
    cases = load(out.candidates)
    taken: set[str] = set()
    for row_seen, report in zip(sighting.fresh, reports, strict=True):
        ticket = marked.get(row_seen.row)
        if ticket is not None and ticket not in taken and ticket in cases:
            taken.add(ticket)
            out.edits.append((ticket, report))
            continue
        copied = sighting.copies.get(row_seen.row)
        if copied:
            report.problems.append(f"baris {row_seen.row} sama persis dengan tanggapan kasus {copied}")
            out.new.append(report)
            continue
        before = {t: cases[t].report for t in options[row_seen.row] if t not in taken and t in cases}
        ticket, reason = edit_of(report, before)
        if ticket is not None:
            taken.add(ticket)
            out.edits.append((ticket, report))
            continue
        if reason:
            report.problems.append(reason)
        out.new.append(report)
    return out


def settle(
    ledger: Ledger, result: Sorted, opened: dict[int, str], now: datetime, *, source: str = "form"
) -> None:
    """Remember where each response now is (inside the cycle's transaction); on a full read, note in
    their history (once) the cases whose response is gone, and those whose response came back.

    ``opened``: sheet row -> ticket of each case opened this cycle from ``source`` ("form"/"manual")."""
    gone_note, back_note = NOTES[source]
    by_row = {s.row: s for s in [*result.sighting.fresh, *result.sighting.same.values()]}
    remembered = list(result.sighting.moved.values())
    for ticket in sorted(result.sighting.returned):
        ledger.record(ticket, now, NOTE, note=back_note)
    for ticket, report in result.edits:
        seen = by_row[report.response_row]
        remembered.append(Identity(ticket, seen.fingerprint, seen.stamp, seen.row))
    for row, ticket in opened.items():
        seen = by_row[row]
        remembered.append(Identity(ticket, seen.fingerprint, seen.stamp, seen.row))
    if result.complete:
        edited = {ticket for ticket, _ in result.edits}
        for ticket, identity in result.sighting.unclaimed.items():
            if ticket in edited or identity.gone:
                continue
            ledger.record(ticket, now, NOTE, note=gone_note)
            remembered.append(identity._replace(gone=True))
    ledger.save_identities(remembered, source=source)
