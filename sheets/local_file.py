"""Replacing a workbook that people also open: optimistic, lock-aware, keeping mode and owner.

- ``FileStamp``: size, ``mtime_ns`` and a SHA-256 of the bytes, taken from the same open file, so it
  says exactly which version a cycle parsed. Two stamps are equal only for the same bytes.
- ``replace_if_unchanged``: the new content goes to a temporary copy beside the workbook, named
  ``.cakra-sedang-menyimpan-<pid>-<name>.tmp`` (private, 0600, while it exists); just before the rename
  the workbook is stamped again and the rename happens only if it is still the expected version. What
  remains is the window between that check and ``os.replace`` (microseconds: no I/O but the rename);
  an office program saving in exactly that window is the one case still lost (README).
- ``office_lock``: LibreOffice's ``.~lock.<name>#`` or Excel's ``~$<name>`` beside the workbook.
- ``remove_leftovers``: temporary copies of processes that are gone (killed mid-save), removed at start.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cakra.common.errors import SheetError

_TEMP_PREFIX = ".cakra-sedang-menyimpan-"
# Older versions saved through mkstemp(prefix=".cakra-", suffix=".xlsx"): 8 random characters.
_LEGACY_TEMP = re.compile(r"^\.cakra-[a-z0-9_]{8}\.xlsx$")


@dataclass(frozen=True)
class FileStamp:
    """Which version of a file: equal stamps mean the same bytes."""

    size: int
    mtime_ns: int
    sha256: str


def stamp_of(fd: int, data: bytes) -> FileStamp:
    """The stamp of ``data``, just read whole from the open file ``fd``."""
    info = os.fstat(fd)
    return FileStamp(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def current_stamp(path: Path) -> FileStamp | None:
    """The stamp of the file at ``path`` now (None: there is none)."""
    try:
        with open(path, "rb") as handle:
            return stamp_of(handle.fileno(), handle.read())
    except FileNotFoundError:
        return None


def temp_path(path: Path, pid: int | None = None) -> Path:
    """Where a save of ``path`` by process ``pid`` (default: this one) is written before the rename."""
    return path.with_name(f"{_TEMP_PREFIX}{pid or os.getpid()}-{path.name}.tmp")


def office_lock(path: Path) -> Path | None:
    """The lock file an office program keeps beside ``path`` while it has it open, if any.

    Excel names it ``~$`` + the name, or, for long names, ``~$`` over the name's first two characters."""
    for name in (f".~lock.{path.name}#", f"~${path.name}", f"~${path.name[2:]}"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def remove_leftovers(path: Path) -> list[Path]:
    """Delete temporary copies of ``path`` left by processes that no longer run; return them.

    A copy whose process still runs is that process's save in progress, and is left alone."""
    removed: list[Path] = []
    if not path.parent.is_dir():
        return removed
    suffix = f"-{path.name}.tmp"
    for entry in path.parent.iterdir():
        name = entry.name
        if name.startswith(_TEMP_PREFIX) and name.endswith(suffix):
            pid = name[len(_TEMP_PREFIX) : -len(suffix)]
            if pid.isdecimal() and pid.isascii() and _alive(int(pid)):
                continue
        elif not _LEGACY_TEMP.match(name):
            continue
        try:
            entry.unlink()
            removed.append(entry)
        except FileNotFoundError:
            pass
    return removed


def replace_if_unchanged(
    path: Path, expected: FileStamp | None, save: Callable[[str], None]
) -> FileStamp | None:
    """Write the new content with ``save(temporary path)`` and rename it over ``path`` if ``path`` is
    still ``expected`` (None: it must not exist yet). Returns the stamp of the new file, or None when
    the file changed meanwhile (nothing replaced). The file keeps its mode and, where permitted, its owner;
    a new file is private (0600). Raises ``SheetError`` with the fix when the folder is not writable."""
    tmp = temp_path(path)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise SheetError(
                f"cannot save the workbook in {path.parent} ({exc.strerror}): the service's user must be"
                " able to create files in that folder"
            ) from None
        os.fchmod(fd, 0o600)  # mode 0o600 above is masked by umask only towards more private
        os.close(fd)
        try:
            save(str(tmp))
        except OSError as exc:
            raise SheetError(
                f"cannot save the workbook {path} ({exc.strerror}); free disk space and run again"
            ) from None
        if current_stamp(path) != expected:
            return None
        try:
            before = os.stat(path)
        except FileNotFoundError:
            before = None
        with open(tmp, "rb") as handle:
            data = handle.read()
        os.replace(tmp, path)
        if before is not None:
            _keep_mode_and_owner(path, before)
        return FileStamp(len(data), os.stat(path).st_mtime_ns, hashlib.sha256(data).hexdigest())
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _keep_mode_and_owner(path: Path, before: os.stat_result) -> None:
    os.chmod(path, before.st_mode & 0o7777)
    if (before.st_uid, before.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(path, before.st_uid, before.st_gid)
        except PermissionError:
            pass  # only root may give a file away; the mode is kept either way


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
