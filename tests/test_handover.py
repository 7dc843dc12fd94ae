"""What one step produces reaches the next role (issue 10 item 1): the Cakra LINMAS SOP walked on the local
workbook, every message delivered to a real SMTP server (aiosmtpd on loopback), time frozen per cycle.

The operators type into the status sheet as people do: a note column and "Tahap" in the same edit; the
next role's email shows the note, who wrote it and when; a case sent back says so, with the reason.
"""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage

from openpyxl import load_workbook

from cakra.tabs.status import SERVICE_KEYS
from cakra.workflow.case import Case
from cakra.workflow.operator_edits import OPERATOR_FIELDS
from tests.helpers_time import plain, with_privacy
from tests.site import T0, Site, response
from tests.smtp_fixtures import SmtpServer, to

TICKET = "CAKRA-2026-000001"
NIK = "1404015501900001"  # the default response's (invented) NIK


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def html(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def act(site: Site, server: SmtpServer, at: float, **values: str) -> int:
    """An official types ``values`` into the case's row; the service cycles at ``at`` minutes.
    Returns how many messages the server had before the cycle (to read only the new ones)."""
    before = len(server.messages)
    site.edit(TICKET, **values)
    site.poll(minutes(at))
    return before


def opened(site: Site, row: list[object] | None = None) -> None:
    site.submit(row or response(0))
    site.poll(minutes(1))


def test_the_operators_disposisi_reaches_the_kasubbid_with_who_and_when(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    opened(smtp_site)
    since = act(
        smtp_site,
        smtp_server,
        5,
        Tahap="3. Kasubbid",
        Petugas="Op. Rahmat",
        Disposisi="Mohon dicek, lokasi di dekat pasar",
    )
    (kasubbid,) = to(smtp_server, "kasubbid", since)
    text = plain(kasubbid)
    assert "Dari tahap sebelumnya: 2. Operator - oleh Op. Rahmat, Senin, 23 November 2026 08.05 WIB" in text
    assert "Disposisi / Catatan: Mohon dicek, lokasi di dekat pasar" in text
    assert "Hasil tahap: Dokumentasi" in text
    # The current step's own description and outputs, from the SOP file.
    assert (
        "Yang diharapkan di tahap ini: Kasubbid menerima laporan informasi masyarakat untuk ditindaklanjuti"
        " ke atasan (hasil: Dokumentasi, Disposisi)"
    ) in text
    assert "Kasus yang masuk ke tahap Anda (1)" in text and "Dikembalikan" not in text
    body = html(kasubbid)
    assert "<b>Dari tahap sebelumnya:</b> 2. Operator &mdash; oleh Op. Rahmat" in body
    assert "<b>Disposisi / Catatan:</b> Mohon dicek, lokasi di dekat pasar" in body


def test_the_kasubbids_instruction_reaches_the_kabid_and_the_operators_note_stays_behind(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    opened(smtp_site)
    act(
        smtp_site, smtp_server, 5, Tahap="3. Kasubbid", Petugas="Op. Rahmat", Disposisi="Teruskan ke Kasubbid"
    )
    since = act(
        smtp_site,
        smtp_server,
        10,
        Tahap="4. Kabid verifikasi",
        Petugas="Kasubbid Yusuf",
        Tindak_Lanjut="Cek lapangan bersama Tim Lapangan <hari ini>",
    )
    (kabid,) = to(smtp_server, "kabid", since)
    text = plain(kabid)
    assert (
        "Dari tahap sebelumnya: 3. Kasubbid - oleh Kasubbid Yusuf, Senin, 23 November 2026 08.10 WIB" in text
    )
    assert "Tindak Lanjut: Cek lapangan bersama Tim Lapangan <hari ini>" in text
    assert "Hasil tahap: Dokumentasi, Disposisi" in text
    # Only what was written in the step just left: the operator's disposisi (still in its cell) is not
    # handed over a second time.
    assert "Teruskan ke Kasubbid" not in text
    assert "Cek lapangan bersama Tim Lapangan &lt;hari ini&gt;" in html(kabid)  # autoescaped


def test_a_case_sent_back_says_so_with_who_when_and_why_in_its_own_section(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    opened(smtp_site)
    act(smtp_site, smtp_server, 5, Tahap="3. Kasubbid", Petugas="Op. Rahmat")
    act(smtp_site, smtp_server, 10, Tahap="4. Kabid verifikasi", Petugas="Kasubbid Yusuf")
    since = act(
        smtp_site,
        smtp_server,
        30,
        Tahap="3. Kasubbid",
        Petugas="Kabid Lestari",
        Hasil_Verifikasi="Foto tidak sesuai lokasi, mohon cek ulang",
    )
    (kasubbid,) = to(smtp_server, "kasubbid", since)
    assert "dikembalikan ke tahap Anda" in str(kasubbid["Subject"])
    text = plain(kasubbid)
    assert "Dikembalikan ke tahap Anda (1)" in text
    assert "Kasus yang masuk ke tahap Anda" not in text
    assert (
        "Dikembalikan oleh Kabid Lestari dari tahap 4. Kabid verifikasi pada Senin, 23 November 2026 08.30 WIB:"
        " Foto tidak sesuai lokasi, mohon cek ulang"
    ) in text
    assert '<div style="color:#92400e; font-weight:bold;">Dikembalikan oleh Kabid Lestari' in html(kasubbid)
    assert text.count("Foto tidak sesuai lokasi") == 1  # said once, in its own block
    assert smtp_site.row(TICKET)["Catatan Tahap Sebelumnya"] == (
        "Dikembalikan dari 4. Kabid verifikasi oleh Kabid Lestari: "
        "Hasil Verifikasi: Foto tidak sesuai lokasi, mohon cek ulang"
    )
    # The history says it too.
    moves = [e for e in smtp_site.app.ledger.history(TICKET) if e.kind == "pindah tahap"]
    assert moves[-1].note == "Dikembalikan: Hasil Verifikasi: Foto tidak sesuai lokasi, mohon cek ulang"
    assert not moves[-2].note.startswith("Dikembalikan")
    # Sent on again, it is an ordinary handover: no longer "returned".
    since = act(smtp_site, smtp_server, 35, Tahap="4. Kabid verifikasi", Petugas="Kasubbid Yusuf")
    (kabid,) = to(smtp_server, "kabid", since)
    assert "Dikembalikan" not in plain(kabid)
    assert "Kasus yang masuk ke tahap Anda (1)" in plain(kabid)


def test_the_citizens_messages_carry_only_the_reply_column_never_a_step_note(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    notes = {
        "Disposisi": "CATATAN-DISPOSISI teruskan",
        "Tindak_Lanjut": "CATATAN-TINDAK-LANJUT koordinasi Polsek",
        "Hasil_Verifikasi": "CATATAN-VERIFIKASI benar terjadi",
    }
    opened(smtp_site)
    act(smtp_site, smtp_server, 5, Tahap="3. Kasubbid", Petugas="Op. Rahmat", Disposisi=notes["Disposisi"])
    act(
        smtp_site,
        smtp_server,
        10,
        Tahap="4. Kabid verifikasi",
        Petugas="Yusuf",
        Tindak_Lanjut=notes["Tindak_Lanjut"],
    )
    act(
        smtp_site,
        smtp_server,
        20,
        Tahap="5. Kepala Badan",
        Petugas="Lestari",
        **{"Hasil_Verifikasi": notes["Hasil_Verifikasi"]},
    )
    act(
        smtp_site,
        smtp_server,
        30,
        Tahap="Selesai",
        Petugas="Kaban Hasan",
        Tindak_Lanjut="CATATAN-PENUTUP internal",
        Balasan_untuk_Pelapor="Terima kasih, laporan Anda sudah ditangani.",
    )
    citizen = to(smtp_server, "andi")
    assert len(citizen) == 2  # the acknowledgement and the closing message
    closing = citizen[-1]
    assert "Terima kasih, laporan Anda sudah ditangani." in plain(closing)
    for message in citizen:
        for part in (plain(message), html(message)):
            assert "CATATAN-" not in part
    # The officials did get them: the notes are real, only the citizen is kept from them.
    assert "CATATAN-VERIFIKASI" in plain(to(smtp_server, "kaban")[-1])


def test_a_nik_typed_in_a_note_never_reaches_the_sheet_or_a_role_without_identity(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    opened(smtp_site)
    act(
        smtp_site,
        smtp_server,
        5,
        Tahap="3. Kasubbid",
        Petugas="Op. Rahmat",
        Disposisi=f"Pelapor NIK {NIK} minta dihubungi",
    )
    cell = smtp_site.row(TICKET)["Catatan Tahap Sebelumnya"]
    assert (
        cell
        == "Dari 2. Operator oleh Op. Rahmat: Disposisi / Catatan: Pelapor NIK 1404********0001 minta dihubungi"
    )
    # The Kasubbid sees identity (the SOP says so): the full NIK as typed.
    assert f"Pelapor NIK {NIK} minta dihubungi" in plain(to(smtp_server, "kasubbid")[-1])
    act(smtp_site, smtp_server, 10, Tahap="4. Kabid verifikasi", Petugas="Yusuf")
    since = act(
        smtp_site,
        smtp_server,
        20,
        Tahap="5. Kepala Badan",
        Petugas="Kabid Lestari",
        Hasil_Verifikasi=f"Benar; KTP {NIK[:4]}-{NIK[4:8]}-{NIK[8:12]}-{NIK[12:]} cocok " + "x" * 1500,
    )
    (kaban,) = to(smtp_server, "kaban", since)  # the Kepala Badan does not see identity
    for part in (plain(kaban), html(kaban)):
        assert NIK[4:12] not in part.replace("-", "")
    assert "Hasil Verifikasi: Benar; KTP 1404-****-****-0001 cocok" in plain(kaban)
    assert "<b>Hasil Verifikasi:</b> Benar; KTP 1404-****-****-0001 cocok" in html(kaban)
    note = next(line for line in plain(kaban).splitlines() if "Hasil Verifikasi:" in line)
    assert note.endswith("…") and len(note.strip()) <= len("Hasil Verifikasi: ") + 1_000
    cell = smtp_site.row(TICKET)["Catatan Tahap Sebelumnya"]
    assert cell.startswith(
        "Dari 4. Kabid verifikasi oleh Kabid Lestari: Hasil Verifikasi: Benar; KTP 1404-****"
    )
    assert cell.endswith("…") and len(cell) <= len("Dari 4. Kabid verifikasi oleh Kabid Lestari: ") + 200
    # The operators' own note cells hold what they typed; every cell the service writes is masked.
    typed = set(OPERATOR_FIELDS.values())
    service_cells = [str(v) for row in smtp_site.status() for k, v in row.items() if k not in typed and v]
    history = load_workbook(smtp_site.workbook, read_only=True)["Riwayat"]
    service_cells += [str(v) for row in history.iter_rows(values_only=True) for v in row if v is not None]
    assert any("1404-****-****-0001" in v for v in service_cells)  # the history has the note, masked
    assert not [v for v in service_cells if NIK in "".join(ch for ch in v if ch.isdigit())]


def test_cases_stored_before_handover_load_with_no_notes_and_round_trip_with_them(site: Site) -> None:
    site.submit(response(0))
    site.poll(minutes(1))
    site.edit(TICKET, Tahap="3. Kasubbid", Petugas="Op. Rahmat", Disposisi="Teruskan")
    site.poll(minutes(2))
    case = site.app.ledger.cases_named({TICKET}, [])[0]
    assert case.handover is not None and case.handover["notes"][0]["text"] == "Teruskan"
    assert Case.from_json(case.to_json()) == case
    older = json.loads(case.to_json())
    del older["handover"], older["step_notes"]  # a ledger row written by the version before
    loaded = Case.from_json(json.dumps(older))
    assert loaded.handover is None and loaded.step_notes == []


def test_a_row_remembered_with_fewer_service_columns_is_rewritten_not_a_crash(site: Site) -> None:
    # One row checked whole per cycle, and the case's row not among the next ones: its service cells are
    # not read but assumed from what the ledger remembers.
    site.extra = {"sheets": {"verify_rows": 1}}
    site.submit(*(response(i, nik=f"14040155019{i:05d}") for i in range(6)))
    site.poll(minutes(1))
    ticket = "CAKRA-2026-000004"
    site.edit(ticket, Tahap="3. Kasubbid", Petugas="Op. Rahmat", Disposisi="Teruskan")
    site.poll(minutes(2))
    ledger = site.app.ledger
    # What a ledger of the version before remembers: the service columns without the two new ones.
    shown = json.loads(ledger.shown([ticket])[ticket])
    with ledger.transaction():
        ledger.save_shown({ticket: json.dumps(shown[: len(SERVICE_KEYS) - 2])})
    site.edit(ticket, Tindak_Lanjut="Cek ulang")
    site.poll(minutes(3))  # a partial read: it assumes the remembered cells where they still fit
    assert (
        site.row(ticket)["Catatan Tahap Sebelumnya"]
        == "Dari 2. Operator oleh Op. Rahmat: Disposisi / Catatan: Teruskan"
    )
    assert len(json.loads(ledger.shown([ticket])[ticket])) == len(SERVICE_KEYS)


def test_a_confidential_reports_notes_stay_off_the_sheet_everyone_opens(site: Site) -> None:
    site.submit(with_privacy(response(0), "Rahasia"))
    site.poll(minutes(1))
    site.edit(TICKET, Tahap="3. Kasubbid", Petugas="Op. Rahmat", Disposisi="Isi laporan: saksi bernama Budi")
    site.poll(minutes(2))
    # Notes retell the content: the sheet shows where from and by whom only.
    assert site.row(TICKET)["Catatan Tahap Sebelumnya"] == "Dari 2. Operator oleh Op. Rahmat"
