"""``cakra adopt``: take the form's existing responses in as history (day one on a form in use)."""

from __future__ import annotations

import argparse
import sys

from cakra.commands.base import Command
from cakra.commands.shared import now_in, opened_app


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--before DATE`` and ``--open``."""
    parser.add_argument(
        "--before",
        metavar="YYYY-MM-DD",
        help="adopt only responses received before this local day; later ones become new cases as usual "
        "(default: every response already in the tab)",
    )
    parser.add_argument(
        "--open",
        action="store_true",
        default=None,
        help="leave the adopted cases open in the SOP's first step, their clock starting now "
        "(default: [intake] adopt_open, normally false: closed as history)",
    )


def run(args: argparse.Namespace) -> int:
    """Adopt, drawing a progress bar on a terminal, and print one summary line."""
    from cakra.adopt import ProgressBar, adopt, parse_before

    with opened_app(args) as app:
        before = parse_before(args.before, app)
        result = adopt(
            app, now_in(app.config), before=before, keep_open=args.open, progress=ProgressBar(sys.stderr)
        )
    print(result.summary())
    return 0


COMMAND = Command(
    name="adopt",
    summary="take the form's existing responses in as history (first day on a form in use)",
    description="""\
For a form that was in use before Cakra: every response already in the tab (or, with
--before, every one received before that day) becomes a case with its ticket in form
order, closed as history in [intake] adopt_ending (default: the SOP's first ending),
or left open with --open. Nobody is told: no acknowledgement to the reporter, no
email to any role. Later cycles recognise these responses by their content and never
open them again; running adopt twice changes nothing. Run it once, after `check`
and before the first `serve`. A progress bar is drawn on a terminal; the last line
is the summary.""",
    run=run,
    add_arguments=add_arguments,
    examples=(
        "cakra --config /srv/cakra/config.toml adopt",
        "cakra --config /srv/cakra/config.toml adopt --before 2026-12-01  # older ones only",
        "cakra --config /srv/cakra/config.toml adopt --open  # keep them open, clock from today",
    ),
)
