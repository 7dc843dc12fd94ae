"""No full NIK where it must not be (issue 9, reproduction 7): a NIK typed into any answer, in any
separator style or script, never reaches a sheet the service writes, a message to a role without
``sees_identity`` or to a citizen, a log line or an export — scanned over a full demo run and over a
site fed hostile inputs. Roles with ``sees_identity`` still get the case's full NIK in its NIK field.
"""

from __future__ import annotations

import email
import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from cakra.common.pii import _DIGIT_SCAN_END, mask_nik, redact, redact_value
from cakra.config import load_config
from cakra.export import export_month
from cakra.serve import Service
from cakra.tabs.status import OPERATOR_KEYS, column_header
from tests.site import ROLES, T0, Site, response
from tests.workbook import RESPONSES_TAB

ROOT = Path(__file__).resolve().parents[1]
SEPARATORS = re.compile(r"[\s.\-_\u2010-\u2015\u2212]")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def styles(nik: str) -> dict[str, str]:
    """``nik`` written the ways people write it."""
    return {
        "plain": nik,
        "dashes": "-".join(nik[i : i + 4] for i in range(0, 16, 4)),
        "dots": ".".join(nik[i : i + 4] for i in range(0, 16, 4)),
        "spaces 6-6-4": f"{nik[:6]} {nik[6:12]} {nik[12:]}",
        "spaced dashes": " - ".join(nik[i : i + 4] for i in range(0, 16, 4)),
        "no-break spaces": "\u00a0".join(nik[i : i + 4] for i in range(0, 16, 4)),
        "superscript": nik[:6] + nik[6:8].translate(SUPERSCRIPT) + nik[8:],
        "arabic-indic": nik.translate(ARABIC_INDIC),
        "fullwidth": nik.translate(FULLWIDTH),
    }


def full_niks(text: str, niks: Iterable[str]) -> set[str]:
    """Which of ``niks`` appear whole in ``text``, whatever the digits' script or the separators."""
    ascii_digits = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
    joined = SEPARATORS.sub("", ascii_digits)
    return {nik for nik in niks if nik in joined}


# --- the one masking function -------------------------------------------------------------------


@pytest.mark.parametrize(("style", "written"), styles("1404015501900021").items())
def test_redact_masks_a_nik_in_every_style(style: str, written: str) -> None:
    masked = redact(f"Nama saya Budi {written}, warga Enok")
    assert full_niks(masked, ["1404015501900021"]) == set(), (style, masked)
    assert masked.startswith("Nama saya Budi ") and masked.endswith(", warga Enok")
    assert masked.count("*") == 8  # the region code and the last four digits stay readable


def test_redact_keeps_dates_times_phones_and_long_numbers() -> None:
    text = "23/11/2026 14.05, 2026-11-23 07:30, +6281234567890, rekening 12345678901234567, CAKRA-2026-000123"
    assert redact(text) == text
    assert redact("1404-0155-0190-0021") == "1404-****-****-0021"
    assert redact("a 1404015501900001 b 1404.0155.0190.0023") == "a 1404********0001 b 1404.****.****.0023"
    assert redact("1404015501900001 081234567890") == "1404********0001 081234567890"  # a NIK then a phone
    assert mask_nik("1404015501900001") == "1404********0001"


def test_the_digit_alphabet_covers_all_of_unicode() -> None:
    beyond = [c for c in range(_DIGIT_SCAN_END, sys.maxunicode + 1) if chr(c).isdigit()]
    decimal_only = [c for c in beyond if not chr(c).isdecimal()]
    assert decimal_only == []  # everything past the scan is a decimal digit, which \\d already matches


# --- a hostile site, every output scanned ----------------------------------------------------------

HOSTILE = [f"14040155019{n:05d}" for n in range(21, 40)]  # invented NIKs, one per place
STYLE_NAMES = list(styles(HOSTILE[0]))


def hostile(index: int) -> str:
    """The ``index``-th hostile NIK in the ``index``-th style (cycling through all of them)."""
    return styles(HOSTILE[index])[STYLE_NAMES[index % len(STYLE_NAMES)]]


def hostile_rows() -> list[list[object]]:
    return [
        response(
            0,
            name=f"Budi {hostile(0)}",
            nik=HOSTILE[1],  # a valid NIK in its own field: Kasubbid and Kabid get it whole
            kecamatan=hostile(2),
            desa=hostile(3),
            category=f"Lainnya {hostile(4)}",
            description=f"Pelaku ber-NIK {hostile(5)} dan {hostile(6)}; saksi {hostile(7)}",
            phone=hostile(8),
        ),
        response(1, nik=hostile(9), description=f"NIK saya {hostile(10)}", name=hostile(11)),
        response(2, nik=styles(HOSTILE[12])["dashes"], kecamatan=f"Kec. {hostile(13)}"),
    ]


def identity_addresses() -> set[str]:
    return {*ROLES["kasubbid"], *ROLES["kabid"]}  # the Cakra SOP's roles with sees_identity


def messages(outbox: Path) -> Iterator[tuple[EmailMessage, str]]:
    """Every .eml with the text of its subject and of all its text parts, decoded."""
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        parts = [str(message["Subject"])]
        parts += [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
        yield message, "\n".join(parts)


def sheet_cells(workbook: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of every cell the service writes: every tab but the form's responses, and on the
    status tab every column but the operators' own."""
    book = openpyxl.load_workbook(workbook)
    operator_headers = {column_header(key) for key in OPERATOR_KEYS}
    for sheet in book.worksheets:
        if sheet.title.startswith(RESPONSES_TAB.split()[0]):
            continue
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(v) for v in rows[0]] if rows else []
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or (c < len(header) and header[c] in operator_headers and r > 1):
                    continue
                yield f"{sheet.title}!R{r}C{c + 1}", str(value)


def leaks(places: Iterable[tuple[str, str]], niks: list[str]) -> list[tuple[str, set[str]]]:
    return [(where, found) for where, text in places if (found := full_niks(text, niks))]


def scan_everything(folder: Path, workbook: Path, outbox: Path, niks: list[str], logs: str) -> None:
    assert leaks(sheet_cells(workbook), niks) == []
    entitled = identity_addresses()
    unentitled = [
        (str(m["To"]) + " " + str(m["Subject"]), text)
        for m, text in messages(outbox)
        if str(m["To"]) not in entitled
    ]
    assert unentitled and leaks(unentitled, niks) == []
    exports = [(p.name, p.read_text(encoding="utf-8-sig")) for p in folder.glob("export/*.csv")]
    book = openpyxl.load_workbook(next(folder.glob("export/*.xlsx")))
    exports += [
        (f"{ws.title}", str(v))
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v
    ]
    assert exports and leaks(exports, niks) == []
    assert leaks([("log", logs)], niks) == []


def test_no_full_nik_leaves_through_sheets_messages_logs_or_exports_from_hostile_answers(site: Site) -> None:
    site.extra = {"serve": {"report_time": "07:00"}, "digest": {"time": "07:30"}}
    site.submit(*hostile_rows())
    site.poll(T0 + timedelta(minutes=20))  # new cases, acknowledgements, the operator's overdue notices
    for ticket in ("CAKRA-2026-000001", "CAKRA-2026-000002"):
        site.edit(ticket, Tahap="3", Petugas=f"Op {hostile(14)}", Disposisi=f"cek {hostile(15)}")
    site.poll(T0 + timedelta(minutes=25))
    site.edit("CAKRA-2026-000001", Tahap="4", Petugas="Sari", Hasil_Verifikasi=f"benar {hostile(16)}")
    site.poll(T0 + timedelta(minutes=30))
    site.edit("CAKRA-2026-000001", Tahap="5", Petugas="Sari", Tindak_Lanjut=f"selesai {hostile(17)}")
    site.poll(T0 + timedelta(minutes=35))
    site.edit(
        "CAKRA-2026-000001", Tahap="Selesai", Petugas="Sari", Balasan_untuk_Pelapor=f"NIK {hostile(18)} benar"
    )
    site.poll(T0 + timedelta(minutes=40))
    assert site.status()  # the cases are there
    moment = T0 + timedelta(hours=1)
    service = Service(site.app, clock=lambda: moment)
    assert service.report_job() and service.digest_job() and service.weekly_job()
    export_month(site.app, "2026-11", site.folder / "export")
    site.close()

    # The command line's own log lines, verbose, at a frozen moment (a cycle that finds everything done).
    cli = """
import sys
from datetime import datetime
import time_machine
time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True).start()
from cakra.cli import main
sys.exit(main(sys.argv[2:]))
"""
    config = site.write_config()
    logs = ""
    for command in ("poll", "report", "digest", "weekly"):
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                cli,
                (moment + timedelta(days=1)).isoformat(),
                "--config",
                str(config),
                "-v",
                command,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        logs += done.stdout + done.stderr
    assert "siklus selesai" in logs

    scan_everything(site.folder, site.workbook, site.outbox, HOSTILE, logs)
    # Kasubbid and Kabid still get the case's full NIK in its NIK field.
    entitled = [text for m, text in messages(site.outbox) if str(m["To"]) in identity_addresses()]
    assert any(HOSTILE[1] in text for text in entitled)


def test_no_full_nik_leaves_a_full_demo_run(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    demo = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "-v", "demo", "--out", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    config = load_config(folder / "config.toml")
    responses = openpyxl.load_workbook(config.sheets.workbook)[RESPONSES_TAB]
    header = [str(v) for v in next(responses.iter_rows(values_only=True))]
    column = header.index("NIK")
    niks = [
        SEPARATORS.sub("", str(row[column]))
        for row in responses.iter_rows(min_row=2, values_only=True)
        if row[column] and len(SEPARATORS.sub("", str(row[column]))) == 16
    ]
    assert len(niks) >= 5
    from cakra.app import build_app

    app = build_app(config)
    try:
        export_month(app, "2026-11", folder / "export")
    finally:
        app.close()
    scan_everything(folder, config.sheets.workbook, folder / "outbox", niks, demo.stdout + demo.stderr)


def test_redact_value_masks_text_inside_any_structure_and_leaves_the_rest() -> None:
    from collections import namedtuple
    from datetime import datetime

    Row = namedtuple("Row", "name count")
    moment = datetime(2026, 11, 23, 8, 0)
    masked = redact_value(
        {"a": [hostile(0), (hostile(1), 3)], "b": Row(hostile(2), 4), "c": moment, "d": None, hostile(3): 1}
    )
    assert full_niks(json.dumps(masked, ensure_ascii=False, default=str), HOSTILE) == set()
    assert masked["b"].count == 4 and masked["c"] is moment and masked["d"] is None
