"""Dates, months and durations worded in Bahasa Indonesia, for sheets, history and messages alike."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def format_time(moment: datetime | None, tz: tzinfo) -> str:
    """``23/11/2026 14:05`` in the agency's timezone; '' for None."""
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M") if moment else ""


def nama_bulan(month: int) -> str:
    """``11`` -> ``November`` (Indonesian month names, 1 = Januari)."""
    return BULAN[month - 1]


def durasi(value: timedelta | None) -> str:
    """The two largest non-zero units, whole minutes: ``1 jam 5 menit``, ``2 hari 3 jam``.

    Under a minute -> ``kurang dari 1 menit``; negative -> a leading ``-``; ``None`` -> ``-``.
    """
    if value is None:
        return "-"
    sign = "-" if value < timedelta(0) else ""
    minutes = int(abs(value).total_seconds() // 60)
    if minutes == 0:
        return "kurang dari 1 menit"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "hari"), (hours, "jam"), (mins, "menit")) if n]
    return sign + " ".join(parts[:2])


def daftar(items: list[str]) -> str:
    """Items joined as Indonesian prose: ``A``, ``A dan B``, ``A, B, dan C``; '' for none."""
    if len(items) <= 2:
        return " dan ".join(items)
    return f"{', '.join(items[:-1])}, dan {items[-1]}"


def angka(value: float | None, decimals: int = 1) -> str:
    """A number in Indonesian notation: decimal comma, dot between thousands (``8,3``, ``1.250``,
    ``12.345,6``); a whole number shows no decimals; ``None`` -> ``-``."""
    if value is None:
        return "-"
    rounded = round(float(value), decimals)
    text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def persen(value: float | None, decimals: int = 1) -> str:
    """A percentage as Indonesians write it: ``8,3 %``; ``None`` -> ``-``."""
    return "-" if value is None else f"{angka(value, decimals)} %"
