"""``cakra demo``: a synthetic set-up in a folder, run through all five SOP steps."""

from __future__ import annotations

import argparse
from pathlib import Path

from cakra.commands.base import Command
from cakra.common.errors import CakraError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--out``, ``--sop`` and ``--google-emulator``."""
    parser.add_argument("--out", default="demo-out", help="folder for the demo set-up (default: demo-out)")
    parser.add_argument(
        "--sop",
        default="cakra-linmas",
        help="which SOP's demo to run (default: cakra-linmas, the simulated morning); the others play "
        "a scenario file from cakra/demo/scenarios/",
    )
    parser.add_argument(
        "--google-emulator",
        action="store_true",
        help="run the demo through the Google backend against the local Sheets API emulator "
        "(needs the sheets-emulator package)",
    )


def run(args: argparse.Namespace) -> int:
    """Build a synthetic set-up in --out and run it through the SOP's steps."""
    if args.sop != "cakra-linmas":
        from cakra.demo.sop_demo import run_sop_demo

        if args.google_emulator:
            raise CakraError("--google-emulator runs the cakra-linmas morning only; drop --sop or the flag")
        return run_sop_demo(Path(args.out), args.sop)
    from cakra.demo.morning import run_demo

    return run_demo(Path(args.out), google_emulator=args.google_emulator)


COMMAND = Command(
    name="demo",
    summary="build and run a synthetic demo set-up in a folder",
    description="""\
Build a working set-up in --out (a response workbook with invented reports, config.toml)
and run a simulated morning through all five SOP steps: new cases, acknowledgements,
reminders and escalations, operators' moves, digests and the weekly summary.
It leaves the status workbook, the emails in outbox/*.eml and the ledger in the folder,
which stays usable: 'cakra --config DIR/config.toml poll' runs one more cycle on it.
All data is synthetic. It does not read --config.""",
    run=run,
    add_arguments=add_arguments,
    examples=(
        "cakra demo --out /tmp/cakra-demo",
        "cakra demo --google-emulator --out /tmp/cakra-demo-google",
        "cakra demo --sop dpmd-kapuas-hulu --out /tmp/cakra-demo-dpmd",
    ),
    uses_config=False,
)
