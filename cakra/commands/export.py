"""``cakra export --month YYYY-MM``: a month's cases and history as evidence files, NIK masked."""

from __future__ import annotations

import argparse
from pathlib import Path

from cakra.commands.base import Command
from cakra.commands.shared import now_in, opened_app


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--month`` (required) and ``--out``."""
    parser.add_argument("--month", required=True, help="the month, YYYY-MM (e.g. 2026-11)")
    parser.add_argument("--out", default=".", help="folder for the files (default: the current folder)")


def run(args: argparse.Namespace) -> int:
    """Write the month's evidence files and print their paths."""
    from cakra.export import export_month, parse_month

    parse_month(args.month)  # a wrong month is one line before anything is opened
    with opened_app(args) as app:
        paths = export_month(app, args.month, Path(args.out), now=now_in(app.config))
    for path in paths:
        print(path)
    return 0


COMMAND = Command(
    name="export",
    summary="write a month's cases and history (.xlsx + CSV, NIK masked)",
    description="""\
Write the cases received in one month (local time), each with its whole history, as
evidence for accountability (e.g. the Indeks Inovasi Daerah evaluation):
cakra-YYYY-MM.xlsx (tabs Kasus, Riwayat, Kepatuhan) and one CSV per table, in --out.
The files are meant to leave the agency: the NIK is masked, name, phone and email are
left out, and a confidential (Rahasia) report's description is withheld.
Prints the paths it wrote.""",
    run=run,
    add_arguments=add_arguments,
    examples=("cakra --config /srv/cakra/config.toml export --month 2026-11 --out /srv/cakra/bukti",),
)
