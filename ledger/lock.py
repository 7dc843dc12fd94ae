"""One cycle at a time per ledger: an exclusive lock file beside the ledger.

A ``poll`` started by hand while ``serve`` is mid-cycle (or two overlapping cron runs) would otherwise
read the same new responses twice. The lock is an OS-level ``flock``: released by the kernel when the
process dies, so a crash never leaves a stale lock behind.

``flock`` needs ``fcntl``, which exists on Linux and macOS, the systems Cakra supports (README,
"Supported systems"). Elsewhere this module still imports; taking the lock raises ``Unsupported``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from cakra.common.errors import CakraError

fcntl: ModuleType | None
try:
    import fcntl
except ModuleNotFoundError:  # Windows: no flock
    fcntl = None


class Busy(CakraError):
    """Another process is running a cycle on the same ledger."""


class Unsupported(CakraError):
    """This system has no ``fcntl`` (e.g. Windows), so the cycle lock cannot be taken."""


@contextmanager
def cycle_lock(ledger_path: Path) -> Iterator[None]:
    """Hold the ledger's cycle lock for the block, or raise ``Busy`` at once (never wait).

    Raises ``Unsupported`` on a system without ``fcntl``, before touching any file.
    """
    if fcntl is None:
        raise Unsupported(
            "the cycle lock needs fcntl, which this system lacks; Cakra runs on Linux and macOS only"
        )
    path = Path(f"{ledger_path}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(
                f"another Cakra cycle is running on {ledger_path}; try again when it has finished"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
