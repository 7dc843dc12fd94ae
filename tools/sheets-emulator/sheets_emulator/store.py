"""The emulator's state: spreadsheets (which are also the Drive files), ids, clock, account.

Every HTTP request runs under ``store.lock`` (an RLock), so handlers see a consistent state and
requests are applied atomically.  IDs look like real ones: 44-character spreadsheet ids starting
with ``1``, random positive int32 sheet ids.  ``clock`` is injectable (seconds since the epoch) and
drives ``createdTime``/``modifiedTime``, token expiry and ``TODAY()``.
"""

from __future__ import annotations

import random
import string
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .cells import Cell
from .defaults import DEFAULT_ACCOUNT, DEFAULT_COLUMNS, DEFAULT_ROWS
from .entry import parse_raw, parse_user_entered
from .errors import ApiError, not_found
from .model import Sheet, Spreadsheet

_ID_CHARS = string.ascii_letters + string.digits + "-_"


def rfc3339(seconds: float) -> str:
    """Epoch seconds -> ``2023-07-25T15:45:51.494Z`` (Drive timestamp format)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Store:
    """All spreadsheets of one emulator instance (thread-safe through ``lock``)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        default_locale: str = "en_US",
        default_time_zone: str = "Asia/Jakarta",
        account_email: str = DEFAULT_ACCOUNT,
        seed: int | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.default_locale = default_locale
        self.default_time_zone = default_time_zone
        self.account_email = account_email
        self.rng = random.Random(seed)
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.denied: set[str] = set()
        self.sent_mail: list[dict[str, Any]] = []  # Gmail users.messages.send (see gmail_api.py)

    def now(self) -> float:
        """Current time from the injectable clock."""
        return float(self.clock())

    def new_spreadsheet_id(self) -> str:
        """A fresh 44-character id."""
        while True:
            sid = "1" + "".join(self.rng.choice(_ID_CHARS) for _ in range(43))
            if sid not in self.spreadsheets:
                return sid

    def new_sheet_id(self, ss: Spreadsheet | None = None) -> int:
        """A fresh positive int32 sheet id unused in ``ss``."""
        used = {s.sheet_id for s in ss.sheets} if ss else set()
        while True:
            candidate = self.rng.randint(1, 2**31 - 1)
            if candidate not in used:
                return candidate

    def new_object_id(self) -> int:
        """Ids for protected ranges, named ranges, etc."""
        return self.rng.randint(1, 2**31 - 1)

    def create(
        self,
        title: str,
        *,
        sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        locale: str | None = None,
        time_zone: str | None = None,
        spreadsheet_id: str | None = None,
        created: float | None = None,
        rows: int = DEFAULT_ROWS,
        cols: int = DEFAULT_COLUMNS,
        value_input_option: str = "USER_ENTERED",
    ) -> Spreadsheet:
        """Create a spreadsheet; ``sheets`` maps tab titles to rows written with ``value_input_option``.

        USER_ENTERED (default) mirrors how Google Forms fills a response sheet (numbers and dates typed,
        so a phone number ``0812...`` loses its leading zero); RAW stores strings verbatim.

        Seeded tabs grow beyond the default 1000x26 grid when the data needs it.  With no ``sheets``
        there is one empty ``Sheet1`` (sheetId 0), as when Drive creates a spreadsheet.
        """
        now = self.now() if created is None else created
        sid = spreadsheet_id or self.new_spreadsheet_id()
        ss = Spreadsheet.new(
            sid,
            title,
            locale or self.default_locale,
            time_zone or self.default_time_zone,
            now,
            Sheet.new(0, "Sheet1", 0, rows, cols),
        )
        if sheets:
            ss.sheets = []
            for index, (tab, data) in enumerate(sheets.items()):
                width = max((len(r) for r in data), default=0)
                sheet = Sheet.new(
                    0 if index == 0 else self.new_sheet_id(ss),
                    tab,
                    index,
                    max(rows, len(data)),
                    max(cols, width),
                )
                for r, row in enumerate(data):
                    for c, raw in enumerate(row):
                        if raw is None:
                            continue
                        entered = (
                            parse_raw(raw)
                            if value_input_option == "RAW"
                            else parse_user_entered(raw, ss.rules)
                        )
                        if entered.value is None and entered.formula is None:
                            continue
                        fmt = {"numberFormat": entered.number_format} if entered.number_format else None
                        sheet.put(r, c, Cell(value=entered.value, formula=entered.formula, fmt=fmt))
                ss.sheets.append(sheet)
        ss.permissions.append(
            {
                "kind": "drive#permission",
                "id": "owner",
                "type": "user",
                "role": "owner",
                "emailAddress": self.account_email,
            }
        )
        self.spreadsheets[sid] = ss
        return ss

    def get(self, sid: str) -> Spreadsheet:
        """The spreadsheet, or 403 for ids registered as inaccessible, else 404."""
        if sid in self.denied:
            raise ApiError(403, "The caller does not have permission")
        ss = self.spreadsheets.get(sid)
        if ss is None:
            raise not_found()
        return ss

    def touch(self, ss: Spreadsheet) -> None:
        """Mark a modification (Drive ``modifiedTime``)."""
        ss.modified = max(self.now(), ss.created)
