"""Each message once (issue 9, reproduction 5): every path that delivers holds the ledger's cycle lock,
one ``serve`` per ledger, scheduled runs keyed by their period whoever starts them, nothing on a closed
day, and a missed run of an earlier day recorded as skipped, never sent late.

The concurrency tests run real processes against a real SMTP server on loopback; they synchronise on
what the processes print (a poll blocked in its first send, a report saying it waits for the lock), never
on sleeps, and freeze the subprocesses' clock with time-machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from cakra.commands import report as report_command
from cakra.ledger.lock import Busy, cycle_lock, holder, lock_path, serve_lock, serve_lock_path
from cakra.serve import Service
from tests.helpers_time import wib
from tests.site import T0, Site, response
from tests.smtp_fixtures import SmtpServer

ROOT = Path(__file__).resolve().parents[1]

# A poll whose first send stops until the test writes a line to its stdin: it holds the cycle lock with
# messages recorded and not yet sent, the moment a second deliverer would send them too.
BLOCKED_POLL = """
import sys
from datetime import datetime
from pathlib import Path
from cakra.app import build_app
from cakra.config import load_config
from cakra.cycle import poll

app = build_app(load_config(Path(sys.argv[1])))
first = True

def before_send(row):
    global first
    if first:
        first = False
        print("SENDING", flush=True)
        sys.stdin.readline()

result = poll(app, datetime.fromisoformat(sys.argv[2]), on_before_send=before_send)
print("DONE", result.delivered, flush=True)
"""

# The real command line at a frozen (ticking) moment: argv[1] is the moment, the rest the CLI's argv.
CLI_AT = """
import sys
from datetime import datetime
import time_machine
time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True).start()
from cakra.cli import main
sys.exit(main(sys.argv[2:]))
"""


def cli_at(moment: str, *argv: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CLI_AT, moment, *argv], cwd=ROOT, text=True, **popen)  # type: ignore[call-overload]


def smtp_site(site: Site, smtp_server: SmtpServer) -> Path:
    site.email = {"backend": "smtp", "host": smtp_server.host, "port": smtp_server.port, "security": "none"}
    site.submit(*(response(n, nik=f"14040155019000{n + 1:02d}") for n in range(4)))
    return site.write_config()


def assert_each_message_once(site: Site, smtp_server: SmtpServer) -> Counter[str]:
    arrived = Counter(m.message["Message-ID"] for m in smtp_server.messages)
    assert arrived, "nothing was sent"
    duplicates = {mid: n for mid, n in arrived.items() if n > 1}
    assert duplicates == {}, f"{sum(duplicates.values()) - len(duplicates)} duplicate Message-IDs"
    assert set(arrived) == {row.message_id for row in site.app.outbox.rows() if row.status == "sent"}
    return arrived


def test_a_report_started_during_a_polls_delivery_waits_and_nothing_goes_twice(
    site: Site, smtp_server: SmtpServer
) -> None:
    config = smtp_site(site, smtp_server)
    now = (T0 + timedelta(minutes=20)).isoformat()  # new and overdue: role messages and acknowledgements
    poll = subprocess.Popen(
        [sys.executable, "-c", BLOCKED_POLL, str(config), now],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    report = None
    try:
        assert poll.stdout is not None and poll.stdin is not None
        assert poll.stdout.readline().strip() == "SENDING", poll.stderr.read()  # type: ignore[union-attr]
        assert smtp_server.messages == []
        report = cli_at(
            now,
            "--config",
            str(config),
            "report",
            "--wait",
            "300",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert report.stderr is not None
        waiting = report.stderr.readline()  # the report's first words: it waits for the poll's lock
        assert "menunggu proses lain" in waiting, waiting + report.stderr.read()
        assert f"pid {poll.pid}" in waiting  # the lock file names its holder
        poll.stdin.write("\n")
        poll.stdin.flush()
        poll_out, poll_err = poll.communicate(timeout=120)
        assert poll.returncode == 0, poll_err
        report_out, report_err = report.communicate(timeout=120)
        assert report.returncode == 0, report_err
    finally:
        for process in (poll, report):
            if process is not None and process.poll() is None:
                process.kill()
    assert "ringkasan dibuat" in report_out
    arrived = assert_each_message_once(site, smtp_server)
    summaries = [m for m in smtp_server.messages if "Ringkasan" in str(m.message["Subject"])]
    assert len(summaries) == 2 and len(arrived) > 2  # the poll's messages and the two summaries, once each


def test_a_second_serve_on_the_same_ledger_refuses_with_the_first_ones_pid(
    site: Site, smtp_server: SmtpServer
) -> None:
    config = smtp_site(site, smtp_server)
    now = (T0 + timedelta(minutes=20)).isoformat()
    first = cli_at(now, "--config", str(config), "serve", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert first.stdout is not None
        assert "Cakra berjalan" in first.stdout.readline()  # it holds the serve lock from here on
        second = cli_at(now, "--config", str(config), "serve", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 2, err
        lines = [line for line in err.splitlines() if line.startswith("cakra:")]
        assert len(lines) == 1 and "Traceback" not in err
        assert "already running" in lines[0] and f"pid {first.pid}" in lines[0]
        assert "Cakra berjalan" not in out
        # The first one finishes its start-up cycle (it has the cycle lock for that) and is stopped.
        first.terminate()
        _, first_err = first.communicate(timeout=120)
        assert first.returncode == 0, first_err
    finally:
        if first.poll() is None:
            first.kill()
    assert_each_message_once(site, smtp_server)


def test_the_lock_files_name_their_holder_and_a_second_holder_is_refused(tmp_path: Path) -> None:
    ledger = tmp_path / "cakra.sqlite"
    with serve_lock(ledger):
        assert holder(serve_lock_path(ledger)) == os.getpid()
        with pytest.raises(Busy, match=rf"already running .*pid {os.getpid()}") as refused:
            with serve_lock(ledger):
                pass
        assert refused.value.pid == os.getpid()
        with cycle_lock(ledger):  # serve's lock is not the cycle lock: a cron poll still runs between
            assert holder(lock_path(ledger)) == os.getpid()
            waits: list[float] = []
            with pytest.raises(Busy, match=r"waited 1 s"):
                with cycle_lock(ledger, wait=1.0, pause=waits.append):  # a waiter that never really waits
                    pass
            assert waits == [0.2] * 5  # it tried again for the second it was given, then gave up


def test_a_report_that_finds_the_lock_held_says_so_in_one_line(site: Site) -> None:
    site.submit(response(0))
    config = site.write_config()
    with cycle_lock(site.folder / "cakra.sqlite"):
        process = cli_at(
            T0.isoformat(),
            "--config",
            str(config),
            "report",
            "--wait",
            "0",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, err = process.communicate(timeout=120)
    assert process.returncode == 2 and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("cakra:")]
    assert len(lines) == 1 and f"pid {os.getpid()}" in lines[0], err


def run_report(site: Site) -> str:
    """``cakra report`` in this process (at the frozen clock); what it printed."""
    args = argparse.Namespace(config=str(site.write_config()), wait=0.0)
    site.close()
    return str(report_command.run(args))


def test_a_report_by_hand_and_serves_daily_job_send_the_days_summary_once(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    site.extra = {"serve": {"report_time": "09:00"}}
    with time_machine.travel(wib(2026, 11, 23, 8, 30), tick=False):  # Monday, before serve's time
        assert run_report(site) == "0"
    assert "ringkasan dibuat" in capsys.readouterr().out
    with time_machine.travel(wib(2026, 11, 23, 8, 31), tick=False):  # a second time by hand: nothing new
        run_report(site)
    assert "sudah dibuat sebelumnya" in capsys.readouterr().out
    assert Service(site.app, clock=lambda: wib(2026, 11, 23, 9, 5)).report_job() is False  # already made
    subjects = [str(m["Subject"]) for m in site.emails()]
    assert sum("Ringkasan" in s for s in subjects) == 2  # kepala badan and kabid, once each


def test_nothing_on_a_closed_day_unless_configured(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    sunday = wib(2026, 11, 29, 10, 0)
    with time_machine.travel(sunday, tick=False):
        run_report(site)
    assert "bukan hari kerja" in capsys.readouterr().out
    assert not any("Ringkasan" in str(m["Subject"]) for m in site.emails())
    assert Service(site.app, clock=lambda: sunday).report_job() is False
    assert Service(site.app, clock=lambda: sunday).digest_job() is False
    site.close()
    site.extra = {"report": {"on_non_working_days": True}}
    assert Service(site.app, clock=lambda: sunday).report_job() is True
    assert Service(site.app, clock=lambda: sunday).digest_job() is True


def test_a_first_start_on_sunday_sends_no_digest_or_summary_of_friday(site: Site) -> None:
    site.submit(response(-3 * 24 * 60))  # Friday 20 November 2026, 08:00
    site.poll(wib(2026, 11, 20, 8, 1))
    site.close()
    start = Service(site.app, clock=lambda: wib(2026, 11, 22, 10, 0))  # Sunday: first start of serve
    start.stopping.set()  # run() does its start-up work, then leaves the loop at once
    assert start.run() == 0
    subjects = [str(m["Subject"]) for m in site.emails()]
    assert not [s for s in subjects if "Rekap harian" in s or "Ringkasan" in s]
    claimed = {row[0] for row in site.app.ledger.conn.execute("SELECT key FROM notices")}
    assert {"digest:2026-11-20:operator", "daily-summary:2026-11-20"} <= claimed  # recorded as skipped
    monday = Service(site.app, clock=lambda: wib(2026, 11, 23, 7, 31))
    assert monday.digest_job() is True  # Monday's own digest goes
    assert re.search(r"Rekap harian Operator 23/11/2026", str(site.emails()[-1]["Subject"]))


def test_serves_job_waits_for_a_running_cycle_and_gives_up_at_once_when_stopping(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    site.submit(response(0))
    site.poll(T0 + timedelta(minutes=1))
    site.extra = {"serve": {"report_time": "07:00"}}
    site.close()
    service = Service(site.app, clock=lambda: T0 + timedelta(minutes=30))
    service.stopping.set()  # SIGTERM came: the job's wait for the lock must not hold the loop
    with cycle_lock(site.folder / "cakra.sqlite"), caplog.at_level("INFO"):
        assert service.report_job() is False
    assert (
        "report gagal: another Cakra cycle is running" in caplog.text and f"pid {os.getpid()}" in caplog.text
    )
    assert not any("Ringkasan" in str(m["Subject"]) for m in site.emails())  # nothing made without the lock
    assert Service(site.app, clock=lambda: T0 + timedelta(minutes=31)).report_job() is True
