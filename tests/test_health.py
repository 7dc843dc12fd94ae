"""Watching the service run: delivery trouble in the cycle's line, the heartbeat, alerts to IT staff,
``cakra status`` and log times in the agency's timezone. Real SMTP server on loopback, injected time."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine

from cakra.cli import main
from cakra.common.errors import CakraError
from cakra.health import FAILURES, LAST_GOOD, watched_poll
from cakra.logtime import AgencyTimeFormatter, use_timezone
from tests.site import T0, WIB, Site, response
from tests.smtp_fixtures import SmtpServer, smtp_email_table

ADMIN = "it@kesbangpol.contoh.example"
OPERATOR = "operator@kesbangpol.contoh.example"


@pytest.fixture
def smtp_site(site: Site, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Site:
    site.email = smtp_email_table(smtp_server, monkeypatch)
    site.extra = {"citizen": {"send": False}, "admin": {"emails": [ADMIN], "failures_before_alert": 3}}
    return site


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """``main`` points the root logger at the test's captured stderr; put the handlers back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level
    AgencyTimeFormatter.tz = None


def _rename_responses(site: Site, title: str, at: datetime) -> None:
    """An operator renames the form's tab at ``at``. The cycle then sees the tabs changed (a good cycle
    that reads everything next time); the cycles after it fail until the tab is renamed back."""
    book = openpyxl.load_workbook(site.workbook)
    book[book.sheetnames[0]].title = title
    book.save(site.workbook)
    watched_poll(site.app, at)


def _to_admin(server: SmtpServer) -> list[str]:
    return [str(m.message["Subject"]) for m in server.messages if ADMIN in m.rcpt_tos]


def test_poll_says_delivery_failed_when_the_server_refuses_every_message(
    smtp_site: Site, smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp_site.submit(response(0))
    smtp_site.write_config()
    smtp_server.reject_recipient(OPERATOR, "451 4.3.0 Kotak surat sibuk")
    for role in ("kasubbid", "kabid", "kaban"):
        smtp_server.reject_recipient(f"{role}@kesbangpol.contoh.example", "451 4.3.0 Kotak surat sibuk")
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert main(["--config", str(smtp_site.folder / "config.toml"), "poll"]) == 0
    line = capsys.readouterr().out.strip()
    assert "0 terkirim, 0 gagal; pengiriman bermasalah: 0 gagal, 1 dicoba lagi" in line
    assert "galat terakhir:" in line and "451 4.3.0 Kotak surat sibuk" in line
    assert "\n" not in line


def test_a_good_poll_has_no_trouble_line_and_touches_the_heartbeat(smtp_site: Site) -> None:
    smtp_site.submit(response(0))
    at = T0 + timedelta(minutes=1)
    result = watched_poll(smtp_site.app, at)
    assert result.delivery_trouble == "" and "bermasalah" not in result.summary()
    heartbeat = smtp_site.folder / "cakra.sqlite.heartbeat"
    assert os.stat(heartbeat).st_mtime == at.timestamp()
    assert heartbeat.read_text().strip() == at.isoformat()
    assert smtp_site.app.ledger.meta(LAST_GOOD) == at.isoformat()

    _rename_responses(smtp_site, "Lama", at + timedelta(minutes=1))
    with pytest.raises(CakraError):
        watched_poll(smtp_site.app, at + timedelta(minutes=2))
    assert os.stat(heartbeat).st_mtime == (at + timedelta(minutes=1)).timestamp()  # a failure is no beat
    assert smtp_site.app.ledger.meta(FAILURES) == "1"


def test_failed_cycles_alert_once_then_recovered_once(
    smtp_site: Site, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_site.submit(response(0))
    watched_poll(smtp_site.app, T0 + timedelta(minutes=1))
    # A NIK in the error must leave masked.
    _rename_responses(smtp_site, "Lama 1404015501900001", T0 + timedelta(minutes=2))
    for minute in range(3, 9):  # six failures; the alert comes at the third, once
        with pytest.raises(CakraError):
            watched_poll(smtp_site.app, T0 + timedelta(minutes=minute))
        assert len(_to_admin(smtp_server)) == (0 if minute < 5 else 1)
    (alert,) = [m.message for m in smtp_server.messages if ADMIN in m.rcpt_tos]
    assert alert["Subject"] == "[Cakra] Perlu tindakan: siklus gagal 3 kali berturut-turut"
    text = alert.get_body(("plain",)).get_content()
    assert "Form Responses 1" in text and "23 November 2026 08.03" in text
    assert "1404015501900001" not in alert.as_string()

    _rename_responses(smtp_site, "Form Responses 1", T0 + timedelta(minutes=9))
    watched_poll(smtp_site.app, T0 + timedelta(minutes=10))
    assert _to_admin(smtp_server) == [
        "[Cakra] Perlu tindakan: siklus gagal 3 kali berturut-turut",
        "[Cakra] Pulih: siklus berjalan lagi",
    ]

    # A second episode is a new alert; one that clears below the threshold sends nothing.
    _rename_responses(smtp_site, "Lama", T0 + timedelta(minutes=11))
    with pytest.raises(CakraError):
        watched_poll(smtp_site.app, T0 + timedelta(minutes=12))
    _rename_responses(smtp_site, "Form Responses 1", T0 + timedelta(minutes=13))
    assert len(_to_admin(smtp_server)) == 2


def test_a_message_undelivered_past_the_threshold_alerts_and_its_delivery_clears_it(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    smtp_server.reject_recipient(OPERATOR, "451 4.3.0 Kotak surat sibuk")
    smtp_site.submit(response(0))
    watched_poll(smtp_site.app, T0 + timedelta(minutes=1))
    watched_poll(smtp_site.app, T0 + timedelta(minutes=50))
    assert _to_admin(smtp_server) == []  # under an hour: not yet
    watched_poll(smtp_site.app, T0 + timedelta(minutes=62))
    watched_poll(smtp_site.app, T0 + timedelta(minutes=70))
    assert _to_admin(smtp_server) == ["[Cakra] Perlu tindakan: 2 email belum terkirim"]  # new case, then late
    (alert,) = [m.message for m in smtp_server.messages if ADMIN in m.rcpt_tos]
    assert "451 4.3.0 Kotak surat sibuk" in alert.get_body(("plain",)).get_content()

    smtp_server.accept_all()
    watched_poll(smtp_site.app, T0 + timedelta(hours=3))  # past the message's backoff: it goes
    assert OPERATOR in [r for m in smtp_server.messages for r in m.rcpt_tos]
    assert _to_admin(smtp_server)[-1] == "[Cakra] Pulih: email terkirim lagi"
    watched_poll(smtp_site.app, T0 + timedelta(hours=4))
    assert len(_to_admin(smtp_server)) == 2


def test_when_the_alert_cannot_be_sent_either_the_log_says_so(
    smtp_site: Site, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_site.submit(response(0))
    smtp_server.reject_sender("421 4.3.2 Layanan tidak tersedia")
    watched_poll(smtp_site.app, T0)
    _rename_responses(smtp_site, "Lama", T0 + timedelta(minutes=1))
    with caplog.at_level(logging.ERROR, logger="cakra.health"):
        for minute in range(2, 5):
            with pytest.raises(CakraError):
                watched_poll(smtp_site.app, T0 + timedelta(minutes=minute))
    lines = [r.getMessage() for r in caplog.records if r.name == "cakra.health"]
    assert any("could not be sent either" in line and "421" in line for line in lines)
    assert smtp_server.messages == []


def test_status_reports_last_good_cycle_failures_outbox_and_next_runs(
    smtp_site: Site, smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(smtp_site.write_config())
    with time_machine.travel(T0, tick=False):
        assert main(["--config", config, "status"]) == 1  # never ran
    assert "last good cycle: never" in capsys.readouterr().out

    smtp_server.reject_recipient(OPERATOR, "451 4.3.0 Kotak surat sibuk")
    smtp_site.submit(response(0))
    watched_poll(smtp_site.app, T0 + timedelta(minutes=1))
    _rename_responses(smtp_site, "Lama", T0 + timedelta(minutes=2))
    with pytest.raises(CakraError):
        watched_poll(smtp_site.app, T0 + timedelta(minutes=3))
    smtp_site.close()
    with time_machine.travel(T0 + timedelta(minutes=32), tick=False):
        assert main(["--config", config, "status"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "last good cycle: 23/11/2026 08:02 (30 menit ago)"
    assert out[1] == "failed cycles in a row: 1"
    assert out[2].startswith("last error: ") and "Form Responses 1" in out[2]
    assert out[3] == "messages pending: 1 (1 refused at least once), oldest waiting 31 menit"
    assert out[4] == "messages failed for good: 0"
    assert out[5].startswith("last delivery error: ") and "451 4.3.0" in out[5]
    # Monday 23 Nov 2026 08:32: the summary is due tomorrow 07:00, the digest (working days) tomorrow
    # 07:30, the weekly summary next Monday 07:00.
    assert out[6:9] == [
        "next ringkasan harian: 24/11/2026 07:00",
        "next digest harian: 24/11/2026 07:30",
        "next ringkasan mingguan: 30/11/2026 07:00",
    ]

    smtp_server.accept_all()
    _rename_responses(smtp_site, "Form Responses 1", T0 + timedelta(hours=2))
    smtp_site.close()
    with time_machine.travel(T0 + timedelta(hours=2, minutes=5), tick=False):
        assert main(["--config", config, "status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "last good cycle: 23/11/2026 10:00 (5 menit ago)",
        "failed cycles in a row: 0",
        "messages pending: 0 (0 refused at least once)",
    ]


def test_log_lines_carry_the_agencys_time_and_zone() -> None:
    formatter = AgencyTimeFormatter("%(asctime)s %(message)s")
    record = logging.LogRecord("cakra", logging.INFO, __file__, 1, "siklus selesai", None, None)
    record.created, record.msecs = T0.timestamp(), 0
    try:
        use_timezone(WIB)
        assert formatter.format(record) == "2026-11-23 08:00:00,000 WIB siklus selesai"
        use_timezone(ZoneInfo("Asia/Jayapura"))
        assert formatter.format(record) == "2026-11-23 10:00:00,000 WIT siklus selesai"
    finally:
        AgencyTimeFormatter.tz = None


def test_the_cli_stamps_logs_in_the_configs_timezone(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.extra = {"timezone": "Asia/Makassar"}
    config = str(site.write_config())
    try:
        with time_machine.travel(T0, tick=False):
            assert main(["--config", config, "poll"]) == 0
    finally:
        AgencyTimeFormatter.tz = None
    err = capsys.readouterr().err
    assert "2026-11-23 09:00:00," in err and " WITA INFO cakra.cycle: siklus selesai" in err


def test_serve_records_its_cycles_too(smtp_site: Site) -> None:
    from cakra.serve import Service

    smtp_site.submit(response(0))
    at = [T0 + timedelta(minutes=1)]
    service = Service(smtp_site.app, clock=lambda: at[0])
    assert service.poll_job() is True
    assert smtp_site.app.ledger.meta(LAST_GOOD) == at[0].isoformat()
    _rename_responses(smtp_site, "Lama", T0 + timedelta(minutes=2))
    at[0] = T0 + timedelta(minutes=3)
    assert service.poll_job() is False  # logged, the loop goes on
    assert smtp_site.app.ledger.meta(FAILURES) == "1"


def test_a_send_it_now_command_says_when_delivery_failed(
    smtp_site: Site, smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp_site.submit(response(0))
    smtp_site.poll(T0 + timedelta(minutes=1))
    smtp_site.close()
    smtp_server.reject_sender("421 4.3.2 Layanan tidak tersedia")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert main(["--config", str(smtp_site.write_config()), "report"]) == 0
    line = capsys.readouterr().out.strip()
    assert "0 pesan terkirim; pengiriman bermasalah: 0 gagal, 0 dicoba lagi, pengiriman terhenti" in line
    assert "421 4.3.2 Layanan tidak tersedia" in line


def test_serves_scheduled_jobs_log_delivery_trouble(
    smtp_site: Site, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    from cakra.serve import Service

    smtp_site.submit(response(0))
    smtp_site.poll(T0 + timedelta(minutes=1))
    smtp_server.reject_sender("421 4.3.2 Layanan tidak tersedia")
    service = Service(smtp_site.app, clock=lambda: T0.replace(day=24, hour=7, minute=1))
    with caplog.at_level(logging.WARNING, logger="cakra.serve"):
        service.report_job()
    assert any("pengiriman bermasalah" in r.getMessage() and "421" in r.getMessage() for r in caplog.records)
