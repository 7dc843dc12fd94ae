"""``cakra report``: the leadership summary, now."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import add_wait_argument, make_and_deliver


def run(args: argparse.Namespace) -> int:
    """Record today's leadership summary (once per day) and deliver the outbox."""
    from cakra.jobs import summary

    return make_and_deliver(
        args,
        lambda app, now: "ringkasan " + ("dibuat" if summary(app, now) else "sudah dibuat sebelumnya"),
    )


COMMAND = Command(
    name="report",
    summary="send the leadership summary now",
    description="""\
Make today's leadership summary (case counts, SLA compliance, overdue cases, a chart of
cases per step) for the roles in [report] roles and deliver it now. Once per day: it is the
same summary serve sends at [serve] report_time, so whichever comes first sends it and
the other sends nothing new. Nothing on a weekend or holiday unless [report]
on_non_working_days = true. While another process runs a cycle on the same ledger it waits
(--wait, default 60 s), then stops with one line (exit 2).""",
    run=run,
    add_arguments=add_wait_argument,
    examples=("cakra --config /srv/cakra/config.toml report",),
)
