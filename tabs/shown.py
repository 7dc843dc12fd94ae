"""The service values of status rows, remembered in the ledger and reused while a case is unchanged.

Every cycle compares what the service wants in its own columns with what each watched row shows (every
open case's row). Computing those values (``status.service_values``, masking every text on the way) for
10,000 open cases was most of an idle cycle's CPU time, although nearly none of them changed. So each
row's remembered values (ledger ``status_shown``) carry the *basis* they were computed on:

- the layout version (config, SOP file, ``view.FORMAT``) and the set of service columns, and
- the digest of the case they were computed from as it is stored (``Ledger.loaded_digest`` for a case
  as loaded; a case changed this cycle is digested afresh from ``to_json``, what the ledger stores).

When the case's basis now equals the remembered one, the remembered values are reused and only the
time-dependent ones (``status.timely_values``: "Terlambat") are computed afresh, so a case that became
late with time alone shows "Ya". Anything else that changes a case changes its stored form, and every
service column comes from the case, the SOP and the configuration: a column that depends on something
else must be computed in ``timely_values`` (or ``view.FORMAT`` bumped when the code's output changes).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime

from cakra.common.pii import redact_value
from cakra.ledger.store import Ledger, case_digest
from cakra.tabs.status import SERVICE_KEYS, shown_text, timely_values
from cakra.workflow.case import Case
from cakra.workflow.sop import Sop

# Memories written for another set of service columns are never reused (a column added or removed).
_POSITION = {key: index for index, key in enumerate(SERVICE_KEYS)}
_COLUMNS_TAG = hashlib.blake2b("\x1f".join(SERVICE_KEYS).encode(), digest_size=6).hexdigest()


class ServiceMemory:
    """What the ledger remembers of some status rows, and the values the service wants on them."""

    def __init__(self, ledger: Ledger, sop: Sop, version: str, tickets: Iterable[str]) -> None:
        self.ledger = ledger
        self.sop = sop
        self.prefix = f"{version}:{_COLUMNS_TAG}:"
        # Ticket -> (shown text, basis) as remembered before this cycle.
        self.stored = ledger.remembered(tickets)
        self._decoded: dict[str, list[str]] = {}
        self._unchanged: set[str] = set()  # reused rows whose timely values are as remembered too
        self._bases: dict[str, str] = {}  # ticket -> basis, of every case whose values were asked for
        self._masked: dict[str, str] = {}  # text -> ``redact_value(text)``
        self.reused = 0  # rows whose values were reused this cycle (for tests and profiling)

    def shown(self, ticket: str) -> list[str] | None:
        """The service values last written on ``ticket``'s row (in ``SERVICE_KEYS`` order), if known."""
        values = self._decoded.get(ticket)
        if values is None and ticket in self.stored:
            try:
                decoded = json.loads(self.stored[ticket][0])
            except ValueError:
                return None
            if not isinstance(decoded, list) or len(decoded) != len(SERVICE_KEYS):
                return None
            values = self._decoded[ticket] = decoded
        return values

    def basis(self, case: Case) -> str:
        """What the values of ``case``'s row are computed on now."""
        basis = self._bases.get(case.ticket)
        if basis is None:
            # A case saved since it was loaded (new, edited, moved) may hold more than the stored digest
            # says: digest what it holds now, as the ledger stores it.
            digest = Ledger.loaded_digest(case) or case_digest(case.to_json())
            basis = self._bases[case.ticket] = self.prefix + digest
        return basis

    def _reusable(self, case: Case) -> list[str] | None:
        """The remembered values of ``case``'s row when computed on the basis it has now, else None."""
        basis = self.basis(case)  # always: ``changes`` stores it beside the values
        remembered = self.stored.get(case.ticket)
        if remembered is None or remembered[1] != basis:
            return None
        return self.shown(case.ticket)

    def unchanged(self, case: Case, now: datetime) -> bool:
        """Whether the remembered values of ``case``'s row are exactly what the service wants at ``now``
        (same basis, same time-dependent values): then neither they nor the row need looking at."""
        if case.ticket in self._unchanged:
            return True
        shown = self._reusable(case)
        if shown is None:
            return False
        timely = self._timely(case, now)
        if any(shown[_POSITION[key]] != value for key, value in timely.items()):
            return False
        self._unchanged.add(case.ticket)
        return True

    def values(self, case: Case, now: datetime, compute: Callable[[Case], dict[str, str]]) -> dict[str, str]:
        """The service values ``case``'s row wants at ``now``: the remembered ones with the timely ones
        afresh when the basis is unchanged, else ``compute(case)``."""
        shown = self._reusable(case)
        if shown is None:
            return compute(case)
        self.reused += 1
        values = dict(zip(SERVICE_KEYS, shown, strict=True))
        if not self.unchanged(case, now):
            values.update(self._timely(case, now))
        return values

    def _timely(self, case: Case, now: datetime) -> dict[str, str]:
        """``timely_values``, masked as every value is (a few distinct texts: each masked once)."""
        out = {}
        for key, value in timely_values(case, self.sop, now).items():
            masked = self._masked.get(value)
            if masked is None:
                masked = self._masked[value] = redact_value(value)
            out[key] = masked
        return out

    def changes(self, remembered: dict[str, dict[str, str]]) -> dict[str, tuple[str, str]]:
        """Of ``remembered`` (ticket -> values written or confirmed this cycle), what the ledger must
        store anew: ticket -> (shown text, basis), where either differs from what it held."""
        out: dict[str, tuple[str, str]] = {}
        for ticket, values in remembered.items():
            if ticket in self._unchanged:
                continue  # exactly what the ledger holds (same basis, same text)
            entry = (shown_text(values), self._bases[ticket])
            if self.stored.get(ticket) != entry:
                out[ticket] = entry
        return out
