"""``cakra check`` catches what a newcomer gets wrong: whom to share the spreadsheet with, a wrong or
unshared spreadsheet, a mail server that wants a login, and the outbox backend that sends nothing."""

from __future__ import annotations

import pytest

from cakra.check import run_checks
from tests.google_site import GoogleSite
from tests.site import Site, response
from tests.smtp_fixtures import SmtpServer

ACCOUNT = "cakra-emulator@"  # the emulator's synthetic key's client_email starts so


def test_check_prints_the_service_accounts_address_to_share_with(
    google_site: GoogleSite, capsys: pytest.CaptureFixture[str]
) -> None:
    google_site.submit(response(0))
    run_checks(google_site.app.config)
    line = next(x for x in capsys.readouterr().out.splitlines() if "service account" in x)
    assert line.startswith("ok    service account (cakra-emulator@")
    assert ".iam.gserviceaccount.com: share the spreadsheet with this address as Editor)" in line


def test_a_wrong_spreadsheet_id_says_to_share_it_or_check_the_id(
    google_site: GoogleSite, capsys: pytest.CaptureFixture[str]
) -> None:
    google_site.extra = {"sheets": {"spreadsheet_id": "1NoSuchSheetXyz"}}
    assert run_checks(google_site.app.config) == 1
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("FAIL  sheet")]
    assert "404" in line
    assert "-> share the spreadsheet 1NoSuchSheetXyz with cakra-emulator@" in line
    assert "as Editor, or check [sheets] spreadsheet_id" in line


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback test server
def test_a_server_that_requires_a_login_fails_when_none_is_configured(
    site: Site,
    smtp_login_required_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = smtp_login_required_server
    monkeypatch.delenv("CAKRA_SMTP_USER", raising=False)
    monkeypatch.delenv("CAKRA_SMTP_PASSWORD", raising=False)
    site.email = {"backend": "smtp", "host": server.host, "port": server.port, "security": "none"}
    site.submit(response(0))
    assert run_checks(site.app.config) == 1
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("FAIL  email (smtp)")]
    assert "530" in line and "requires a login: set the environment variables CAKRA_SMTP_USER" in line
    assert server.messages == []  # nothing was sent to find out

    monkeypatch.setenv("CAKRA_SMTP_USER", server.username)
    monkeypatch.setenv("CAKRA_SMTP_PASSWORD", server.password)
    site.close()
    assert run_checks(site.app.config) == 0
    assert f"logged in as {server.username}" in capsys.readouterr().out
    assert server.messages == []


def test_a_relay_without_login_still_passes(
    site: Site, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CAKRA_SMTP_USER", raising=False)
    monkeypatch.delenv("CAKRA_SMTP_PASSWORD", raising=False)
    site.email = {"backend": "smtp", "host": smtp_server.host, "port": smtp_server.port, "security": "none"}
    site.submit(response(0))
    assert run_checks(site.app.config) == 0
    assert "no login (set CAKRA_SMTP_USER to log in)" in capsys.readouterr().out


def test_the_outbox_backend_is_a_warning_that_nothing_is_sent(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    site.submit(response(0))
    assert run_checks(site.app.config) == 0  # a warning, not a failure: the demo runs on it
    out = capsys.readouterr().out
    assert "WARN  email: the 'outbox' backend only writes .eml files to" in out
    assert 'sends nothing; set [email] backend = "smtp"' in out
