"""SMTP delivery (stdlib ``smtplib``): one connection per session, smtplib errors mapped to ``TransportError``.

Contract:
- ``SmtpTransport.send(message)`` opens a connection, sends, closes. ``session()`` yields an object whose
  ``send`` reuses one connection (opened lazily on the first send, re-opened if the server dropped it
  between messages); ``send_many`` is a convenience over ``session``.
- Certificates are always verified: with no ``ssl_context`` the system's default context is used
  (smtplib's own default does NOT verify, so we never rely on it).
- Credentials are passed in by the caller (read from environment variables, never from config files)
  and never appear in error messages.
- Error mapping: 5xx and a rejected login -> ``permanent``; 4xx, timeouts, refused or dropped
  connections -> transient; failures while connecting, in TLS or in login, a dropped connection, a
  refused sender address and reply 421 -> ``affects_all``; some recipients refused -> ``PartialDelivery``.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Iterable, Iterator
from email.message import Message
from email.utils import parseaddr
from typing import Literal

from cakra.notify.transports.base import PartialDelivery, TransportError

Security = Literal["starttls", "ssl", "none"]
_SECURITY: tuple[Security, ...] = ("starttls", "ssl", "none")


def _reply(code: int, text: bytes | str) -> str:
    """``550 5.1.1 no such user`` as one line (servers send multi-line replies joined by newlines)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _refusal_error(refused: dict[str, tuple[int, bytes]], *, everyone: bool) -> TransportError:
    reasons = {addr: _reply(code, text) for addr, (code, text) in refused.items()}
    listed = "; ".join(f"{addr}: {reason}" for addr, reason in reasons.items())
    if not everyone:
        return PartialDelivery(f"server refused some recipients ({listed})", refused=reasons)
    codes = [code for code, _ in refused.values()]
    return TransportError(
        f"server refused every recipient ({listed})",
        # Retry while any refusal was temporary: the 5xx ones will simply be refused again.
        permanent=not any(400 <= code < 500 for code in codes),
        affects_all=421 in codes,
    )


def translate_error(exc: BaseException, *, phase: str, server: str = "SMTP server") -> TransportError:
    """Map an smtplib/socket/ssl exception raised during ``phase`` ("connect" or "send") to ``TransportError``.

    ``server`` names the server in the messages that are about reaching it (e.g. "SMTP server host:587").
    """
    connecting = phase == "connect"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransportError(
            f"SMTP login rejected ({_reply(exc.smtp_code, exc.smtp_error)}); check the SMTP username and password",
            permanent=True,
            affects_all=True,
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _refusal_error(exc.recipients, everyone=True)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # e.g. AUTH or STARTTLS not offered: a configuration mismatch, not a passing problem.
        return TransportError(f"{server} does not support this: {exc}", permanent=True, affects_all=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        what = {
            smtplib.SMTPSenderRefused: "sender address refused",
            smtplib.SMTPDataError: "message refused",
            smtplib.SMTPConnectError: "server refused the connection",
            smtplib.SMTPHeloError: "server refused EHLO",
        }.get(type(exc), "server error during " + phase)
        # The From address is configuration, so its refusal would hit every message -- except 552,
        # which answers MAIL FROM's SIZE= and is about this message being too large.
        sender_config = isinstance(exc, smtplib.SMTPSenderRefused) and code != 552
        return TransportError(
            f"{what} ({_reply(code, exc.smtp_error)})",
            permanent=code >= 500,
            affects_all=connecting or code == 421 or sender_config,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TransportError(
            f"{server} certificate not trusted: {exc.verify_message}", permanent=True, affects_all=True
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
        # Covers refused connections, DNS failures, timeouts (socket.timeout is an OSError) and TLS errors.
        reason = str(exc) or type(exc).__name__
        return TransportError(f"cannot reach {server} during {phase}: {reason}", affects_all=True)
    if isinstance(exc, smtplib.SMTPException):
        return TransportError(f"SMTP error during {phase}: {exc}", affects_all=connecting)
    if isinstance(exc, ValueError):  # UnicodeError included
        # smtplib refuses malformed messages (e.g. several From headers): resending cannot help.
        return TransportError(f"message cannot be sent as built: {exc}", permanent=True)
    return TransportError(f"unexpected error during {phase}: {exc!r}")


# Errors after which smtplib has already reset the transaction (RSET) or never started one.
_CONNECTION_STILL_USABLE = (
    smtplib.SMTPResponseException,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPNotSupportedError,
    ValueError,
)


class SmtpTransport:
    """Sends through one SMTP server (submission port with STARTTLS, implicit TLS, or plain)."""

    def __init__(
        self,
        host: str,
        port: int,
        security: Security,
        username: str | None,
        password: str | None,
        timeout: float = 30,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        """``local_hostname`` is the EHLO name (smtplib defaults to this machine's FQDN)."""
        if security not in _SECURITY:
            raise ValueError(f"security must be one of {', '.join(_SECURITY)}, not {security!r}")
        if bool(username) != bool(password):
            raise ValueError("give both an SMTP username and a password, or neither")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.local_hostname = local_hostname

    def __repr__(self) -> str:
        # Deliberately without the password.
        return f"SmtpTransport({self.host!r}, {self.port}, {self.security!r}, username={self.username!r})"

    @property
    def server_name(self) -> str:
        """``SMTP server host:port``, as error messages name it."""
        return f"SMTP server {self.host}:{self.port}"

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def connect(self) -> smtplib.SMTP:
        """An open, greeted, secured and logged-in connection; raises ``TransportError`` (affects_all)."""
        smtp: smtplib.SMTP | None = None
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, self.local_hostname, timeout=self.timeout, context=self._context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, self.local_hostname, timeout=self.timeout)
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=self._context())
                smtp.ehlo()  # RFC 3207: extensions (AUTH) must be learned again over TLS
            if self.username:
                smtp.login(self.username, self._password or "")
        except Exception as exc:
            if smtp is not None:
                smtp.close()
            raise translate_error(exc, phase="connect", server=self.server_name) from exc
        return smtp

    def check_login(self, sender: str = "") -> None:
        """Connect, greet, secure and log in; with ``sender``, also open a transaction from it (MAIL FROM,
        then RSET: nothing is sent), which a server that requires a login refuses with 530 when none is
        configured; then quit. Raises ``TransportError`` with a one-line reason."""
        smtp = self.connect()
        try:
            if sender:
                code, reply = smtp.mail(parseaddr(sender)[1])
                if code >= 400:
                    raise TransportError(
                        f"{self.server_name} refuses mail from {parseaddr(sender)[1]}: {_reply(code, reply)}",
                        permanent=code >= 500,
                        affects_all=True,
                    )
                smtp.rset()
        except smtplib.SMTPException as exc:
            raise translate_error(exc, phase="check", server=self.server_name) from exc
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()

    @contextlib.contextmanager
    def session(self) -> Iterator[SmtpSession]:
        """A session whose sends share one connection; closed on exit."""
        session = SmtpSession(self)
        try:
            yield session
        finally:
            session.close()

    def send(self, message: Message) -> None:
        """Send one message over its own connection; raises ``TransportError``."""
        with self.session() as session:
            session.send(message)

    def send_many(self, messages: Iterable[Message]) -> list[TransportError | None]:
        """Send over one connection; one entry per message: ``None`` (accepted) or the error.

        After an ``affects_all`` error the remaining messages are not attempted and get that same error.
        """
        results: list[TransportError | None] = []
        stopped: TransportError | None = None
        with self.session() as session:
            for message in messages:
                if stopped is not None:
                    results.append(stopped)
                    continue
                try:
                    session.send(message)
                except TransportError as exc:
                    results.append(exc)
                    stopped = exc if exc.affects_all else None
                else:
                    results.append(None)
        return results


class SmtpSession:
    """One lazily opened connection; use through ``SmtpTransport.session()``."""

    def __init__(self, transport: SmtpTransport) -> None:
        self._transport = transport
        self._smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            # Servers close idle or long-lived connections; a NOOP tells us before we start a
            # transaction, so a reconnect can never duplicate a message.
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (smtplib.SMTPException, OSError):
                pass
            self.close()
        self._smtp = self._transport.connect()
        return self._smtp

    def send(self, message: Message) -> None:
        """Send over the session's connection; raises ``TransportError``."""
        smtp = self._connection()
        try:
            refused = smtp.send_message(message)
        except Exception as exc:
            if not isinstance(exc, _CONNECTION_STILL_USABLE):
                # The connection state is unknown (dropped mid-transaction): do not reuse it.
                self.close()
            raise translate_error(exc, phase="send", server=self._transport.server_name) from exc
        if refused:
            raise _refusal_error(refused, everyone=False)

    def close(self) -> None:
        """Say QUIT if the server is still there; never raises."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
        smtp.close()
