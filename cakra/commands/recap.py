"""``cakra recap``: the monthly recap of periodic reports for the Camat, now."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command
from cakra.commands.shared import add_wait_argument, make_and_deliver


def run(args: argparse.Namespace) -> int:
    """Send this month's recap of the desa's periodic reports now (once per month)."""
    from cakra.periodic_jobs import recap

    return make_and_deliver(
        args,
        lambda app, now: "rekap laporan desa " + ("dibuat" if recap(app, now) else "sudah dibuat sebelumnya"),
    )


COMMAND = Command(
    name="recap",
    summary="send the monthly recap of periodic reports (per desa) now (once per month)",
    description="""\
For an SOP with a [periodic] plan (e.g. sinar-linmas-juai): make this month's recap for
[periodic] recap_roles (reports per desa and period, on-time share, members present over
time as a chart, the desa that reported least first) and deliver it now. Once per month:
if serve or an earlier run already made this month's, nothing new is sent. While another
process runs a cycle on the same ledger it waits (--wait, default 60 s), then stops with
one line (exit 2).""",
    run=run,
    add_arguments=add_wait_argument,
    examples=("cakra --config /srv/cakra/config.toml recap",),
)
