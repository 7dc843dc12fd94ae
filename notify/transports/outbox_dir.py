"""The embedded default transport: every message becomes one ``.eml`` file in a folder.

Contract:
- File name: ``<Date as UTC YYYYMMDDTHHMMSSZ>_<sanitised Message-ID>.eml``. The prefix sorts a listing
  by the message's own Date header, so it is the same on every attempt; idempotence is keyed on the
  Message-ID part alone: if a file ``<any prefix>_<sanitised id>.eml`` exists the send is a no-op.
  Messages are written with "\n" line ends (what mail clients and Python's parser read back cleanly).
- Files appear atomically (written to a hidden temp file in the same folder, fsynced, ``os.replace``d),
  so a reader never sees half a message and a crash leaves at most a ``.tmp-*`` file behind.
- Files are created mode 0600 and the folder 0700: the messages carry personal data (UU No. 27/2022).
- A message without Message-ID is refused (permanent): without it idempotence is impossible.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
from datetime import UTC
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path

from cakra.notify.transports.base import TransportError

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")
_MAX_ID_CHARS = 120
_NO_DATE = "00000000T000000Z"
_PREFIX_CHARS = len(_NO_DATE)  # every prefix has this width ("%Y%m%dT%H%M%SZ")


def file_stem(message_id: str) -> str:
    """The Message-ID as a safe file-name part; distinct IDs never share a stem.

    Characters outside ``[A-Za-z0-9._@+-]`` become ``_``; when that (or truncation) changed anything,
    a short hash of the original is appended so two IDs differing only there stay distinct.
    """
    bare = message_id.strip().removeprefix("<").removesuffix(">")
    safe = _UNSAFE.sub("_", bare)[:_MAX_ID_CHARS].lstrip(".") or "_"
    if safe != bare:
        safe += "-" + hashlib.sha256(message_id.strip().encode()).hexdigest()[:12]
    return safe


def _date_prefix(message: Message) -> str:
    try:
        when = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return _NO_DATE
    if when.tzinfo is None:
        return _NO_DATE
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class OutboxDirTransport:
    """Writes messages into ``directory`` (created on first use) instead of sending them."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"OutboxDirTransport({str(self.directory)!r})"

    def path_for(self, message: Message) -> Path:
        """Where ``message`` is (or would be) written."""
        message_id = message["Message-ID"]
        if not message_id:
            raise TransportError("message has no Message-ID; cannot write it idempotently", permanent=True)
        return self.directory / f"{_date_prefix(message)}_{file_stem(str(message_id))}.eml"

    def send(self, message: Message) -> None:
        """Write ``message`` unless a file for its Message-ID exists; raises ``TransportError``."""
        target = self.path_for(message)
        stem = target.name[_PREFIX_CHARS + 1 :]
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Any date prefix, this exact stem: "?" per prefix character, never "*", which would let
            # "<b@x>" match the file of "<a_b@x>". The stem holds no glob metacharacters (see _UNSAFE).
            if any(self.directory.glob("?" * _PREFIX_CHARS + "_" + stem)):
                return
            self._write_atomically(target, message.as_bytes())  # in the message's own policy: as stored
        except OSError as exc:
            # A full or read-only disk fails every message the same way; a permission problem will
            # not fix itself, a full disk may.
            permanent = exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
            raise TransportError(
                f"cannot write to {self.directory}: {exc.strerror or exc}",
                permanent=permanent,
                affects_all=True,
            ) from exc

    def _write_atomically(self, target: Path, data: bytes) -> None:
        fd, temp_name = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".part")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        _fsync_directory(self.directory)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless to skip where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
