"""``cakra check``: what works and what to fix, before ``serve``."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import config_from


def run(args: argparse.Namespace) -> int:
    """Print one ``ok``/``FAIL`` line per check; exit 1 when anything failed."""
    from cakra.check import run_checks

    return run_checks(config_from(args))


COMMAND = Command(
    name="check",
    summary="check config, SOP, key, spreadsheets and mail server before serve",
    description="""\
Check what serve needs, without writing to the sheets or sending anything: the config and
the SOP file, the ledger, the service-account key and each spreadsheet, the tabs and their
headers, and the mail server (connection and login). Prints 'ok' or 'FAIL' per check, each
failure with how to fix it. Exit status 0 when all is well, 1 when something failed,
2 when the config itself cannot be read.""",
    run=run,
    examples=("cakra --config /srv/cakra/config.toml check",),
)
