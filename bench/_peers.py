"""The two peers: the usual gspread ways of doing our sheet job, run against the same emulator.

Both do one cycle of the same job as ours, on their own copy of the same spreadsheet: read the form's
responses and the status tab, add a status row for every response without one, and update the cells
of existing rows whose value changed (here: the columns copied straight from the form — category and
location; nothing changes in these scenarios, which both peers check row by row). Their "business
logic" is a plain mapping of a response to a status row of the same 21 columns as ours (no ledger, no
SOP, no notices), so their CPU time is a lower bound of what a peer doing our whole job would spend.

- (a) ``get_all_records()`` on both tabs + one ``worksheet.update_cell(row, col, value)`` per cell to
  write. Calls beyond ``cap`` are counted but not executed; their requests, bytes and time are
  extrapolated from the mean of the calls that ran (marked "~" in the table).
- (b) ``get_all_records()`` on both tabs + ``gspread_dataframe.set_with_dataframe(worksheet, frame)``
  rewriting the whole status tab (its defaults: USER_ENTERED, header included, formulas allowed).

Both authenticate as ours does (the same service-account key, google-auth's AuthorizedSession pointed at
the emulator), so transport costs are alike; the spreadsheet and its worksheets are opened before the
measured phase (a loop that keeps them), as ours keeps its metadata.
"""

from __future__ import annotations

import gc
import re
import time
from datetime import datetime, timedelta
from typing import Any

from _emuproc import rss_mb
from _site import RESPONSES_TAB, SHEETS_EPOCH, STATUS_TAB, WIB, reset_peak

HEADERS = [
    "No. Tiket",
    "Diterima",
    "Jenis Laporan",
    "Lokasi",
    "Ringkasan",
    "Kelengkapan",
    "Nama Pelapor",
    "NIK (disamarkan)",
    "No. HP",
    "Tahap Saat Ini",
    "Penanggung Jawab",
    "Batas Waktu",
    "Terlambat",
    "Tahap",
    "Petugas",
    "Disposisi / Catatan",
    "Hasil Verifikasi",
    "Tindak Lanjut",
    "Kerahasiaan",
    "Balasan untuk Pelapor",
    "Pesan Sistem",
]
_TEXT_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})")


def open_worksheets(params: dict[str, Any]) -> tuple[Any, Any]:
    import gspread
    from google.auth.transport.requests import AuthorizedSession

    from cakra.credentials import load_credentials
    from cakra.sheets.endpoint import point_session_at

    credentials = load_credentials(params["key"], google_endpoint=False)
    session = point_session_at(AuthorizedSession(credentials), params["base_url"])
    client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
    book = client.open_by_key(params["spreadsheet_id"])
    return book.worksheet(RESPONSES_TAB), book.worksheet(STATUS_TAB)


def received(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return (SHEETS_EPOCH + timedelta(days=float(value))).replace(tzinfo=WIB)
    match = _TEXT_DATE.match(str(value))
    if match:
        day, month, year, hour, minute = map(int, match.groups())
        return datetime(year, month, day, hour, minute, tzinfo=WIB)
    return None


def ticket(record: dict[str, Any], position: int, fallback_year: int) -> str:
    when = received(record.get("Timestamp"))
    return f"CAKRA-{when.year if when else fallback_year}-{position:06d}"


def location(record: dict[str, Any]) -> str:
    return ", ".join(str(p) for p in (record.get("Desa/Kelurahan"), record.get("Kecamatan")) if p)


def status_row(record: dict[str, Any], tag: str) -> list[Any]:
    """A response as a status row of the same 21 columns (plain mapping, no SOP logic)."""
    when = received(record.get("Timestamp"))
    nik = str(record.get("NIK", ""))
    missing = [
        t for t, k in (("foto kejadian", "Foto Kejadian"), ("foto KTP", "Foto KTP")) if not record.get(k)
    ]
    privacy = str(record.get("Kerahasiaan", ""))
    return [
        tag,
        when.strftime("%d/%m/%Y %H:%M") if when else "",
        record.get("Jenis Laporan", ""),
        location(record),
        str(record.get("Uraian Kejadian", ""))[:120],
        "Lengkap" if not missing else "Kurang: " + ", ".join(missing),
        "Anonim" if privacy == "Anonim" else record.get("Nama Lengkap", ""),
        f"{nik[:4]}********{nik[12:]}" if len(nik) == 16 else "",
        record.get("Nomor HP", ""),
        "2. Operator",
        "Operator",
        (when + timedelta(minutes=15)).strftime("%d/%m/%Y %H:%M") if when else "",
        "Tidak",
        "2. Operator",
        "",
        "",
        "",
        "",
        privacy if privacy in ("Rahasia", "Anonim") else "",
        "",
        "",
    ]


def plan(
    resp_records: list[dict[str, Any]], status_records: list[dict[str, Any]], year: int
) -> tuple[list[tuple[int, int, Any]], list[list[Any]]]:
    """Cells to write: changed copied-through cells of existing rows, then every cell of new rows."""
    by_ticket = {str(r.get("No. Tiket", "")): (i, r) for i, r in enumerate(status_records)}
    header = list(status_records[0]) if status_records else HEADERS
    col = {name: header.index(name) + 1 for name in HEADERS}
    changes: list[tuple[int, int, Any]] = []
    new_rows: list[list[Any]] = []
    next_row = len(status_records) + 2
    for position, record in enumerate(resp_records, start=1):
        tag = ticket(record, position, year)
        found = by_ticket.get(tag)
        if found is not None:
            index, existing = found
            for name, value in (
                ("Jenis Laporan", record.get("Jenis Laporan", "")),
                ("Lokasi", location(record)),
            ):
                if str(existing.get(name, "")) != str(value):
                    changes.append((index + 2, col[name], value))
            continue
        row = status_row(record, tag)
        new_rows.append(row)
        changes.extend((next_row, c, v) for c, v in enumerate(row, start=1) if v != "")
        next_row += 1
    return changes, new_rows


def peer(params: dict[str, Any], go: Any) -> dict[str, Any]:
    import pandas as pd
    from gspread_dataframe import set_with_dataframe

    ws_resp, ws_status = open_worksheets(params)
    year = params["now"].year
    cap = params.get("cap") or 0
    go()
    gc.collect()
    before = rss_mb()
    reset_peak()
    t = time.perf_counter()
    resp_records = ws_resp.get_all_records()
    status_records = ws_status.get_all_records()
    changes, new_rows = plan(resp_records, status_records, year)
    executed = len(changes)
    update_seconds = 0.0
    if params["kind"] == "a":
        executed = min(len(changes), cap) if cap else len(changes)
        t_updates = time.perf_counter()
        last_row = max((r for r, _, _ in changes[:executed]), default=0)
        if last_row > ws_status.row_count:  # update_cell past the grid is refused: add rows first
            ws_status.add_rows(last_row - ws_status.row_count)
        for row, col, value in changes[:executed]:
            ws_status.update_cell(row, col, value)
        update_seconds = time.perf_counter() - t_updates
        cells = len(changes)
    else:
        header = list(status_records[0]) if status_records else HEADERS
        frame = pd.DataFrame(status_records, columns=header)
        by_pos = {(r, c): v for r, c, v in changes}
        for (r, c), v in by_pos.items():  # changed cells of existing rows (none here)
            if r - 2 < len(frame):
                frame.iat[r - 2, c - 1] = v
        if new_rows:
            # The peer fills its 21 columns; the tab's other columns (Cakra's own) stay empty.
            placed = [
                [dict(zip(HEADERS, row, strict=True)).get(name, "") for name in header] for row in new_rows
            ]
            frame = pd.concat([frame, pd.DataFrame(placed, columns=header)], ignore_index=True)
        set_with_dataframe(ws_status, frame)
        cells = (len(frame) + 1) * len(header)
    wall = time.perf_counter() - t
    return {
        "wall": wall,
        "peak_mb": rss_mb("VmHWM"),
        "rss_before_mb": before,
        "cells": cells,
        "planned_calls": len(changes),
        "executed_calls": executed,
        "update_seconds": update_seconds,
        "new_rows": len(new_rows),
    }
