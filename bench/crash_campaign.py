"""Crash campaign: ``poll`` subprocesses SIGKILLed at points spread over every phase of a cycle.

Between runs, citizens send responses and operators type into the status tab (moves along the SOP and
the Petugas column); mail goes to a real SMTP server (aiosmtpd on loopback). Each run is a fresh
``poll`` process that kills itself (SIGKILL: no cleanup, no flush) at the k-th time it reaches a chosen
point:

- ``read``: the workbook was read; nothing decided yet;
- ``in-transaction``: inside a ledger transaction, before it commits;
- ``commit``: a ledger transaction just committed (the cycle's decisions, or an outbox mark);
- ``save``: the temporary copy of the workbook is written, not yet renamed over it;
- ``replace``: the workbook was just replaced, before the ledger remembered what it shows;
- ``before-send``: an outbox row is about to go; the server has not seen it;
- ``accepted``: the server accepted a message; the ledger has not marked it sent yet.

After every run the workbook must open; at the end (and every ``--check-every`` rounds) clean polls
run and the campaign checks: every response has exactly one case, every operator value typed is in the
ledger and on the sheet, every intended message arrived, and messages arrived twice only for kills at
``accepted`` (the one window no SMTP client can close: the server has the message, the process dies
before it can write that down).

    python bench/crash_campaign.py --kills 210          # the README's figures
    python bench/crash_campaign.py --kills 7 --seed 1   # one kill per phase (what ``make test`` runs)
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.site import T0, Site, response  # noqa: E402 (the repository's root is on the path first)
from tests.smtp_fixtures import SmtpServer, running_smtp_server  # noqa: E402

PHASES = ("read", "in-transaction", "commit", "save", "replace", "before-send", "accepted")
# How many times a phase is reached in one cycle, at most (k is drawn from 1..this).
REACHED = {
    "read": 1,
    "in-transaction": 3,
    "commit": 3,
    "save": 1,
    "replace": 1,
    "before-send": 4,
    "accepted": 4,
}
# The built-in SOP's steps in order, as operators pick them in the "Tahap" column.
WALK = ["2. Operator", "3. Kasubbid", "4. Kabid verifikasi", "5. Kepala Badan", "Selesai"]
STEP_IDS = {"2. Operator": "operator", "3. Kasubbid": "kasubbid", "4. Kabid verifikasi": "kabid",
            "5. Kepala Badan": "kepala_badan", "Selesai": "selesai"}  # fmt: skip

# The child: one real poll, killing itself at the k-th time it reaches ``phase``.
CHILD = """
import os, signal, sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
import openpyxl.workbook.workbook as workbook_module
from cakra.app import build_app
from cakra.config import load_config
from cakra.cycle import poll
from cakra.ledger.store import Ledger
from cakra.notify.transports.smtp import SmtpSession
from cakra.sheets.local import LocalWorkbook
import cakra.sheets.local_file as local_file

config_path, now_text, phase, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
reached = 0

def tick(name):
    global reached
    if name == phase:
        reached += 1
        if reached == k:
            os.kill(os.getpid(), signal.SIGKILL)

def after(owner, attr, name):
    real = getattr(owner, attr)
    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        tick(name)
        return result
    setattr(owner, attr, wrapped)

after(LocalWorkbook, "read", "read")
after(workbook_module.Workbook, "save", "save")
after(local_file.os, "replace", "replace")
after(SmtpSession, "send", "accepted")
real_transaction = Ledger.transaction

@contextmanager
def transaction(self):
    with real_transaction(self) as conn:
        yield conn
        tick("in-transaction")
    tick("commit")

Ledger.transaction = transaction
app = build_app(load_config(Path(config_path)))
poll(app, datetime.fromisoformat(now_text), on_before_send=lambda row: tick("before-send"))
"""


@dataclass
class Figures:
    rounds: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    responses: int = 0
    cases: int = 0
    operator_values: int = 0
    messages_intended: int = 0
    messages_arrived: int = 0
    duplicate_messages: int = 0
    lost_responses: int = 0
    duplicate_cases: int = 0
    lost_operator_values: int = 0
    invalid_workbooks: int = 0
    lost_messages: int = 0
    seconds: float = 0.0

    @property
    def total_kills(self) -> int:
        return sum(self.kills.values())

    def problems(self) -> list[str]:
        """What broke a guarantee (empty: the campaign held)."""
        out = []
        for name in ("lost_responses", "duplicate_cases", "lost_operator_values", "invalid_workbooks"):
            if getattr(self, name):
                out.append(f"{name} = {getattr(self, name)}")
        if self.lost_messages:
            out.append(f"lost_messages = {self.lost_messages}")
        if self.duplicate_messages > self.kills["accepted"]:
            out.append(
                f"{self.duplicate_messages} duplicate messages from {self.kills['accepted']} 'accepted' kills"
            )
        return out

    def report(self) -> str:
        by_phase = ", ".join(f"{phase} {self.kills[phase]}" for phase in PHASES)
        return (
            f"{self.total_kills} SIGKILLs in {self.runs} poll runs over {self.rounds} rounds ({by_phase});"
            f" {self.responses} responses -> {self.cases} cases; {self.operator_values} operator values typed;"
            f" {self.messages_intended} messages intended, {self.messages_arrived} arrived,"
            f" {self.duplicate_messages} twice (from {self.kills['accepted']} kills at 'accepted');"
            f" lost: {self.lost_responses} responses, {self.lost_operator_values} operator values,"
            f" {self.lost_messages} messages; {self.duplicate_cases} duplicate cases;"
            f" {self.invalid_workbooks} invalid workbooks; {self.seconds:.0f} s"
        )


class Campaign:
    def __init__(self, folder: Path, server: SmtpServer, seed: int) -> None:
        self.site = Site(folder)
        self.site.email = {"backend": "smtp", "host": server.host, "port": server.port, "security": "none"}
        self.server = server
        self.config = self.site.write_config()
        self.random = random.Random(seed)
        self.now = T0
        self.figures = Figures()
        self.typed: dict[str, tuple[str, str]] = {}  # ticket -> (Tahap, Petugas) last typed
        self.nik = 1404015501900000

    def _run(self, phase: str = "none", k: int = 0) -> int:
        self.now += timedelta(minutes=1)
        self.figures.runs += 1
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(self.config), self.now.isoformat(), phase, str(k)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode not in (0, -signal.SIGKILL):
            raise RuntimeError(f"poll failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.returncode

    def _citizens(self) -> None:
        for _ in range(self.random.choice((0, 0, 1, 2))):
            self.nik += 1
            self.site.submit(response((self.now - T0).total_seconds() / 60, nik=str(self.nik)))

    def _operators(self) -> None:
        rows = self.site.status()
        for row in self.random.sample(rows, min(len(rows), self.random.choice((0, 1, 2)))):
            ticket, shown = str(row["No. Tiket"]), str(row.get("Tahap Saat Ini") or "")
            at = next((i for i, title in enumerate(WALK) if shown.startswith(title)), None)
            if at is None or at + 1 >= len(WALK):
                continue  # closed, or a step this walk does not know
            move, officer = WALK[at + 1], f"Petugas {self.figures.runs}"
            self.site.edit(ticket, Tahap=move, Petugas=officer)
            self.typed[ticket] = (move, officer)
            self.figures.operator_values += 1

    def round(self) -> None:
        self._citizens()
        self._operators()
        # The phase killed least so far: the kills spread evenly over every phase.
        fewest = min(self.figures.kills[p] for p in PHASES)
        phase = self.random.choice([p for p in PHASES if self.figures.kills[p] == fewest])
        k = self.random.randint(1, REACHED[phase])
        if self._run(phase, k) == -signal.SIGKILL:
            self.figures.kills[phase] += 1
        self.figures.rounds += 1
        try:
            openpyxl.load_workbook(self.site.workbook).close()
        except Exception:  # any failure to open is what is counted
            self.figures.invalid_workbooks += 1

    def settle_and_check(self) -> None:
        """Clean polls until nothing is left to do, then count what the guarantees forbid."""
        for _ in range(3):
            self._run()
        figures, ledger = self.figures, self.site.app.ledger
        cases = ledger.cases()
        niks = Counter(case.report.nik for case in cases)
        submitted = {str(row[2]) for row in self.site.rows}
        figures.responses, figures.cases = len(submitted), len(cases)
        figures.lost_responses = len(submitted - set(niks))
        figures.duplicate_cases = sum(count - 1 for count in niks.values())
        by_ticket = {case.ticket: case for case in cases}
        sheet = {str(row["No. Tiket"]): row for row in self.site.status()}
        figures.lost_operator_values = sum(
            1
            for ticket, (move, officer) in self.typed.items()
            if by_ticket[ticket].step != STEP_IDS[move]
            or officer not in by_ticket[ticket].operator.values()
            or sheet[ticket].get("Petugas") != officer
        )
        intended = Counter(row.message_id for row in self.site.app.outbox.rows())
        arrived = Counter(m.message["Message-ID"] for m in self.server.messages)
        figures.messages_intended, figures.messages_arrived = len(intended), sum(arrived.values())
        figures.lost_messages = len(set(intended) - set(arrived))
        figures.duplicate_messages = sum(count - 1 for count in arrived.values())
        self.site.close()


def run_campaign(folder: Path, server: SmtpServer, kills: int, seed: int) -> Figures:
    """Rounds until ``kills`` SIGKILLs happened, then the checks; every phase is chosen in turn first."""
    started = time.monotonic()
    campaign = Campaign(folder, server, seed)
    campaign.site.submit(response(0, nik=str(campaign.nik)))
    campaign._run()  # the tabs exist and the first case is on the sheet
    while campaign.figures.total_kills < kills:
        campaign.round()
    campaign.settle_and_check()
    campaign.figures.seconds = time.monotonic() - started
    return campaign.figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=210)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_smtp_server("none") as server:
        figures = run_campaign(Path(tmp), server, args.kills, args.seed)
    print(figures.report())
    for problem in figures.problems():
        print("FAIL", problem)
    return 1 if figures.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
