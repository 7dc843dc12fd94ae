"""``python -m sheets_emulator [--port PORT] [--host HOST] [--require-auth]``: serve until SIGINT/SIGTERM.

The ``sheets-emulator`` console script runs the same ``run``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .server import main


def run(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and serve, printing the base URL first (``server.main``)."""
    parser = argparse.ArgumentParser(
        prog="python -m sheets_emulator", description="Local Google Sheets API emulator"
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--require-auth", action="store_true", help="demand bearer tokens issued by /token")
    args = parser.parse_args(argv)
    main(args.port, args.host, require_auth=args.require_auth)


if __name__ == "__main__":
    run()
