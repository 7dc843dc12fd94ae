"""Test controls: injectable faults, per-minute quotas and the request log.

* ``FaultInjector.add(status=503, count=2, method="POST", path_contains="values:batchUpdate")``
  answers the next matching requests with a real-looking error body; ``add(delay=0.05)`` answers
  late (the sleep function is injectable: ``faults.sleep = fake``); ``add(drop=True)`` closes the
  connection without any HTTP response.  Faults are consumed in the order they were added and do
  not count against quotas.
* ``QuotaTracker.set(reads_per_minute=60, writes_per_minute=60, clock=fn)`` limits Sheets API
  requests per fixed minute window (``floor(clock() / 60)``); GETs are reads, other Sheets methods
  writes, Drive/token calls are not counted; refused requests do not consume quota.  Default: off.
* ``RequestLog`` keeps method, decoded path, raw query, status (0 for a dropped connection), body
  bytes in/out and the request kind; it is thread-safe, list-like and has ``reset()``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from .errors import ApiError, quota_exceeded

READ, WRITE, DRIVE, AUTH, OTHER = "read", "write", "drive", "auth", "other"


@dataclass
class Fault:
    """One injected behaviour for the next ``count`` matching requests."""

    status: int | None = None
    count: int = 1
    method: str | None = None
    path_contains: str | None = None
    delay: float = 0.0
    drop: bool = False
    message: str | None = None
    body: bytes | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path_contains or self.path_contains in path

    def error(self) -> ApiError:
        """The error answer of a status fault."""
        assert self.status is not None
        if self.status == 429:
            err = quota_exceeded("Write" if (self.method or "").upper() not in ("", "GET") else "Read", 60)
            if self.message:
                err.message = self.message
            return err
        return ApiError(self.status, self.message)


class FaultInjector:
    """Queue of faults (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.sleep: Callable[[float], None] = time.sleep

    def add(
        self,
        status: int | None = None,
        *,
        count: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        delay: float = 0.0,
        drop: bool = False,
        message: str | None = None,
        body: bytes | None = None,
    ) -> Fault:
        """Queue a fault; at least one of status, delay or drop must be given."""
        if status is None and not delay and not drop:
            raise ValueError("a fault needs status=, delay= or drop=")
        fault = Fault(status, count, method, path_contains, delay, drop, message, body)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first matching fault."""
        with self._lock:
            for fault in self._faults:
                if fault.count > 0 and fault.matches(method, path):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults not yet used up."""
        with self._lock:
            return list(self._faults)


class QuotaTracker:
    """Per-minute read/write limits with an injectable clock (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.reads_per_minute: int | None = None
        self.writes_per_minute: int | None = None
        self._window = -1
        self._used = {READ: 0, WRITE: 0}
        self._lock = threading.Lock()

    def set(
        self,
        reads_per_minute: int | None = None,
        writes_per_minute: int | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Configure limits (None = unlimited) and optionally the clock; resets the counters."""
        with self._lock:
            self.reads_per_minute = reads_per_minute
            self.writes_per_minute = writes_per_minute
            if clock is not None:
                self.clock = clock
            self._window = -1

    def reset(self) -> None:
        """Forget usage in the current window."""
        with self._lock:
            self._window = -1

    def admit(self, kind: str) -> None:
        """Count a request of ``kind`` or raise 429 RESOURCE_EXHAUSTED."""
        limit = {READ: self.reads_per_minute, WRITE: self.writes_per_minute}.get(kind)
        if limit is None:
            return
        with self._lock:
            window = math.floor(self.clock() / 60)
            if window != self._window:
                self._window, self._used = window, {READ: 0, WRITE: 0}
            if self._used[kind] >= limit:
                raise quota_exceeded("Read" if kind == READ else "Write", limit)
            self._used[kind] += 1


@dataclass(frozen=True)
class LogEntry:
    """One handled request."""

    method: str
    path: str
    query: str
    status: int
    bytes_in: int
    bytes_out: int
    kind: str
    duration: float
    # What the client said it takes back: Google gzips an answer only for a user agent containing "gzip".
    user_agent: str = ""
    accept_encoding: str = ""


class RequestLog(Sequence[LogEntry]):
    """Thread-safe, list-like record of requests."""

    def __init__(self) -> None:
        self._entries: list[LogEntry] = []
        self._lock = threading.Lock()

    def append(self, entry: LogEntry) -> None:
        """Record an entry."""
        with self._lock:
            self._entries.append(entry)

    def reset(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def snapshot(self) -> list[LogEntry]:
        """A copy of the entries."""
        with self._lock:
            return list(self._entries)

    @overload
    def __getitem__(self, index: int) -> LogEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[LogEntry]: ...

    def __getitem__(self, index: int | slice) -> LogEntry | list[LogEntry]:
        with self._lock:
            return self._entries[index]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self.snapshot())

    def count(
        self, kind: str | None = None, method: str | None = None, path_contains: str | None = None
    ) -> int:  # type: ignore[override]
        """Entries matching every given filter."""
        return sum(
            1
            for e in self.snapshot()
            if (kind is None or e.kind == kind)
            and (method is None or e.method == method.upper())
            and (path_contains is None or path_contains in e.path)
        )

    @property
    def reads(self) -> int:
        """Sheets API read requests (GET)."""
        return self.count(READ)

    @property
    def writes(self) -> int:
        """Sheets API write requests (POST/PUT/...)."""
        return self.count(WRITE)

    @property
    def bytes_in(self) -> int:
        """Total request body bytes."""
        return sum(e.bytes_in for e in self.snapshot())

    @property
    def bytes_out(self) -> int:
        """Total response body bytes."""
        return sum(e.bytes_out for e in self.snapshot())
