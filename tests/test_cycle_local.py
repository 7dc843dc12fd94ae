"""The whole path on the embedded default: responses -> cases -> status sheet -> history -> email."""

from __future__ import annotations

import zipfile
from datetime import timedelta

import openpyxl

from cakra.tabs.status import HEADERS
from tests.site import T0, Site, response

TICKET1 = "CAKRA-2026-000001"


def test_new_response_becomes_a_case_row_and_an_operator_email(site: Site) -> None:
    site.submit(response(0))
    result = site.poll(T0 + timedelta(minutes=2))

    assert result.new == 1
    row = site.row(TICKET1)
    assert row["Tahap"] == "2. Operator"
    assert row["Tahap Saat Ini"] == "2. Operator"
    assert row["Penanggung Jawab"] == "Operator"
    assert row["Batas Waktu"] == "23/11/2026 08:15"  # step 2's clock starts at the form timestamp
    assert str(row["Terlambat"]).startswith("Tidak")
    assert row["Kelengkapan"] == "Lengkap"
    assert row["NIK (disamarkan)"] == "1404********0001"
    assert row["No. HP"] == "+6281234567890"
    [mail] = [m for m in site.emails() if m["To"] != "andi@contoh.example"]  # the reporter's is its own test
    assert mail["To"] == "operator@kesbangpol.contoh.example"
    assert TICKET1 in mail.get_body(("plain",)).get_content()


def test_one_case_walks_all_five_steps_by_editing_the_sheet(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    walk = [
        ("3. Kasubbid", "Op. Rahmat", "kasubbid@"),
        ("4. Kabid verifikasi", "Kasubbid Yusuf", "kabid@"),
        ("5. Kepala Badan", "Kabid Lestari", "kaban@"),
        ("Selesai", "Kaban Hasan", None),
    ]
    at = T0 + timedelta(minutes=1)
    for choice, person, recipient in walk:
        sent_before = len(site.emails())
        site.edit(TICKET1, Tahap=choice, Petugas=person)
        at += timedelta(minutes=5)
        result = site.poll(at)
        assert result.moved == 1, choice
        row = site.row(TICKET1)
        assert row["Tahap Saat Ini"] == choice
        assert person in str(row["Pesan Sistem"])
        new_mail = site.emails()[sent_before:]
        if recipient:
            assert [m["To"] for m in new_mail] == [recipient + "kesbangpol.contoh.example"]
            assert TICKET1 in new_mail[0].get_body(("plain",)).get_content()
    row = site.row(TICKET1)
    assert row["Terlambat"] == "Tidak (selesai)"
    assert not row["Batas Waktu"]
    history = site.app.ledger.history(TICKET1)
    moves = [(h.from_step, h.to_step, h.actor) for h in history if h.kind == "pindah tahap"]
    assert moves == [
        ("operator", "kasubbid", "Op. Rahmat"),
        ("kasubbid", "kabid", "Kasubbid Yusuf"),
        ("kabid", "kepala_badan", "Kabid Lestari"),
        ("kepala_badan", "selesai", "Kaban Hasan"),
    ]
    riwayat = openpyxl.load_workbook(site.workbook)["Riwayat"]
    mirrored = [[c.value for c in r] for r in riwayat.iter_rows(min_row=2)]
    assert [r[4] for r in mirrored if r[2] == "pindah tahap"] == [
        "3. Kasubbid",
        "4. Kabid verifikasi",
        "5. Kepala Badan",
        "Selesai",
    ]


def test_deadline_of_each_step_starts_when_the_case_entered_it(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    site.edit(TICKET1, Tahap="3. Kasubbid", Petugas="Op. Rahmat")
    site.poll(T0 + timedelta(minutes=10))
    assert site.row(TICKET1)["Batas Waktu"] == "23/11/2026 08:25"
    site.edit(TICKET1, Tahap="4. Kabid verifikasi", Petugas="Yusuf")
    site.poll(T0 + timedelta(minutes=20))
    assert not site.row(TICKET1)["Batas Waktu"]  # the SOP gives Kabid no time limit


def test_invalid_transition_is_answered_and_the_operators_value_stays(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    site.edit(TICKET1, Tahap="5. Kepala Badan", Petugas="Op. Rahmat")
    result = site.poll(T0 + timedelta(minutes=3))

    assert result.refused == 1 and result.moved == 0
    row = site.row(TICKET1)
    assert row["Tahap"] == "5. Kepala Badan"  # never overwritten
    assert row["Tahap Saat Ini"] == "2. Operator"
    assert "Tidak bisa pindah" in str(row["Pesan Sistem"]) and "3. Kasubbid" in str(row["Pesan Sistem"])
    assert not [h for h in site.app.ledger.history(TICKET1) if h.kind == "pindah tahap"]

    site.edit(TICKET1, Tahap="langsung selesai saja")
    site.poll(T0 + timedelta(minutes=4))
    assert "tidak dikenal" in str(site.row(TICKET1)["Pesan Sistem"])

    site.edit(TICKET1, Tahap="3")  # the step's number is enough
    assert site.poll(T0 + timedelta(minutes=5)).moved == 1
    assert site.row(TICKET1)["Tahap Saat Ini"] == "3. Kasubbid"


def test_second_cycle_without_new_input_writes_nothing_and_sends_nothing(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=2))
    workbook = site.app.sheets
    writes_before, mails_before = workbook.writes, len(site.emails())  # type: ignore[attr-defined]

    result = site.poll(T0 + timedelta(minutes=3))

    assert result.cells_written == 0 and result.messages == 0 and result.new == 0
    assert workbook.writes == writes_before  # type: ignore[attr-defined]
    assert len(site.emails()) == mails_before


def test_overdue_case_escalates_once_to_role_and_superior(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    before = len(site.emails())
    site.poll(T0 + timedelta(minutes=16))
    late = site.emails()[before:]
    assert sorted(m["To"] for m in late) == [
        "kasubbid@kesbangpol.contoh.example",
        "operator@kesbangpol.contoh.example",
    ]
    assert str(site.row(TICKET1)["Terlambat"]).startswith("Ya")
    assert site.poll(T0 + timedelta(minutes=17)).messages == 0  # not repeated every cycle


def test_reordered_and_extra_columns_break_nothing(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    workbook = openpyxl.load_workbook(site.workbook)
    sheet = workbook["Status Kasus"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    order = list(reversed(range(len(values[0]))))
    for r, row in enumerate(values, start=1):
        for c, source in enumerate(order, start=1):
            sheet.cell(row=r, column=c).value = row[source]
    sheet.cell(row=1, column=len(order) + 1).value = "Catatan Pribadi Operator"
    sheet.cell(row=2, column=len(order) + 1).value = "jangan dihapus"
    workbook.save(site.workbook)

    assert site.poll(T0 + timedelta(minutes=2)).cells_written == 0
    site.edit(TICKET1, Tahap="3. Kasubbid", Petugas="Op. Rahmat")
    assert site.poll(T0 + timedelta(minutes=3)).moved == 1
    row = site.row(TICKET1)
    assert row["Tahap Saat Ini"] == "3. Kasubbid"
    assert row["Catatan Pribadi Operator"] == "jangan dihapus"
    assert list(row)[: len(HEADERS)] == HEADERS[::-1]  # the operator's order is kept


def test_deleted_service_column_comes_back_at_the_end(site: Site) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    workbook = openpyxl.load_workbook(site.workbook)
    sheet = workbook["Status Kasus"]
    headers = [c.value for c in sheet[1]]
    sheet.delete_cols(headers.index("Batas Waktu") + 1)
    workbook.save(site.workbook)
    # The cycle that finds the header changed only asks the next one to read every tab whole.
    assert site.poll(T0 + timedelta(minutes=2)).cells_written == 0
    site.poll(T0 + timedelta(minutes=3))
    assert site.row(TICKET1)["Batas Waktu"] == "23/11/2026 08:15"


def test_edited_response_updates_the_same_case_and_its_history(site: Site) -> None:
    site.submit(response(0, ktp_photo=""))
    site.poll(T0 + timedelta(minutes=1))
    assert site.row(TICKET1)["Kelengkapan"] == "Kurang: Foto KTP pelapor"

    site.set_response(0, response(9, description="Keributan di pasar malam, dua orang luka."))
    result = site.poll(T0 + timedelta(minutes=10))

    assert result.edited == 1 and result.new == 0
    assert [r["No. Tiket"] for r in site.status()] == [TICKET1]
    row = site.row(TICKET1)
    assert row["Kelengkapan"] == "Lengkap"
    assert "dua orang luka" in str(row["Ringkasan"])
    assert row["Batas Waktu"] == "23/11/2026 08:15"  # an edit does not move the deadline
    [edit] = [h for h in site.app.ledger.history(TICKET1) if h.kind == "diubah pelapor"]
    assert "Uraian" in edit.note and "Foto KTP" in edit.note


def test_near_duplicate_from_the_same_nik_is_kept_and_marked(site: Site) -> None:
    site.submit(response(0), response(6, description="Keributan di pasar malam!! Tolong."))
    site.poll(T0 + timedelta(minutes=7))
    rows = site.status()
    assert len(rows) == 2
    assert "duplikat dari CAKRA-2026-000001" in str(rows[1]["Pesan Sistem"])
    assert "duplikat" not in str(rows[0]["Pesan Sistem"])


def test_malformed_responses_are_flagged_never_dropped(site: Site) -> None:
    site.submit(
        response(0, nik="140401550190000"),  # 15 digits
        response(1, nik="1404019901900001"),  # day 99
        response(2, phone="12"),
        response(3, timestamp="bukan tanggal"),
        response(4, event_photo="", ktp_photo=""),
        response(5, timestamp="23/11/2026 8:05:09"),  # Indonesian date text
    )
    result = site.poll(T0 + timedelta(minutes=6))
    assert result.new == 6
    messages = [str(r["Pesan Sistem"]) for r in site.status()]
    assert "NIK harus 16 angka" in messages[0]
    assert "NIK tidak valid" in messages[1]
    assert "Nomor HP" in messages[2]
    assert "Cap waktu tidak terbaca" in messages[3]
    assert site.status()[4]["Kelengkapan"] == "Kurang: Foto kejadian, Foto KTP pelapor"
    assert site.status()[5]["Diterima"] == "23/11/2026 08:05"


def test_formula_looking_input_is_text_in_the_status_sheet(site: Site) -> None:
    formula = '=HYPERLINK("http://x","klik")'
    site.submit(response(0, description=formula, name="@admin", phone="+62 812-3456-7890"))
    site.poll(T0 + timedelta(minutes=1))

    row = site.row(TICKET1)
    assert row["Ringkasan"] == formula and row["Nama Pelapor"] == "@admin"
    sheet = openpyxl.load_workbook(site.workbook)["Status Kasus"]
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)
    with zipfile.ZipFile(site.workbook) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode()  # no formula element anywhere


def test_ticket_numbers_are_stable_and_never_reused(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=2))
    first = [r["No. Tiket"] for r in site.status()]
    site.close()
    (site.folder / "cakra.sqlite").unlink()  # even a lost ledger rebuilds the same numbers
    site.submit(response(3, nik="1404015501900003"))
    site.poll(T0 + timedelta(minutes=4))
    tickets = [c.ticket for c in site.app.ledger.cases()]
    assert tickets[:2] == first and tickets[2] == "CAKRA-2026-000003"
    assert len(set(tickets)) == 3
