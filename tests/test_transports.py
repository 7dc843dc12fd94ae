"""Transports against a real local SMTP server (aiosmtpd) and a real folder."""

from __future__ import annotations

import smtplib
import socket
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from cakra.notify.outbox import build_message
from cakra.notify.transports import (
    OutboxDirTransport,
    PartialDelivery,
    SmtpTransport,
    Transport,
    TransportError,
    open_session,
)
from cakra.notify.transports.outbox_dir import file_stem
from cakra.notify.transports.smtp import translate_error
from tests import smtp_fixtures
from tests.smtp_fixtures import SmtpServer

# Fixtures re-exported by assignment (an import would read as unused to linters); pytest finds them here.
smtp_server = smtp_fixtures.smtp_server
smtp_starttls_server = smtp_fixtures.smtp_starttls_server
smtp_ssl_server = smtp_fixtures.smtp_ssl_server
smtp_test_cert = smtp_fixtures.smtp_test_cert

WIB = timezone(timedelta(hours=7))
SENDER = "Cakra Kesbangpol <cakra@example.go.id>"


def make_message(
    n: int = 1, to: tuple[str, ...] = ("kabid@example.go.id",), message_id: str | None = None
) -> EmailMessage:
    return build_message(
        message_id=message_id or f"<cakra.test{n}@cakra.local>",
        recipients=to,
        sender=SENDER,
        subject=f"Laporan baru #{n}",
        text=f"Ada laporan baru nomor {n}.",
        html=f"<p>Ada laporan baru nomor <b>{n}</b>.</p>",
        inline_images=(),
        date=datetime(2026, 11, 23, 14, 5, tzinfo=WIB),
    )


def transport_for(server: SmtpServer, **overrides: object) -> SmtpTransport:
    settings: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "security": "none",
        "username": server.username,
        "password": server.password,
        "timeout": 5,
        "local_hostname": "localhost",
    }
    settings.update(overrides)
    return SmtpTransport(**settings)  # type: ignore[arg-type]


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A port that refuses connections: bound (so nobody else takes it) but never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


# --- SMTP: success paths ------------------------------------------------------------------------------


def test_smtp_delivers_multipart_text_and_html_after_login(smtp_server: SmtpServer) -> None:
    transport_for(smtp_server).send(make_message(to=("kabid@example.go.id", "staf@example.go.id")))

    [received] = smtp_server.messages
    assert received.authenticated_as == smtp_server.username
    assert received.mail_from == "cakra@example.go.id"
    assert received.rcpt_tos == ("kabid@example.go.id", "staf@example.go.id")
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Laporan baru #1"
    assert message["Message-ID"] == "<cakra.test1@cakra.local>"
    assert message.get_body(("plain",)).get_content().strip() == "Ada laporan baru nomor 1."
    assert "<b>1</b>" in message.get_body(("html",)).get_content()


def test_smtp_without_credentials_sends_unauthenticated(smtp_server: SmtpServer) -> None:
    transport_for(smtp_server, username=None, password=None).send(make_message())
    assert smtp_server.messages[0].authenticated_as is None


def test_session_uses_one_connection_for_many_messages(smtp_server: SmtpServer) -> None:
    transport = transport_for(smtp_server)
    connects = 0
    real_connect = transport.connect

    def counting_connect():  # type: ignore[no-untyped-def]
        nonlocal connects
        connects += 1
        return real_connect()

    transport.connect = counting_connect  # type: ignore[method-assign]
    results = transport.send_many([make_message(n) for n in range(1, 4)])

    assert results == [None, None, None]
    assert connects == 1
    assert [m.message["Subject"] for m in smtp_server.messages] == [f"Laporan baru #{n}" for n in (1, 2, 3)]


def test_session_reconnects_when_connection_was_dropped_between_messages(smtp_server: SmtpServer) -> None:
    transport = transport_for(smtp_server)
    with transport.session() as session:
        session.send(make_message(1))
        session._smtp.close()  # type: ignore[union-attr] - simulate the server hanging up while idle
        session.send(make_message(2))
    assert len(smtp_server.messages) == 2


def test_session_connects_lazily(dead_port: int) -> None:
    # Connecting would raise; an unused session must not try.
    transport = SmtpTransport("127.0.0.1", dead_port, "none", None, None, timeout=5)
    with transport.session():
        pass


def test_check_login_succeeds_and_sends_nothing(smtp_server: SmtpServer) -> None:
    transport_for(smtp_server).check_login()
    assert smtp_server.messages == []


# --- SMTP: failures -----------------------------------------------------------------------------------


def test_bad_password_is_permanent_and_affects_all(smtp_server: SmtpServer) -> None:
    with pytest.raises(TransportError) as caught:
        transport_for(smtp_server, password="salah-sekali").send(make_message())
    error = caught.value
    assert error.permanent and error.affects_all
    assert "login rejected" in str(error) and "535" in str(error)
    assert "salah-sekali" not in str(error)
    assert smtp_server.messages == []


def test_check_login_reports_bad_password_in_one_line(smtp_server: SmtpServer) -> None:
    with pytest.raises(TransportError, match="login rejected") as caught:
        transport_for(smtp_server, password="salah").check_login()
    assert "\n" not in str(caught.value)


def test_rejected_recipient_is_permanent(smtp_server: SmtpServer) -> None:
    smtp_server.reject_recipient("kabid@example.go.id")
    with pytest.raises(TransportError) as caught:
        transport_for(smtp_server).send(make_message())
    assert caught.value.permanent and not caught.value.affects_all
    assert "kabid@example.go.id" in str(caught.value) and "550" in str(caught.value)


def test_recipient_refused_with_4xx_is_transient(smtp_server: SmtpServer) -> None:
    smtp_server.reject_recipient("kabid@example.go.id", "450 4.2.1 Mailbox sibuk")
    with pytest.raises(TransportError) as caught:
        transport_for(smtp_server).send(make_message())
    assert not caught.value.permanent


def test_some_recipients_refused_is_partial_delivery(smtp_server: SmtpServer) -> None:
    smtp_server.reject_recipient("salah@example.go.id")
    with pytest.raises(PartialDelivery) as caught:
        transport_for(smtp_server).send(make_message(to=("kabid@example.go.id", "salah@example.go.id")))
    assert set(caught.value.refused) == {"salah@example.go.id"}
    assert smtp_server.messages[0].rcpt_tos == ("kabid@example.go.id",)


@pytest.mark.parametrize(
    ("reply", "permanent"), [("451 4.3.0 Coba lagi", False), ("554 5.6.0 Ditolak", True)]
)
def test_data_refusal_follows_reply_class(smtp_server: SmtpServer, reply: str, permanent: bool) -> None:
    smtp_server.fail_data(reply)
    with pytest.raises(TransportError) as caught:
        transport_for(smtp_server).send(make_message())
    assert caught.value.permanent is permanent
    assert not caught.value.affects_all


def test_refused_sender_is_configuration_and_affects_all(smtp_server: SmtpServer) -> None:
    smtp_server.reject_sender()
    with pytest.raises(TransportError) as caught:
        transport_for(smtp_server).send(make_message())
    assert caught.value.permanent and caught.value.affects_all
    assert "sender address refused (553" in str(caught.value)


@pytest.mark.parametrize(
    ("error", "permanent", "affects_all"),
    [
        (smtplib.SMTPSenderRefused(552, b"5.3.4 Pesan terlalu besar", "a@b"), True, False),
        (smtplib.SMTPDataError(421, b"4.7.0 Terlalu banyak pesan,\n tutup koneksi"), False, True),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"x"), "c@d": (451, b"y")}), False, False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False, True),
        (ValueError("several From headers"), True, False),
    ],
)
def test_error_mapping(error: Exception, permanent: bool, affects_all: bool) -> None:
    mapped = translate_error(error, phase="send")
    assert (mapped.permanent, mapped.affects_all) == (permanent, affects_all)
    assert "\n" not in str(mapped)


def test_session_survives_a_refused_message(smtp_server: SmtpServer) -> None:
    smtp_server.fail_data("554 5.6.0 Ditolak")
    results = transport_for(smtp_server).send_many([make_message(1), make_message(2)])
    assert isinstance(results[0], TransportError) and results[1] is None
    assert [m.message["Subject"] for m in smtp_server.messages] == ["Laporan baru #2"]


def test_server_down_is_transient_and_affects_all(dead_port: int) -> None:
    transport = SmtpTransport("127.0.0.1", dead_port, "none", None, None, timeout=5)
    with pytest.raises(TransportError) as caught:
        transport.send(make_message())
    assert not caught.value.permanent and caught.value.affects_all
    assert "cannot reach" in str(caught.value)


def test_send_many_stops_after_server_down(dead_port: int) -> None:
    transport = SmtpTransport("127.0.0.1", dead_port, "none", None, None, timeout=5)
    results = transport.send_many([make_message(1), make_message(2)])
    assert isinstance(results[0], TransportError) and results[1] is results[0]


def test_silent_server_times_out_as_transient() -> None:
    # Accepts the TCP connection (kernel backlog) but never sends a greeting.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        transport = SmtpTransport("127.0.0.1", listener.getsockname()[1], "none", None, None, timeout=0.2)
        with pytest.raises(TransportError) as caught:
            transport.send(make_message())
    assert not caught.value.permanent and caught.value.affects_all


def test_starttls_against_plain_server_is_a_configuration_error(smtp_server: SmtpServer) -> None:
    with pytest.raises(TransportError) as caught:
        transport_for(smtp_server, security="starttls").send(make_message())
    assert caught.value.permanent and caught.value.affects_all


def test_constructor_validates_settings_and_hides_password() -> None:
    with pytest.raises(ValueError, match="security"):
        SmtpTransport("h", 25, "tls", None, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="password"):
        SmtpTransport("h", 25, "none", "user", None)
    assert "geheim" not in repr(SmtpTransport("h", 25, "none", "user", "geheim"))


# --- SMTP over TLS ------------------------------------------------------------------------------------


def test_starttls_then_login(smtp_starttls_server: SmtpServer) -> None:
    server = smtp_starttls_server
    transport_for(server, security="starttls", ssl_context=server.client_ssl_context).send(make_message())
    assert server.messages[0].authenticated_as == server.username


def test_implicit_tls_then_login(smtp_ssl_server: SmtpServer) -> None:
    server = smtp_ssl_server
    transport_for(server, security="ssl", ssl_context=server.client_ssl_context).send(make_message())
    assert server.messages[0].authenticated_as == server.username


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_untrusted_certificate_is_refused_by_default(security: str, request: pytest.FixtureRequest) -> None:
    server: SmtpServer = request.getfixturevalue(f"smtp_{security}_server")
    with pytest.raises(TransportError, match="certificate not trusted") as caught:
        transport_for(server, security=security).check_login()  # no ssl_context: system trust store
    assert caught.value.affects_all
    assert server.messages == []


# --- the folder transport -----------------------------------------------------------------------------


def test_outbox_dir_writes_one_eml_per_message_id(tmp_path: Path) -> None:
    transport = OutboxDirTransport(tmp_path / "outbox")
    message = make_message()
    transport.send(message)
    transport.send(make_message())  # same Message-ID again: already there

    [written] = (tmp_path / "outbox").iterdir()
    assert written.name == "20261123T070500Z_cakra.test1@cakra.local.eml"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    parsed = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == message["Message-ID"]
    assert parsed.get_body(("html",)).get_content() == message.get_body(("html",)).get_content()


def test_outbox_dir_files_sort_by_message_date(tmp_path: Path) -> None:
    transport = OutboxDirTransport(tmp_path)
    later, earlier = make_message(1), make_message(2)
    del later["Date"]
    later["Date"] = "Tue, 24 Nov 2026 08:00:00 +0700"
    transport.send(later)
    transport.send(earlier)
    assert [p.name.split("_", 1)[1] for p in sorted(tmp_path.iterdir())] == [
        "cakra.test2@cakra.local.eml",
        "cakra.test1@cakra.local.eml",
    ]


def test_outbox_dir_sanitises_ids_without_collisions(tmp_path: Path) -> None:
    assert file_stem("<a/b@x>") != file_stem("<a?b@x>")
    assert "/" not in file_stem("<../../etc/passwd@x>")
    transport = OutboxDirTransport(tmp_path)
    transport.send(make_message(message_id="<../../escape@x>"))
    assert [p.parent for p in tmp_path.iterdir()] == [tmp_path]


def test_outbox_dir_idempotence_is_per_exact_message_id(tmp_path: Path) -> None:
    transport = OutboxDirTransport(tmp_path)
    transport.send(make_message(message_id="<a_b@x>"))
    transport.send(make_message(message_id="<b@x>"))  # a suffix of the first stem, still a new message
    assert len(list(tmp_path.iterdir())) == 2


def test_outbox_dir_refuses_message_without_id(tmp_path: Path) -> None:
    message = make_message()
    del message["Message-ID"]
    with pytest.raises(TransportError) as caught:
        OutboxDirTransport(tmp_path).send(message)
    assert caught.value.permanent


def test_outbox_dir_unwritable_folder_affects_all(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(TransportError) as caught:
        OutboxDirTransport(blocker / "outbox").send(make_message())
    assert caught.value.affects_all


def test_open_session_passes_plain_transports_through(tmp_path: Path) -> None:
    transport = OutboxDirTransport(tmp_path)
    assert isinstance(transport, Transport)
    with open_session(transport) as session:
        assert session is transport
