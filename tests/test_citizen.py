"""Messages to the reporter (acknowledgement, closing reply) and the Rahasia / Anonim flags."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cakra.workflow.privacy import parse_flags
from tests.helpers_time import REPORTER, content, mail_to, plain, with_privacy
from tests.site import T0, Site, response

TICKET = "CAKRA-2026-000001"
NAME, NIK, MASKED, PHONE = "Andi Saputra", "1404015501900001", "1404********0001", "+6281234567890"
KTP = "KTPphoto00000000001"
INTERNAL = {"Disposisi": "DISPOSISI-INTERNAL-77", "Hasil_Verifikasi": "VERIFIKASI-INTERNAL-88"}


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def walk_to_the_end(site: Site, *, start: float = 1, ending: str = "Selesai", **last: str) -> None:
    """Operators move case 1 through every step (a few minutes apart), typing internal notes."""
    at = start
    for choice, person, notes in (
        ("3. Kasubbid", "Op. Rahmat", {"Disposisi": INTERNAL["Disposisi"]}),
        ("4. Kabid verifikasi", "Kasubbid Yusuf", {}),
        ("5. Kepala Badan", "Kabid Lestari", {"Hasil_Verifikasi": INTERNAL["Hasil_Verifikasi"]}),
        (ending, "Kaban Hasan", {"Tindak_Lanjut": "TINDAK-LANJUT-INTERNAL-99", **last}),
    ):
        at += 3
        site.edit(TICKET, Tahap=choice, Petugas=person, **notes)
        site.poll(minutes(at))


def test_acknowledgement_in_the_cycle_the_report_arrives(site: Site) -> None:
    site.submit(response(0, name="Andi <b>Saputra</b>"))
    result = site.poll(minutes(1))
    assert result.citizen == 1
    [ack] = mail_to(site, REPORTER)
    assert ack["Subject"] == f"Laporan Anda telah diterima - nomor tiket {TICKET}"
    text = plain(ack)
    assert "Yth. Andi <b>Saputra</b>," in text  # plain text shows what was typed
    assert "diperiksa oleh Operator paling lambat Senin, 23 November 2026 08.15 WIB" in text
    assert "2. Operator (paling lama 15 menit)" in text and "4. Kabid verifikasi\n" in text
    assert f"Sebutkan nomor tiket {TICKET} setiap kali Anda menghubungi kami" in text
    html = ack.get_body(("html",)).get_content()
    assert "Andi &lt;b&gt;Saputra&lt;/b&gt;" in html and "<b>Saputra</b>" not in html
    assert NIK not in content(ack) and "Keributan" not in content(ack)  # nothing beyond what is needed
    assert site.poll(minutes(2)).citizen == 0  # once


def test_no_address_or_a_broken_one_means_no_message(site: Site) -> None:
    site.submit(
        response(0, email_address=""), response(1, nik="1404015501900002", email_address="andi di rumah")
    )
    assert site.poll(minutes(2)).citizen == 0
    assert not mail_to(site, "andi")


def test_citizen_messages_can_be_turned_off(site: Site) -> None:
    site.extra = {"citizen": {"send": False}}
    site.submit(response(0))
    site.poll(minutes(1))
    walk_to_the_end(site)
    assert not mail_to(site, REPORTER)


def test_the_closing_message_carries_only_the_reply_for_the_reporter(site: Site) -> None:
    site.extra = {"citizen": {"contact": "WA 0811-0000-0000"}}
    site.submit(response(0))
    site.poll(minutes(1))
    reply = "Sudah dimediasi oleh Tim Linmas & warga <sepakat> berdamai."
    walk_to_the_end(site, Balasan_untuk_Pelapor=reply)
    ack, closing = mail_to(site, REPORTER)
    assert closing["Subject"] == f"Laporan {TICKET}: Selesai"
    text = plain(closing)
    assert "Hasil: Selesai" in text and reply in text and "hubungi WA 0811-0000-0000" in text
    assert "Sudah dimediasi oleh Tim Linmas &amp; warga &lt;sepakat&gt; berdamai." in content(closing)
    for message in (ack, closing):
        for secret in (*INTERNAL.values(), "TINDAK-LANJUT-INTERNAL-99"):
            assert secret not in content(message)


def test_an_invalid_report_is_closed_with_a_plain_message(site: Site) -> None:
    site.submit(response(0))
    site.poll(minutes(1))
    site.edit(TICKET, Tahap="Tidak valid", Petugas="Op. Rahmat", Disposisi="laporan iseng")
    assert site.poll(minutes(4)).citizen == 1
    closing = mail_to(site, REPORTER)[-1]
    assert "Hasil: Tidak valid" in plain(closing) and "Terima kasih atas laporan Anda." in plain(closing)
    assert "iseng" not in content(closing)


def test_an_anonymous_reporter_is_seen_by_the_operator_only(site: Site) -> None:
    site.submit(with_privacy(response(0), "Anonim (identitas dirahasiakan)"))
    site.poll(minutes(1))
    site.poll(minutes(16))  # overdue: the operator and, as escalation, Kasubbid
    walk_to_the_end(site, start=16)
    officials = [m for m in site.emails() if not str(m["To"]).startswith("andi")]
    assert {str(m["To"]).split("@")[0] for m in officials} == {"operator", "kasubbid", "kabid", "kaban"}
    for message in officials:
        body = content(message)
        if str(message["To"]).startswith("operator"):
            assert NAME in body and PHONE in body and MASKED in body
        else:
            for identity in (NAME, NIK, MASKED, PHONE, REPORTER, KTP):
                assert identity not in body, (message["To"], identity)
            assert "Anonim (identitas hanya diketahui Operator)" in plain(message)
    row = site.row(TICKET)
    assert (row["Nama Pelapor"], row["NIK (disamarkan)"], row["No. HP"]) == ("Anonim", None, None)
    assert row["Kerahasiaan"] == "Anonim"
    assert "Anda memilih pelaporan Anonim" in plain(mail_to(site, REPORTER)[0])


def test_an_anonymous_duplicate_does_not_name_the_earlier_case_in_the_sheet(site: Site) -> None:
    site.submit(response(0), with_privacy(response(5, description="Keributan di pasar malam!!"), "Anonim"))
    site.poll(minutes(6))
    message = str(site.row("CAKRA-2026-000002")["Pesan Sistem"])
    assert "duplikat" in message and TICKET not in message
    [operator_new] = mail_to(site, "operator")
    assert f"Kemungkinan duplikat dari {TICKET}" in plain(operator_new)  # the operator may know


def test_a_confidential_report_is_read_only_by_the_roles_that_handle_it(site: Site) -> None:
    site.submit(with_privacy(response(0, description="Isi sensitif tentang pejabat X."), "Rahasia"))
    site.poll(minutes(1))
    site.poll(minutes(16))  # Kasubbid hears of the late case before it is theirs
    [operator_new, *_] = mail_to(site, "operator")
    [escalation] = mail_to(site, "kasubbid")
    assert "Isi sensitif" in content(operator_new) and "EVENTphoto" in content(operator_new)
    assert "Isi sensitif" not in content(escalation) and "EVENTphoto" not in content(escalation)
    assert "dirahasiakan" in plain(escalation) and "RAHASIA" in plain(escalation)
    assert "Rahasia: isi laporan hanya untuk peran" in str(site.row(TICKET)["Ringkasan"])
    sent = len(site.emails())
    site.edit(TICKET, Tahap="3", Petugas="Op. Rahmat")
    site.poll(minutes(18))
    [entered] = mail_to(site, "kasubbid", since=sent)
    assert "Isi sensitif" in content(entered)  # now Kasubbid handles it


def test_the_operator_may_add_a_flag_but_not_remove_the_citizens(site: Site) -> None:
    site.submit(response(0), with_privacy(response(1, nik="1404015501900002"), "Anonim"))
    site.poll(minutes(2))
    assert site.row("CAKRA-2026-000002")["Kerahasiaan"] == "Anonim"
    site.edit(TICKET, Kerahasiaan="Rahasia", Petugas="Op. Sari")
    site.edit("CAKRA-2026-000002", Kerahasiaan="Biasa")
    result = site.poll(minutes(3))
    first, second = site.app.ledger.cases()
    assert first.privacy == ["Rahasia"]
    assert [h.note for h in site.app.ledger.history(TICKET) if h.kind == "kerahasiaan"] == [
        "Kerahasiaan: Rahasia"
    ]
    assert result.refused == 1 and second.privacy == ["Anonim"]
    message = str(site.row("CAKRA-2026-000002")["Pesan Sistem"])
    assert message.startswith("Ditolak: Pelapor memilih 'Anonim' di formulir; tanda itu tidak bisa dihapus")
    assert site.row("CAKRA-2026-000002")["Nama Pelapor"] == "Anonim"


def test_an_edited_response_cannot_drop_the_citizens_flag(site: Site) -> None:
    site.submit(with_privacy(response(0), "Anonim"))
    site.poll(minutes(1))
    site.set_response(0, with_privacy(response(2), "Biasa"))
    site.poll(minutes(2))
    assert site.app.ledger.cases()[0].privacy == ["Anonim"]
    site.set_response(0, with_privacy(response(3), "Rahasia"))
    site.poll(minutes(3))
    assert site.app.ledger.cases()[0].privacy == ["Rahasia", "Anonim"]


@pytest.mark.parametrize(
    ("answer", "flags"),
    [
        ("Rahasia", ["Rahasia"]),
        ("Laporan rahasia dan anonim", ["Rahasia", "Anonim"]),
        ("ANONIM (tanpa identitas)", ["Anonim"]),
        ("Biasa", []),
        ("Tidak rahasia", []),
        ("bukan anonim", []),
        ("", []),
        (None, []),
    ],
)
def test_privacy_answers(answer: str | None, flags: list[str]) -> None:
    assert parse_flags(answer) == flags


def test_no_acknowledgement_for_old_responses_when_cakra_is_installed_on_an_existing_form(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900002", email_address="baru@contoh.example"))
    site.rows[0][0] = (T0 - timedelta(days=30)).replace(tzinfo=None)  # a month-old response
    site.set_response(0, site.rows[0])
    site.poll(T0 + timedelta(minutes=2))
    acknowledged = [
        m["To"] for m in site.emails() if str(m["Subject"]).startswith("Laporan Anda telah diterima")
    ]
    assert acknowledged == ["baru@contoh.example"]
