"""End to end, per SOP: each shipped demo scenario walked through every step and branch of its SOP, its
messages delivered to a real SMTP server (aiosmtpd on loopback), then checked as the people who get them
would read them.

The scenarios (cakra/demo/scenarios/*.toml) are the same files ``cakra demo --sop NAME`` plays; each
states where its cases must end and which steps they must pass (``[[expect]]``), which ``run_sop_demo``
checks (exit 0 only when all hold). These tests add what each SOP is about: the decision loop and
internal intake of Bima, the channels and skipped LAPOR!-only steps of DPMD, the units of SIPENDEKAR.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from cakra.demo.sop_demo import available, run_sop_demo
from cakra.ledger.store import Ledger
from cakra.workflow.storage import SKIPPED
from tests.smtp_fixtures import SmtpServer, smtp_email_table


def walk(name: str, out: Path, server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Play scenario ``name`` in ``out`` with its mail going to ``server``; every expectation must hold."""
    table = smtp_email_table(server, monkeypatch)
    smtp = "\n".join(
        f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}" for key, value in table.items()
    )
    smtp = smtp.replace("'", '"')

    def to_smtp(config: str) -> str:
        assert 'backend = "outbox"\noutbox_dir = "outbox"' in config
        return config.replace('backend = "outbox"\noutbox_dir = "outbox"', smtp)

    assert run_sop_demo(out, name, config_text=to_smtp) == 0


def inbox(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [m.message for m in server.messages if address in m.rcpt_tos]


def text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def history(out: Path, ticket: str) -> list[tuple[str, str | None, str | None, str]]:
    ledger = Ledger(out / "cakra-demo.sqlite")
    try:
        return [(h.kind, h.from_step, h.to_step, h.note) for h in ledger.history(ticket)]
    finally:
        ledger.close()


def test_every_shipped_sop_but_the_morning_demo_has_a_scenario() -> None:
    sops = {p.stem for p in Path("workflow/sops").glob("*.toml")}
    assert sops - {"cakra-linmas"} <= set(available())  # cakra-linmas plays the simulated morning


def test_bima_innovation_loops_back_on_tidak_and_runs_on_after_ya(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk("dukcapil-bima-inovasi", tmp_path, smtp_server, monkeypatch)
    kasi = [text(m) for m in inbox(smtp_server, "kasi.inovasi@dukcapil.bimakota.example.go.id")]
    # The Kepala Dinas's "Tidak" sends the idea back with his reason, in its own section.
    returned = next(t for t in kasi if "Dikembalikan ke tahap Anda" in t)
    assert "Dikembalikan oleh Kadis Nurhayati dari tahap 3. Keputusan Kepala Dinas" in returned
    assert "Perjelas sasaran dan hitung biaya kendaraan" in returned
    moves = [h for h in history(tmp_path, "INOVASI-2026-000001") if h[0] == "pindah tahap"]
    assert ("keputusan", "konsep") in [(m[1], m[2]) for m in moves]
    assert any(m[1:3] == ("keputusan", "draf") and "Keputusan: Ya" in m[3] for m in moves)
    # Internal intake: the staff who proposed get no citizen acknowledgement; the Kasi reads "usulan".
    assert not inbox(smtp_server, "rina@dukcapil.bimakota.example.go.id")
    assert "Usulan baru" in kasi[0]
    assert "Diajukan oleh: Rina Wulandari\n" in kasi[0]  # staff: no citizen's "NIK -" line
    # The meeting step has three roles: the structural officials hear of it too.
    (struktural,) = inbox(smtp_server, "struktural@dukcapil.bimakota.example.go.id")
    assert "5. Rapat pejabat struktural" in text(struktural)


def test_dpmd_channels_skip_the_lapor_steps_and_reach_a_phone_only_reporter(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk("dpmd-kapuas-hulu", tmp_path, smtp_server, monkeypatch)
    book = openpyxl.load_workbook(tmp_path / "cakra-demo.xlsx", read_only=True)
    header, *rows = book["Status Kasus"].iter_rows(values_only=True)
    status = {row[0]: dict(zip(header, row, strict=False)) for row in rows}
    book.close()
    # One numbering: the form's response and the two typed by the admin.
    lapor = next(r for r in status.values() if r["Saluran"] == "LAPOR!")
    assert lapor["No. Referensi"] == "LAP-2026-5512345"
    letter = next(t for t, r in status.items() if r["Saluran"] == "Surat")
    # The letter's case passed over both LAPOR!-only steps, each visibly, with the reason.
    skipped = [h for h in history(tmp_path, letter) if h[0] == SKIPPED]
    assert [h[1] for h in skipped] == ["disposisi_lapor", "info_admin_lapor"]
    assert all("syarat" in h[3] and "LAPOR!" in h[3] for h in skipped)
    # The admin who must inform the letter's reporter (no email) gets the WhatsApp link with the reply.
    admin = [text(m) for m in inbox(smtp_server, "admin.pengaduan@dpmd.kapuashulu.example.go.id")]
    link = next(re.search(r"https://wa\.me/6281352002002\?text=\S+", t) for t in admin if "wa.me" in t)
    assert link is not None and "Kepala%20desa%20sudah%20ditegur" in link.group(0)
    assert any("Pelapor diinformasikan via WhatsApp" in h[3] for h in history(tmp_path, letter))
    # The Kabid's analysis reaches the Sekretaris with the LAPOR! case.
    sekretaris = [text(m) for m in inbox(smtp_server, "sekretaris@dpmd.kapuashulu.example.go.id")]
    assert any("APBDes belum dipublikasikan" in t for t in sekretaris)
    # The LAPOR! reporter hears the reply; the reporter of an invalid test hears why, nothing internal.
    (closing,) = [
        m for m in inbox(smtp_server, "yohanes.lawing@contoh.example") if "Selesai" in str(m["Subject"])
    ]
    assert "papan informasi desa" in text(closing) and "Analisis aduan" not in text(closing)


def test_sipendekar_routes_each_case_to_one_skpd_and_a_correction_back_to_the_same(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk("sipendekar", tmp_path, smtp_server, monkeypatch)
    pupr = [text(m) for m in inbox(smtp_server, "admin.dinaspupr@bengkaliskab.example.go.id")]
    dinkes = [text(m) for m in inbox(smtp_server, "admin.dinkes@bengkaliskab.example.go.id")]
    # The handover note: the disposisi of the Diskominfotik admin reaches the SKPD, with who and when.
    assert "Dari tahap sebelumnya: 2. Verifikasi dan disposisi - oleh Admin Kominfo Dewi" in pupr[0]
    assert "Mohon dicek lokasi dan jadwal perbaikan" in pupr[0]
    # It points the SKPD to its own workbook, where it works the case, not to the agency's sheet.
    assert 'unit-dinas-pupr.xlsx, tab "Status Kasus", baris SIPENDEKAR-2026-000001' in pupr[0]
    assert "cakra-demo.xlsx" not in pupr[0]
    # The correction goes back to the same SKPD, saying why; the other SKPD never hears of the case.
    assert any("Dikembalikan oleh Admin Kominfo Dewi" in t and "Sebutkan tanggal" in t for t in pupr)
    assert not any("SIPENDEKAR-2026-000001" in t for t in dinkes)
    assert not any("SIPENDEKAR-2026-000002" in t for t in pupr)
    # Each SKPD's own workbook lists its own cases only.
    for unit, ticket in (("dinas-pupr", "SIPENDEKAR-2026-000001"), ("dinkes", "SIPENDEKAR-2026-000002")):
        book = openpyxl.load_workbook(tmp_path / f"unit-{unit}.xlsx", read_only=True)
        tickets = [row[0] for row in book["Status Kasus"].iter_rows(min_row=2, values_only=True) if row[0]]
        book.close()
        assert tickets == [ticket]
    # The Diskominfotik admin corrects what the SKPD drafted: the draft reaches them as the handover.
    admin = [text(m) for m in inbox(smtp_server, "admin.sipendekar@bengkaliskab.example.go.id")]
    assert any("penambalan sementara 30 November 2026" in t for t in admin)
    # The citizen gets the corrected answer only.
    (closing,) = [m for m in inbox(smtp_server, "rahmat.h@contoh.example") if "Selesai" in str(m["Subject"])]
    assert "perbaikan total dijadwalkan 2027" in text(closing) and "Draf jawaban" not in text(closing)
