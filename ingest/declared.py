"""The SOP's declared fields (``[fields.<id>]``): found by their question headers, normalised by kind.

A declared field's answer goes into ``Report.fields`` as text. What cannot be read as its kind is kept
as typed and flagged (one problem on the report, never a dropped response): a choice that is none of the
choices ("Saluran pengaduan 'Telepon' bukan pilihan"), a number or a date that is none, an invalid NIK,
phone or email. A NIK is validated as the built-in one is; showing it masked is the reader's business
(``notify/views.py``, ``common/pii.py redact`` on every cell).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from cakra.common.text import normalise_header
from cakra.ingest.fields import ascii_digits, clean_text, extract_links, normalise_nik, normalise_phone
from cakra.workflow.sop import Field, Sop

# The most of a declared answer kept (a cell holds at most 32,767 characters in Excel).
FIELD_CHARS = 2_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def locate_declared(header: Sequence[object], sop: Sop) -> dict[str, int]:
    """Each declared field whose question is in ``header`` (the tab's first row), by its column."""
    columns = {normalise_header(title): index for index, title in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for declared in sop.fields.values():
        for name in declared.headers:
            if normalise_header(name) in columns:
                found[declared.id] = columns[normalise_header(name)]
                break
    return found


def read_declared(sop: Sop, cells: dict[str, object]) -> tuple[dict[str, str], list[str]]:
    """``cells`` (field id -> raw cell) as normalised answers for every declared field, and the problems."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for declared in sop.fields.values():
        value, problem = normalise_answer(declared, cells.get(declared.id))
        values[declared.id] = value
        if problem:
            problems.append(problem)
    return values, problems


def normalise_answer(declared: Field, raw: object) -> tuple[str, str | None]:
    """One answer as text by the field's kind, and the problem when it is not what the kind expects."""
    if declared.kind == "nik":
        nik, problem = normalise_nik(raw)
        return nik[:64], (f"Kolom {declared.title}: {problem}" if problem else None)
    if declared.kind == "phone":
        phone, problem = normalise_phone(raw)
        return phone[:64], (f"Kolom {declared.title}: {problem}" if problem else None)
    if declared.kind == "date" and isinstance(raw, datetime | date):
        return (raw.date() if isinstance(raw, datetime) else raw).isoformat(), None
    text = clean_text(raw)[:FIELD_CHARS]
    if not text:
        return "", None
    shown = text[:60]
    if declared.kind == "choice":
        for choice in declared.choices:
            if normalise_header(choice) == normalise_header(text):
                return choice, None
        return text, f"{declared.title} '{shown}' bukan pilihan"
    if declared.kind == "number":
        number = ascii_digits(text).replace(",", ".")
        try:
            value = float(number)
        except ValueError:
            return text, f"{declared.title} '{shown}' bukan angka"
        return (str(int(value)) if value.is_integer() else str(value)), None
    if declared.kind == "date":
        match = _DATE.match(ascii_digits(text))
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                return date(year, month, day).isoformat(), None
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return text, f"{declared.title} '{shown}' bukan tanggal"
    if declared.kind == "link":
        links = extract_links(raw)
        return (", ".join(links), None) if links else (text, f"{declared.title} '{shown}' bukan tautan")
    if declared.kind == "email":
        text = text.lower()
        return text, None if _EMAIL.match(text) else f"{declared.title} '{shown}' bukan alamat email"
    return text, None
