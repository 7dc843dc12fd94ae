"""The command line, ``cakra`` (or ``python run.py``): the parser, logging, and errors as exit codes.

The parser is built from ``cakra.commands.COMMANDS``. ``--config`` and ``-v`` are accepted before or
after the command's name. A user's mistake (``CakraError``, or a wrong option) is one line on stderr and
exit status 2 — never a traceback; ``--help`` and ``--version`` print and exit 0.
"""

from __future__ import annotations

import argparse
import errno
import logging
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import NoReturn

from cakra.commands import COMMANDS, Command
from cakra.common.errors import CakraError
from cakra.common.pii import RedactingFilter
from cakra.ledger.store import ledger_failure
from cakra.logtime import AgencyTimeFormatter

PROG = "cakra"
DEFAULT_CONFIG = "config.toml"

DESCRIPTION = """\
Cakra turns the reports citizens send through a Google Form into cases handled step by
step along the agency's SOP, in a spreadsheet the operators already use, with email to
each role."""

EPILOG = f"""\
--config and -v may come before or after the command; these two are the same:
  {PROG} --config /srv/cakra/config.toml poll
  {PROG} poll --config /srv/cakra/config.toml
Run '{PROG} COMMAND --help' for what one command does.
Exit status: 0 done; 2 a mistake in the arguments, the config, the SOP or a sheet (one
line on stderr saying what to fix); 1 'check' found problems; 130 interrupted."""


# Failures of the machine, not of Cakra, that the operator of the server fixes: what to do about each.
_FIXABLE = {
    errno.ENOSPC: "free disk space and run again (nothing was lost: the ledger keeps what is pending)",
    errno.EDQUOT: "raise the user's disk quota or free space, then run again",
    errno.EROFS: "the file system is read-only; remount it writable or move the folder, then run again",
    errno.EACCES: "give the service's user write access to it, then run again",
    errno.EPERM: "give the service's user write access to it, then run again",
    errno.EFBIG: "the file size limit (ulimit -f) was reached; raise it and run again",
}


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage mistakes are one line on stderr (exit 2), like ``CakraError``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: {message} (see '{self.prog} --help')\n")


def installed_version() -> str:
    """Cakra's version from the installed distribution's metadata, or ``unknown`` when not installed."""
    try:
        return metadata.version("cakra")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _add_common_options(parser: argparse.ArgumentParser, *, config: bool, top: bool) -> None:
    """``--config`` (when ``config``) and ``-v``. Below the top level they default to ``SUPPRESS``:
    argparse copies a sub-parser's defaults over the top level's values, so only a value actually given
    after the command may replace one given before it."""
    if config:
        parser.add_argument(
            "--config",
            metavar="PATH",
            default=DEFAULT_CONFIG if top else argparse.SUPPRESS,
            help=f"the TOML config (default: {DEFAULT_CONFIG} in the current folder)",
        )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="log debug detail on stderr",
    )


def _add_command(sub: argparse._SubParsersAction, command: Command) -> None:
    examples = "\n".join(f"  {line}" for line in command.examples)
    parser = sub.add_parser(
        command.name,
        help=command.summary,
        description=command.description,
        epilog=f"example{'s' if len(command.examples) > 1 else ''}:\n{examples}" if examples else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_arguments(parser)
    _add_common_options(parser, config=command.uses_config, top=False)
    parser.set_defaults(run=command.run)


class _TopHelp(argparse.RawDescriptionHelpFormatter):
    """The command list with room for the longest name ("validate-sop") on its summary's line."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=28)

    def add_arguments(self, actions: Iterable[argparse.Action]) -> None:
        super().add_arguments(actions)
        # argparse measures a sub-command's name without its indent; 4 + len("validate-sop") + 2.
        self._action_max_length = max(self._action_max_length, 18)


def build_parser() -> Parser:
    """The whole command line: the top-level options and one sub-parser per registered command."""
    parser = Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_TopHelp,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {installed_version()}")
    _add_common_options(parser, config=True, top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        _add_command(sub, command)
    return parser


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is logged, not the one when logging was set up:
    a replaced stderr (a test runner's capture, a supervisor's redirect) never leaves the handler
    writing into a closed file."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def setup_logging(verbose: bool) -> None:
    """Log lines on stderr, each passed through the NIK-redacting filter, stamped in the agency's
    timezone once the config is loaded (``cakra.logtime``)."""
    handler = _CurrentStderr()
    handler.setFormatter(AgencyTimeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("matplotlib", "urllib3", "googleapiclient", "google", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv`` names (default: ``sys.argv[1:]``) and return its exit status.

    Usage mistakes, ``--help`` and ``--version`` end in ``SystemExit`` (2, 0, 0) from the parser.
    """
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        return args.run(args)
    except CakraError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:  # outside a transaction (a read of a damaged ledger)
        print(f"{PROG}: {ledger_failure(None, exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno not in _FIXABLE:
            raise
        print(f"{PROG}: {exc.filename or 'a file'}: {exc.strerror}; {_FIXABLE[exc.errno]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
