"""``cakra validate-sop FILE``: every mistake in an SOP file, one line each with its line number."""

from __future__ import annotations

import argparse
from pathlib import Path

from cakra.commands.base import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the SOP .toml file to check")


def run(args: argparse.Namespace) -> int:
    """Print each mistake (``file.toml:42: ...``) and exit 2, or one ``ok:`` line and exit 0."""
    from cakra.workflow.sop_report import validate_sop

    lines, ok = validate_sop(args.file)
    for line in lines:
        print(line)
    return 0 if ok else 2


COMMAND = Command(
    name="validate-sop",
    summary="check an SOP file and list every mistake with its line",
    description="""\
Read an SOP .toml file as the service would and print every mistake, one per line, each
with its line number: an unknown key, role or field, a 'next' or answer that is no step or
ending, a step no case can reach or one with no way to an ending, two steps sharing a
number or a title, a time limit that is not understood, a list where one value is expected.
Exit status 0 and one 'ok:' line when the file is valid, 2 when it is not. 'cakra check'
runs the same checks on the configured SOP.""",
    run=run,
    add_arguments=add_arguments,
    examples=(
        "cakra validate-sop workflow/sops/sipendekar.toml",
        "python run.py validate-sop my-agency-sop.toml",
    ),
    uses_config=False,
)
