"""Google extras through the real client libraries: init's formatting, the check command, Gmail sending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sheets_emulator.server import SheetsEmulator

from cakra.check import run_checks
from cakra.setup import initialise
from tests.google_site import GoogleSite
from tests.site import T0, response
from tests.smtp_fixtures import SmtpServer


def sheet_meta(google_site: GoogleSite, tab: str) -> dict:
    book = google_site.people.open_by_key(google_site.spreadsheet_id)
    meta = book.fetch_sheet_metadata(
        {
            "fields": "sheets(properties,protectedRanges,conditionalFormats,data(rowData(values(dataValidation))))"
        }
    )
    return next(s for s in meta["sheets"] if s["properties"]["title"] == tab)


def test_init_on_google_adds_dropdown_protection_colours_and_is_safe_twice(google_site: GoogleSite) -> None:
    first = list(initialise(google_site.app))
    assert any("Status Kasus" in line for line in first)
    sheet = sheet_meta(google_site, "Status Kasus")
    assert sheet["properties"]["gridProperties"]["frozenRowCount"] == 1
    protected = [p["description"] for p in sheet.get("protectedRanges", [])]
    assert "Cakra: kolom layanan Batas Waktu" in protected
    assert not [p for p in protected if p.endswith((" Tahap", " Petugas"))]  # operator columns stay open
    assert all(p["warningOnly"] for p in sheet["protectedRanges"])
    [rule] = sheet["conditionalFormats"]
    assert '="Ya"' in rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
    header = google_site.tab("Status Kasus")[0]
    tahap = header.index("Tahap")
    rows = sheet["data"][0]["rowData"]
    validation = rows[1]["values"][tahap]["dataValidation"]
    assert validation["condition"]["type"] == "ONE_OF_LIST"
    assert [v["userEnteredValue"] for v in validation["condition"]["values"]] == google_site.app.sop.choices()

    second = list(initialise(google_site.app))
    again = sheet_meta(google_site, "Status Kasus")
    assert len(again["protectedRanges"]) == len(sheet["protectedRanges"])
    assert len(again["conditionalFormats"]) == 1
    assert "nothing to create" in second[-1] or not any("created" in line for line in second)


def test_check_reports_each_part_and_fails_on_a_missing_tab(
    google_site: GoogleSite, capsys: pytest.CaptureFixture[str]
) -> None:
    google_site.submit(response(0))
    assert run_checks(google_site.app.config) == 0
    out = capsys.readouterr().out
    assert "ok    response tab 'Form Responses 1' (1 responses" in out
    assert "google backend, timezone Asia/Jakarta" in out

    google_site.extra = {"sheets": {"responses_tab": "Jawaban Lain"}}
    google_site.close()
    assert run_checks(google_site.app.config) == 1
    assert "FAIL  response tab Jawaban Lain not found" in capsys.readouterr().out


def test_check_says_when_the_mail_server_refuses_the_login(
    site, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAKRA_SMTP_USER", smtp_server.username)
    monkeypatch.setenv("CAKRA_SMTP_PASSWORD", "salah")
    site.email = {"backend": "smtp", "host": smtp_server.host, "port": smtp_server.port, "security": "none"}
    site.submit(response(0))
    assert run_checks(site.app.config) == 1
    out = capsys.readouterr().out
    assert "FAIL  email (smtp)" in out and "ok    SOP" in out
    monkeypatch.setenv("CAKRA_SMTP_PASSWORD", smtp_server.password)
    assert run_checks(site.app.config) == 0
    assert f"logged in as {smtp_server.username}" in capsys.readouterr().out


def test_gmail_api_sends_each_role_message_once(
    google_site: GoogleSite, google_emulator: SheetsEmulator
) -> None:
    google_site.email = {
        "backend": "gmail",
        "delegated_user": "cakra@kesbangpol.contoh.example",
        "api_endpoint": google_emulator.base_url,
    }
    google_site.submit(response(0))
    result = google_site.poll(T0 + timedelta(minutes=1))
    rows = google_site.app.outbox.rows()
    assert result.delivered == len(rows) >= 1
    sent = {m["message"]["Message-ID"]: m["message"] for m in google_emulator.store.sent_mail}
    assert sorted(sent) == sorted(r.message_id for r in rows)  # the outbox's own Message-IDs, once each
    [operator] = [m for m in sent.values() if m["To"] == "operator@kesbangpol.contoh.example"]
    assert "CAKRA-2026-000001" in operator.get_body(("plain",)).get_content()
    assert google_site.poll(T0 + timedelta(minutes=2)).delivered == 0
    assert len(google_emulator.store.sent_mail) == len(rows)
