"""Form responses -> normalised ``Report`` records (pandas).

Columns are found by header through aliases (``ingest/columns.py``: question titles differ from agency to
agency). Each response is keyed by its row: Google Forms appends a row per response and rewrites that
same row when the respondent edits the answer, so the row is the response's identity and the timestamp
is not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

import pandas as pd

from cakra.common.errors import SheetError
from cakra.ingest.columns import ColumnAliases
from cakra.ingest.fields import clean_text, extract_links, normalise_nik, normalise_phone, parse_timestamp
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


def response_key(sheet_row: int) -> str:
    """A response's identity: its row (Google Forms rewrites the same row when the answer is edited)."""
    return f"row:{sheet_row}"


def _fingerprint(row: Sequence[object]) -> str:
    payload = json.dumps([None if v in (None, "") else str(v) for v in row], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def read_reports(
    tab: Tab,
    columns: ColumnAliases,
    sop: Sop,
    tz: ZoneInfo,
    *,
    skip: Mapping[str, str] | None = None,
    rows: Sequence[int] | None = None,
) -> list[Report]:
    """The response rows (``rows``: 0-based indices into ``tab.rows``; default every row below the
    header) as ``Report``s; rows whose fingerprint equals ``skip[key]`` are left out.

    ``skip`` is what the ledger already processed (response key -> fingerprint), which makes a cycle
    incremental: an unchanged response costs one hash, an edited one is read again. Only the cells under
    a header count (what a partial read of the row returns, cakra/sheet_view.py).
    """
    found = locate_columns(tab, columns)
    skip = skip or {}
    header_width = len(tab.rows[0])
    positions: list[int] = []
    keys: list[str] = []
    prints: list[str] = []
    for index in range(1, len(tab.rows)) if rows is None else rows:
        row = tab.rows[index][:header_width]
        while row and row[-1] in (None, ""):
            row.pop()  # as the API returns it: trailing empty cells dropped
        if not any(v not in (None, "") for v in row):
            continue  # an empty row is no response
        key, fingerprint = response_key(index + 1), _fingerprint(row)
        if skip.get(key) != fingerprint:
            positions.append(index)
            keys.append(key)
            prints.append(fingerprint)
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
                response_key=keys[index],
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
