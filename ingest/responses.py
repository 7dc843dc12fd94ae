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
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cakra.common.errors import SheetError
from cakra.ingest.columns import REQUIRED_FIELDS, ColumnAliases
from cakra.ingest.declared import locate_declared, read_declared
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
from cakra.workflow.channels import FORM_CHANNEL, MANUAL_KEY_PREFIX, channel_of
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
    "channel": ("Saluran", 100),
    "reference": ("No. Referensi", 200),
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


def new_response_key(prefix: str = "resp:") -> str:
    """A new response's identity: opaque and permanent (never derived from its row, which moves);
    ``prefix`` says which door it came in by (``MANUAL_KEY_PREFIX`` for the Input Manual tab)."""
    return f"{prefix}{uuid.uuid4().hex}"


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


@dataclass(frozen=True)
class _Door:
    """How the rows of one intake tab differ in reading (see ``read_reports``'s ``manual``)."""

    key_prefix: str
    timestamp_label: str
    default_channel: str
    channel_required: bool


_FORM = _Door("resp:", "Cap waktu", FORM_CHANNEL, channel_required=False)
# A manual row with no "Saluran" keeps an empty channel (flagged): guessing one would mislead conditions.
_MANUAL = _Door(MANUAL_KEY_PREFIX, "Tanggal Diterima", "", channel_required=True)


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
    manual: bool = False,
) -> list[Report]:
    """``rows`` (from ``scan_rows``) as ``Report``s, in that order, each with a new response key (the
    cycle keeps a case's own key when the report turns out to be an edit of it).

    ``manual``: ``tab`` is the Input Manual tab (cakra/manual_intake.py): keys start with
    ``MANUAL_KEY_PREFIX``, the channel is the row's "Saluran" (flagged when empty) and the timestamp is
    called "Tanggal Diterima" in flags. Otherwise the channel is ``FORM_CHANNEL`` unless the form asks it.

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
    door = _MANUAL if manual else _FORM
    at = {name: found.get(name) for name in fields}
    evidence = [(item.field, item.title) for item in sop.intake_evidence()]
    declared = locate_declared(tab.rows[0], sop)  # the SOP's [fields.*], by their question headers
    reports: list[Report] = []
    for seen in rows:
        index, key = seen.row - 1, new_response_key(door.key_prefix)
        record = {name: None if column is None else tab.cell(index, column) for name, column in at.items()}
        try:
            report = _report(
                record, key, seen.row, seen.fingerprint, tz, now, floor, evidence, questions, door
            )
            cells = {name: tab.cell(index, column) for name, column in declared.items()}
            report.fields, problems = read_declared(sop, cells)
            report.problems += problems
            # Kelengkapan may name any field: recomputed now that the declared answers are known.
            report.missing_evidence = [title for name, title in evidence if not _answered(report, name)]
        except Exception as exc:  # one response must never stop the others
            # The known causes are handled where they arise (ingest/fields.py); this is the last line of
            # defence, and keeps the response a case (flagged) until the cause is fixed.
            log.error(
                "tanggapan baris %d tidak terbaca (%s); ditandai pada kasusnya", seen.row, type(exc).__name__
            )
            report = unreadable_report(key, seen.row, seen.fingerprint, failure_reason(exc))
        reports.append(report)
    return reports


def _answered(report: Report, name: str) -> bool:
    """Whether the report has an answer for a built-in or declared field (evidence is present)."""
    if name in report.fields:
        return bool(report.fields[name])
    value = getattr(report, {"event_photo": "event_photos", "ktp_photo": "ktp_photos"}.get(name, name), "")
    return bool(value)


def failure_reason(exc: BaseException) -> str:
    """What an operator is told of an unexpected failure: its kind, no details (they may hold personal
    data; the log has them, masked)."""
    return f"kesalahan sistem: {type(exc).__name__}"


def unreadable_report(key: str, row: int, fingerprint: str, reason: str) -> Report:
    """A stand-in for a response that could not be read: its place, and the reason as a problem (its
    case is flagged; the answers stay in the response row, and an edit of it is read again)."""
    where = "tab Input Manual" if key.startswith(MANUAL_KEY_PREFIX) else "tab tanggapan"
    problem = f"Tanggapan tidak bisa diproses otomatis ({reason}); periksa baris {row} di {where}"
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
    door: _Door,
) -> Report:
    """One response row (``record``: field -> cell) as a Report, every unusable value a problem."""
    problems: list[str] = []
    received = parse_timestamp(record["timestamp"], tz)
    if received is None:
        shown = clean_text(record["timestamp"])[:40] or "kosong"
        problems.append(f"{door.timestamp_label} tidak terbaca ({shown})")
    else:
        implausible = timestamp_problem(received, earliest, now)
        if implausible:
            problems.append(implausible.replace("Cap waktu", door.timestamp_label, 1))
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
    if door.channel_required and not texts["channel"]:
        problems.append("Saluran belum diisi")
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
        channel=channel_of(texts["channel"], door.default_channel),
        reference=texts["reference"],
    )
