"""``cakra serve``: the long-running service."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import config_from


def run(args: argparse.Namespace) -> int:
    """Poll every N seconds and run the scheduled jobs, until Ctrl-C or SIGTERM."""
    from cakra.serve import serve

    return serve(config_from(args))


COMMAND = Command(
    name="serve",
    summary="run cycles and the scheduled summaries until stopped",
    description="""\
Run the service until stopped: a cycle every [serve] poll_seconds, plus the daily
leadership summary, each role's daily digest and the weekly summary at their configured
times. What is due is kept in the ledger, so a restart forgets nothing and a job missed
while the service was down runs once on start-up. A failing cycle is logged and the loop
goes on. Ctrl-C or SIGTERM stops it cleanly between jobs (exit status 0).
Run 'cakra check' first.""",
    run=run,
    examples=("cakra --config /srv/cakra/config.toml serve  # e.g. as a systemd service's ExecStart",),
)
