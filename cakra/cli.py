"""The command line. Only this module reads the wall clock and turns errors into exit codes.

A user's mistake (``CakraError``) is one line on stderr and exit status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from cakra.config import Config, load_config
from cakra.errors import CakraError
from cakra.pii import RedactingFilter

log = logging.getLogger("cakra")
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(
    name: str,
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    def register(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = func
        return func

    return register


def now_in(config: Config) -> datetime:
    return datetime.now(config.tz)


def config_from(args: argparse.Namespace) -> Config:
    return load_config(Path(args.config))


@command("init")
def cmd_init(args: argparse.Namespace) -> int:
    """Create the workbook (local backend) and the status and history tabs when missing."""
    from cakra.app import build_app
    from cakra.setup import initialise

    app = build_app(config_from(args))
    try:
        for line in initialise(app):
            print(line)
    finally:
        app.close()
    return 0


@command("poll")
def cmd_poll(args: argparse.Namespace) -> int:
    """Run exactly one cycle."""
    from cakra.app import build_app
    from cakra.cycle import poll

    config = config_from(args)
    app = build_app(config)
    try:
        result = poll(app, now_in(config))
    finally:
        app.close()
    print(result.summary())
    return 0


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    """Poll every N seconds and send the daily summary, until Ctrl-C or SIGTERM."""
    from cakra.serve import serve

    return serve(config_from(args))


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    """Send the leadership summary now."""
    from cakra.app import build_app
    from notify.report import send_summary

    config = config_from(args)
    app = build_app(config)
    try:
        message_id = send_summary(app, now_in(config))
        delivery = app.outbox.deliver(app.transport, now_in(config))
    finally:
        app.close()
    print(
        f"ringkasan {'dibuat' if message_id else 'sudah dibuat sebelumnya'}; {len(delivery.sent)} pesan terkirim"
    )
    return 0


@command("demo")
def cmd_demo(args: argparse.Namespace) -> int:
    """Build a synthetic set-up in --out and run it through all five steps."""
    from cakra.demo import run_demo

    return run_demo(Path(args.out), google_emulator=args.google_emulator)


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    """Say what works and what to fix: config, SOP, key, spreadsheets and tabs, mail server."""
    from cakra.check import run_checks

    return run_checks(config_from(args))


@command("emulator")
def cmd_emulator(args: argparse.Namespace) -> int:
    """Serve the local Google Sheets API emulator until stopped."""
    from emulator.server import main as serve_emulator

    serve_emulator(args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Cakra: laporan masyarakat -> kasus sesuai SOP"
    )
    parser.add_argument(
        "--config", default="config.toml", help="path of the TOML config (default: config.toml)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("init", help="create the workbook/tabs the service needs")
    sub.add_parser("poll", help="run one cycle and exit")
    sub.add_parser("serve", help="run cycles on a schedule until stopped")
    sub.add_parser("report", help="send the leadership summary now")
    demo = sub.add_parser("demo", help="build and run a synthetic demo set-up")
    demo.add_argument("--out", default="demo-out", help="folder for the demo set-up (default: demo-out)")
    demo.add_argument(
        "--google-emulator", action="store_true", help="run the demo through the Google backend"
    )
    sub.add_parser("check", help="check config, credentials, spreadsheets and mail server before serve")
    emulator = sub.add_parser("emulator", help="run the local Google Sheets API emulator")
    emulator.add_argument(
        "--port", type=int, default=8085, help="loopback port (default 8085; 0 = any free port)"
    )
    for extra in EXTRA_PARSERS:
        extra(sub)
    return parser


# Later features register their sub-commands here (name -> parser hook), keeping this module small.
EXTRA_PARSERS: list[Callable[[argparse._SubParsersAction], None]] = []


def setup_logging(verbose: bool) -> None:
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


import cakra.commands_time  # noqa: E402,F401  (registers export, digest, weekly)
