"""The shape of one sub-command: its name, its help for an IT person, its options and its handler.

Each module in ``cakra.commands`` defines one ``COMMAND = Command(...)``; the package's ``COMMANDS``
lists them, and ``cakra.cli`` builds the parser from that list. A handler gets the parsed arguments and
returns the exit status; it raises ``CakraError`` for a user's mistake (the CLI prints it as one line).
Handlers import what they run inside their body, so ``cakra --help`` stays fast and a command's heavy or
optional dependencies load only when that command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

Handler = Callable[[argparse.Namespace], int]
AddArguments = Callable[[argparse.ArgumentParser], None]


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """For a command that takes no options of its own."""


@dataclass(frozen=True)
class Command:
    """One sub-command.

    ``summary`` is its line in ``cakra --help``; ``description`` (pre-wrapped paragraphs) and ``examples``
    (command lines, each optionally followed by ``  # comment``) make up ``cakra NAME --help``.
    ``uses_config`` says whether it reads ``--config`` (and so accepts it after its name, too).
    """

    name: str
    summary: str
    description: str
    run: Handler
    add_arguments: AddArguments = no_arguments
    examples: tuple[str, ...] = ()
    uses_config: bool = True
