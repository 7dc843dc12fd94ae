"""``cakra backup``: a consistent, dated copy of the ledger, keeping the newest N."""

from __future__ import annotations

import argparse
from pathlib import Path

from cakra.commands.base import Command
from cakra.commands.shared import config_from, now_in


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--out`` and ``--keep`` (both default to the config's ``[admin]``)."""
    parser.add_argument("--out", metavar="DIR", help="folder for the backup (default: [admin] backup_dir)")
    parser.add_argument(
        "--keep", type=int, metavar="N", help="backups to keep there (default: [admin] backup_keep)"
    )


def run(args: argparse.Namespace) -> int:
    """Back the ledger up and print the file written (and the old ones removed)."""
    from cakra.backup import backup_ledger
    from cakra.common.errors import CakraError

    config = config_from(args)
    keep = config.admin.backup_keep if args.keep is None else args.keep
    if keep < 1:
        raise CakraError("--keep must be at least 1 (the backups kept, the new one included)")
    out = Path(args.out) if args.out else config.admin.backup_dir
    written, removed = backup_ledger(config.ledger_path, out, now_in(config), keep=keep)
    print(written)
    for path in removed:
        print(f"removed {path}")
    return 0


COMMAND = Command(
    name="backup",
    summary="copy the ledger safely while the service runs (dated file, oldest pruned)",
    description="""\
Copy the ledger (cases, history, outbox) with SQLite's online backup API, which gives a
consistent copy even while a cycle is writing (a plain file copy can be torn), to
<ledger>-YYYYMMDD-HHMMSS.sqlite in --out (default [admin] backup_dir), mode 0600. Keeps the
newest --keep backups there (default [admin] backup_keep) and deletes older ones.
Prints the file written. Suited to a daily cron job.""",
    run=run,
    add_arguments=add_arguments,
    examples=(
        "cakra --config /srv/cakra/config.toml backup",
        "cakra backup --out /var/backups/cakra --keep 30",
        "15 2 * * * cd /srv/cakra && .venv/bin/cakra backup  # crontab: every night at 02.15",
    ),
)
