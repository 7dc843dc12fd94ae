"""What makes a file the ledger: private to the service's user, SQLite, with Cakra's tables.

``Ledger`` calls these before it trusts a file. Each refusal is one line with the fix (a ``CakraError``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

from cakra.common.errors import CakraError

# The table every Cakra ledger has had since the first version; a database without it is someone else's.
_CAKRA_TABLES = {"history"}
_SQLITE_MAGIC = b"SQLite format 3\x00"


def create_private(path: Path, schema: str) -> None:
    """Create a new ledger at ``path``: 0600 from its first byte, its tables made before it takes the
    ledger's name (so a kill mid-creation leaves no empty file that the next start would refuse)."""
    building = path.with_name(f".{path.name}.creating-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        building.unlink()
    os.close(os.open(building, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        conn = sqlite3.connect(building)
        try:
            conn.executescript(schema)
            conn.commit()
        finally:
            conn.close()
        os.chmod(building, 0o600)
        try:
            os.link(building, path)  # never over a ledger another process has just created
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links
            if not path.exists():
                os.replace(building, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            building.unlink()


def refuse_when_shared(path: Path) -> None:
    """Raise when other users may read the ledger or its ``-wal``/``-shm`` (they hold every full NIK)."""
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = file.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CakraError(
                f"the ledger file {file} can be read by other users (it holds every NIK); fix it with:"
                f" chmod 600 {path}*"
            )


def refuse_unless_ledger(conn: sqlite3.Connection, path: Path) -> None:
    """Raise unless ``path`` is a SQLite database with Cakra's tables."""
    with open(path, "rb") as handle:
        head = handle.read(len(_SQLITE_MAGIC))
    if not head:
        raise CakraError(
            f"the ledger {path} is an empty file, not a Cakra ledger; restore it from backup (or, if the"
            " service never ran, delete it): it is never taken as a new ledger, which would open every case again"
        )
    if head != _SQLITE_MAGIC:
        raise CakraError(
            f"{path} is not a SQLite database, so not a Cakra ledger; check [ledger] path or restore the ledger"
            " from backup"
        )
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not _CAKRA_TABLES <= tables:
        raise CakraError(
            f"{path} is a SQLite database without Cakra's tables, not a Cakra ledger; check [ledger] path"
        )
