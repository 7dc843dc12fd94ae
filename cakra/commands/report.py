"""``cakra report``: the leadership summary, now."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import make_and_deliver


def run(args: argparse.Namespace) -> int:
    """Record the leadership summary at the wall clock's now and deliver the outbox."""
    from cakra.jobs import summary

    return make_and_deliver(
        args,
        lambda app, now: "ringkasan " + ("dibuat" if summary(app, now) else "sudah dibuat sebelumnya"),
    )


COMMAND = Command(
    name="report",
    summary="send the leadership summary now",
    description="""\
Make the leadership summary (case counts, SLA compliance, overdue cases, a chart of cases
per step) for the roles in [report] roles and deliver it now, besides the one serve sends
daily at [report] time. A second run within the same minute sends nothing new.""",
    run=run,
    examples=("cakra --config /srv/cakra/config.toml report",),
)
