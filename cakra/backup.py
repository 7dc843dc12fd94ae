"""``cakra backup``: a consistent copy of the live ledger, dated, private, with the oldest pruned.

A file copy of a SQLite database being written can be torn (half old pages, half new, and the WAL
beside it); SQLite's online backup API copies a consistent snapshot instead, and starts over by itself
when another connection commits while it copies. The copy is a single file (rollback journal, no WAL
beside it), written under a temporary name, mode 0600 from its first byte (it holds personal data), and
renamed into place only when complete, so a crash never leaves a half backup under a backup's name.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from cakra.common.errors import CakraError

Progress = Callable[[int, int, int], object]  # sqlite3's (status, remaining, total)


def backup_ledger(
    ledger: Path,
    out_dir: Path,
    now: datetime,
    *,
    keep: int,
    pages: int = -1,
    progress: Progress | None = None,
) -> tuple[Path, list[Path]]:
    """Copy ``ledger`` to ``out_dir/<stem>-YYYYMMDD-HHMMSS.sqlite`` (``now``'s local time) and delete the
    oldest of its backups beyond ``keep``; return the new file and the deleted ones.

    ``pages``/``progress`` are passed to ``sqlite3.Connection.backup`` (pages copied per step, a callback
    after each). Raises ``CakraError`` (one line) when the ledger is missing or the folder unwritable."""
    if not ledger.is_file():
        raise CakraError(f"ledger {ledger} does not exist; check [ledger] path (nothing to back up)")
    target = out_dir / f"{ledger.stem}-{now:%Y%m%d-%H%M%S}.sqlite"
    partial = target.with_name(target.name + ".partial")
    try:
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        os.chmod(partial, 0o600)  # an existing partial file keeps its old mode through O_CREAT
        source = sqlite3.connect(ledger, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy, pages=pages, progress=progress)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise CakraError(f"backup to {out_dir} failed ({exc}); check [admin] backup_dir or --out") from None
    return target, prune(out_dir, ledger.stem, keep)


def prune(out_dir: Path, stem: str, keep: int) -> list[Path]:
    """Delete the oldest ``stem-*.sqlite`` backups in ``out_dir`` beyond the newest ``keep``."""
    backups = sorted(out_dir.glob(f"{stem}-[0-9]*-[0-9]*.sqlite"))  # dated names sort in time order
    old = backups[: max(len(backups) - keep, 0)]
    for path in old:
        path.unlink()
    return old
