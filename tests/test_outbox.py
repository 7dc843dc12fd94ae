"""The outbox: dedupe, transaction boundaries, crash safety, retry policy, end to end with real transports."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from cakra.notify.outbox import InlineImage, Outbox, OutboxRow
from cakra.notify.transports import OutboxDirTransport, PartialDelivery, SmtpTransport, TransportError
from tests import smtp_fixtures
from tests.smtp_fixtures import SmtpServer

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 23, 14, 5, tzinfo=WIB)
SENDER = "Cakra Kesbangpol <cakra@example.go.id>"

smtp_server = smtp_fixtures.smtp_server  # the fixture, re-exported by assignment


class Recorder:
    """A transport that accepts everything and remembers Message-IDs, or raises scripted errors."""

    def __init__(self, errors: list[BaseException | None] | None = None) -> None:
        self.sent: list[str] = []
        self.errors = list(errors or [])

    def send(self, message: EmailMessage) -> None:
        error = self.errors.pop(0) if self.errors else None
        if error is not None:
            raise error
        self.sent.append(str(message["Message-ID"]))


class SimulatedCrash(BaseException):
    """Escapes every ``except Exception``, like the process dying."""


def enqueue(outbox: Outbox, key: str, *, now: datetime = T0, **overrides: object) -> str | None:
    fields: dict[str, object] = {
        "dedupe_key": key,
        "role": "kabid",
        "recipients": ["kabid@example.go.id"],
        "sender": SENDER,
        "subject": f"Laporan {key}",
        "text": f"Teks {key}",
        "html": f"<p>HTML {key}</p>",
        "now": now,
    }
    fields.update(overrides)
    return outbox.enqueue(**fields)  # type: ignore[arg-type]


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    yield connection
    connection.close()


@contextmanager
def open_db(path: Path) -> Iterator[tuple[sqlite3.Connection, Outbox]]:
    connection = sqlite3.connect(path)
    try:
        yield connection, Outbox(connection)
    finally:
        connection.close()


# --- enqueue ------------------------------------------------------------------------------------------


def test_enqueue_stores_the_complete_message(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn, domain="kesbangpol.example.go.id")
    message_id = enqueue(
        outbox,
        "case-1:new",
        recipients=["kabid@example.go.id", "staf@example.go.id"],
        subject="Laporan\nbaru:\r\n  Bcc: penyusup@example.com",
        html='<p>Peta</p><img src="cid:peta">',
        inline_images=[InlineImage(cid="peta", data=b"\x89PNG fake")],
    )
    assert message_id is not None and message_id.endswith("@kesbangpol.example.go.id>")
    [row] = outbox.pending(T0)
    message = row.message()

    assert message["Message-ID"] == message_id
    assert message["Subject"] == "Laporan baru: Bcc: penyusup@example.com"  # one line: no injected header
    assert message["Bcc"] is None
    assert message["From"] == SENDER
    assert message["To"] == "kabid@example.go.id, staf@example.go.id"
    assert message["Date"] == "Mon, 23 Nov 2026 14:05:00 +0700"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.get_payload()  # type: ignore[misc]
    assert plain.get_content() == "Teks case-1:new\n"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert 'src="cid:peta"' in html.get_content()
    assert image["Content-ID"] == "<peta>"
    assert image.get_content() == b"\x89PNG fake"
    assert (row.role, row.recipients, row.attempts, row.status) == (
        "kabid",
        ("kabid@example.go.id", "staf@example.go.id"),
        0,
        "pending",
    )


def test_enqueue_leaves_commit_to_the_caller(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    conn.commit()
    enqueue(outbox, "k")
    assert conn.in_transaction
    conn.rollback()  # the cycle's transaction failed: the message goes with it
    assert outbox.stats()["pending"] == 0


def test_same_dedupe_key_never_makes_a_second_row(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    first = enqueue(outbox, "case-1:new")
    conn.commit()
    assert enqueue(outbox, "case-1:new", subject="changed") is None
    assert enqueue(outbox, "case-1:new", now=T0 + timedelta(days=1)) is None
    assert conn.execute("SELECT count(*), max(message_id) FROM outbox").fetchone() == (1, first)


def test_enqueue_rejects_bad_input(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    with pytest.raises(ValueError, match="aware"):
        enqueue(outbox, "a", now=datetime(2026, 11, 23, 14, 5))
    with pytest.raises(ValueError, match="recipient"):
        enqueue(outbox, "b", recipients=["kabid@example.go.id\r\nBcc: x@example.com"])
    with pytest.raises(ValueError, match="recipients"):
        enqueue(outbox, "c", recipients=[])
    with pytest.raises(ValueError, match="cid"):
        InlineImage(cid="a b", data=b"")


# --- deliver ------------------------------------------------------------------------------------------


def test_deliver_sends_due_rows_once_and_commits_each(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    ids = [enqueue(outbox, f"k{n}") for n in range(3)]
    conn.commit()
    transport = Recorder()

    result = outbox.deliver(transport, T0)
    assert result.sent == ids and transport.sent == ids
    assert not conn.in_transaction
    assert outbox.stats() == {"pending": 0, "sent": 3, "failed": 0}
    assert outbox.deliver(transport, T0 + timedelta(hours=1)).sent == []
    assert transport.sent == ids
    row = outbox.get(ids[0])  # type: ignore[arg-type]
    assert row is not None and row.sent_at == "2026-11-23T07:05:00.000000+00:00"


def test_deliver_refuses_to_commit_the_callers_open_transaction(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    enqueue(outbox, "k")
    with pytest.raises(RuntimeError, match="transaction"):
        outbox.deliver(Recorder(), T0)


def test_empty_run_opens_no_session(conn: sqlite3.Connection) -> None:
    class NoSession(Recorder):
        def session(self):  # type: ignore[no-untyped-def]
            raise AssertionError("no session for an empty run")

    assert Outbox(conn).deliver(NoSession(), T0).sent == []


def test_crash_before_delivery_then_restart_delivers_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with open_db(db) as (connection, outbox):
        message_id = enqueue(outbox, "case-1:new")
        connection.commit()
    # The process died here: nothing delivered.
    transport = Recorder()
    with open_db(db) as (_, outbox):
        assert outbox.deliver(transport, T0).sent == [message_id]
    with open_db(db) as (_, outbox):
        assert outbox.deliver(transport, T0 + timedelta(days=1)).sent == []
    assert transport.sent == [message_id]


def test_crash_in_the_middle_of_a_run_keeps_what_was_sent(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    transport = Recorder()

    def crash_on_second(row: OutboxRow) -> None:
        if row.dedupe_key == "k1":
            raise SimulatedCrash

    with open_db(db) as (connection, outbox):
        ids = [enqueue(outbox, f"k{n}") for n in range(3)]
        connection.commit()
        with pytest.raises(SimulatedCrash):
            outbox.deliver(transport, T0, on_before_send=crash_on_second)
    with open_db(db) as (_, outbox):
        assert outbox.stats() == {"pending": 2, "sent": 1, "failed": 0}
        assert outbox.deliver(transport, T0).sent == ids[1:]
    assert transport.sent == ids  # each exactly once


def test_crash_after_the_server_accepted_resends_at_least_once(tmp_path: Path) -> None:
    """The documented gap: accepted but not yet recorded -> sent again, with the same Message-ID."""
    db = tmp_path / "ledger.sqlite"

    class AcceptThenDie(Recorder):
        def send(self, message: EmailMessage) -> None:
            super().send(message)
            raise SimulatedCrash

    first = AcceptThenDie()
    with open_db(db) as (connection, outbox):
        message_id = enqueue(outbox, "k")
        connection.commit()
        with pytest.raises(SimulatedCrash):
            outbox.deliver(first, T0)
    second = Recorder()
    with open_db(db) as (_, outbox):
        outbox.deliver(second, T0)
    assert first.sent == second.sent == [message_id]


def test_transient_failures_back_off_then_give_up(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn, max_attempts=4)
    message_id = enqueue(outbox, "k")
    conn.commit()
    transport = Recorder([TransportError("451 coba lagi")] * 4)

    now = T0
    for attempt, wait in enumerate((1, 2, 4), start=1):
        assert outbox.deliver(transport, now).retrying == [message_id]
        row = outbox.get(message_id)  # type: ignore[arg-type]
        assert row is not None and (row.status, row.attempts, row.last_error) == (
            "pending",
            attempt,
            "451 coba lagi",
        )
        assert outbox.pending(now + timedelta(minutes=wait) - timedelta(seconds=1)) == []
        now += timedelta(minutes=wait)
        assert [r.message_id for r in outbox.pending(now)] == [message_id]

    assert outbox.deliver(transport, now).failed == [message_id]
    row = outbox.get(message_id)  # type: ignore[arg-type]
    assert (
        row is not None and row.status == "failed" and row.last_error.startswith("gave up after 4 attempts")
    )
    assert outbox.deliver(Recorder(), now + timedelta(days=1)).sent == []


def test_backoff_is_capped_at_one_hour(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    assert [outbox.backoff(n) for n in (1, 2, 3, 7, 20)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


def test_permanent_failure_marks_failed_and_moves_on(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    bad, good = enqueue(outbox, "bad"), enqueue(outbox, "good")
    conn.commit()
    result = outbox.deliver(Recorder([TransportError("550 tidak dikenal", permanent=True)]), T0)
    assert (result.failed, result.sent) == ([bad], [good])
    row = outbox.get(bad)  # type: ignore[arg-type]
    assert row is not None and (row.status, row.last_error) == ("failed", "550 tidak dikenal")


def test_transport_wide_failure_halts_without_charging_attempts(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    ids = [enqueue(outbox, f"k{n}") for n in range(3)]
    conn.commit()
    down = TransportError("cannot reach SMTP server", affects_all=True)
    transport = Recorder([down])

    result = outbox.deliver(transport, T0)
    assert result.halted == "cannot reach SMTP server" and result.sent == result.retrying == []
    assert transport.errors == [] and transport.sent == []  # later rows were not attempted
    rows = outbox.pending(T0)
    assert [r.attempts for r in rows] == [0, 0, 0]
    assert rows[0].last_error == "cannot reach SMTP server"
    assert outbox.deliver(transport, T0).sent == ids  # next cycle, server back


def test_partial_delivery_is_recorded_as_sent(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    message_id = enqueue(outbox, "k")
    conn.commit()
    refusal = PartialDelivery("server refused some recipients", refused={"x@example.go.id": "550 no"})
    assert outbox.deliver(Recorder([refusal]), T0).sent == [message_id]
    row = outbox.get(message_id)  # type: ignore[arg-type]
    assert row is not None and (row.status, row.last_error) == ("sent", "server refused some recipients")


def test_unexpected_transport_bug_counts_as_transient(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    message_id = enqueue(outbox, "k")
    conn.commit()
    assert outbox.deliver(Recorder([KeyError("oops")]), T0).retrying == [message_id]


def test_limit_caps_one_run(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    ids = [enqueue(outbox, f"k{n}") for n in range(3)]
    conn.commit()
    assert outbox.deliver(Recorder(), T0, limit=2).sent == ids[:2]


def test_forget_bodies_keeps_dedupe(conn: sqlite3.Connection) -> None:
    outbox = Outbox(conn)
    sent = enqueue(outbox, "old")
    conn.commit()
    outbox.deliver(Recorder(), T0)
    pending = enqueue(outbox, "still-pending")
    assert outbox.forget_bodies(T0 + timedelta(days=30)) == 1
    conn.commit()
    row = outbox.get(sent)  # type: ignore[arg-type]
    assert row is not None and (row.raw, row.subject) == (b"", "")
    assert enqueue(outbox, "old") is None
    assert outbox.get(pending).raw  # type: ignore[arg-type, union-attr]


# --- end to end ---------------------------------------------------------------------------------------


def test_outbox_over_real_smtp_server(conn: sqlite3.Connection, smtp_server: SmtpServer) -> None:
    outbox = Outbox(conn)
    ids = [enqueue(outbox, f"k{n}", recipients=[f"pejabat{n}@example.go.id"]) for n in range(3)]
    conn.commit()
    smtp_server.reject_recipient("pejabat1@example.go.id")
    transport = SmtpTransport(
        smtp_server.host,
        smtp_server.port,
        "none",
        smtp_server.username,
        smtp_server.password,
        timeout=5,
        local_hostname="localhost",
    )

    result = outbox.deliver(transport, T0)
    assert (result.sent, result.failed) == ([ids[0], ids[2]], [ids[1]])
    received = smtp_server.messages
    assert [m.message["Message-ID"] for m in received] == [ids[0], ids[2]]
    assert received[0].message.get_body(("plain",)).get_content() == "Teks k0\n"


def test_outbox_over_folder_is_idempotent_across_a_crash(conn: sqlite3.Connection, tmp_path: Path) -> None:
    outbox = Outbox(conn)
    enqueue(outbox, "k")
    conn.commit()
    folder = OutboxDirTransport(tmp_path / "mail")

    class WriteThenDie:
        def send(self, message: EmailMessage) -> None:
            folder.send(message)
            raise SimulatedCrash

    with pytest.raises(SimulatedCrash):
        outbox.deliver(WriteThenDie(), T0)
    outbox.deliver(folder, T0)  # the retry after restart
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    assert outbox.stats()["sent"] == 1


def test_what_leaves_is_byte_for_byte_what_was_stored(
    conn: sqlite3.Connection, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The outbox hands transports the stored bytes (parsed headers only), never a re-encoded copy."""
    outbox = Outbox(conn)
    subject = "Laporan baru — Kecamatan Tembilahan Hulu, " + "uraian panjang " * 8  # folded, encoded
    text = "Yth. Bapak/Ibu,\nLaporan: keributan di pasar; warga “resah” ± 20 orang. Ü\n" * 30
    ids = [enqueue(outbox, f"k{n}", subject=subject, text=text, html=f"<p>{text}</p>") for n in range(2)]
    conn.commit()
    stored = {row.message_id: row.raw for row in (outbox.get(i) for i in ids) if row}  # type: ignore[arg-type]

    smtp = SmtpTransport(
        smtp_server.host, smtp_server.port, "none", smtp_server.username, smtp_server.password, timeout=5
    )
    assert outbox.deliver(smtp, T0, limit=1).sent == [ids[0]]
    assert smtp_server.messages[0].raw == stored[ids[0]]  # line ends aside: SMTP sends CRLF
    assert outbox.deliver(OutboxDirTransport(tmp_path / "mail"), T0).sent == [ids[1]]
    (written,) = (tmp_path / "mail").glob("*.eml")
    assert written.read_bytes() == stored[ids[1]]
