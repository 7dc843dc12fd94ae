"""The serve loop's jobs (injected clock) and the leadership summary with its inline chart."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from cakra.serve import Service
from tests.site import T0, Site, response

ROOT = Path(__file__).resolve().parents[1]


def test_daily_summary_goes_once_after_its_time_even_after_a_restart(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900002", category="Bencana alam"))
    site.poll(T0 + timedelta(minutes=2))
    site.extra = {"serve": {"report_time": "09:00"}}
    site.close()
    before = len(site.emails())

    early = Service(site.app, clock=lambda: T0 + timedelta(minutes=30))  # 08:30
    assert early.report_job() is False
    late = Service(site.app, clock=lambda: T0 + timedelta(hours=1, minutes=5))  # 09:05
    assert late.report_job() is True
    restarted = Service(site.app, clock=lambda: T0 + timedelta(hours=2))
    assert restarted.report_job() is False  # already made today

    summaries = site.emails()[before:]
    assert sorted(m["To"] for m in summaries) == [
        "kaban@kesbangpol.contoh.example",
        "kabid@kesbangpol.contoh.example",
    ]
    message = summaries[0]
    html_part = message.get_body(("html",))
    assert 'src="cid:ringkasan-tahap@cakra"' in html_part.get_content()
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<ringkasan-tahap@cakra>"
    assert images[0].get_content_disposition() == "inline"
    assert images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    text = message.get_body(("plain",)).get_content()
    assert "Bencana alam: 1" in text and "Konflik sosial: 1" in text
    assert "Tembilahan: 2" in text
    assert "Kasus terlambat (2)" in text  # both passed the operator's 15 minutes


def test_sla_compliance_counts_on_time_and_late_visits(site: Site) -> None:
    site.submit(response(0), response(1, nik="1404015501900002"))
    site.poll(T0 + timedelta(minutes=2))
    site.edit("CAKRA-2026-000001", Tahap="3", Petugas="Op")
    site.poll(T0 + timedelta(minutes=10))  # within 15 minutes
    site.edit("CAKRA-2026-000002", Tahap="3", Petugas="Op")
    site.poll(T0 + timedelta(minutes=40))  # late
    from cakra.notify.report import summary_context

    context = summary_context(site.app.mailer, site.app.book, T0 + timedelta(minutes=41), "kepala_badan")
    operator = next(c for c in context["compliance"] if c["title"] == "2. Operator")
    assert (operator["on_time"], operator["late"], operator["percent"]) == (1, 1, 50.0)
    kasubbid = next(c for c in context["compliance"] if c["title"] == "3. Kasubbid")
    assert kasubbid["late"] == 1  # case 1 has sat in Kasubbid past its 15 minutes


def test_a_failing_job_is_logged_and_the_loop_goes_on(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    site.submit(response(0))
    site.app.sheets.path.unlink()  # type: ignore[attr-defined]  # the workbook vanished
    service = Service(site.app, clock=lambda: T0 + timedelta(minutes=1))
    with caplog.at_level(logging.ERROR, logger="cakra.serve"):
        assert service.poll_job() is False
    assert "poll gagal" in caplog.text and "does not exist" in caplog.text

    def boom() -> bool:
        raise RuntimeError("tak terduga")

    assert service.guard("x", boom) is False  # an unexpected error does not end the loop either


def test_serve_stops_cleanly_on_sigterm(site: Site) -> None:
    site.submit(response(0))
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--config", str(site.write_config()), "serve"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "Cakra berjalan" in process.stdout.readline()  # blocks until the loop is set up
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "berhenti dengan bersih" in stderr
