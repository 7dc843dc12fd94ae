"""``cakra weekly``: the weekly leadership summary, now."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import add_wait_argument, make_and_deliver


def run(args: argparse.Namespace) -> int:
    """Send this week's leadership summary now (once per week)."""
    from cakra.jobs import weekly

    return make_and_deliver(
        args,
        lambda app, now: (
            "ringkasan mingguan " + ("dibuat" if weekly(app, now) else "sudah dibuat sebelumnya")
        ),
    )


COMMAND = Command(
    name="weekly",
    summary="send the weekly leadership summary now (once per week)",
    description="""\
Make this week's leadership summary (the daily figures, plus cases per week by category,
SLA compliance and median time per step over the last [report] weekly_weeks weeks, as
charts) and deliver it now. Once per week: if serve or an earlier run already made this
week's, nothing new is sent. Nothing on a weekend or holiday unless [report]
on_non_working_days = true. While another process runs a cycle on the same ledger it waits
(--wait, default 60 s), then stops with one line (exit 2).""",
    run=run,
    add_arguments=add_wait_argument,
    examples=("cakra --config /srv/cakra/config.toml weekly",),
)
