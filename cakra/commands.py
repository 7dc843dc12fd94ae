"""The sub-command registry the CLI is built from; command modules register themselves on import.

``COMMANDS`` maps a name to a handler ``(args) -> exit status``; ``PARSERS`` holds one function per
command module that adds its sub-parsers. ``opened_app`` is the one way a command opens and closes the
service's parts, so no handler repeats it.
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

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = {}
PARSERS: list[Callable[[argparse._SubParsersAction], None]] = []


def command(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        COMMANDS[name] = func
        return func

    return register


def now_in(config: Config) -> datetime:
    """The wall clock, in the agency's timezone: the only place the service reads it."""
    return datetime.now(config.tz)


def config_from(args: argparse.Namespace) -> Config:
    return load_config(Path(args.config))


def make_and_deliver(args: argparse.Namespace, make: Callable[[App, datetime], str]) -> int:
    """Open the app, let ``make`` record messages at the wall clock's now (it returns what it made, as
    words for the operator), deliver the outbox, and print one line."""
    with opened_app(args) as app:
        now = now_in(app.config)
        made = make(app, now)
        delivery = app.mailer.deliver(now)
    print(f"{made}; {len(delivery.sent)} pesan terkirim")
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
