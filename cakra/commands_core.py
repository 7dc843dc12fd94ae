"""The core sub-commands: init, poll, serve, report, check, demo, emulator."""

from __future__ import annotations

import argparse
from pathlib import Path

from cakra.commands import PARSERS, command, config_from, make_and_deliver, now_in, opened_app


def _parsers(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("init", help="create the workbook/tabs the service needs")
    sub.add_parser("poll", help="run one cycle and exit")
    sub.add_parser("serve", help="run cycles on a schedule until stopped")
    sub.add_parser("report", help="send the leadership summary now")
    sub.add_parser("check", help="check config, credentials, spreadsheets and mail server before serve")
    demo = sub.add_parser("demo", help="build and run a synthetic demo set-up")
    demo.add_argument("--out", default="demo-out", help="folder for the demo set-up (default: demo-out)")
    demo.add_argument(
        "--google-emulator", action="store_true", help="run the demo through the Google backend"
    )
    emulator = sub.add_parser("emulator", help="run the local Google Sheets API emulator")
    emulator.add_argument(
        "--port", type=int, default=8085, help="loopback port (default 8085; 0 = any free port)"
    )


PARSERS.append(_parsers)


@command("init")
def cmd_init(args: argparse.Namespace) -> int:
    """Create the status and history tabs when missing (and, on Google, format them)."""
    from cakra.setup import initialise

    with opened_app(args) as app:
        for line in initialise(app):
            print(line)
    return 0


@command("poll")
def cmd_poll(args: argparse.Namespace) -> int:
    """Run exactly one cycle."""
    from cakra.cycle import poll

    with opened_app(args) as app:
        result = poll(app, now_in(app.config))
    print(result.summary())
    return 0


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    """Poll every N seconds and run the scheduled jobs, until Ctrl-C or SIGTERM."""
    from cakra.serve import serve

    return serve(config_from(args))


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    """Send the leadership summary now."""
    from cakra.notify.report import send_summary

    return make_and_deliver(
        args,
        lambda app, now: "ringkasan " + ("dibuat" if send_summary(app, now) else "sudah dibuat sebelumnya"),
    )


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    """Say what works and what to fix: config, SOP, key, spreadsheets and tabs, mail server."""
    from cakra.check import run_checks

    return run_checks(config_from(args))


@command("demo")
def cmd_demo(args: argparse.Namespace) -> int:
    """Build a synthetic set-up in --out and run it through all five steps."""
    from cakra.demo.morning import run_demo

    return run_demo(Path(args.out), google_emulator=args.google_emulator)


@command("emulator")
def cmd_emulator(args: argparse.Namespace) -> int:
    """Serve the local Google Sheets API emulator until stopped."""
    from cakra.demo.emulator import import_emulator

    import_emulator("server").main(args.port)
    return 0
