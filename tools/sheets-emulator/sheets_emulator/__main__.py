"""``python -m emulator [--port PORT] [--host HOST] [--require-auth]``: serve until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse

from .server import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m emulator", description="Local Google Sheets API emulator"
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--require-auth", action="store_true", help="demand bearer tokens issued by /token")
    args = parser.parse_args()
    main(args.port, args.host, require_auth=args.require_auth)
