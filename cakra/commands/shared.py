"""What the command handlers share: the wall clock, the config named by ``--config``, and the app.

``opened_app`` is the one way a command opens and closes the service's parts, and ``make_and_deliver``
the one way a "send it now" command records its messages and delivers them, so no handler repeats either.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cakra.config import Config, load_config

if TYPE_CHECKING:
    from cakra.app import App


def now_in(config: Config) -> datetime:
    """The wall clock, in the agency's timezone: the only place the service reads it."""
    return datetime.now(config.tz)


def config_from(args: argparse.Namespace) -> Config:
    """The validated config at ``--config`` (raises ``ConfigError`` with one line on any mistake); from
    then on log lines are stamped in its timezone."""
    from cakra.logtime import use_timezone

    config = load_config(Path(args.config))
    use_timezone(config.tz)
    return config


def add_wait_argument(parser: argparse.ArgumentParser) -> None:
    """``--wait SECONDS``: how long a "send it now" command waits for a running cycle."""
    from cakra.jobs import LOCK_WAIT_SECONDS

    parser.add_argument(
        "--wait",
        type=float,
        default=LOCK_WAIT_SECONDS,
        metavar="SECONDS",
        help="wait this long for a cycle that another process is running on the same ledger, then stop "
        f"with one line (default {LOCK_WAIT_SECONDS:g}; 0 = do not wait)",
    )


def make_and_deliver(args: argparse.Namespace, make: Callable[[App, datetime], str]) -> int:
    """Open the app and, holding the ledger's cycle lock (waiting up to ``--wait`` seconds for a running
    cycle, else one line and exit 2), let ``make`` record messages at the wall clock's now (it returns
    what it made, as words for the operator) and deliver the outbox; print one line.

    On a day the calendar closes, nothing is made unless ``[report] on_non_working_days``: the line says so.
    """
    from cakra.jobs import closed_day_note, locked

    with opened_app(args) as app, locked(app, args.wait):
        now = now_in(app.config)  # read once the lock is ours: what is made belongs to this moment
        note = closed_day_note(app, now)
        if note is not None:
            print(note)
            return 0
        made = make(app, now)
        delivery = app.mailer.deliver(now)
    trouble = delivery.trouble()
    print(f"{made}; {len(delivery.sent)} pesan terkirim" + (f"; {trouble}" if trouble else ""))
    return 0


@contextmanager
def opened_app(args: argparse.Namespace) -> Iterator[App]:
    """The service's parts built from ``--config``, closed when the command is done."""
    from cakra.app import build_app

    app = build_app(config_from(args))
    try:
        yield app
    finally:
        app.close()
