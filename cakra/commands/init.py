"""``cakra init``: make the sheet side ready for the service (safe to run twice)."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import opened_app


def run(args: argparse.Namespace) -> int:
    """Create the status and history tabs when missing (and, on Google, format them); print what was done."""
    from cakra.setup import initialise

    with opened_app(args) as app:
        for line in initialise(app):
            print(line)
    return 0


COMMAND = Command(
    name="init",
    summary="create the status and history tabs (safe to run twice)",
    description="""\
Create the 'Status Kasus' and 'Riwayat' tabs that the service writes, when they are
missing, in the workbook or spreadsheet the config names. On the Google backend it also
adds a dropdown of the SOP's steps on 'Tahap', warning-only protection on the service's
columns, red overdue rows, a frozen header row and column widths.
Safe to run twice: what exists already is left as it is.""",
    run=run,
    examples=("cakra --config /srv/cakra/config.toml init",),
)
