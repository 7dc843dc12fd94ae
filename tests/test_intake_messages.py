"""What intake channels change in the messages, delivered to a real SMTP server (aiosmtpd on loopback):
- an internal intake (the SOP's submitter is the agency's own staff) sends no acknowledgement and no
  closing message, and words the first role's email and the status sheet as a proposal;
- a manual row shows its channel and reference in the role's email; one with no email address gets no
  acknowledgement attempt, one that came by email with an address does get one.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cakra.workflow.sop import BUILTIN_SOPS
from tests.helpers_time import plain
from tests.site import ROLES, T0, Site, response
from tests.smtp_fixtures import SmtpServer
from tests.test_manual_intake import LAPOR, LETTER, ticket, type_rows

STAFF = "staf@kesbangpol.contoh.example"  # the submitting staff member's address, as the form collected it


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def to(server: SmtpServer, address: str) -> list:
    return [r.message for r in server.messages if address in r.rcpt_tos]


def internal_sop(folder: Path) -> Path:
    """The Cakra SOP with its submitter role made the agency's own staff (a staff form)."""
    text = (BUILTIN_SOPS / "cakra-linmas.toml").read_text(encoding="utf-8")
    staffed = text.replace(
        '[roles.pelapor]\ntitle = "Pelapor"\nexternal = true',
        '[roles.pelapor]\ntitle = "Staf"\ninternal = true',
    )
    assert staffed != text
    path = folder / "usulan.toml"
    path.write_text(staffed, encoding="utf-8")
    return path


def test_internal_intake_sends_no_acknowledgement_and_words_the_email_as_a_proposal(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    smtp_site.extra = {
        "sop": str(internal_sop(smtp_site.folder)),
        "roles": {**{r: {"emails": e} for r, e in ROLES.items()}, "pelapor": {"emails": [STAFF]}},
    }
    smtp_site.submit(response(0, email_address=STAFF, name="Kasi Inovasi"))
    smtp_site.poll(minutes(1))

    assert not to(smtp_server, STAFF)  # no "Laporan Anda telah diterima" to a colleague
    (operator,) = to(smtp_server, ROLES["operator"][0])
    text = plain(operator)
    assert "Usulan baru (1)" in text and "Usulan baru dari staf" in text
    assert "Laporan baru" not in text and "dari warga" not in text
    assert "Diajukan oleh: Kasi Inovasi" in text
    assert "usulan baru" in str(operator["Subject"])
    assert smtp_site.row(ticket(1))["Pesan Sistem"] == "Usulan baru diterima."

    at = 1
    for choice in ("3. Kasubbid", "4. Kabid verifikasi", "5. Kepala Badan", "Selesai"):
        at += 3
        smtp_site.edit(ticket(1), Tahap=choice, Petugas="Petugas Uji", Balasan_untuk_Pelapor="Diterima.")
        smtp_site.poll(minutes(at))
    assert smtp_site.row(ticket(1))["Tahap Saat Ini"] == "Selesai"
    assert not to(smtp_server, STAFF)  # nor a closing message


def test_a_citizen_intake_keeps_the_citizen_wording(smtp_site: Site, smtp_server: SmtpServer) -> None:
    smtp_site.submit(response(0))
    smtp_site.poll(minutes(1))
    assert to(smtp_server, "andi@contoh.example")  # acknowledged
    text = plain(to(smtp_server, ROLES["operator"][0])[0])
    assert "Laporan baru dari warga" in text and "Pelapor     : Andi Saputra" in text
    assert "Saluran" not in text  # the form is the usual way in: not repeated in every email


def test_manual_rows_show_their_channel_and_only_an_email_reporter_is_acknowledged(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    by_email = {**LETTER, "Saluran": "Email", "Email": "warga.surel@contoh.example", "Uraian": "Email warga."}
    type_rows(smtp_site, LETTER, LAPOR, by_email)
    assert smtp_site.poll(minutes(1)).citizen == 1

    assert [r.rcpt_tos for r in smtp_server.messages if "warga.surel@contoh.example" in r.rcpt_tos]
    text = plain(to(smtp_server, ROLES["operator"][0])[0])
    assert "Saluran     : LAPOR! (No. Referensi LPR-2611-0042)" in text
    assert "Saluran     : Surat" in text
    html = to(smtp_server, ROLES["operator"][0])[0].get_body(("html",)).get_content()
    assert "No. Referensi LPR-2611-0042" in html
