"""``cakra poll``: run exactly one cycle and exit."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import now_in, opened_app


def run(args: argparse.Namespace) -> int:
    """Run one cycle at the wall clock's now and print its one-line summary."""
    from cakra.health import watched_poll

    with opened_app(args) as app:
        result = watched_poll(app, now_in(app.config))
    print(result.summary())
    return 0


COMMAND = Command(
    name="poll",
    summary="run exactly one cycle and exit",
    description="""\
Run one cycle and exit 0: read the form responses and the status tab, turn new or edited
responses into cases, apply the operators' moves (each checked against the SOP), update
the status and history tabs, and deliver the emails that are due.
Suited to cron. While another poll or serve runs a cycle on the same ledger, it stops at
once with exit status 2 instead of waiting.""",
    run=run,
    examples=(
        "cakra --config /srv/cakra/config.toml poll",
        "*/2 * * * * cd /srv/cakra && .venv/bin/cakra poll  # crontab: a cycle every 2 minutes",
    ),
)
