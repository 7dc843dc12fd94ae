"""Sub-commands of the time features (registered in ``cakra.commands`` when imported by the CLI).

- ``run.py export --month 2026-11 [--out DIR]``: the month's cases and history (.xlsx + CSV), NIK masked;
- ``run.py digest``: each role's digest now (once per working day and role);
- ``run.py weekly``: the weekly leadership summary now (once per week).
"""

from __future__ import annotations

import argparse
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from cakra.commands import PARSERS, command, make_and_deliver, opened_app

if TYPE_CHECKING:
    from cakra.app import App


def _parsers(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="write a month's cases and history (.xlsx + CSV, NIK masked)")
    export.add_argument("--month", required=True, help="the month, YYYY-MM (e.g. 2026-11)")
    export.add_argument("--out", default=".", help="folder for the files (default: the current folder)")
    sub.add_parser("digest", help="send each role's daily digest now")
    sub.add_parser("weekly", help="send the weekly leadership summary now")


PARSERS.append(_parsers)


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    """Write the month's evidence files and print their paths."""
    from cakra.export import export_month, parse_month

    parse_month(args.month)  # a wrong month is one line before anything is opened
    with opened_app(args) as app:
        paths = export_month(app, args.month, Path(args.out))
    for path in paths:
        print(path)
    return 0


@command("digest")
def cmd_digest(args: argparse.Namespace) -> int:
    """Send today's digests now (a role that already had today's gets none)."""
    from cakra.notify.digest import send_digests

    def make(app: App, now: datetime) -> str:
        at = app.config.digest.time or time(0, 0)
        return f"{send_digests(app, now, run_date=now.date(), at=at)} rekap harian dibuat"

    return make_and_deliver(args, make)


@command("weekly")
def cmd_weekly(args: argparse.Namespace) -> int:
    """Send this week's leadership summary now (once per week)."""
    from cakra.notify.report import send_weekly

    return make_and_deliver(
        args,
        lambda app, now: (
            "ringkasan mingguan " + ("dibuat" if send_weekly(app, now) else "sudah dibuat sebelumnya")
        ),
    )
