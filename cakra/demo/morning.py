"""``run.py demo``: a working set-up in a folder, driven through all five SOP steps with synthetic data.

It writes a response workbook and ``config.toml``, runs cycles on a simulated clock, and plays the
operators by editing the status sheet the way a person would (the "Tahap" and "Petugas" cells), so the
folder ends up with emails in ``outbox/``, the status workbook and the history — and stays usable:
``python run.py --config DIR/config.toml poll`` works on it.

The morning shows the time features too: reporters get an acknowledgement and, when their case ends, the
operators' "Balasan untuk Pelapor"; cases left alone get a reminder at 80 % of their time and escalate up
the chain; one case waits on its reporter for a KTP photo (the clock stops) until the reporter edits the
response; at the end the roles' daily digests and the weekly leadership summary go out. The morning
itself (script, cycles, printout) is ``cakra.demo.scenario``; this module is its local-workbook world.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl

from cakra.app import build_app
from cakra.common.text import normalise_header
from cakra.config import load_config
from cakra.demo import scenario
from cakra.demo.data import RESPONSE_HEADERS
from cakra.demo.google import run_google_demo


def write_responses(path: Path, rows: list[list[object]], tab: str = scenario.RESPONSES_TAB) -> None:
    """A workbook holding the form's response tab, as Google Forms would fill it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = tab
    sheet.append(RESPONSE_HEADERS)
    workbook.save(path)
    append_responses(path, rows, tab)


def append_responses(path: Path, rows: list[list[object]], tab: str = scenario.RESPONSES_TAB) -> None:
    """Make the response tab hold ``rows`` (appending the ones not there yet), as the form does."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[tab]
    for row in rows[sheet.max_row - 1 :]:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # what a citizen typed is text, even "=HYPERLINK(...)"
    workbook.save(path)


def edit_response(path: Path, index: int, row: list[object], tab: str = scenario.RESPONSES_TAB) -> None:
    """The reporter edits their response: the form rewrites that same row (``index`` 0 = sheet row 2)."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[tab]
    for col, value in enumerate(row, start=1):
        sheet.cell(row=index + 2, column=col).value = value
    workbook.save(path)


def edit_status(path: Path, ticket: str, values: dict[str, str], tab: str = scenario.STATUS_TAB) -> None:
    """Type ``values`` (header -> text) into a case's row, as an operator would in the sheet."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[tab]
    headers = {normalise_header(c.value): c.column for c in sheet[1] if c.value}
    ticket_col = headers[normalise_header("No. Tiket")]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=ticket_col).value == ticket:
            for header, value in values.items():
                sheet.cell(row=row, column=headers[normalise_header(header)]).value = value
            break
    else:
        raise KeyError(ticket)
    workbook.save(path)


@dataclass
class LocalWorld:
    """The embedded default: the form's tab and the status tab live in one .xlsx workbook."""

    workbook: Path

    def append_responses(self, rows: list[list[object]]) -> None:
        append_responses(self.workbook, rows)

    def edit_response(self, index: int, row: list[object]) -> None:
        edit_response(self.workbook, index, row)

    def edit_status(self, ticket: str, values: dict[str, str]) -> None:
        edit_status(self.workbook, ticket, values)


def prepare(out: Path) -> Path:
    """Write the demo folder's config and response workbook; return the config path."""
    scenario.fresh_folder(
        out, "cakra-demo.xlsx", "cakra-demo.sqlite", "cakra-demo.sqlite-wal", "cakra-demo.sqlite-shm"
    )
    (out / "config.toml").write_text(scenario.DEMO_CONFIG, encoding="utf-8")
    write_responses(out / "cakra-demo.xlsx", [])
    return out / "config.toml"


def run_demo(out: Path, *, google_emulator: bool = False) -> int:
    """Build the demo in ``out`` and run a simulated morning; print where to look.

    With ``google_emulator`` the morning runs through the Google backend against the local emulator
    (``cakra.demo.google``; ``CakraError`` when the emulator is not installed).
    """
    if google_emulator:
        return run_google_demo(out)
    config_path = prepare(out)
    config = load_config(config_path)
    workbook = config.sheets.workbook
    app = build_app(config)
    try:
        scenario.simulate_morning(app, LocalWorld(workbook))
    finally:
        app.close()
    print()
    print(f"Demo siap di {out}/")
    print(f"  lembar status + riwayat : {workbook}  (tab 'Status Kasus', 'Riwayat', 'Ringkasan')")
    scenario.print_emails(out)
    print(f"  buku besar (audit)      : {config.ledger_path}")
    print(f"  satu siklus lagi        : cakra --config {config_path} poll")
    return 0
