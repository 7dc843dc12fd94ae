"""Form responses -> normalised ``Report`` records .

Columns are found by header through aliases (``ingest/columns.py``: question titles differ from agency to
agency). A response is NOT identified by its row (operators sort and insert rows): ``scan_rows`` gives each
row's content fingerprint and timestamp cell, ``ingest/identity.py`` matches them to known cases, and only
rows that no case holds are read as ``Report``s. A new response's key is opaque (``resp:`` + a random id)
and never changes, whatever happens to its row or content.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cakra.common.errors import SheetError
from cakra.common.text import normalise_header
from cakra.ingest.columns import REQUIRED_FIELDS, ColumnAliases
from cakra.ingest.fields import (
    EARLIEST_FORM_YEAR,
    clean_text,
    extract_links,
    has_unprintable,
    normalise_nik,
    normalise_phone,
    parse_timestamp,
    timestamp_problem,
)
from cakra.ingest.identity import SeenRow
from cakra.ingest.questions import FormQuestions, form_questions
from cakra.sheets.base import Tab
from cakra.workflow.case import Report
from cakra.workflow.privacy import parse_flags
from cakra.workflow.sop import Sop

log = logging.getLogger("cakra.ingest")

# Free-text answers, each with its name in a flag and the most of it kept: a cell of a sheet holds at
# most 50,000 characters (Google) or 32,767 (Excel), and the status tab shows these in full (the
# description as a summary), so a longer answer is cut and flagged rather than failing every write.
TEXT_FIELDS: dict[str, tuple[str, int]] = {
    "name": ("Nama", 500),
    "email": ("Email", 320),
    "category": ("Jenis laporan", 200),
    "kecamatan": ("Kecamatan", 200),
    "desa": ("Desa", 200),
    "description": ("Uraian", 30_000),
}
# An invalid NIK or phone is kept as typed (the operator sees what is wrong), up to this many characters.
ID_CHARS = 64


def locate_columns(tab: Tab, columns: ColumnAliases) -> dict[str, int]:
    """Map each known field found in ``tab``'s header to its column position; raise ``SheetError`` when
    the timestamp has none (nothing can be read without it). A missing optional or ``[columns]`` field is
    not an error here: ``ingest/questions.py`` tells which of them the service relied on."""
    return _require_timestamp(tab, columns, form_questions(tab, columns, {})).found


def _require_timestamp(tab: Tab, columns: ColumnAliases, questions: FormQuestions) -> FormQuestions:
    for field_name in REQUIRED_FIELDS:
        if field_name not in questions.found:
            names = ", ".join(repr(n) for n in columns.names[field_name][:4])
            raise SheetError(
                f"tab {tab.name!r} has no column for '{field_name}' (looked for {names}); "
                f'add the header name under [columns] {field_name} = ["..."] in the config'
            )
    return questions


def new_response_key() -> str:
    """A new response's identity: opaque and permanent (never derived from its row, which moves)."""
    return f"resp:{uuid.uuid4().hex}"


def _fingerprint(row: Sequence[object]) -> str:
    payload = json.dumps([None if v in (None, "") else str(v) for v in row], ensure_ascii=False)
    # surrogatepass: a lone surrogate (a JSON escape in an API answer) must not stop the read.
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _cells(tab: Tab, index: int, width: int) -> list[object]:
    """Only the cells under a header (what a partial read of the row returns, tabs/view.py), as the API
    returns them: trailing empty cells dropped."""
    row = tab.rows[index][:width]
    while row and row[-1] in (None, ""):
        row.pop()
    return row


def scan_rows(tab: Tab, timestamp_col: int, rows: Sequence[int] | None = None) -> list[SeenRow]:
    """Each non-empty response row (``rows``: 0-based indices into ``tab.rows``; default every row below
    the header) as its sheet row, content fingerprint and timestamp cell. Costs one hash per row."""
    width = len(tab.rows[0])
    seen: list[SeenRow] = []
    for index in range(1, len(tab.rows)) if rows is None else rows:
        row = _cells(tab, index, width)
        if not any(v not in (None, "") for v in row):
            continue  # an empty row is no response
        stamp = row[timestamp_col] if timestamp_col < len(row) else None
        # As ``tabs.status.cell_text`` shows it (what the ledger's ``responses`` table holds).
        if isinstance(stamp, float) and stamp.is_integer():
            stamp = int(stamp)
        text = "" if stamp is None else str(stamp).strip()
        seen.append(SeenRow(index + 1, _fingerprint(row), text))
    return seen


def read_reports(
    tab: Tab,
    columns: ColumnAliases,
    sop: Sop,
    tz: ZoneInfo,
    rows: Sequence[SeenRow],
    *,
    now: datetime,
    questions: FormQuestions | None = None,
    earliest: datetime | None = None,
) -> list[Report]:
    """``rows`` (from ``scan_rows``) as ``Report``s, in that order, each with a new response key (the
    cycle keeps a case's own key when the report turns out to be an edit of it).

    Every row gives a Report, never an exception: what cannot be read is a problem on it (flagged on its
    case). ``questions``: the header read against the questions relied on (default: nothing relied on);
    each lost question is a problem on every report. A timestamp before ``earliest`` (default 1 January
    2000) or more than a day after ``now`` is a problem and not used (the case's clock starts when
    Cakra first sees it).
    """
    questions = _require_timestamp(tab, columns, questions or form_questions(tab, columns, {}))
    if not rows:
        return []
    found = questions.found
    floor = earliest or datetime(EARLIEST_FORM_YEAR, 1, 1, tzinfo=tz)
    fields = (*TEXT_FIELDS, "nik", "phone", "event_photo", "ktp_photo", "timestamp", "privacy")
    at = {name: found.get(name) for name in fields}
    evidence = [(item.field, item.title) for item in sop.intake_evidence()]
    declared = declared_columns(tab, sop)
    reports: list[Report] = []
    for seen in rows:
        index, key = seen.row - 1, new_response_key()
        record = {name: None if column is None else tab.cell(index, column) for name, column in at.items()}
        try:
            report = _report(record, key, seen.row, seen.fingerprint, tz, now, floor, evidence, questions)
            if declared:
                read_declared(report, tab, index, declared, evidence)
        except Exception as exc:  # one response must never stop the others
            # The known causes are handled where they arise (ingest/fields.py); this is the last line of
            # defence, and keeps the response a case (flagged) until the cause is fixed.
            log.error(
                "tanggapan baris %d tidak terbaca (%s); ditandai pada kasusnya", seen.row, type(exc).__name__
            )
            report = unreadable_report(key, seen.row, seen.fingerprint, failure_reason(exc))
        reports.append(report)
    return reports


def declared_columns(tab: Tab, sop: Sop) -> dict[str, tuple[int | None, str]]:
    """The SOP's declared fields -> (their column, or None when the form lacks it; their kind)."""
    header = [normalise_header(title) for title in tab.header]
    out: dict[str, tuple[int | None, str]] = {}
    for field_id, spec in getattr(sop, "fields", {}).items():
        names = [normalise_header(h) for h in spec.headers]
        column = next((header.index(name) for name in names if name in header), None)
        out[field_id] = (column, spec.kind)
    return out


def read_declared(
    report: Report,
    tab: Tab,
    index: int,
    declared: dict[str, tuple[int | None, str]],
    evidence: list[tuple[str, str]],
) -> None:
    """Fill ``report.fields`` (answers as text; a link field's links one per line) and count a declared
    link field named as evidence like the built-in photos (missing when it holds no link)."""
    for field_id, (column, kind) in declared.items():
        cell = None if column is None else tab.cell(index, column)
        text = "\n".join(extract_links(cell)) if kind == "link" else clean_text(cell)[:2000]
        report.fields[field_id] = text
    titles = dict(evidence)
    for field_id in declared:
        title = titles.get(field_id)
        if title and report.fields[field_id] and title in report.missing_evidence:
            report.missing_evidence.remove(title)


def failure_reason(exc: BaseException) -> str:
    """What an operator is told of an unexpected failure: its kind, no details (they may hold personal
    data; the log has them, masked)."""
    return f"kesalahan sistem: {type(exc).__name__}"


def unreadable_report(key: str, row: int, fingerprint: str, reason: str) -> Report:
    """A stand-in for a response that could not be read: its place, and the reason as a problem (its
    case is flagged; the answers stay in the response row, and an edit of it is read again)."""
    problem = f"Tanggapan tidak bisa diproses otomatis ({reason}); periksa baris {row} di tab tanggapan"
    return Report(key, row, fingerprint, None, problems=[problem])  # type: ignore[arg-type]


def _report(
    record: dict[str, Any],
    key: str,
    row: int,
    fingerprint: str,
    tz: ZoneInfo,
    now: datetime,
    earliest: datetime,
    evidence: list[tuple[str, str]],
    questions: FormQuestions,
) -> Report:
    """One response row (``record``: field -> cell) as a Report, every unusable value a problem."""
    problems: list[str] = []
    received = parse_timestamp(record["timestamp"], tz)
    if received is None:
        shown = clean_text(record["timestamp"])[:40] or "kosong"
        problems.append(f"Cap waktu tidak terbaca ({shown})")
    else:
        implausible = timestamp_problem(received, earliest, now)
        if implausible:
            problems.append(implausible)
            received = None  # the clock starts when Cakra first sees the response (engine.open_case)
    texts: dict[str, str] = {}
    for name, (label, limit) in TEXT_FIELDS.items():
        raw, text = record[name], clean_text(record[name])
        if name == "email":
            # Lower-cased before the cut: lower-casing can lengthen text ("İ" becomes two characters).
            text = text.lower()
        if isinstance(raw, str) and has_unprintable(raw):
            problems.append(f"Karakter tak terbaca dihapus dari {label}")
        if len(text) > limit:
            problems.append(f"{label} terlalu panjang ({len(text)} karakter; disimpan {limit} pertama)")
            text = text[:limit]
        texts[name] = text
    nik, nik_problem = normalise_nik(record["nik"])
    if nik_problem and "nik" in questions.found:
        problems.append(nik_problem)
    phone, phone_problem = normalise_phone(record["phone"])
    if phone_problem:
        problems.append(phone_problem)
    problems += [questions.lost_problem(name) for name in questions.lost]
    attachments = {
        "event_photo": extract_links(record["event_photo"]),
        "ktp_photo": extract_links(record["ktp_photo"]),
    }
    return Report(
        response_key=key,
        response_row=row,
        fingerprint=fingerprint,
        received_at=received,  # type: ignore[arg-type]  # filled by the intake when None
        name=texts["name"],
        nik=nik[:ID_CHARS],
        phone=phone[:ID_CHARS],
        email=texts["email"],
        category=texts["category"],
        kecamatan=texts["kecamatan"],
        desa=texts["desa"],
        description=texts["description"],
        event_photos=attachments["event_photo"],
        ktp_photos=attachments["ktp_photo"],
        missing_evidence=[title for field_name, title in evidence if not attachments.get(field_name)],
        problems=problems,
        privacy=parse_flags(record["privacy"]),
        lost_questions=dict(questions.lost),
    )
