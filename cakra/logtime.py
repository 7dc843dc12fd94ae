"""Log timestamps in the agency's timezone (the sheet, the emails and the ledger's reports use it too).

The CLI sets the formatter up before any config is read (server time until then); loading the config
calls ``use_timezone``, from which on every line carries the agency's time and zone name
(``2026-11-23 14:05:00,123 WIB``)."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo


class AgencyTimeFormatter(logging.Formatter):
    """A ``logging.Formatter`` whose ``%(asctime)s`` is in ``AgencyTimeFormatter.tz`` (server time when None)."""

    tz: tzinfo | None = None

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = (
            datetime.fromtimestamp(record.created, self.tz)
            if self.tz
            else datetime.fromtimestamp(record.created).astimezone()
        )
        return f"{moment.strftime(datefmt or '%Y-%m-%d %H:%M:%S')},{int(record.msecs):03d} {moment.strftime('%Z')}"


def use_timezone(tz: tzinfo) -> None:
    """From now on, log lines show the time in ``tz``."""
    AgencyTimeFormatter.tz = tz
