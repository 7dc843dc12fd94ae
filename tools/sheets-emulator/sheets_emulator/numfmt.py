"""Number and date formatting for FORMATTED_VALUE, per spreadsheet locale.

Approximations (documented, deliberate):

* Cells without a numberFormat use Sheets' "automatic" format approximated as: integers as-is,
  other numbers rounded to 10 decimal places with trailing zeros dropped (``=1/1024`` ->
  ``0.0009765625`` as recorded, ``=2/3`` -> ``0.6666666667``), and ``1E+15``-style scientific
  notation at or above 1e15 or below 1e-10.
* Number patterns support literal prefixes/suffixes, ``0``/``#`` digits, ``,`` grouping and ``%``.
* Date/time patterns support ``yyyy yy MMMM MMM MM M dddd ddd dd d HH H hh h mm m ss s am/pm``
  (``m`` is minutes next to an hour or second token, month otherwise).
* Locale rules cover en_US (M/d/yyyy, ``.`` decimal) and DMY locales such as id_ID
  (dd/MM/yyyy, ``,`` decimal, ``.`` grouping); unknown locales fall back to en_US.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .cells import from_serial


@dataclass(frozen=True)
class LocaleRules:
    """How a locale reads and writes numbers and dates."""

    decimal: str
    group: str
    date_order: str  # "MDY" or "DMY"
    date_pattern: str
    datetime_pattern: str


EN_US = LocaleRules(".", ",", "MDY", "M/d/yyyy", "M/d/yyyy H:mm:ss")
_DMY_COMMA = LocaleRules(",", ".", "DMY", "dd/MM/yyyy", "dd/MM/yyyy H:mm:ss")
_DMY_DOT = LocaleRules(".", ",", "DMY", "dd/MM/yyyy", "dd/MM/yyyy H:mm:ss")
LOCALES: dict[str, LocaleRules] = {
    "en_US": EN_US,
    "id_ID": _DMY_COMMA,
    "in_ID": _DMY_COMMA,
    "id": _DMY_COMMA,
    "de_DE": _DMY_COMMA,
    "nl_NL": _DMY_COMMA,
    "en_GB": _DMY_DOT,
    "en_AU": _DMY_DOT,
}

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})


def rules_for(locale: str) -> LocaleRules:
    """Locale rules for a spreadsheet locale code (en_US fallback)."""
    return LOCALES.get(locale) or LOCALES.get(locale.split("_")[0], EN_US)


def _localise(text: str, rules: LocaleRules) -> str:
    if rules.decimal == ".":
        return text
    return text.translate(str.maketrans({".": rules.decimal, ",": rules.group}))


def general_number(x: float, rules: LocaleRules = EN_US) -> str:
    """Sheets' automatic number format (approximation, see module docstring)."""
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 1e15 or ax < 1e-10:
        mant, _, exp = f"{x:.5e}".partition("e")
        mant = mant.rstrip("0").rstrip(".")
        e = int(exp)
        return _localise(f"{mant}E{'+' if e >= 0 else '-'}{abs(e):02d}", rules)
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.10f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return _localise(text, rules)


_DIGITS = re.compile(r"[0#?][0#?,]*(\.[0#?]*)?")


def _split_literal(section: str) -> tuple[str, str, str]:
    """(prefix, numeric core, suffix) with quotes/backslashes resolved in the literals."""
    m = _DIGITS.search(section)
    if not m:
        return section, "", ""
    return section[: m.start()], m.group(0), section[m.end() :]


def _unquote(text: str) -> str:
    return re.sub(r'"([^"]*)"|\\(.)', lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)


def format_number_pattern(x: float, pattern: str, rules: LocaleRules = EN_US) -> str:
    """Format a number with a Sheets number pattern such as ``#,##0.00`` or ``0.0%``."""
    sections = pattern.split(";")
    section = sections[1] if x < 0 and len(sections) > 1 else sections[0]
    negative = x < 0 and len(sections) == 1
    prefix, core, suffix = _split_literal(section)
    if not core:
        return _unquote(section) or general_number(x, rules)
    value = abs(x) if (negative or len(sections) > 1) else x
    if "%" in prefix + suffix:
        value *= 100
    int_part, _, frac_part = core.partition(".")
    max_dec = len(frac_part)
    min_dec = frac_part.count("0")
    grouping = "," in int_part
    text = f"{value:.{max_dec}f}"
    if max_dec > min_dec and "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        frac = frac + "0" * max(0, min_dec - len(frac))
        text = whole + ("." + frac if frac else "")
    whole, dot, frac = text.partition(".")
    min_int = int_part.replace(",", "").count("0")
    if whole in ("0", "-0") and min_int == 0:
        whole = ""
    if grouping:
        whole = f"{int(whole or 0):,}" if whole else whole
    text = _localise(whole + ("." + frac if dot else ""), rules)
    return ("-" if negative else "") + _unquote(prefix) + text + _unquote(suffix)


_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|yyyy|yy|MMMM|MMM|MM|M|mmmm|mmm|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|'
    r"am/pm|AM/PM|a/p|A/P|\.0+",
    re.IGNORECASE,
)


def format_date_pattern(serial: float, pattern: str) -> str:
    """Format a serial number with a date/time pattern like ``M/d/yyyy H:mm:ss``."""
    moment: datetime = from_serial(serial)
    tokens = [(m.group(0), m.start(), m.end()) for m in _DATE_TOKEN.finditer(pattern)]
    twelve = any(t[0].lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    pos = 0
    kinds = [t[0].lower() for t in tokens]
    for i, (tok, start, end) in enumerate(tokens):
        out.append(pattern[pos:start])
        pos = end
        low = tok.lower()
        prev = next((k for k in reversed(kinds[:i]) if k[0] in "hs"), None) if i else None
        nxt = next((k for k in kinds[i + 1 :] if k[0] in "hsdym"), None)
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1])
        elif low in ("yyyy",):
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif tok in ("M", "MM", "MMM", "MMMM") or (
            low in ("m", "mm", "mmm", "mmmm") and not ((prev and prev[0] == "h") or (nxt and nxt[0] == "s"))
        ):
            n = len(tok)
            month = moment.month
            out.append(
                str(month)
                if n == 1
                else f"{month:02d}"
                if n == 2
                else MONTHS[month - 1][:3]
                if n == 3
                else MONTHS[month - 1]
            )
        elif low in ("m", "mm"):
            out.append(str(moment.minute) if low == "m" else f"{moment.minute:02d}")
        elif low in ("d", "dd"):
            out.append(str(moment.day) if low == "d" else f"{moment.day:02d}")
        elif low == "ddd":
            out.append(DAYS[moment.weekday()][:3])
        elif low == "dddd":
            out.append(DAYS[moment.weekday()])
        elif low in ("h", "hh"):
            hour = moment.hour
            if twelve:
                hour = hour % 12 or 12
            out.append(str(hour) if len(tok) == 1 else f"{hour:02d}")
        elif low in ("s", "ss"):
            out.append(str(moment.second) if low == "s" else f"{moment.second:02d}")
        elif low.startswith("."):
            digits = len(tok) - 1
            out.append("." + f"{moment.microsecond / 1e6:.{digits}f}"[2:])
        elif low == "am/pm":
            ampm = "AM" if moment.hour < 12 else "PM"
            out.append(ampm if tok == "AM/PM" else ampm.lower() if tok == "am/pm" else ampm)
        elif low == "a/p":
            out.append("A" if moment.hour < 12 else "P")
        else:
            out.append(tok)
    out.append(pattern[pos:])
    return "".join(out)


def format_with(x: float, number_format: dict[str, Any] | None, rules: LocaleRules = EN_US) -> str:
    """FORMATTED_VALUE text of a number given an optional ``{"type", "pattern"}`` numberFormat."""
    if not number_format:
        return general_number(x, rules)
    kind = number_format.get("type", "NUMBER")
    pattern = number_format.get("pattern") or ""
    if kind in DATE_TYPES:
        if not pattern:
            pattern = {"DATE": rules.date_pattern, "TIME": "h:mm:ss am/pm"}.get(kind, rules.datetime_pattern)
        return format_date_pattern(x, pattern)
    if not pattern:
        if kind == "PERCENT":
            pattern = "0.00%"
        elif kind == "CURRENCY":
            pattern = '"$"#,##0.00'
        else:
            return general_number(x, rules)
    return format_number_pattern(x, pattern, rules)
