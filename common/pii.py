"""Personal data (UU No. 27/2022): masking the NIK everywhere it is not needed in full.

The NIK identifies a person, so only the roles an SOP names see it whole. Everything else — the status
sheet, logs, other roles' messages — carries ``mask_nik``'s form. As a second line of defence the log
filter redacts any 16-digit run, so a NIK that slips into an exception message never reaches a log file.
"""

from __future__ import annotations

import logging
import re

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def mask_nik(nik: str | None) -> str:
    """``1404015501900001`` -> ``1404********0001``; anything not 16 digits is masked all but 4 chars."""
    if not nik:
        return ""
    nik = str(nik)
    if len(nik) == 16 and nik.isdigit():
        return f"{nik[:4]}{'*' * 8}{nik[12:]}"
    if len(nik) <= 4:
        return "*" * len(nik)
    return f"{'*' * (len(nik) - 4)}{nik[-4:]}"


def redact(text: str) -> str:
    """Mask every 16-digit run in free text."""
    return _SIXTEEN_DIGITS.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with ``redact`` (attached to handlers by the CLI)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
