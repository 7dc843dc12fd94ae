"""``cakra emulator``: the local Google Sheets API emulator (the optional ``sheets_emulator`` package)."""

from __future__ import annotations

import argparse

from cakra.commands.base import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--port``."""
    parser.add_argument(
        "--port", type=int, default=8085, help="loopback port (default 8085; 0 = any free port)"
    )


def run(args: argparse.Namespace) -> int:
    """Serve the local Google Sheets API emulator until stopped."""
    from cakra.demo.emulator import import_emulator

    import_emulator("server").main(args.port)
    return 0


COMMAND = Command(
    name="emulator",
    summary="run the local Google Sheets API emulator, for trying things out",
    description="""\
Serve a local emulator of the Google Sheets API v4 (with the Drive and Gmail calls Cakra
makes and the OAuth token endpoint) on 127.0.0.1 until Ctrl-C. It prints its base URL:
point [sheets] api_endpoint at it to try the Google backend without a Google account.
Needs the optional sheets-emulator package (tools/sheets-emulator in the repository).""",
    run=run,
    add_arguments=add_arguments,
    examples=("cakra emulator --port 8085",),
    uses_config=False,
)
