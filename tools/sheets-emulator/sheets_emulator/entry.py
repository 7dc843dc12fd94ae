"""How written values become stored cell content (valueInputOption RAW vs USER_ENTERED).

RAW: strings are stored as strings exactly (even ``=1+1`` or ``0812``), JSON numbers/booleans as
numbers/booleans, ``""`` clears the cell's value, ``null`` leaves the cell untouched (the caller skips).

USER_ENTERED (what typing into the UI does), per the spreadsheet locale:

* ``'text`` -> the string ``text`` (the apostrophe forces text and is not shown);
* ``=...`` -> a formula (text kept verbatim; see ``formula.py`` for the evaluated subset);
* ``TRUE``/``FALSE`` (any case) -> booleans;
* numbers with the locale's separators, leading zeros dropped (``0812345`` -> 812345, ``0042`` -> 42);
  grouped input (``2,000,000.01``) gets a ``#,##0.00`` numberFormat so it renders as typed;
  ``15%`` -> 0.15 with a percent format; ``$5`` (en_US) / ``Rp5`` (id_ID) -> currency format;
* dates/times -> serial numbers with a DATE/TIME/DATE_TIME numberFormat: M/D/YYYY (en_US) or
  D/M/YYYY (DMY locales such as id_ID), ISO ``YYYY-MM-DD``, optional `` H:MM[:SS]`` and AM/PM,
  and time-only ``H:MM[:SS]``; two-digit years map to 1930-2029.  Impossible dates stay text;
* anything else is a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .cells import Scalar, to_serial
from .numfmt import LocaleRules


@dataclass(frozen=True)
class Entered:
    """Parsed input: a literal value or a formula, plus an inferred numberFormat."""

    value: Scalar = None
    formula: str | None = None
    number_format: dict[str, str] | None = None


_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([AaPp][Mm])?"


def _number_regex(rules: LocaleRules) -> re.Pattern[str]:
    g, d = re.escape(rules.group), re.escape(rules.decimal)
    return re.compile(
        rf"^(?P<sign>[+-]?)(?P<cur>\$|Rp\s?)?(?P<int>\d{{1,3}}(?:{g}\d{{3}})+|\d*)(?:{d}(?P<frac>\d+))?"
        rf"(?:[eE](?P<exp>[+-]?\d+))?(?P<pct>%?)$"
    )


def _raw(value: Any) -> Entered:
    if isinstance(value, bool):
        return Entered(value=value)
    if isinstance(value, int | float):
        return Entered(value=float(value))
    if value == "":
        return Entered()
    return Entered(value=str(value))


def parse_raw(value: Any) -> Entered:
    """RAW input option."""
    return _raw(value)


def _year(text: str) -> int:
    y = int(text)
    if len(text) <= 2:
        y += 2000 if y < 30 else 1900
    return y


def _time_parts(m: re.Match[str], base: int) -> tuple[int, int, int, int] | None:
    hour, minute = int(m.group(base)), int(m.group(base + 1))
    second = int(m.group(base + 2) or 0)
    micro = int((m.group(base + 3) or "0")[:6].ljust(6, "0"))
    ampm = m.group(base + 4)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second, micro


def _time_pattern(m: re.Match[str], base: int) -> str:
    pattern = "h:mm" if m.group(base + 4) else "H:mm"
    if m.group(base + 2):
        pattern += ":ss"
    return pattern + (" am/pm" if m.group(base + 4) else "")


def _parse_datetime(text: str, rules: LocaleRules) -> Entered | None:
    m = re.fullmatch(_TIME, text)
    if m:
        parts = _time_parts(m, 1)
        if parts is None:
            return None
        h, mi, s, us = parts
        serial = (h * 3600 + mi * 60 + s + us / 1e6) / 86400
        return Entered(value=serial, number_format={"type": "TIME", "pattern": _time_pattern(m, 1)})
    iso = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]" + _TIME + ")?", text)
    local = re.fullmatch(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?: " + _TIME + ")?", text)
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
        date_pattern, m2, base = "yyyy-MM-dd", iso, 4
    elif local:
        a, b = int(local.group(1)), int(local.group(3))
        month, day = (a, b) if rules.date_order == "MDY" else (b, a)
        year = _year(local.group(4))
        date_pattern, m2, base = rules.date_pattern, local, 5
    else:
        return None
    try:
        moment = datetime(year, month, day)
    except ValueError:
        return None
    if m2.group(base) is None:
        return Entered(value=to_serial(moment), number_format={"type": "DATE", "pattern": date_pattern})
    parts = _time_parts(m2, base)
    if parts is None:
        return None
    h, mi, s, us = parts
    moment = moment.replace(hour=h, minute=mi, second=s, microsecond=us)
    pattern = f"{date_pattern} {_time_pattern(m2, base)}"
    if not m2.group(base + 2) and not m2.group(base + 4):
        pattern += ":ss"
    return Entered(value=to_serial(moment), number_format={"type": "DATE_TIME", "pattern": pattern})


def _parse_number(text: str, rules: LocaleRules) -> Entered | None:
    m = _number_regex(rules).match(text)
    if not m or not (m.group("int") or m.group("frac")):
        return None
    int_text = m.group("int").replace(rules.group, "")
    literal = f"{int_text or '0'}.{m.group('frac') or '0'}e{m.group('exp') or '0'}"
    value = float(literal)
    if m.group("sign") == "-":
        value = -value
    decimals = "0" * len(m.group("frac") or "")
    dec_part = "." + decimals if decimals else ""
    grouped = rules.group in m.group("int")
    fmt: dict[str, str] | None = None
    if m.group("pct"):
        value /= 100
        fmt = {"type": "PERCENT", "pattern": f"0{dec_part}%"}
    elif m.group("cur"):
        symbol = m.group("cur").strip()
        fmt = {"type": "CURRENCY", "pattern": f'"{symbol}"#,##0{dec_part or ".00"}'}
    elif grouped:
        fmt = {"type": "NUMBER", "pattern": f"#,##0{dec_part}"}
    return Entered(value=value, number_format=fmt)


def parse_user_entered(value: Any, rules: LocaleRules) -> Entered:
    """USER_ENTERED input option (see module docstring)."""
    if not isinstance(value, str):
        return _raw(value)
    if value == "":
        return Entered()
    if value.startswith("'"):
        return Entered(value=value[1:]) if len(value) > 1 else Entered()
    if value.startswith("=") and len(value) > 1:
        return Entered(formula=value)
    text = value.strip()
    if text.upper() in ("TRUE", "FALSE"):
        return Entered(value=text.upper() == "TRUE")
    parsed = _parse_number(text, rules) or _parse_datetime(text, rules)
    if parsed is not None:
        return parsed
    return Entered(value=value)
