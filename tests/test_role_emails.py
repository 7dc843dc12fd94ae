"""Role emails people act on: late first, worded for the reader, escalations bundled, size-capped, with
a way to the case — delivered to a real SMTP server (aiosmtpd on loopback), time frozen per cycle.

The Cakra SOP: the operator's step has 15 minutes; operator -> kasubbid -> kabid -> kepala_badan.
"""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta

from cakra.ingest.responses import new_response_key
from cakra.jobs import digests
from cakra.notify.compose import FULL_CASES, LISTED_CASES, enqueue_notices
from cakra.notify.digest import DIGEST_ROWS
from cakra.notify.plan import RoleNotice
from cakra.workflow.case import Case
from tests.google_site import GoogleSite
from tests.helpers_time import plain
from tests.site import T0, Site, response
from tests.smtp_fixtures import SmtpServer, to
from tests.workbook import STATUS_TAB

TICKET = "CAKRA-2026-000001"


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def test_late_comes_first_and_each_reader_is_told_what_is_theirs_to_do(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    smtp_site.extra = {"citizen": {"send": False}}
    smtp_site.submit(response(0))
    smtp_site.poll(minutes(1))
    smtp_site.submit(response(14, nik="1404015501900002", name="Budi Santoso"))
    sent = len(smtp_server.messages)
    smtp_site.poll(minutes(15))

    (operator,) = to(smtp_server, "operator", sent)
    text = plain(operator)
    assert text.index("Terlambat di tahap Anda (1)") < text.index("Laporan baru (1)")
    assert str(operator["Subject"]).startswith("[Cakra] Operator: 1 terlambat di tahap Anda, 1 laporan baru")
    assert "segera tangani" in text

    (superior,) = to(smtp_server, "kasubbid", sent)
    text = plain(superior)
    assert "terlambat di bawah Anda, untuk diketahui" in text
    assert "Terlambat di Operator (2. Operator) sejak Senin, 23 November 2026 08.15 WIB" in text
    assert "Sudah diteruskan ke Kasubbid" in text
    assert "pilih tahap berikutnya" not in text and "perlu Anda tangani" not in text
    assert "Eskalasi tingkat" not in text
    # The local backend has no link: the message names the workbook and the ticket.
    assert f'cakra.xlsx, tab "Status Kasus", baris {TICKET}' in text


def test_escalations_are_bundled_per_interval_held_in_the_ledger_across_a_restart(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    smtp_site.extra = {"citizen": {"send": False}, "email": {"bundle_minutes": 30}}
    smtp_site.submit(response(0))
    smtp_site.poll(minutes(1))

    # The deadline: the operator's own late step goes at once; the superior's news waits.
    sent = len(smtp_server.messages)
    result = smtp_site.poll(minutes(15))
    assert [m["To"] for m in smtp_server.messages[sent:] for m in [m.message]] == [
        "operator@kesbangpol.contoh.example"
    ]
    assert result.escalations == 0
    smtp_site.close()  # a restart: held notices live in the ledger

    sent = len(smtp_server.messages)
    smtp_site.poll(minutes(30))  # kabid's level: held too (kasubbid's has waited 15 of 30 minutes)
    smtp_site.poll(minutes(44))
    assert to(smtp_server, "kasubbid", sent) == [] and to(smtp_server, "kabid", sent) == []

    smtp_site.poll(minutes(45))  # kasubbid's window is over: one message
    (bundle,) = to(smtp_server, "kasubbid", sent)
    assert TICKET in plain(bundle) and "Sudah diteruskan ke Kasubbid" in plain(bundle)
    assert to(smtp_server, "kabid", sent) == []
    smtp_site.poll(minutes(60))  # kabid's window (from 08.30) is over
    (kabid,) = to(smtp_server, "kabid", sent)
    assert "Sudah diteruskan ke Kasubbid dan Kabid" in plain(kabid)
    assert len(to(smtp_server, "kasubbid", sent)) == 1  # nothing twice


def test_held_news_rides_along_with_work_the_role_must_do_now(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    smtp_site.extra = {"citizen": {"send": False}, "email": {"bundle_minutes": 30}}
    smtp_site.submit(response(0))
    smtp_site.submit(response(1, nik="1404015501900002", name="Budi Santoso"))
    smtp_site.poll(minutes(2))
    smtp_site.poll(minutes(15))  # case 1 late: kasubbid's escalation held
    sent = len(smtp_server.messages)
    smtp_site.edit("CAKRA-2026-000002", Tahap="3. Kasubbid", Petugas="Op. Rahmat")
    smtp_site.poll(minutes(16))  # case 2 enters kasubbid's step: goes at once, with the held news
    (message,) = to(smtp_server, "kasubbid", sent)
    text = plain(message)
    assert text.index("Terlambat di bawah Anda") < text.index("Kasus yang masuk ke tahap Anda")
    assert TICKET in text and "CAKRA-2026-000002" in text
    smtp_site.poll(minutes(50))  # later messages (case 2's own reminder and deadline) do not repeat it
    later = to(smtp_server, "kasubbid", sent)[1:]
    assert later and all(TICKET not in plain(m) for m in later)


def backlog(site: Site, size: int) -> list[Case]:
    """``size`` cases like the site's one real case (a report taken in by a real cycle), each with its
    own ticket and response row."""
    site.extra = {"citizen": {"send": False}}
    site.submit(response(0))
    site.poll(minutes(1))
    (case,) = site.app.ledger.cases()
    return [
        dataclasses.replace(
            case,
            ticket=f"CAKRA-2026-{n:06d}",
            seq=n,
            report=dataclasses.replace(case.report, response_key=new_response_key()),
        )
        for n in range(1, size + 1)
    ]


def test_a_3000_case_backlog_makes_one_message_under_1_mb(smtp_site: Site, smtp_server: SmtpServer) -> None:
    app = smtp_site.app
    notice = RoleNotice("operator")
    for n, twin in enumerate(backlog(smtp_site, 3000)):
        notice.add("overdue", twin, f"overdue:{n}")
    now = minutes(3 * 24 * 60)
    sent = len(smtp_server.messages)
    with app.ledger.transaction():
        assert enqueue_notices(app.mailer, app.sop, [notice], now) == 1
    app.mailer.deliver(now)

    (received,) = smtp_server.messages[sent:]
    assert len(received.raw) < 1_000_000
    text = plain(received.message)
    html = received.message.get_body(("html",)).get_content()
    assert text.count("Diterima    :") == FULL_CASES
    assert "Terlambat di tahap Anda (3.000)" in text
    assert f"dan {3000 - FULL_CASES - LISTED_CASES} kasus lagi" in text.replace(".", "")
    assert "CAKRA-2026-000550" in text and "CAKRA-2026-000551" not in html


def test_citizens_get_the_desk_as_reply_to_and_are_told_the_truth_about_replies(
    smtp_site: Site, smtp_server: SmtpServer
) -> None:
    smtp_site.submit(response(0))
    smtp_site.poll(minutes(1))
    (ack,) = [r.message for r in smtp_server.messages if "andi@contoh.example" in r.rcpt_tos]
    assert ack["Reply-To"] is None
    assert "balas email ini" not in plain(ack)
    assert "balasan ke alamat ini tidak dibaca" in plain(ack)

    smtp_site.close()
    smtp_site.extra = {"citizen": {"reply_to": "pengaduan@kesbangpol.contoh.example"}}
    smtp_site.submit(response(1, nik="1404015501900002", email_address="budi@contoh.example"))
    smtp_site.poll(minutes(2))
    (ack,) = [r.message for r in smtp_server.messages if "budi@contoh.example" in r.rcpt_tos]
    assert ack["Reply-To"] == "pengaduan@kesbangpol.contoh.example"
    assert "balas email ini (balasan Anda diterima petugas di pengaduan@kesbangpol.contoh.example)" in plain(
        ack
    )


def test_on_google_each_case_links_to_its_row_in_the_status_tab(google_site: GoogleSite) -> None:
    google_site.extra = {"citizen": {"send": False}}
    google_site.submit(response(0))
    google_site.poll(minutes(1))
    google_site.submit(response(2, nik="1404015501900002", name="Budi Santoso"))
    google_site.poll(minutes(3))  # a new case: its row is the next free one, written in this cycle

    sheet_id = google_site.people.open_by_key(google_site.spreadsheet_id).worksheet(STATUS_TAB).id
    base = f"https://docs.google.com/spreadsheets/d/{google_site.spreadsheet_id}/edit#gid={sheet_id}"
    rows = {row["No. Tiket"]: number for number, row in enumerate(google_site.status(), start=2)}
    first, second = google_site.emails()
    for message, ticket in ((first, TICKET), (second, "CAKRA-2026-000002")):
        link = f"{base}&amp;range=A{rows[ticket]}"
        assert f'<a href="{link}"' in message.get_body(("html",)).get_content()
        assert f"Buka kasus  : {base}&range=A{rows[ticket]}" in plain(message)


def test_turning_bundling_off_releases_what_was_held(smtp_site: Site, smtp_server: SmtpServer) -> None:
    smtp_site.extra = {"citizen": {"send": False}, "email": {"bundle_minutes": 30}}
    smtp_site.submit(response(0))
    smtp_site.poll(minutes(1))
    smtp_site.poll(minutes(15))  # the escalation to kasubbid is held
    sent = len(smtp_server.messages)
    smtp_site.close()
    smtp_site.extra = {"citizen": {"send": False}, "email": {"bundle_minutes": 0}}
    smtp_site.poll(minutes(16))
    (message,) = to(smtp_server, "kasubbid", sent)
    assert TICKET in plain(message)


def test_a_3000_case_digest_is_a_table_under_1_mb(smtp_site: Site, smtp_server: SmtpServer) -> None:
    cases = backlog(smtp_site, 3000)
    app = smtp_site.app
    with app.ledger.transaction():
        for twin in cases[1:]:
            app.ledger.save_case(twin)
    sent = len(smtp_server.messages)
    morning = T0 + timedelta(days=1)
    assert digests(app, morning, run_date=morning.date(), at=time(7, 30)) == 1
    app.mailer.deliver(morning)
    (received,) = to(smtp_server, "operator", sent)
    raw = next(
        r.raw for r in smtp_server.messages[sent:] if "operator@kesbangpol.contoh.example" in r.rcpt_tos
    )
    assert len(raw) < 1_000_000
    text = plain(received)
    assert "Terlambat (3.000)" in text
    assert f"... dan {3000 - DIGEST_ROWS:,} lagi di lembar status".replace(",", ".") in text
    assert "Diterima    :" not in text  # one row per case, not a card
