"""Normalising one answer at a time: timestamps, NIK, phone numbers, attachment links.

Each function returns the normalised value and, when the answer is unusable, a problem in Bahasa
Indonesia that is flagged on the case (never a reason to drop the response).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from stdnum.id import nik as stdnum_nik

_SHEETS_EPOCH = datetime(1899, 12, 30)
# re.ASCII: \d is 0-9 only; other scripts' digits are turned into these first (``ascii_digits``).
_ID_DATETIME = re.compile(
    r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?\s*$", re.ASCII
)
_ISO_DATETIME = re.compile(r"^\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?", re.ASCII)
# Characters no cell should hold: C0/C1 controls but tab and newline, lone surrogates and the BMP's
# noncharacters. A spreadsheet file refuses them (openpyxl raises, XML 1.0 forbids them), so they never
# leave ingest. (Code points unassigned in this Python's Unicode tables are kept: they may be newer characters.)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# A form timestamp later than now by more than this is a mistake, not a clock difference.
FUTURE_TOLERANCE = timedelta(days=1)
# Before this no Google Form wrote a response; the default floor of a sane timestamp (see read_reports).
EARLIEST_FORM_YEAR = 2000
_DRIVE_ID = re.compile(
    r"https?://(?:drive|docs)\.google\.com/(?:open\?id=|file/d/|uc\?(?:[^\s,]*&)?id=)([\w-]{10,})"
)
_URL = re.compile(r"https?://[^\s,;]+")
_EXACT_FLOAT = 2**53  # every integer up to here is exactly a float


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of another script (Arabic-Indic ``٣``, fullwidth ``３``,
    Devanagari, ...) replaced by its ASCII digit; other characters are left as they are.

    Only Unicode decimal digits (category Nd) are converted: each stands for exactly one value. Digits
    that are not decimal (superscripts ``²``, circled ``①``, fractions) are left alone, so a check for
    ASCII digits refuses them explicitly instead of ``int()`` failing later.
    """
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and unicodedata.decimal(ch, None) is not None else ch
        for ch in text
    )


def is_ascii_number(text: str) -> bool:
    """True when ``text`` is one or more of the digits 0-9 and nothing else (``str.isdigit`` also
    accepts superscripts and other scripts' digits, which ``int()`` or a NIK check then trips over)."""
    return text.isascii() and text.isdigit()


def printable(text: str) -> str:
    """``text`` without control characters (tab and newline kept), lone surrogates or noncharacters:
    what a cell may hold."""
    return _UNPRINTABLE.sub("", text)


def has_unprintable(text: str) -> bool:
    """True when ``printable`` would remove something from ``text``."""
    return _UNPRINTABLE.search(text) is not None


def parse_timestamp(value: object, tz: ZoneInfo) -> datetime | None:
    """A form timestamp as an aware datetime in ``tz``, or None when it cannot be read.

    Accepts a real date cell (datetime), a Sheets serial number (days since 1899-12-30, as the API's
    UNFORMATTED_VALUE gives), Indonesian ``d/m/yyyy H:mm:ss`` text and ISO text, with the digits of any
    script. Never raises: a date at the edge of the calendar (year 1, 9999) that cannot be moved into
    ``tz`` is unreadable too (``timestamp_problem`` tells a readable but implausible one).
    """
    try:
        return _parse_timestamp(value, tz)
    except (ValueError, OverflowError):
        return None


def _parse_timestamp(value: object, tz: ZoneInfo) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:  # 1900-01-01 .. 9999-12-31
            return None
        # Round to the millisecond: serial fractions carry float noise.
        naive = _SHEETS_EPOCH + timedelta(milliseconds=round(float(value) * 86_400_000))
        return naive.replace(tzinfo=tz)
    text = ascii_digits(str(value)).strip()
    match = _ID_DATETIME.match(text)
    if match:
        day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    if _ISO_DATETIME.match(text):
        parsed = datetime.fromisoformat(text)
        return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)
    return None


def timestamp_problem(received: datetime, earliest: datetime, now: datetime) -> str | None:
    """Why a readable form timestamp cannot be the start of a case's clock, or None when it can.

    Before ``earliest`` (before the form could exist) or more than a day after ``now`` (clocks differ
    by hours at most), it can only be a typing or import mistake: a deadline from it would be decades
    away or long past (and years 1 and 9999 overflow the calendar's arithmetic).
    """
    if received < earliest:
        return f"Cap waktu terlalu lama ({_shown(received)}, sebelum {earliest.date().isoformat()})"
    if received > now + FUTURE_TOLERANCE:
        return f"Cap waktu di masa depan ({_shown(received)})"
    return None


def _shown(moment: datetime) -> str:
    # isoformat, not %Y: strftime writes year 1 as "1" on some platforms.
    return f"{moment.date().isoformat()} {moment:%H:%M}"


def normalise_nik(value: object) -> tuple[str, str | None]:
    """The NIK as a 16-character string, and a problem when it is not a valid NIK.

    A sheet may hand back a NIK typed into a number cell as an int or float; it is turned back into
    its digits (a NIK never starts with 0: province codes run from 11).
    """
    if value is None or value == "":
        return "", "NIK kosong"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = printable(re.sub(r"[\s.\-']", "", ascii_digits(str(value))))
    if not is_ascii_number(text):
        odd = next((ch for ch in text if ch.isdigit() and not ch.isascii()), None)
        if odd is not None:  # e.g. a superscript: looks like a digit, is not one
            return text, f"NIK harus 16 angka (karakter '{odd}' bukan angka biasa)"
        return text, "NIK harus 16 angka"
    if len(text) != 16:
        return text, f"NIK harus 16 angka (terisi {len(text)})"
    day = int(text[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return text, "NIK tidak valid (tanggal lahir tidak mungkin)"
    try:
        stdnum_nik.validate(text)
    except stdnum_nik.ValidationError:
        return text, "NIK tidak valid (kode wilayah atau tanggal lahir salah)"
    return text, None


def normalise_phone(value: object) -> tuple[str, str | None]:
    """A phone number in E.164 form (``+6281234567890``), and a problem when it is not a number."""
    if value is None or value == "":
        return "", None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = printable(ascii_digits(str(value))).strip()
    if isinstance(value, int) and not text.startswith(("0", "62")):
        text = "0" + text  # a number cell lost the leading zero of 0812...
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return text, "Nomor HP tidak terbaca"
    if not phonenumbers.is_valid_number(number):
        return text, "Nomor HP tidak valid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def extract_links(value: object) -> list[str]:
    """Every attachment link in a cell, Google Drive links in canonical ``open?id=`` form, in order."""
    if value is None:
        return []
    links: list[str] = []
    for url in _URL.findall(printable(str(value))):
        drive = _DRIVE_ID.match(url)
        link = f"https://drive.google.com/open?id={drive.group(1)}" if drive else url
        if link not in links:
            links.append(link)
    return links


def clean_text(value: object) -> str:
    """Trimmed text with inner whitespace runs kept readable; ``None`` becomes ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT_FLOAT:
        value = int(value)  # "3.0" from a number cell is "3"; 1e300 stays 1e+300, not 301 digits
    return "\n".join(" ".join(line.split()) for line in printable(str(value)).strip().splitlines()).strip()
