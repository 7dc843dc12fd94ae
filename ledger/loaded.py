"""Open cases kept decoded between cycles: an idle cycle decodes only the cases whose stored text changed.

Every partial cycle loads every open case (and every case closed this month) to plan alerts, compare
status rows and count the dashboard. JSON-decoding 10,000 of them was half of an idle cycle's CPU time,
although nearly none had changed. So the ledger keeps the objects of the last such load beside the exact
text each was decoded from, and the next load hands out the same object again when its stored text is
still that text (a string comparison), decoding only the others.

Handing out the same object is safe only if it still equals what its text decodes to. That holds because:

- a case saved since its load is never reused (``forget``: ``Ledger.save_case`` calls it), so an object
  changed, saved and changed again is decoded afresh, whatever its stored text says;
- any other change is made by code that saves the case in the same transaction (the cycle's rule: "a
  cycle never changes a loaded case without saving it"), and a transaction that is rolled back, or a
  cycle that fails, forgets every kept object (``clear``), since its changes were not kept;
- a case changed by another process (a CLI command) has another stored text, so it is decoded afresh.

The rule in the second point is checked, not trusted: with ``verify`` on (the test suite turns it on for
every test, ``tests/conftest.py``) each reused object is compared with a fresh decode of its text, and a
difference raises naming the case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cakra.workflow.case import Case


class ReuseBroken(AssertionError):
    """A kept case differs from its stored text: some code changed a loaded case without saving it."""


class LoadedCases:
    """The cases of the last load, by ticket, each with the stored text it was decoded from."""

    # On in tests: every reuse is checked against a fresh decode (see the module doc).
    verify = False

    def __init__(self) -> None:
        self._kept: dict[str, tuple[str, Case]] = {}

    def take(self, rows: Iterable[tuple[str, str]], decode: Callable[[str], Case]) -> list[Case]:
        """The cases of ``rows`` ((ticket, stored text), in the order wanted): the kept object where the
        text is unchanged, else ``decode(text)``. Keeps exactly these cases for the next call."""
        kept, fresh = self._kept, {}
        cases = []
        for ticket, data in rows:
            found = kept.get(ticket)
            if found is not None and found[0] == data:
                case = found[1]
                if self.verify and case != Case.from_json(data):
                    self._kept = {}
                    raise ReuseBroken(f"case {ticket} was changed after loading but not saved")
            else:
                case = decode(data)
            fresh[ticket] = (data, case)
            cases.append(case)
        self._kept = fresh  # only this load's cases: a case closed before the month drops out
        return cases

    def forget(self, ticket: str) -> None:
        """Never hand out ``ticket``'s kept object again (it was saved: it may hold more than its text)."""
        self._kept.pop(ticket, None)

    def clear(self) -> None:
        """Keep nothing (a rolled-back transaction or a failed cycle may have changed kept objects; a full
        read must not hold 10,000 cases beside its 50,000)."""
        self._kept = {}

    def __len__(self) -> int:
        return len(self._kept)
