#!/usr/bin/env python3
"""Cakra's command line: ``python run.py [--config PATH] init | poll | serve | report | demo | ...``."""

import sys

from cakra.cli import main

if __name__ == "__main__":
    sys.exit(main())
