"""Time limits and the business calendar.

Contract (used by the workflow engine):
- ``TimeLimit.parse(text)`` turns an SOP limit into a ``TimeLimit`` (``None`` for "no limit").
- ``BusinessCalendar.deadline(start, limit)`` is the moment a step entered at ``start`` is due.
- ``BusinessCalendar.elapsed(start, end, working=...)`` is how much of the limit's kind of time passed.
All datetimes are timezone-aware; results are in the calendar's timezone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Unit = Literal["minutes", "hours", "days"]

_UNITS: dict[str, Unit] = {
    "m": "minutes",
    "min": "minutes",
    "menit": "minutes",
    "h": "hours",
    "j": "hours",
    "jam": "hours",
    "d": "days",
    "hari": "days",
}
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*(kerja)?\s*$")
_TITLES = {"minutes": "menit", "hours": "jam", "days": "hari"}


class LimitError(ValueError):
    """An SOP time limit that cannot be read."""


@dataclass(frozen=True)
class TimeLimit:
    amount: int
    unit: Unit
    working: bool = False

    @classmethod
    def parse(cls, text: str | None) -> TimeLimit | None:
        """``"15m"``, ``"1h"``, ``"3 hari"``, ``"2 hari kerja"``, ``"4 jam kerja"``; ``None``/"" -> no limit."""
        if text is None or str(text).strip().lower() in ("", "none", "tidak ada", "-"):
            return None
        match = _LIMIT_RE.match(str(text).lower())
        if not match or match.group(2) not in _UNITS:
            raise LimitError(
                f"time limit {text!r} is not understood; write e.g. '15m', '1h', '3 hari' or '2 hari kerja'"
            )
        return cls(int(match.group(1)), _UNITS[match.group(2)], working=bool(match.group(3)))

    def as_timedelta(self) -> timedelta:
        return timedelta(**{self.unit: self.amount})

    def __str__(self) -> str:
        return f"{self.amount} {_TITLES[self.unit]}" + (" kerja" if self.working else "")


class BusinessCalendar:
    """Clock time now; working time (hours, days, holidays) is filled in by the calendar work."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def deadline(self, start: datetime, limit: TimeLimit | None) -> datetime | None:
        if limit is None:
            return None
        return (start + limit.as_timedelta()).astimezone(self.tz)

    def elapsed(self, start: datetime, end: datetime, *, working: bool = False) -> timedelta:
        return end - start
