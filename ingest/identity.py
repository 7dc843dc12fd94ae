"""Which case a form response belongs to: recognised by what it is, never by where it is.

Operators sort, filter, insert and delete rows in the form's response tab, so a row's position says
nothing about which response it holds. The ledger remembers, for each case, its response's content
fingerprint (every cell under a header), its timestamp cell and the row it was last seen in
(``Identity``). A response row read this cycle is matched in this order:

1. **Same content** (fingerprint): the same response, wherever it now is (sorted, moved, rows inserted
   or deleted above it). Nothing about the case changes; only its remembered row.
2. **Changed content** is an edit of at most one case. The candidates are the cases whose response
   was not found by content in this read and that carry the same timestamp (an answer corrected by
   hand keeps it), or else the case last seen in the same row (Google Forms restamps an edited response
   and rewrites it in place). The edit is accepted only when exactly one candidate's reporter agrees
   with the row on identity (the same NIK, email or name, ignoring case); with no candidate the row is
   a new response; otherwise (no candidate agrees, or several do) the row opens a new case flagged
   ``Perlu dicek`` naming the candidates, so no citizen's answers are ever guessed into another's case.
3. On a **full read** (every row seen), a case whose response was matched by nothing was deleted from
   the tab: the case stays as it is, and its history says so once (and again once if it comes back).

Identical rows (a row copied by hand) match one case; the copy opens a new case flagged as a copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from cakra.workflow.case import Report


class Identity(NamedTuple):
    """What the ledger remembers of a case's response (a row of its ``response_of`` table)."""

    ticket: str
    fingerprint: str
    stamp: str  # the timestamp cell as text, as last read
    row: int  # sheet row where it was last seen
    gone: bool = False  # not found on the last full read (its deletion is in the case's history)


@dataclass(frozen=True)
class SeenRow:
    """A response row read whole this cycle."""

    row: int  # sheet row
    fingerprint: str
    stamp: str


@dataclass
class Sighting:
    """Rows matched to known cases by content, and the rows left to read as reports."""

    same: dict[str, SeenRow] = field(default_factory=dict)  # ticket -> the row holding its response
    fresh: list[SeenRow] = field(default_factory=list)  # content no case has (or a copy of one)
    copies: dict[int, str] = field(default_factory=dict)  # sheet row -> ticket whose content it repeats
    unclaimed: dict[str, Identity] = field(default_factory=dict)  # cases not matched by content
    # Matched cases whose remembered row or timestamp changed (or that a full read had missed).
    moved: dict[str, Identity] = field(default_factory=dict)  # ticket -> as it is now
    returned: set[str] = field(default_factory=set)  # matched cases whose response had been gone


def sight(rows: Sequence[SeenRow], known: Iterable[Identity]) -> Sighting:
    """Step 1 of the module's rule: match rows to cases by content."""
    by_print: dict[str, list[Identity]] = {}
    for identity in known:
        by_print.setdefault(identity.fingerprint, []).append(identity)
    for identities in by_print.values():
        identities.sort(key=lambda i: i.row)  # identical rows pair up in sheet order
    sighting = Sighting()
    claimed: set[str] = set()
    for seen in rows:
        free = [i for i in by_print.get(seen.fingerprint, ()) if i.ticket not in claimed]
        if free:
            was = free[0]
            sighting.same[was.ticket] = seen
            claimed.add(was.ticket)
            now = Identity(was.ticket, seen.fingerprint, seen.stamp, seen.row)
            if now != was:
                sighting.moved[was.ticket] = now
            if was.gone:
                sighting.returned.add(was.ticket)
            continue
        if seen.fingerprint in by_print:
            sighting.copies[seen.row] = by_print[seen.fingerprint][0].ticket
        sighting.fresh.append(seen)
    sighting.unclaimed = {
        i.ticket: i for identities in by_print.values() for i in identities if i.ticket not in claimed
    }
    return sighting


def identity_agrees(before: Report, after: Report) -> bool:
    """True when the same reporter plausibly sent both: an equal non-empty NIK, email or name."""
    pairs = (
        (before.nik, after.nik),
        (before.email.lower(), after.email.lower()),
        (" ".join(before.name.split()).casefold(), " ".join(after.name.split()).casefold()),
    )
    return any(a and a == b for a, b in pairs)


@dataclass
class Candidates:
    """Step 2's candidate cases, indexed once per cycle (a partial cycle has tens of thousands of
    unclaimed cases and a handful of new rows)."""

    complete: bool  # every row was read (a full read)
    by_stamp: dict[str, list[str]] = field(default_factory=dict)
    by_row: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, unclaimed: dict[str, Identity], *, complete: bool) -> Candidates:
        """``complete``: every row was read, so an unclaimed case's response really is not where it
        was. A partial read only reads rows whose position it has checked (tabs/view.py), so there the
        candidate is the case last seen in the same row, and a timestamp shared with a case elsewhere
        (two responses in the same second) means nothing."""
        index = cls(complete)
        for ticket, identity in unclaimed.items():
            if complete and identity.stamp:
                index.by_stamp.setdefault(identity.stamp, []).append(ticket)
            index.by_row.setdefault(identity.row, []).append(ticket)
        return index

    def of_row(self, seen: SeenRow) -> list[str]:
        """The candidate tickets for a row with unknown content, in ticket order."""
        return sorted(self.by_stamp.get(seen.stamp) or self.by_row.get(seen.row, []))


def edit_of(report: Report, reports: dict[str, Report]) -> tuple[str | None, str]:
    """Step 2's decision for ``report`` among its candidates' reports (ticket -> report): the ticket it
    edits, or None with the reason to flag ("" when it is simply a new response)."""
    if not reports:
        return None, ""
    fits = [ticket for ticket, before in reports.items() if identity_agrees(before, report)]
    if len(fits) == 1:
        return fits[0], ""
    named = ", ".join(sorted(reports))
    if fits:
        return None, f"tanggapan ini bisa jadi perubahan dari beberapa kasus ({named}); dibuat kasus baru"
    return None, (
        f"tanggapan ini menggantikan tanggapan kasus {named} di baris yang sama, tetapi identitas pelapor "
        "berbeda; dibuat kasus baru"
    )
