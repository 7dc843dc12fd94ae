"""Personal data (UU No. 27/2022): masking the NIK everywhere it is not needed in full.

The NIK identifies a person, so only the roles an SOP names see it whole, in the case's NIK field.
Everything else passes ``redact``, the ONE masking function for text that leaves the service: every
cell written to a sheet (status tab, Riwayat, Ringkasan), every message to a role without
``sees_identity`` (and to citizens), every log line and every export. It is applied where values
become cells or message parts, so no field can be forgotten.

What ``redact`` catches — a NIK however it was typed:
- 16 digits in a row (``1404015501900001``), or in groups with up to three separators between them:
  spaces (also no-break and thin spaces), dots, dashes (also en/em dashes and the minus sign),
  underscores — ``1404-0155-0190-0021``, ``1404.0155.0190.0023``, ``140401 550190 0001``;
- digits of any script and superscript or circled digits (``str.isdigit``), so a NIK typed with
  ``²`` or Arabic-Indic digits is caught whether or not ingest normalised it.
Within a run of digit groups, every window of whole groups holding exactly 16 digits is masked but its
first and last four digits; separators are kept. A longer unbroken number (a 17-digit account number)
is left alone, as are dates and times (a slash or colon breaks a run).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from typing import TypeVar

NIK_DIGITS = 16
KEPT = 4  # digits kept visible at each end of a masked NIK (region code, last four)
MASK = "*"
# Every char with str.isdigit() that \d (str.isdecimal) misses lies below this (tests check all of Unicode).
_DIGIT_SCAN_END = 0x20000
_SEPARATORS = " \t._\\-\u00a0\u2007\u2009\u200a\u202f\u2010-\u2015\u2212"

T = TypeVar("T")


def _digit_class() -> str:
    """A regex class of every digit: ``\\d`` (decimal digits of every script) plus the superscript,
    circled and other digits ``str.isdigit`` accepts, as ranges (a class of ranges matches fast)."""
    ranges: list[list[int]] = []
    for code in range(_DIGIT_SCAN_END):
        if chr(code).isdigit() and not chr(code).isdecimal():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    extra = "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return rf"[\d{extra}]"


def _runs(digit: str, flags: int = 0) -> re.Pattern[str]:
    """Runs of ``digit`` joined by at most three separator characters. A greedy run that ``finditer``
    starts at its first digit is maximal, so no look-behind is needed."""
    return re.compile(rf"{digit}(?:[{_SEPARATORS}]{{0,3}}{digit})*", flags)


# Most text is ASCII: a plain class is several times faster there than the class of every script's digits.
_ASCII_RUNS = _runs("[0-9]", re.ASCII)


@functools.cache
def _unicode_runs() -> re.Pattern[str]:
    """The pattern for text beyond ASCII (built on first use: the digit scan takes a few milliseconds)."""
    return _runs(_digit_class())


def _is_digit(char: str) -> bool:
    return char.isdigit()


def _mask_run(run: str) -> str:
    """``run`` (digits and separators) with every 16-digit window of whole groups masked."""
    positions = [i for i, char in enumerate(run) if _is_digit(char)]
    if len(positions) < NIK_DIGITS:
        return run
    groups: list[list[int]] = []  # digit positions per group (digits with nothing between them)
    for position in positions:
        if groups and groups[-1][-1] == position - 1:
            groups[-1].append(position)
        else:
            groups.append([position])
    hidden: set[int] = set()
    for first in range(len(groups)):
        window: list[int] = []
        for group in groups[first:]:
            window.extend(group)
            if len(window) >= NIK_DIGITS:
                break
        if len(window) == NIK_DIGITS:
            hidden.update(window[KEPT:-KEPT])
    if not hidden:
        return run
    return "".join(MASK if i in hidden else char for i, char in enumerate(run))


def redact(text: str) -> str:
    """``text`` with every NIK-like run masked (see the module's docstring); other text unchanged."""
    if len(text) < NIK_DIGITS:  # too short to hold 16 digits: most cells, nothing to scan
        return text
    if text.isascii():
        if sum(map(text.count, "0123456789")) < NIK_DIGITS:  # counted in C: most cells stop here
            return text
        runs = _ASCII_RUNS
    else:
        runs = _unicode_runs()
    return runs.sub(lambda match: _mask_run(match.group(0)), text)


def redact_value(value: T) -> T:
    """``redact`` for a cell or context value: text is masked; numbers, dates and None pass unchanged;
    lists, tuples and mappings are masked all through (keys too)."""
    if type(value) is str:  # the hot case (every cell of a 50,000-row tab on a full read): no ABC checks
        return redact(value)  # type: ignore[return-value]
    if type(value) is dict:
        return {redact_value(key): redact_value(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, str):
        return redact(value)  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        items = [redact_value(item) for item in value]
        if hasattr(value, "_fields"):  # a named tuple takes its fields as arguments
            return type(value)(*items)  # type: ignore[return-value]
        return type(value)(items)  # type: ignore[return-value]
    if isinstance(value, Mapping):
        return {redact_value(key): redact_value(item) for key, item in value.items()}  # type: ignore[return-value]
    return value


def mask_nik(nik: str | None) -> str:
    """The NIK field as shown to whoever may not see it whole: ``1404015501900001`` -> ``1404********0001``;
    anything not 16 digits (an invalid NIK) is masked all but its last 4 characters."""
    if not nik:
        return ""
    nik = str(nik)
    if len(nik) == NIK_DIGITS and nik.isdigit():
        return redact(nik)
    if len(nik) <= KEPT:
        return MASK * len(nik)
    return f"{MASK * (len(nik) - KEPT)}{nik[-KEPT:]}"


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
