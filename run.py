#!/usr/bin/env python3
"""Cakra's command line from a checkout: ``python run.py COMMAND [--config PATH]``, the same as ``cakra``."""

import sys

from cakra.cli import main

if __name__ == "__main__":
    sys.exit(main())
