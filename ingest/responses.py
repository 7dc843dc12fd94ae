"""Form responses -> normalised ``Report`` records (pandas).

Columns are found by header through aliases (``ingest/columns.py``: question titles differ from agency to
agency). A response is NOT identified by its row (operators sort and insert rows): ``scan_rows`` gives each
row's content fingerprint and timestamp cell, ``ingest/identity.py`` matches them to known cases, and only
rows that no case holds are read as ``Report``s. A new response's key is opaque (``resp:`` + a random id)
and never changes, whatever happens to its row or content.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pandas as pd

from cakra.common.errors import SheetError
from cakra.ingest.columns import ColumnAliases
from cakra.ingest.fields import clean_text, extract_links, normalise_nik, normalise_phone, parse_timestamp
from cakra.ingest.identity import SeenRow
from cakra.sheets.base import Tab
from cakra.workflow.case import Report
from cakra.workflow.privacy import parse_flags
from cakra.workflow.sop import Sop

TEXT_FIELDS = ("name", "email", "category", "kecamatan", "desa", "description")
REQUIRED_FIELDS = ("timestamp",)


def locate_columns(tab: Tab, columns: ColumnAliases) -> dict[str, int]:
    """Map each known field to a column position; raise ``SheetError`` for a header that cannot be found.

    The timestamp, and each field the agency named headers for, must be present; others are optional.
    """
    aliases = columns.names
    found: dict[str, int] = {}
    for field_name, names in aliases.items():
        for name in names:
            position = tab.column(name)
            if position is not None:
                found[field_name] = position
                break
    for field_name in columns.required:
        if field_name not in found:
            names = ", ".join(repr(n) for n in aliases[field_name][:4])
            raise SheetError(
                f"tab {tab.name!r} has no column for '{field_name}' (looked for {names}); "
                f'add the header name under [columns] {field_name} = ["..."] in the config'
            )
    return found


def new_response_key() -> str:
    """A new response's identity: opaque and permanent (never derived from its row, which moves)."""
    return f"resp:{uuid.uuid4().hex}"


def _fingerprint(row: Sequence[object]) -> str:
    payload = json.dumps([None if v in (None, "") else str(v) for v in row], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


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
    tab: Tab, columns: ColumnAliases, sop: Sop, tz: ZoneInfo, rows: Sequence[SeenRow]
) -> list[Report]:
    """``rows`` (from ``scan_rows``) as ``Report``s, in that order, each with a new response key (the
    cycle keeps a case's own key when the report turns out to be an edit of it)."""
    found = locate_columns(tab, columns)
    positions = [seen.row - 1 for seen in rows]
    prints = [seen.fingerprint for seen in rows]
    if not positions:
        return []
    body = tab.rows
    width = max(found.values()) + 1
    frame = pd.DataFrame([(list(body[i]) + [None] * width)[:width] for i in positions], dtype=object).rename(
        columns={pos: name for name, pos in found.items()}
    )
    for name in (*TEXT_FIELDS, "nik", "phone", "event_photo", "ktp_photo", "timestamp", "privacy"):
        if name not in frame.columns:
            frame[name] = None
    for name in TEXT_FIELDS:
        frame[name] = frame[name].map(clean_text)
    frame["category"] = frame["category"].str.strip()
    frame["email"] = frame["email"].str.lower()

    evidence = sop.intake_evidence()
    reports: list[Report] = []
    for index, record in enumerate(frame.to_dict("records")):
        problems: list[str] = []
        received = parse_timestamp(record["timestamp"], tz)
        if received is None:
            problems.append(f"Cap waktu tidak terbaca ({clean_text(record['timestamp']) or 'kosong'})")
        nik, nik_problem = normalise_nik(record["nik"])
        if nik_problem and "nik" in found:
            problems.append(nik_problem)
        phone, phone_problem = normalise_phone(record["phone"])
        if phone_problem:
            problems.append(phone_problem)
        attachments = {
            "event_photo": extract_links(record["event_photo"]),
            "ktp_photo": extract_links(record["ktp_photo"]),
        }
        missing = [item.title for item in evidence if not attachments.get(item.field)]
        reports.append(
            Report(
                response_key=new_response_key(),
                response_row=positions[index] + 1,
                fingerprint=prints[index],
                received_at=received,  # type: ignore[arg-type]  # filled by the intake when None
                name=record["name"],
                nik=nik,
                phone=phone,
                email=record["email"],
                category=record["category"],
                kecamatan=record["kecamatan"],
                desa=record["desa"],
                description=record["description"],
                event_photos=attachments["event_photo"],
                ktp_photos=attachments["ktp_photo"],
                missing_evidence=missing,
                problems=problems,
                privacy=parse_flags(record["privacy"]),
            )
        )
    return reports
