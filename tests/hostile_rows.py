"""Hypothesis strategies for whole hostile form rows, each value labelled good or bad by construction.

A form (its header) and rows under it: every field's answer is drawn from what citizens and sheets
really produce — dates of any year, serial numbers, NaN, digits of other scripts, superscripts, control
characters, 100,000-character text, numbers and booleans in text questions — and blank, duplicate and
unknown headers. Each drawn value carries the flag it must raise (``Cell.bad``: the start of the
problem text, or None), so the test's oracle never re-implements the parsing it checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import strategies as st
from stdnum.id import nik as stdnum_nik

from cakra.ingest.columns import DEFAULT_ALIASES
from cakra.ingest.responses import TEXT_FIELDS

NOW = datetime(2026, 11, 23, 8, 0)  # the cycle's time, naive local (Asia/Jakarta)
# Decimal digit zeros of other scripts: Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali, Thai,
# fullwidth, mathematical bold. Each digit of a number is drawn in any of them (or ASCII).
ZEROS = ("0", "\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50", "\uff10", "\U0001d7ce")
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f"
# The flag names and length limits of the text questions are the product's (what the flags say).
TEXT_LABELS = TEXT_FIELDS


@dataclass(frozen=True)
class Cell:
    value: object
    bad: tuple[str, ...] = ()  # the problems it must raise (their opening words)


@dataclass
class Form:
    header: list[object]
    fields: dict[str, int]  # field -> the column read for it (the first of its title)
    junk: list[int] = field(default_factory=list)  # columns under blank, duplicate or unknown titles


def digits_in_scripts(digits: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(ZEROS), min_size=len(digits), max_size=len(digits)).map(
        lambda zeros: "".join(chr(ord(z) + int(d)) for z, d in zip(zeros, digits, strict=True))
    )


def _valid_nik(day: int, month: int, year: int, serial: int) -> str:
    return f"140401{day:02d}{month:02d}{year:02d}{serial:04d}"


VALID_NIK = st.builds(
    _valid_nik,
    st.sampled_from([*range(1, 29), *range(41, 69)]),
    st.integers(1, 12),
    st.integers(0, 99),
    st.integers(1, 9999),
).filter(stdnum_nik.is_valid)


def _grouped(text: str, sep: str) -> str:
    return sep.join(text[i : i + 4] for i in range(0, len(text), 4)) if sep else text


@st.composite
def nik_cell(draw: st.DrawFn) -> Cell:
    nik = draw(VALID_NIK)
    kind = draw(st.sampled_from(["scripts", "number", "superscript", "length", "letters", "empty"]))
    if kind == "scripts":
        return Cell(_grouped(draw(digits_in_scripts(nik)), draw(st.sampled_from(["", " ", ".", "-"]))))
    if kind == "number":
        return Cell(draw(st.sampled_from([int(nik), float(nik)])))
    if kind == "superscript":
        at = draw(st.integers(0, 15))
        return Cell(nik[:at] + SUPERSCRIPTS[int(nik[at])] + nik[at + 1 :], ("NIK",))
    if kind == "length":
        return Cell(draw(st.sampled_from([nik[:15], nik + "7"])), ("NIK",))
    if kind == "letters":
        return Cell(draw(st.text(LETTER, min_size=1, max_size=20)), ("NIK",))
    return Cell(draw(st.sampled_from([None, ""])), ("NIK",))


@st.composite
def phone_cell(draw: st.DrawFn) -> Cell:
    kind = draw(st.sampled_from(["scripts", "superscript", "letters", "empty"]))
    number = "0812" + draw(st.text("0123456789", min_size=8, max_size=8))
    if kind == "scripts":
        return Cell(_grouped(draw(digits_in_scripts(number)), draw(st.sampled_from(["", " ", "-"]))))
    if kind == "superscript":
        return Cell(number[:5] + SUPERSCRIPTS[2] + number[6:], ("Nomor HP",))
    if kind == "letters":
        return Cell(draw(st.text(LETTER, min_size=1, max_size=15)), ("Nomor HP",))
    return Cell(draw(st.sampled_from([None, ""])))  # optional: no flag


def _serial(moment: datetime) -> float:
    return (moment - datetime(1899, 12, 30)).total_seconds() / 86_400


@st.composite
def timestamp_cell(draw: st.DrawFn) -> Cell:
    good = draw(st.datetimes(datetime(2000, 1, 2), NOW + timedelta(hours=12))).replace(microsecond=0)
    kind = draw(
        st.sampled_from(
            ["datetime", "serial", "id-text", "iso-text", "ancient", "future", "edge", "garbage", "odd"]
        )
    )
    if kind == "datetime":
        return Cell(good)
    if kind == "serial":
        return Cell(_serial(good))
    if kind == "id-text":
        text = f"{good.day}/{good.month}/{good.year} {good.hour}:{good.minute:02d}:{good.second:02d}"
        return Cell("".join(draw(digits_in_scripts(c)) if c.isdigit() else c for c in text))
    if kind == "iso-text":
        return Cell(good.isoformat(sep=draw(st.sampled_from(["T", " "]))))
    if kind == "ancient":
        old = draw(st.datetimes(datetime(1, 1, 1), datetime(1999, 12, 30)))
        return Cell(
            draw(st.sampled_from([old, old.isoformat(), f"{old.day}/{old.month}/{old.year:04d}"])),
            ("Cap waktu",),
        )
    if kind == "future":
        later = draw(st.datetimes(NOW + timedelta(days=2), datetime(9999, 12, 31, 23, 59, 59)))
        return Cell(draw(st.sampled_from([later, later.isoformat(), _serial(later)])), ("Cap waktu",))
    if kind == "edge":
        return Cell(
            draw(st.sampled_from(["9999-12-31T23:59:59", "0001-01-01", "31/12/9999 23:59:59", 2958465.99])),
            ("Cap waktu",),
        )
    if kind == "garbage":
        return Cell(draw(st.text(st.characters(categories=["Lu", "Ll", "P"]), max_size=30)), ("Cap waktu",))
    return Cell(
        draw(st.sampled_from([None, math.nan, math.inf, -5.0, 0, True, "32/13/2026 25:61"])), ("Cap waktu",)
    )


PRINTABLE_CHAR = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])
LETTER = st.characters(categories=["Lu", "Ll"])


def _printable_text(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(PRINTABLE_CHAR, max_size=max_size)


@st.composite
def text_cell(draw: st.DrawFn, name: str, controls: bool = True) -> Cell:
    label, limit = TEXT_LABELS[name]
    kinds = ["plain", "plain", "number", "long"] + (["control"] if controls else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "plain":
        return Cell(draw(_printable_text()))
    if kind == "number":
        return Cell(draw(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans())))
    if kind == "long":  # 100,000 characters of one printable, non-space character
        char = draw(LETTER)
        return Cell(char * 100_000, (f"{label} terlalu panjang",))
    text = draw(_printable_text(20))
    at = draw(st.integers(0, len(text)))
    return Cell(
        text[:at] + draw(st.sampled_from(CONTROLS)) + text[at:],
        (f"Karakter tak terbaca dihapus dari {label}",),
    )


def loose_cell() -> st.SearchStrategy[Cell]:
    """An answer that raises no flag whatever it holds (links, the privacy choice, junk columns)."""
    link = st.just("https://drive.google.com/open?id=PHOTOabcdefghij0001")
    return st.one_of(_printable_text(), link, st.none(), st.integers()).map(Cell)


@st.composite
def form(draw: st.DrawFn, *, controls: bool = True) -> Form:
    """A header: the timestamp, each other field present or not under one of its titles, plus blank,
    duplicate and unknown titles, in any order (a duplicate always after the title it repeats)."""
    columns: list[tuple[object, str | None]] = [
        (draw(st.sampled_from(DEFAULT_ALIASES["timestamp"])), "timestamp")
    ]
    for name, titles in DEFAULT_ALIASES.items():
        if name != "timestamp" and draw(st.booleans() | st.just(True)):
            columns.append((draw(st.sampled_from(titles)), name))
    columns = draw(st.permutations(columns))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["blank", "duplicate", "unknown"]))
        if kind == "blank":
            columns.insert(
                draw(st.integers(0, len(columns))), (draw(st.sampled_from([None, "", "  "])), None)
            )
        elif kind == "duplicate":
            at = draw(st.integers(0, len(columns) - 1))
            columns.insert(draw(st.integers(at + 1, len(columns))), (columns[at][0], None))
        else:
            columns.append((draw(st.sampled_from(["Warna favorit", "Catatan", "Hobi"])), None))
    fields = {name: i for i, (_, name) in enumerate(columns) if name is not None}
    junk = [i for i, (_, name) in enumerate(columns) if name is None]
    return Form([title for title, _ in columns], fields, junk)


@st.composite
def row(draw: st.DrawFn, shape: Form, *, controls: bool = True) -> list[Cell]:
    """One response under ``shape``: a Cell per column."""
    cells: list[Cell] = [Cell(None)] * len(shape.header)
    for name, column in shape.fields.items():
        if name == "timestamp":
            cells[column] = draw(timestamp_cell())
        elif name == "nik":
            cells[column] = draw(nik_cell())
        elif name == "phone":
            cells[column] = draw(phone_cell())
        elif name in TEXT_LABELS:
            cells[column] = draw(text_cell(name, controls))
        else:
            cells[column] = draw(loose_cell())
    for column in shape.junk:
        cells[column] = draw(loose_cell())
    return cells


def mixed(rows: list[list[Cell]], count: int) -> list[list[Cell]]:
    """``count`` whole rows made of the drawn ones' cells, column by column: row ``i`` takes column
    ``c`` from drawn row ``(i + c * (i // n)) % n``. The first ``n`` are the drawn rows; each later one
    is a new combination. Every cell keeps its label, so each mixed row's expected flags are known; and
    drawing a fifth of the cells keeps 10,000 rows inside the suite's time."""
    n = len(rows)
    return [[rows[(i + c * (i // n)) % n][c] for c in range(len(rows[0]))] for i in range(count)]


def expected_flags(shape: Form, cells: list[Cell]) -> set[str]:
    """The problems a row must raise: those of the cells read (junk columns raise none)."""
    return {bad for name, column in shape.fields.items() for bad in cells[column].bad}


def is_empty(cells: list[Cell]) -> bool:
    return all(cell.value in (None, "") for cell in cells)


FLAG_KINDS = ("Cap waktu", "NIK", "Nomor HP", "terlalu panjang", "Karakter tak terbaca")


def raised(problems: list[str]) -> set[str]:
    """The problems a report raised, in ``Cell.bad``'s terms."""
    found: set[str] = set()
    for problem in problems:
        for start in ("Cap waktu", "NIK", "Nomor HP"):
            if problem.startswith(start):
                found.add(start)
        if "terlalu panjang" in problem or problem.startswith("Karakter tak terbaca"):
            found.add(problem.split(" (")[0])
    return found
