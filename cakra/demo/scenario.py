"""The simulated morning both demos play (``run.py demo``, and ``--google-emulator``).

The set-up (``DEMO_CONFIG``), the operators' and reporters' script, ``simulate_morning`` which plays it on
a ``DemoWorld`` (the local workbook, or the emulator's spreadsheet) while the service cycles every ten
simulated minutes, and the printout of what to open first. Every name and NIK is invented
(``cakra.demo.data``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from cakra.app import App
from cakra.cycle import poll
from cakra.demo.data import RESPONSE_HEADERS, demo_responses
from cakra.serve import Service

RESPONSES_TAB, STATUS_TAB = "Form Responses 1", "Status Kasus"  # as DEMO_CONFIG names them
DEMO_TZ = ZoneInfo("Asia/Jakarta")
DEMO_START = datetime(2026, 11, 23, 7, 30, tzinfo=DEMO_TZ)

DEMO_CONFIG = """\
# Cakra demo set-up (synthetic data only). Every key is documented in the README.
timezone = "Asia/Jakarta"
sop = "cakra-linmas"
agency_name = "Badan Kesbangpol Kabupaten Indragiri Hilir (DEMO)"

[sheets]
backend = "local"
workbook = "cakra-demo.xlsx"
responses_tab = "Form Responses 1"
status_tab = "Status Kasus"
history_tab = "Riwayat"

[ledger]
path = "cakra-demo.sqlite"

[email]
backend = "outbox"
outbox_dir = "outbox"
from = "Cakra Kesbangpol Inhil <cakra@kesbangpol.contoh.example>"

[roles.operator]
emails = ["operator@kesbangpol.contoh.example"]

[roles.kasubbid]
emails = ["kasubbid@kesbangpol.contoh.example"]

[roles.kabid]
emails = ["kabid@kesbangpol.contoh.example"]

[roles.kepala_badan]
emails = ["kaban@kesbangpol.contoh.example"]

[citizen]
# Shown to reporters in their acknowledgement and closing message.
contact = "WhatsApp Linmas 0811-0000-0000 (contoh)"
"""


# (minutes after 07:30, ticket seq, {header: value}) — the operators' morning.
OPERATOR_SCRIPT: list[tuple[int, int, dict[str, str]]] = [
    (10, 1, {"Tahap": "3. Kasubbid", "Petugas": "Op. Rahmat", "Disposisi / Catatan": "Teruskan ke Kasubbid"}),
    (10, 2, {"Tahap": "5. Kepala Badan", "Petugas": "Op. Rahmat"}),  # not allowed: answered in the sheet
    (
        20,
        1,
        {"Tahap": "4. Kabid verifikasi", "Petugas": "Kasubbid Yusuf", "Disposisi / Catatan": "Cek lapangan"},
    ),
    (20, 3, {"Tahap": "Tidak valid", "Petugas": "Op. Rahmat", "Disposisi / Catatan": "Laporan uji coba"}),
    (20, 2, {"Tahap": "3. Kasubbid", "Petugas": "Op. Rahmat"}),
    (40, 5, {"Tahap": "3. Kasubbid", "Petugas": "Op. Sari"}),
    (60, 1, {"Tahap": "5. Kepala Badan", "Petugas": "Kabid Lestari", "Hasil Verifikasi": "Benar terjadi"}),
    (
        90,
        1,
        {
            "Tahap": "Selesai",
            "Petugas": "Kaban Hasan",
            "Tindak Lanjut": "Mediasi oleh Tim Linmas",
            "Balasan untuk Pelapor": "Terima kasih. Keributan di lokasi sudah dimediasi Tim Linmas bersama "
            "aparat desa; situasi kini kondusif.",
        },
    ),
    # The report lacks the KTP photo: the operator asks the reporter and stops the clock meanwhile.
    (
        40,
        11,
        {"Tahap": "Menunggu pelapor", "Petugas": "Op. Sari", "Disposisi / Catatan": "Minta foto KTP via WA"},
    ),
    (80, 11, {"Tahap": "3. Kasubbid", "Petugas": "Op. Sari"}),
    # The Kasubbid sends a case back to the operator, saying why: the operator's email shows it returned.
    (
        50,
        5,
        {
            "Tahap": "2. Operator",
            "Petugas": "Kasubbid Yusuf",
            "Disposisi / Catatan": "Lokasi kurang jelas: mohon lengkapi nama jalan dengan pelapor",
        },
    ),
]
# (minutes after 07:30, index in the response list, column, new value) — a reporter edits the response.
REPORTER_EDITS: list[tuple[int, int, int, object]] = [
    (70, 10, RESPONSE_HEADERS.index("Foto KTP"), "https://drive.google.com/open?id=DEMOktpSUSULAN000000001"),
]
# Case 3 is closed as invalid: its reporter is told why.
OPERATOR_SCRIPT[3][2]["Balasan untuk Pelapor"] = (
    "Laporan Anda tidak dapat kami tindak lanjuti karena berupa uji coba. Silakan kirim laporan baru bila "
    "ada kejadian."
)
CYCLE_MINUTES = 10


class DemoWorld(Protocol):
    """Where the demo's citizens and operators act: the local workbook or a Google spreadsheet."""

    def append_responses(self, rows: list[list[object]]) -> None: ...

    def edit_response(self, index: int, row: list[object]) -> None: ...

    def edit_status(self, ticket: str, values: dict[str, str]) -> None: ...


def fresh_folder(out: Path, *stale: str) -> None:
    """Create ``out`` if needed and remove what a previous run left: the files ``stale`` and outbox/*.eml."""
    out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (out / name).unlink(missing_ok=True)
    for eml in (out / "outbox").glob("*.eml") if (out / "outbox").exists() else ():
        eml.unlink()


def simulate_morning(app: App, world: DemoWorld, note: Callable[[], str] = lambda: "") -> None:
    """Citizens report, operators work the sheet and the service cycles every ten simulated minutes.

    ``note`` adds a word to each cycle's line (the Google demo tells how many API requests it cost).
    """
    responses = demo_responses(DEMO_START)
    logging.getLogger("cakra").setLevel(logging.WARNING)  # the demo prints its own one line per cycle
    now = DEMO_START
    for minutes in range(5, 125, CYCLE_MINUTES):
        now = DEMO_START + timedelta(minutes=minutes)
        world.append_responses([row for row in responses if _arrival(row) <= now])
        for at, index, column, value in (e for e in REPORTER_EDITS if e[0] == minutes - 5):
            responses[index][column] = value
            # Google Forms stamps an edited response with the time of the edit.
            responses[index][0] = (DEMO_START + timedelta(minutes=at)).replace(tzinfo=None)
            world.edit_response(index, responses[index])
        tickets = {case.seq: case.ticket for case in app.ledger.cases()}
        for _, seq, values in (s for s in OPERATOR_SCRIPT if s[0] == minutes - 5):
            world.edit_status(tickets[seq], values)
        result = poll(app, now)
        print(f"[{now:%H:%M}] {result.summary()}{note()}")
    # The service's scheduled jobs at the end of the morning: today's digests, this week's summary.
    service = Service(app, clock=lambda: now)
    service.digest_job()
    service.weekly_job()
    print(f"[{now:%H:%M}] rekap harian per peran dan ringkasan mingguan pimpinan dikirim")


def print_emails(out: Path) -> None:
    """Print how many emails the outbox holds and the first of each kind in ``HIGHLIGHTS``."""
    emails = sorted((out / "outbox").glob("*.eml"))
    label = f"email ({len(emails)} pesan)"
    print(f"  {label:<24}: {out / 'outbox'}/*.eml, antara lain:")
    for label, path in highlights(emails).items():
        print(f"    {label:<22}: {path.name}")


# What to open first: (label, a test on the Subject header) — each the first such message.
HIGHLIGHTS: list[tuple[str, Callable[[str], bool]]] = [
    ("tanda terima pelapor", lambda s: s.startswith("Laporan Anda telah diterima")),
    ("pengingat", lambda s: "mendekati batas waktu" in s),
    ("eskalasi", lambda s: "terlambat di bawah Anda" in s),
    ("balasan penutup", lambda s: s.startswith("Laporan ") and s.endswith(": Selesai")),
    ("rekap harian", lambda s: "Rekap harian" in s),
    ("ringkasan mingguan", lambda s: "Ringkasan mingguan" in s),
]


def highlights(emails: list[Path]) -> dict[str, Path]:
    """The first message of each kind in ``HIGHLIGHTS`` (by its Subject), for the demo's printout."""
    subjects = [(path, _subject(path)) for path in emails]
    found: dict[str, Path] = {}
    for label, wanted in HIGHLIGHTS:
        match = next((path for path, subject in subjects if wanted(subject)), None)
        if match is not None:
            found[label] = match
    return found


def _subject(path: Path) -> str:
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle, headersonly=True)
    return str(message["Subject"] or "")


def _arrival(row: list[object]) -> datetime:
    stamp = row[0]
    if isinstance(stamp, datetime):
        return stamp.replace(tzinfo=DEMO_TZ)
    return datetime.strptime(str(stamp), "%d/%m/%Y %H:%M:%S").replace(tzinfo=DEMO_TZ)
