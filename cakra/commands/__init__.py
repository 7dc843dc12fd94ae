"""Cakra's sub-commands, one module each, and the one registry the CLI is built from.

``COMMANDS`` lists every command in the order ``cakra --help`` shows them. Adding one: write
``cakra/commands/NAME.py`` with ``COMMAND = Command(...)`` (see ``base``) and add it below. Nothing
registers itself on import; importing this package loads only the small command modules, not what
their handlers run.
"""

from __future__ import annotations

from cakra.commands import (
    adopt,
    backup,
    check,
    demo,
    digest,
    emulator,
    export,
    init,
    poll,
    recap,
    report,
    serve,
    status,
    validate_sop,
    weekly,
)
from cakra.commands.base import Command

COMMANDS: tuple[Command, ...] = (
    init.COMMAND,
    adopt.COMMAND,
    poll.COMMAND,
    serve.COMMAND,
    report.COMMAND,
    check.COMMAND,
    validate_sop.COMMAND,
    status.COMMAND,
    backup.COMMAND,
    export.COMMAND,
    digest.COMMAND,
    weekly.COMMAND,
    recap.COMMAND,
    demo.COMMAND,
    emulator.COMMAND,
)

__all__ = ["COMMANDS", "Command"]
