"""``cakra digest``: each role's daily digest, now."""

from __future__ import annotations

import argparse
from datetime import datetime, time
from typing import TYPE_CHECKING

from cakra.commands.base import Command
from cakra.commands.shared import add_wait_argument, make_and_deliver

if TYPE_CHECKING:
    from cakra.app import App


def run(args: argparse.Namespace) -> int:
    """Send today's digests now (a role that already had today's gets none)."""
    from cakra.jobs import digests

    def make(app: App, now: datetime) -> str:
        at = app.config.digest.time or time(0, 0)
        return f"{digests(app, now, run_date=now.date(), at=at)} rekap harian dibuat"

    return make_and_deliver(args, make)


COMMAND = Command(
    name="digest",
    summary="send each role's daily digest now (once per day and role)",
    description="""\
Make each role's daily digest (its late cases, those due before the next digest, those
waiting on the reporter, and the rest) and deliver it now, besides the one serve sends at
[digest] time on working days. Once per day and role: a role that already had today's
digest gets none, and a role with no open cases gets nothing. Nothing on a weekend or
holiday unless [report] on_non_working_days = true. While another process runs a cycle on
the same ledger it waits (--wait, default 60 s), then stops with one line (exit 2).""",
    run=run,
    add_arguments=add_wait_argument,
    examples=("cakra --config /srv/cakra/config.toml digest",),
)
