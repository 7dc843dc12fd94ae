"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests, plain, STARTTLS or implicit TLS.

Fixtures:
- ``smtp_server``: plain SMTP on a free port, AUTH LOGIN/PLAIN offered without TLS.
- ``smtp_starttls_server`` / ``smtp_ssl_server``: the same behind STARTTLS / implicit TLS with a
  self-signed certificate made at test time (skipped when ``cryptography`` is missing); connect with
  ``server.client_ssl_context``, which trusts exactly that certificate.

Every fixture yields a ``SmtpServer``: ``.host``, ``.port``, ``.username``, ``.password``, ``.messages``
(a snapshot list of ``ReceivedMessage``), and ``.reject_sender(reply)``, ``.reject_recipient(address,
reply)`` and ``.fail_data(reply)`` to script 4xx/5xx answers. The handler stores a message before answering 250, so once the client's
``send`` returns the message is in ``.messages`` — no waiting needed.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USERNAME = "cakra-test"
PASSWORD = "rahasia-uji-123"  # a throwaway credential, for the local test server only


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    authenticated_as: str | None
    raw: bytes = b""  # the DATA as received, line ends normalised to "\n"


class SmtpServer:
    """State shared between the test (main thread) and the server's event-loop thread."""

    def __init__(self, host: str, username: str, password: str) -> None:
        self.host = host
        self.port = 0
        self.username = username
        self.password = password
        self.client_ssl_context: ssl.SSLContext | None = None
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        self._rcpt_replies: dict[str, str] = {}
        self._data_replies: list[str] = []
        self._mail_reply: str | None = None

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._lock:
            return list(self._messages)

    def reject_recipient(self, address: str, reply: str = "550 5.1.1 Mailbox tidak dikenal") -> None:
        """Answer ``reply`` to RCPT TO for ``address`` (case-insensitive) until the test ends."""
        with self._lock:
            self._rcpt_replies[address.lower()] = reply

    def reject_sender(self, reply: str = "553 5.7.1 Pengirim tidak diizinkan") -> None:
        """Answer ``reply`` to every MAIL FROM until the test ends."""
        with self._lock:
            self._mail_reply = reply

    def fail_data(self, reply: str = "451 4.3.0 Coba lagi nanti", times: int = 1) -> None:
        """Answer ``reply`` to the next ``times`` DATA commands instead of accepting the message."""
        with self._lock:
            self._data_replies.extend([reply] * times)

    def accept_all(self) -> None:
        """Stop every scripted refusal: the server accepts what it is sent again (a fixed mail server)."""
        with self._lock:
            self._rcpt_replies.clear()
            self._data_replies.clear()
            self._mail_reply = None

    # --- called from the server thread -------------------------------------------------------------

    def _sender_reply(self) -> str | None:
        with self._lock:
            return self._mail_reply

    def _rcpt_reply(self, address: str) -> str | None:
        with self._lock:
            return self._rcpt_replies.get(address.lower())

    def _data_reply(self) -> str | None:
        with self._lock:
            return self._data_replies.pop(0) if self._data_replies else None

    def _store(self, received: ReceivedMessage) -> None:
        with self._lock:
            self._messages.append(received)


class _Handler:
    def __init__(self, state: SmtpServer) -> None:
        self._state = state

    async def handle_MAIL(  # aiosmtpd calls hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        reply = self._state._sender_reply()
        if reply:
            return reply
        # A MAIL hook takes over aiosmtpd's own bookkeeping, so record the sender as it would.
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # aiosmtpd calls hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self._state._rcpt_reply(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = self._state._data_reply()
        if reply:
            return reply
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        # The wire uses CRLF; Python's parser would keep "\r" in every part, so normalise like a mail client.
        parsed = message_from_bytes(content.replace(b"\r\n", b"\n"), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self._state._store(
            ReceivedMessage(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=parsed,
                authenticated_as=session.auth_data if session.authenticated else None,
                raw=content.replace(b"\r\n", b"\n"),
            )
        )
        return "250 2.0.0 Diterima"


def _authenticator(state: SmtpServer) -> Any:
    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            mechanism in ("LOGIN", "PLAIN")
            and isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == state.username
            and auth_data.password.decode() == state.password
        )
        # handled=False lets aiosmtpd answer 535 itself on failure.
        return AuthResult(success=ok, handled=False, auth_data=state.username if ok else None)

    return authenticate


class _EphemeralPortController(Controller):
    """Binds port 0 and learns the real port before aiosmtpd's start-up probe connects to it.

    Letting the kernel choose avoids the race of "find a free port, close it, hope nobody takes it".
    """

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def running_smtp_server(
    security: Literal["none", "starttls", "ssl"] = "none",
    cert: tuple[Path, Path] | None = None,
    *,
    auth_required: bool = False,
) -> Iterator[SmtpServer]:
    """Start a server (``cert`` = (certificate, key) PEM files, needed unless ``security`` is "none");
    with ``auth_required`` it refuses MAIL FROM (530) until the client logged in, like a submission
    server."""
    state = SmtpServer("127.0.0.1", USERNAME, PASSWORD)
    kwargs: dict[str, Any] = {"auth_required": auth_required}
    if security != "none":
        assert cert is not None, "TLS variants need a certificate"
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(*cert)
        state.client_ssl_context = ssl.create_default_context(cafile=str(cert[0]))
        if security == "starttls":
            kwargs.update(tls_context=server_ctx, require_starttls=True, auth_require_tls=True)
        else:
            # aiosmtpd cannot tell it is wrapped in implicit TLS, so AUTH must be allowed "without" TLS.
            kwargs.update(ssl_context=server_ctx, auth_require_tls=False)
    else:
        kwargs.update(auth_require_tls=False)
    controller = _EphemeralPortController(
        _Handler(state),
        hostname=state.host,
        port=0,
        server_hostname="localhost",  # the greeting name; avoids a reverse-DNS lookup
        authenticator=_authenticator(state),
        **kwargs,
    )
    controller.start()
    state.port = controller.port
    try:
        yield state
    finally:
        controller.stop()


def make_self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost/127.0.0.1 and its key, as PEM files in ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="session")
def smtp_test_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("cryptography", reason="cryptography is needed for the TLS test server")
    return make_self_signed_cert(tmp_path_factory.mktemp("smtp-cert"))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server("none") as server:
        yield server


@pytest.fixture
def smtp_login_required_server() -> Iterator[SmtpServer]:
    with running_smtp_server("none", auth_required=True) as server:
        yield server


@pytest.fixture
def smtp_starttls_server(smtp_test_cert: tuple[Path, Path]) -> Iterator[SmtpServer]:
    with running_smtp_server("starttls", smtp_test_cert) as server:
        yield server


@pytest.fixture
def smtp_ssl_server(smtp_test_cert: tuple[Path, Path]) -> Iterator[SmtpServer]:
    with running_smtp_server("ssl", smtp_test_cert) as server:
        yield server


def smtp_email_table(server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The ``[email]`` table of a site that sends through ``server`` (plain SMTP with its login, the
    secrets in environment variables as in production)."""
    monkeypatch.setenv("CAKRA_TEST_SMTP_USER", server.username)
    monkeypatch.setenv("CAKRA_TEST_SMTP_PASSWORD", server.password)
    return {
        "backend": "smtp",
        "host": server.host,
        "port": server.port,
        "security": "none",
        "user_env": "CAKRA_TEST_SMTP_USER",
        "password_env": "CAKRA_TEST_SMTP_PASSWORD",
    }


def to(server: SmtpServer, who: str, since: int = 0) -> list[EmailMessage]:
    """The messages ``server`` received (from the ``since``-th on) for an address starting ``who@``."""
    return [r.message for r in server.messages[since:] if any(t.startswith(f"{who}@") for t in r.rcpt_tos)]
