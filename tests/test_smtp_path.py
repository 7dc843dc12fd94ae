"""The SMTP path end to end, against a real SMTP server (aiosmtpd on a loopback port)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.site import T0, Site, response
from tests.smtp_fixtures import SmtpServer, smtp_email_table

FULL_NIK = "1404015501900001"


@pytest.fixture
def smtp_site(site: Site, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Site:
    site.email = smtp_email_table(smtp_server, monkeypatch)
    site.extra = {"citizen": {"send": False}}  # these tests follow the roles' mail; citizens' is tested apart
    return site


def _by_recipient(server: SmtpServer) -> dict[str, list]:
    out: dict[str, list] = {}
    for received in server.messages:
        for rcpt in received.rcpt_tos:
            out.setdefault(rcpt.split("@")[0], []).append(received.message)
    return out


def test_roles_get_their_cases_as_multipart_html_and_text(smtp_site: Site, smtp_server: SmtpServer) -> None:
    smtp_site.submit(response(0, description="Ada <script>alert('x')</script> di pasar & terminal"))
    smtp_site.poll(T0 + timedelta(minutes=1))
    smtp_site.edit("CAKRA-2026-000001", Tahap="3. Kasubbid", Petugas="Op. Rahmat")
    smtp_site.poll(T0 + timedelta(minutes=3))

    mail = _by_recipient(smtp_server)
    assert sorted(mail) == ["kasubbid", "operator"]
    assert all(r.authenticated_as == smtp_server.username for r in smtp_server.messages)
    for message in mail["operator"] + mail["kasubbid"]:
        assert message.get_content_type() == "multipart/alternative"
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert "CAKRA-2026-000001" in html and "CAKRA-2026-000001" in text
        assert "<script>" not in html
        assert "&lt;script&gt;" in html and "&amp; terminal" in html
        assert "<script>alert('x')</script>" in text  # plain text is not HTML: shown as typed
    assert "Laporan baru" in mail["operator"][0].get_body(("plain",)).get_content()
    assert "masuk ke tahap Anda" in mail["kasubbid"][0].get_body(("plain",)).get_content()


def test_full_nik_and_ktp_link_only_reach_roles_that_may_see_them(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    smtp_site.submit(response(0))
    smtp_site.poll(T0 + timedelta(minutes=1))
    for step, person in (("3. Kasubbid", "Op"), ("4. Kabid verifikasi", "Ks"), ("5. Kepala Badan", "Kb")):
        smtp_site.edit("CAKRA-2026-000001", Tahap=step, Petugas=person)
        smtp_site.poll(T0 + timedelta(minutes=3))
    mail = _by_recipient(smtp_server)
    assert sorted(mail) == ["kaban", "kabid", "kasubbid", "operator"]
    for role, messages in mail.items():
        for message in messages:
            body = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
            if role in ("kasubbid", "kabid"):
                assert FULL_NIK in body and "KTPphoto00000000001" in body
            else:
                assert FULL_NIK not in body and "KTPphoto00000000001" not in body
                assert "1404********0001" in body


def test_a_down_server_loses_nothing(smtp_site: Site, smtp_server: SmtpServer) -> None:
    smtp_site.email = {**smtp_site.email, "port": 1}  # nothing listens there
    smtp_site.submit(response(0))
    result = smtp_site.poll(T0 + timedelta(minutes=1))
    assert result.delivered == 0
    assert smtp_site.app.outbox.stats()["pending"] == 1
    smtp_site.close()
    smtp_site.email = {**smtp_site.email, "port": smtp_server.port}
    result = smtp_site.poll(T0 + timedelta(minutes=2))
    assert result.delivered == 1
    assert len(smtp_server.messages) == 1
