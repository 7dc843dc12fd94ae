"""Exclusive locks beside the ledger: one for each cycle or delivery, one for the life of ``serve``.

The **cycle lock** (``<ledger>.lock``) is held by every path that records messages and delivers the
outbox — ``poll``, ``report``, ``digest``, ``weekly`` and each of ``serve``'s jobs — so two processes never
deliver the same outbox rows at once (which sent one message twice without any crash). ``poll`` takes it
at once or stops (``Busy``); the "send it now" commands and ``serve``'s scheduled jobs may wait a bounded
time for it (``wait``), since the holder is a cycle that ends within seconds.

The **serve lock** (``<ledger>.serve.lock``) is held for as long as ``serve`` runs: a second ``serve`` on
the same ledger refuses to start, naming the first one's pid.

Both are OS-level ``flock``s: released by the kernel when the process dies, so a crash never leaves a
stale lock behind. The holder writes its pid into the file (a pid left by a dead holder is harmless:
the file is only read when the ``flock`` is really held by someone).

``flock`` needs ``fcntl``, which exists on Linux and macOS, the systems Cakra supports (README,
"Supported systems"). Elsewhere this module still imports; taking a lock raises ``Unsupported``.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from cakra.common.errors import CakraError

fcntl: ModuleType | None
try:
    import fcntl
except ModuleNotFoundError:  # Windows: no flock
    fcntl = None

log = logging.getLogger(__name__)

# Between two tries while waiting for a lock (only when a caller chose to wait).
RETRY_SECONDS = 0.2


class Busy(CakraError):
    """Another process holds the lock; ``pid`` is the holder's as written in the lock file (or None)."""

    def __init__(self, message: str, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid


class Unsupported(CakraError):
    """This system has no ``fcntl`` (e.g. Windows), so the cycle lock cannot be taken."""


def lock_path(ledger_path: Path) -> Path:
    """The cycle lock's file."""
    return Path(f"{ledger_path}.lock")


def serve_lock_path(ledger_path: Path) -> Path:
    """The serve lock's file."""
    return Path(f"{ledger_path}.serve.lock")


def holder(path: Path) -> int | None:
    """The pid written in lock file ``path`` (None when missing or unreadable)."""
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _who(pid: int | None) -> str:
    return f"pid {pid}" if pid is not None else "pid unknown"


@contextmanager
def _exclusive(
    path: Path,
    busy: Callable[[int | None], str],
    *,
    wait: float = 0.0,
    pause: Callable[[float], object] = time.sleep,
) -> Iterator[None]:
    """Hold ``path``'s ``flock`` for the block, writing our pid into it; ``Busy(busy(pid))`` when another
    process holds it for longer than ``wait`` seconds (0: do not wait)."""
    if fcntl is None:
        raise Unsupported(
            "the cycle lock needs fcntl, which this system lacks; Cakra runs on Linux and macOS only"
        )
    # No O_TRUNC: opening must not wipe the pid of a holder we have not yet found out about.
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise CakraError(
            f"cannot create the lock file {path}: {exc.strerror}; check that its folder exists and is "
            "writable by the service's user"
        ) from None
    try:
        # Counted in tries, not read off a clock: ``pause`` alone decides how long the wait really lasts.
        tries_left = math.ceil(wait / RETRY_SECONDS)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pid = holder(path)
                if tries_left <= 0:
                    raise Busy(busy(pid), pid) from None
                if tries_left == math.ceil(wait / RETRY_SECONDS):  # said once, so a person knows why
                    log.info("menunggu proses lain (%s) selesai memakai %s", _who(pid), path.name)
                tries_left -= 1
                pause(RETRY_SECONDS)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def cycle_lock(
    ledger_path: Path, *, wait: float = 0.0, pause: Callable[[float], object] = time.sleep
) -> Iterator[None]:
    """Hold the ledger's cycle lock for the block (recording and delivering happen inside it).

    Raises ``Busy`` (one line naming the holder's pid) when another process holds it for more than
    ``wait`` seconds (default: do not wait), and ``Unsupported`` on a system without ``fcntl``, before
    touching any file.
    """

    def busy(pid: int | None) -> str:
        waited = f" (waited {wait:g} s)" if wait > 0 else ""
        return (
            f"another Cakra cycle is running on {ledger_path} ({_who(pid)}: a poll, serve, or a command "
            f"sending mail){waited}; try again when it has finished"
        )

    with _exclusive(lock_path(ledger_path), busy, wait=wait, pause=pause):
        yield


@contextmanager
def serve_lock(ledger_path: Path) -> Iterator[None]:
    """Hold the lock that says "``serve`` runs on this ledger" for the block; ``Busy`` at once (naming the
    running one's pid) when another ``serve`` holds it."""

    def busy(pid: int | None) -> str:
        return (
            f"cakra serve is already running on {ledger_path} ({_who(pid)}); stop it first, "
            "or give this one its own [ledger] path"
        )

    with _exclusive(serve_lock_path(ledger_path), busy):
        yield
