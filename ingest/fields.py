"""Normalising one answer at a time: timestamps, NIK, phone numbers, attachment links.

Each function returns the normalised value and, when the answer is unusable, a problem in Bahasa
Indonesia that is flagged on the case (never a reason to drop the response).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from stdnum.id import nik as stdnum_nik

_SHEETS_EPOCH = datetime(1899, 12, 30)
_ID_DATETIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?\s*$")
_ISO_DATETIME = re.compile(r"^\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_DRIVE_ID = re.compile(
    r"https?://(?:drive|docs)\.google\.com/(?:open\?id=|file/d/|uc\?(?:[^\s,]*&)?id=)([\w-]{10,})"
)
_URL = re.compile(r"https?://[^\s,;]+")


def parse_timestamp(value: object, tz: ZoneInfo) -> datetime | None:
    """A form timestamp as an aware datetime in ``tz``, or None when it cannot be read.

    Accepts a real date cell (datetime), a Sheets serial number (days since 1899-12-30, as the API's
    UNFORMATTED_VALUE gives), Indonesian ``d/m/yyyy H:mm:ss`` text and ISO text.
    """
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
    text = str(value).strip()
    match = _ID_DATETIME.match(text)
    if match:
        day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=tz)
        except ValueError:
            return None
    if _ISO_DATETIME.match(text):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)
    return None


def normalise_nik(value: object) -> tuple[str, str | None]:
    """The NIK as a 16-character string, and a problem when it is not a valid NIK.

    A sheet may hand back a NIK typed into a number cell as an int or float; it is turned back into
    its digits (a NIK never starts with 0: province codes run from 11).
    """
    if value is None or value == "":
        return "", "NIK kosong"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"[\s.\-']", "", str(value))
    if not text.isdigit():
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
    text = str(value).strip()
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
    for url in _URL.findall(str(value)):
        drive = _DRIVE_ID.match(url)
        link = f"https://drive.google.com/open?id={drive.group(1)}" if drive else url
        if link not in links:
            links.append(link)
    return links


def clean_text(value: object) -> str:
    """Trimmed text with inner whitespace runs kept readable; ``None`` becomes ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "\n".join(" ".join(line.split()) for line in str(value).strip().splitlines()).strip()
