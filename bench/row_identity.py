"""Randomized proof: operators' structural actions never mix cases or lose a move (issue 9, item 2).

Per backend (the local workbook; Google Sheets through the emulator), ``--rounds`` rounds on one site.
Each round: officers type on a few status rows (and move one open case on), maybe a new response
arrives, then one random structural action runs (sort / insert / delete / filter rows or insert a
column on the status tab; sort or delete rows on the response tab), at a random timing: before the
cycle's read, or between its read and its write. Then cycles run until quiet and everything is checked:
each case keeps the reporter it was opened with, every status row shows its own case, every ticket is on
one row, and the moves in the ledger's history are exactly the ones typed (case and officer).

    .venv/bin/python bench/row_identity.py --rounds 40 --seed 7
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheets_emulator.server import SheetsEmulator  # noqa: E402

from cakra.workflow.storage import MOVED  # noqa: E402
from tests.google_site import GoogleSite  # noqa: E402
from tests.site import T0, Site, response  # noqa: E402
from tests.test_response_identity import delete_response, reorder  # noqa: E402
from tests.test_status_addressing import (  # noqa: E402
    ACTIONS,
    assert_every_row_is_its_own_case,
    between_read_and_write,
)


def reporter(i: int) -> dict[str, object]:
    return {"name": f"Warga {i:03d}", "nik": f"14040155019{i:05d}", "email_address": f"w{i}@contoh.example"}


def run(site: Site, rounds: int, rng: random.Random) -> dict[str, int]:
    figures = dict.fromkeys(("rounds", "actions", "between", "moves", "mixed", "lost_or_wrong_moves"), 0)
    born: dict[str, str] = {}  # ticket -> reporter name when opened
    typed: list[tuple[str, str]] = []  # (ticket, officer) of each move an officer typed and the cycle read
    minute, serial = 0, 0
    verbose = True

    def cycles(count: int) -> None:
        nonlocal minute
        for _ in range(count):
            minute += 1
            site.poll(T0 + timedelta(minutes=minute))

    site.submit(*(response(i, **reporter(i)) for i in range(8)))
    serial = 8
    cycles(2)
    for number in range(rounds):
        figures["rounds"] += 1
        for case in site.app.ledger.cases():
            born.setdefault(case.ticket, case.report.name)
        open_cases = [c for c in site.app.ledger.cases() if c.is_open and c.step == "operator"]
        pending: list[tuple[str, str]] = []
        if open_cases:
            case = rng.choice(open_cases)
            officer = f"Op. {number:03d}"
            site.edit(case.ticket, Tahap="3. Kasubbid", Petugas=officer)
            pending.append((case.ticket, officer))
        if rng.random() < 0.5:
            site.submit(response(minute, **reporter(serial)))
            serial += 1
        tab_choice = rng.random()
        last = "responses"
        timing = rng.choice(["before_read", "between_read_and_write"])
        figures["actions"] += 1
        if tab_choice < 0.25:  # the response tab, between cycles (the form's tab is never written)
            if rng.random() < 0.5 and len(site.rows) > 2:
                delete_response(site, rng.randrange(len(site.rows)))
            else:
                order = list(range(len(site.rows)))
                rng.shuffle(order)
                reorder(site, order)
        else:
            action = rng.choice(ACTIONS)
            last = action.__name__
            if timing == "before_read":
                if action.__name__ == "delete_row":
                    rows = site.status()  # sheet row 3 is the one deleted
                    lost = str(rows[1].get("No. Tiket") or "") if len(rows) > 1 else ""
                    pending = [(t, o) for t, o in pending if t != lost]  # typed on the row deleted unread
                action(site)
            else:
                figures["between"] += 1
                between_read_and_write(site, action)
        typed += pending
        figures["moves"] += len(pending)
        cycles(4)
        cases = {c.ticket: c for c in site.app.ledger.cases()}
        figures["mixed"] += sum(1 for t, name in born.items() if cases[t].report.name != name)
        try:
            assert_every_row_is_its_own_case(site)
        except AssertionError:
            figures["mixed"] += 1
        moves = [(h.ticket, h.actor) for h in site.app.ledger.history() if h.kind == MOVED]
        figures["lost_or_wrong_moves"] = len(set(moves) ^ set(typed)) + abs(len(moves) - len(typed))
        if figures["lost_or_wrong_moves"] and verbose:
            print(
                number,
                timing,
                tab_choice,
                last,
                "typed-only",
                set(typed) - set(moves),
                "history-only",
                set(moves) - set(typed),
                file=sys.stderr,
            )
            verbose = False
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        local = Site(Path(folder))
        print("local  ", run(local, args.rounds, random.Random(args.seed)))
        local.close()
    with tempfile.TemporaryDirectory() as folder, SheetsEmulator(require_auth=True) as emulator:
        google: Any = GoogleSite(Path(folder), emulator)
        print("google ", run(google, args.rounds, random.Random(args.seed)))
        google.close()


if __name__ == "__main__":
    main()
