"""Day one on a form already in use: ``cakra adopt`` and ``[intake] start`` take old responses in as
history. Real SMTP server on loopback, real workbook files, frozen time."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
import time_machine

from cakra.adopt import ProgressBar, adopt
from cakra.cli import main
from cakra.cycle import ensure_tabs
from cakra.serve import Service
from cakra.workflow.adoption import ADOPTED_ACTOR
from tests.helpers_time import wib
from tests.site import T0, Site, response
from tests.smtp_fixtures import SmtpServer

# Old responses: one every 5 hours, the first about two years before day one.
FIRST_OLD = -60 * 24 * 700


def old_responses(count: int, start: float = FIRST_OLD) -> list[list[object]]:
    """``count`` distinct synthetic responses (invented people), oldest first, all before ``T0``."""
    return [
        response(
            start + i * 300, nik=f"1404015501{i:06d}", name=f"Warga Contoh {i}", description=f"Laporan {i}"
        )
        for i in range(count)
    ]


def cli_adopt(site: Site, *extra: str) -> int:
    """``cakra adopt`` at ``T0``, as an IT person runs it (the site's app is closed first)."""
    site.close()
    config = site.write_config()
    with time_machine.travel(T0, tick=False):
        return main(["--config", str(config), "adopt", *extra])


def outbox_rows(site: Site) -> int:
    return site.app.ledger.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def reverse_response_rows(workbook: Path) -> None:
    """An operator sorts the response tab newest first."""
    book = openpyxl.load_workbook(workbook)
    sheet = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column, value)
    book.save(workbook)


def test_adopting_3000_responses_sends_nothing_and_later_cycles_never_open_them(
    smtp_site: Site, smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site = smtp_site
    ensure_tabs(site.app)  # `init`
    site.submit(*old_responses(3000))

    assert cli_adopt(site) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and "3000 tanggapan lama diambil sebagai riwayat" in out
    assert "0 kasus baru" in out and "0 pesan dibuat" in out and "0 terkirim" in out
    assert "[" not in err  # no progress bar when stderr is not a terminal
    assert smtp_server.messages == [] and outbox_rows(site) == 0  # no acknowledgement, no role email

    ledger = site.app.ledger
    cases = ledger.cases()
    assert len(cases) == 3000 and ledger.cases(open_only=True) == []
    # Tickets in form order: the response in sheet row r has sequence r - 1.
    assert [c.seq for c in cases] == list(range(1, 3001))
    assert all(c.report.response_row == c.seq + 1 and c.step == "selesai" for c in cases)
    first = cases[0]
    assert first.closed_at == first.report.received_at  # history, placed where it happened
    closing = ledger.history(first.ticket)[-1]
    assert closing.actor == ADOPTED_ACTOR and closing.to_step == "selesai"
    assert "diambil sebagai riwayat" in closing.note
    assert {r["Tahap"] for r in site.status()} == {"Selesai"} and len(site.status()) == 3000

    # The next cycle finds nothing new and sends nothing.
    result = site.poll(T0 + timedelta(minutes=1))
    assert (result.new, result.adopted, result.messages, result.delivered) == (0, 0, 0, 0)
    assert smtp_server.messages == []

    # A response sent after adoption is a normal new case with its acknowledgement.
    site.submit(response(5, nik="1404015501999999", email_address="baru@contoh.example", name="Warga Baru"))
    result = site.poll(T0 + timedelta(minutes=6))
    assert (result.new, result.adopted, result.citizen) == (1, 0, 1)
    recipients = sorted(a for m in smtp_server.messages for a in m.rcpt_tos)
    assert recipients == ["baru@contoh.example", "operator@kesbangpol.contoh.example"]
    new_case = site.app.ledger.cases(open_only=True)
    assert [c.seq for c in new_case] == [3001]

    # Adopting again changes nothing.
    history = len(site.app.ledger.history())
    assert cli_adopt(site) == 0
    out, _ = capsys.readouterr()
    assert "0 kasus baru" in out and "tanggapan lama" not in out
    assert len(site.app.ledger.cases()) == 3001 and len(site.app.ledger.history()) == history
    assert len(smtp_server.messages) == 2


def test_open_adoption_leaves_cases_open_with_their_clock_from_today(
    smtp_site: Site, smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site = smtp_site
    site.submit(*old_responses(40))
    assert cli_adopt(site, "--open") == 0
    assert "40 tanggapan lama diambil sebagai riwayat" in capsys.readouterr().out
    open_cases = site.app.ledger.cases(open_only=True)
    assert len(open_cases) == 40
    assert all(c.step_entered_at == T0 and c.deadline > T0 for c in open_cases)  # nothing overdue at once
    assert all(c.report.received_at < T0 - timedelta(days=600) for c in open_cases)  # "Diterima" kept
    assert (
        "batas waktu tahap dihitung sejak saat itu" in site.app.ledger.history(open_cases[0].ticket)[-1].note
    )
    result = site.poll(T0 + timedelta(minutes=1))
    assert (result.new, result.messages, result.reminders, result.escalations) == (0, 0, 0, 0)
    assert smtp_server.messages == []


def test_intake_start_adopts_older_responses_and_opens_later_ones(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    site = smtp_site
    site.extra = {"intake": {"start": "2026-11-23"}}
    site.submit(*old_responses(5, start=-60 * 24 * 3))  # Friday 20 November onwards: before the start
    site.submit(response(3, nik="1404015501999999", email_address="baru@contoh.example", name="Warga Baru"))
    result = site.poll(T0 + timedelta(minutes=5))
    assert (result.adopted, result.new, result.citizen) == (5, 1, 1)
    assert [c.seq for c in site.app.ledger.cases(open_only=True)] == [6]
    recipients = sorted(a for m in smtp_server.messages for a in m.rcpt_tos)
    assert recipients == ["baru@contoh.example", "operator@kesbangpol.contoh.example"]
    operator = next(m for m in smtp_server.messages if "operator@" in m.rcpt_tos[0]).message
    assert "CAKRA-2026-000006" in operator.get_body(("plain",)).get_content()
    assert "CAKRA-2026-000001" not in operator.get_body(("plain",)).get_content()


def _read_all(leader: int) -> str:
    """Everything written to a pseudo-terminal whose other end is closed. The kernel hands written bytes
    to the reading end asynchronously, so one read may return only part of them: read to the end (EIO
    on Linux once the writer's end is closed and drained, b"" elsewhere)."""
    chunks = []
    try:
        while chunk := os.read(leader, 65536):
            chunks.append(chunk)
    except OSError:
        pass
    finally:
        os.close(leader)
    return b"".join(chunks).decode()


def test_a_progress_bar_on_a_terminal_and_none_otherwise(site: Site) -> None:
    site.submit(*old_responses(30))
    leader, follower = os.openpty()  # a real terminal
    with os.fdopen(follower, "w", closefd=True) as terminal:
        adopt(site.app, T0, before=None, keep_open=None, progress=ProgressBar(terminal))
    drawn = _read_all(leader)
    assert "\r" in drawn and "30/30 (100%)" in drawn and "#" * ProgressBar.WIDTH in drawn
    assert drawn.endswith("\n") or drawn.endswith("\r\n")

    piped = StringIO()
    bar = ProgressBar(piped)
    bar(1, 2)
    bar.finish()
    assert piped.getvalue() == ""


@pytest.mark.parametrize(
    ("extra", "args", "message"),
    [
        ({"intake": {"adopt_ending": "arsip"}}, (), "[intake] adopt_ending: 'arsip' is not an ending"),
        ({"intake": {"start": "kemarin"}}, (), "[intake] start = 'kemarin' must be a date"),
        ({}, ("--before", "23-11-2026"), "--before '23-11-2026' must be a date"),
    ],
)
def test_adoption_mistakes_are_one_line(
    site: Site, capsys: pytest.CaptureFixture[str], extra: dict, args: tuple[str, ...], message: str
) -> None:
    site.extra = extra
    assert cli_adopt(site, *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_a_configured_ending_closes_adopted_cases(site: Site) -> None:
    site.extra = {"intake": {"adopt_ending": "Tidak valid"}}
    site.submit(*old_responses(3))
    adopt(site.app, T0, before=None, keep_open=None)
    assert {c.step for c in site.app.ledger.cases()} == {"tidak_valid"}


def test_the_first_serve_after_adoption_sends_no_backlog(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    """Adopted on a Thursday: Monday's weekly summary is stale, recorded as skipped; only today's runs."""
    site.submit(*old_responses(200))
    thursday = wib(2026, 11, 26, 9, 0)
    adopt(site.app, thursday, before=None, keep_open=None)
    start = Service(site.app, clock=lambda: thursday)
    start.stopping.set()  # run() does its start-up work, then leaves the loop at once
    with caplog.at_level("INFO"):
        assert start.run() == 0
    subjects = [m["Subject"] for m in site.emails()]
    assert not any("mingguan" in s for s in subjects)
    assert sum("Rekap harian" in s for s in subjects) <= 1  # today's, if any: no earlier day's
    assert "ringkasan mingguan terlewat" in caplog.text
    assert all(path.stat().st_size < 1_000_000 for path in site.outbox.glob("*.eml"))
    key = site.app.ledger.conn.execute("SELECT key FROM notices WHERE key LIKE 'weekly-summary:%'").fetchall()
    assert key == [("weekly-summary:2026-11-23",)]


def test_adopted_responses_are_known_by_content_wherever_their_rows_go(site: Site) -> None:
    """Identity rows for every adopted case: later cycles recognise them by content, after a sort too."""
    site.submit(*old_responses(25))
    adopt(site.app, T0, before=None, keep_open=None)
    adopt(site.app, T0 + timedelta(minutes=1), before=None, keep_open=None)
    conn: sqlite3.Connection = site.app.ledger.conn
    assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT fingerprint) FROM response_of").fetchone() == (
        25,
        25,
    )
    reverse_response_rows(site.workbook)  # the operator sorts the response tab newest first
    for minute in (2, 3):  # a partial read that finds rows moved asks the next cycle to read them all
        result = site.poll(T0 + timedelta(minutes=minute))
        assert (result.new, result.adopted, result.edited, result.messages) == (0, 0, 0, 0)
    assert conn.execute("SELECT MIN(row) FROM response_of WHERE ticket LIKE '%-000025'").fetchone() == (2,)
