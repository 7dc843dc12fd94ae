"""``cakra status``: is the service running well? Read from the ledger only; nothing is contacted."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import now_in, opened_app


def run(args: argparse.Namespace) -> int:
    """Print the health report; exit 1 when something needs IT's attention, 0 otherwise."""
    from cakra.health import health_report, status_lines

    with opened_app(args) as app:
        now = now_in(app.config)
        healthy, lines = status_lines(health_report(app, now), now, app.config)
    for line in lines:
        print(line)
    return 0 if healthy else 1


COMMAND = Command(
    name="status",
    summary="how the service is doing: last good cycle, failures, undelivered mail, next runs",
    description="""\
Print, from the ledger alone (no sheet or mail server is contacted): the last good cycle
and its age, the failed cycles in a row since then with the last error, the messages
waiting in the outbox (and those the mail server refused for good) with the last
delivery error, and the next scheduled summary, digest and weekly summary.
Exit status 1 when a cycle failed last, no cycle ever succeeded, or a message has waited
longer than [admin] undelivered_after: usable as a monitoring check.""",
    run=run,
    examples=("cakra --config /srv/cakra/config.toml status",),
)
