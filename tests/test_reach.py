"""Reaching a reporter without email (issue 10 item 7): in the step that informs the reporter, the role's
email and the status row offer the reply and a WhatsApp click-to-chat link; the history records how the
reporter was informed. Never for an anonymous reporter.

The Cakra LINMAS SOP with its last step marked ``informs_reporter``, on the local workbook, messages
delivered to a real SMTP server (aiosmtpd on loopback), time frozen per cycle.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from cakra.workflow.sop import BUILTIN_SOPS
from tests.helpers_time import plain, with_privacy
from tests.site import T0, Site, response
from tests.smtp_fixtures import SmtpServer, smtp_email_table, to

PHONE_ONLY = "CAKRA-2026-000001"
ANONYMOUS = "CAKRA-2026-000002"
WITH_EMAIL = "CAKRA-2026-000003"
AGENCY = "Badan Kesatuan Bangsa dan Politik Kabupaten Indragiri Hilir"
DEFAULT_REPLY = f"Yth. Pelapor, laporan Anda dengan nomor tiket {PHONE_ONLY} telah ditindaklanjuti oleh {AGENCY}. Terima kasih."


def minutes(n: float):
    return T0 + timedelta(minutes=n)


@pytest.fixture
def reach_site(site: Site, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Site:
    """The Cakra SOP whose Kepala Badan step informs the reporter; three reports walked to that step:
    a phone-only reporter, an anonymous phone-only one, one with an email address."""
    text = (BUILTIN_SOPS / "cakra-linmas.toml").read_text(encoding="utf-8")
    marked = text.replace('role = "kepala_badan"\n', 'role = "kepala_badan"\ninforms_reporter = true\n', 1)
    assert marked != text
    (tmp_path / "sop.toml").write_text(marked, encoding="utf-8")
    site.email = smtp_email_table(smtp_server, monkeypatch)
    site.extra = {"sop": str(tmp_path / "sop.toml")}
    site.submit(
        response(0, email_address=""),
        with_privacy(response(1, email_address="", nik="1404015501900002", name="Budi"), "Anonim"),
        response(2, nik="1404015501900003", name="Citra"),
    )
    site.poll(minutes(3))
    for at, (step, who) in enumerate(
        (("3. Kasubbid", "Op. Rahmat"), ("4. Kabid verifikasi", "Yusuf"), ("5. Kepala Badan", "Lestari")), 1
    ):
        for ticket in (PHONE_ONLY, ANONYMOUS, WITH_EMAIL):
            site.edit(ticket, Tahap=step, Petugas=who)
        site.poll(minutes(3 + at))
    return site


def link(text: str) -> str:
    return f"https://wa.me/6281234567890?text={quote(text, safe='')}"


def test_a_phone_only_reporter_gets_a_whatsapp_link_with_the_reply_in_the_email_and_the_row(
    reach_site: Site, smtp_server: SmtpServer
) -> None:
    (kaban,) = to(smtp_server, "kaban")
    body = kaban.get_body(("html",)).get_content()  # type: ignore[union-attr]
    hrefs = re.findall(r'href="(https://wa\.me/[^"]+)"', body)
    assert hrefs == [link(DEFAULT_REPLY)]  # one case only: not the anonymous one, not the one with email
    assert parse_qs(urlsplit(hrefs[0]).query)["text"] == [DEFAULT_REPLY]
    assert "Kirim lewat WhatsApp ke +6281234567890</a>" in body
    assert "Informasikan pelapor (tanpa email)" in plain(kaban)
    assert reach_site.row(PHONE_ONLY)["Hubungi Pelapor"] == link(DEFAULT_REPLY)

    # The operator writes the reply: the link carries it from the next cycle.
    reach_site.edit(PHONE_ONLY, Balasan_untuk_Pelapor="Jalan sudah diperbaiki & aman dilalui.")
    reach_site.poll(minutes(8))
    assert reach_site.row(PHONE_ONLY)["Hubungi Pelapor"] == link("Jalan sudah diperbaiki & aman dilalui.")


def test_no_link_for_an_anonymous_reporter_or_one_the_service_emails(
    reach_site: Site, smtp_server: SmtpServer
) -> None:
    assert reach_site.row(ANONYMOUS)["Kerahasiaan"] == "Anonim"
    assert reach_site.row(ANONYMOUS)["Hubungi Pelapor"] in ("", None)
    assert reach_site.row(WITH_EMAIL)["Hubungi Pelapor"] in ("", None)
    sent = [m for r in smtp_server.messages for m in [r.message]]
    assert sum("wa.me/" in plain(m) for m in sent) == 1  # the phone-only reporter's card, once
    assert all("6281234567890" not in plain(m) or "CAKRA-2026-000001" in plain(m) for m in sent)


def test_the_history_records_how_the_reporter_was_informed(reach_site: Site) -> None:
    reach_site.edit(PHONE_ONLY, Petugas="Kaban Hasan", Tindak_Lanjut="Diinformasikan via WhatsApp pada 23/11")
    reach_site.poll(minutes(8))
    notes = [e.note for e in reach_site.app.ledger.history(PHONE_ONLY)]
    assert notes[-1] == (
        "Tindak Lanjut: Diinformasikan via WhatsApp pada 23/11; Pelapor diinformasikan via WhatsApp pada 23/11"
    )
    # Closing it does not say it again.
    reach_site.edit(PHONE_ONLY, Tahap="Selesai")
    reach_site.poll(minutes(9))
    assert "Pelapor diinformasikan" not in reach_site.app.ledger.history(PHONE_ONLY)[-1].note
    assert reach_site.row(PHONE_ONLY)["Hubungi Pelapor"] in ("", None)  # closed: nothing left to do

    # Moving on without saying how: the history names the way Cakra offered.
    reach_site.edit(ANONYMOUS, Tahap="Selesai", Petugas="Kaban Hasan")
    reach_site.edit(WITH_EMAIL, Tahap="Selesai", Petugas="Kaban Hasan")
    reach_site.poll(minutes(10))
    assert reach_site.app.ledger.history(WITH_EMAIL)[-1].note == "Pelapor diinformasikan via email"
    assert reach_site.app.ledger.history(ANONYMOUS)[-1].note == "Pelapor diinformasikan (cara tidak dicatat)"
