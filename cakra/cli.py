"""The command line. Only the command modules read the wall clock; this module turns errors into exit codes.

A user's mistake (``CakraError``) is one line on stderr and exit status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import cakra.commands_core
import cakra.commands_time  # noqa: F401  (registers export, digest, weekly)
from cakra.commands import COMMANDS, PARSERS
from cakra.common.errors import CakraError
from cakra.common.pii import RedactingFilter


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Cakra: laporan masyarakat -> kasus sesuai SOP"
    )
    parser.add_argument(
        "--config", default="config.toml", help="path of the TOML config (default: config.toml)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in PARSERS:
        add(sub)
    return parser


def setup_logging(verbose: bool) -> None:
    """Log lines on stderr, each passed through the NIK-redacting filter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("matplotlib", "urllib3", "googleapiclient", "google", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        return COMMANDS[args.command](args)
    except CakraError as exc:
        print(f"cakra: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
