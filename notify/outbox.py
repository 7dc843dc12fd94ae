"""The crash-safe outbox: messages are stored complete in the ledger's transaction, delivered afterwards.

Contract:
- ``enqueue`` builds the final RFC 5322 bytes (fixed Message-ID and Date) and inserts one ``pending`` row
  in the caller's open transaction; it never commits. The same ``dedupe_key`` never makes a second row,
  so re-running a cycle after a crash cannot queue a message twice.
- ``deliver`` sends due rows one by one and COMMITS after each outcome, so a crash loses at most the
  record of the message being sent: that message is then sent again on the next run (at-least-once;
  it carries the same Message-ID, which lets mail clients fold the duplicate). A row marked ``sent`` is
  never sent again. It must be called with no transaction open (it would commit the caller's work).
- Outcomes: accepted -> ``sent``; permanent error -> ``failed``; transient error -> ``attempts + 1`` and
  ``next_attempt_at = now + backoff`` (1, 2, 4 ... minutes, capped at 1 hour) until ``max_attempts``,
  then ``failed``; an ``affects_all`` error (server down, login rejected) stops the run and leaves the
  message pending with no attempt counted; ``PartialDelivery`` -> ``sent`` with the refusal kept.
- One deliverer at a time: the caller runs ``deliver`` from the single cycle, never concurrently.
- Times are stored as UTC ISO-8601 text with fixed width, so string order is time order.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr

from cakra.notify.transports.base import PartialDelivery, Transport, TransportError, open_session

log = logging.getLogger(__name__)

STATUSES = ("pending", "sent", "failed")

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS outbox (
        id              INTEGER PRIMARY KEY,
        dedupe_key      TEXT NOT NULL UNIQUE,
        message_id      TEXT NOT NULL UNIQUE,
        role            TEXT NOT NULL,
        recipients      TEXT NOT NULL,            -- JSON list of addresses
        subject         TEXT NOT NULL,
        message         BLOB NOT NULL,            -- the exact RFC 5322 bytes to send
        status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        created_at      TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL,
        sent_at         TEXT,
        last_error      TEXT
    )
    """,
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at)",
)
_COLUMNS = (
    "id, dedupe_key, message_id, role, recipients, subject, message, status, attempts, "
    "created_at, next_attempt_at, sent_at, last_error"
)
_CID = re.compile(r"^[A-Za-z0-9._@+-]+$")


def _stamp(when: datetime) -> str:
    """Aware datetime -> fixed-width UTC text (``2026-11-23T07:05:00.000000+00:00``)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got {when!r}")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) so a header value can never start a new header."""
    return " ".join(text.split())


def _check_address(address: str, what: str) -> str:
    if "\r" in address or "\n" in address or "@" not in parseaddr(address)[1]:
        raise ValueError(f"{what} {address!r} is not an email address")
    return address


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML shows through ``<img src="cid:{cid}">``."""

    cid: str
    data: bytes
    subtype: str = "png"
    filename: str | None = None  # defaults to "{cid}.{subtype}"

    def __post_init__(self) -> None:
        if not _CID.match(self.cid):
            raise ValueError(f"inline image cid {self.cid!r} may only use letters, digits and ._@+-")


@dataclass(frozen=True)
class OutboxRow:
    """One stored message; ``raw`` is exactly what will be sent."""

    id: int
    dedupe_key: str
    message_id: str
    role: str
    recipients: tuple[str, ...]
    subject: str
    raw: bytes
    status: str
    attempts: int
    created_at: str
    next_attempt_at: str
    sent_at: str | None
    last_error: str | None

    def for_sending(self) -> Message:
        """The stored bytes as a message whose serialisation is those same bytes, for a transport.

        Parsed with ``policy.compat32``, which keeps headers as the stored strings and bodies as the stored
        bytes: its serialisation round-trips exactly (8-bit text, folded encoded words, inline images)
        and costs a third of a ``policy.default`` parse and re-encode.
        """
        return _STORED.parsebytes(self.raw)

    def message(self) -> EmailMessage:
        """The stored bytes parsed back into a message (headers and parts as built at enqueue)."""
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)  # guaranteed by policy.default
        return parsed


_STORED = BytesParser(policy=policy.compat32)


@dataclass
class DeliveryResult:
    """What one ``deliver`` run did; lists hold Message-IDs."""

    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    halted: str | None = None  # why the run stopped early (transport unusable); later rows untouched
    last_error: str | None = None  # the transport's last refusal in this run, if any

    def trouble(self) -> str:
        """One line saying what went wrong in this run ("" when every due message was accepted)."""
        if not (self.failed or self.retrying or self.halted):
            return ""
        parts = [f"{len(self.failed)} gagal", f"{len(self.retrying)} dicoba lagi"]
        if self.halted:
            parts.append("pengiriman terhenti")
        return (
            f"pengiriman bermasalah: {', '.join(parts)}; galat terakhir: {_one_line(self.last_error or '')}"
        )


@dataclass(frozen=True)
class OutboxHealth:
    """What ``cakra status`` and the alerts need of the outbox: counts and the oldest undelivered."""

    pending: int
    retrying: int  # pending rows the transport already refused at least once
    failed: int
    oldest_pending: datetime | None  # created_at of the oldest pending row
    last_error: str | None  # of the most recently refused undelivered row


def build_message(
    *,
    message_id: str,
    recipients: Sequence[str],
    sender: str,
    subject: str,
    text: str,
    html: str,
    inline_images: Sequence[InlineImage],
    date: datetime,
    reply_to: str = "",
) -> EmailMessage:
    """multipart/alternative(text/plain, html) — html wrapped in multipart/related when images are given;
    ``reply_to`` (an address, or '') sets Reply-To, where a reader's answer should go instead of From."""
    # policy.default, not policy.SMTP: stored bytes use "\n" so parts parsed back carry no stray "\r";
    # smtplib turns line ends into CRLF on the wire.
    message = EmailMessage(policy=policy.default)
    message["Subject"] = _one_line(subject)
    message["From"] = _check_address(sender, "sender")
    message["To"] = ", ".join(_check_address(a, "recipient") for a in recipients)
    message["Date"] = format_datetime(date)
    if reply_to:
        message["Reply-To"] = _check_address(reply_to, "reply-to")
    message["Message-ID"] = message_id
    # RFC 3834: tells vacation responders not to answer an automatic message.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if inline_images:
        html_part = message.get_payload()[1]
        for image in inline_images:
            html_part.add_related(
                image.data,
                maintype="image",
                subtype=image.subtype,
                cid=f"<{image.cid}>",
                filename=image.filename or f"{image.cid}.{image.subtype}",
                disposition="inline",
            )
    return message


class Outbox:
    """The ``outbox`` table on the ledger's connection (see the module docstring for the contract)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        domain: str = "cakra.local",
        *,
        max_attempts: int = 10,
        backoff_base: timedelta = timedelta(minutes=1),
        backoff_cap: timedelta = timedelta(hours=1),
    ) -> None:
        """Creates the table if missing (inside the caller's transaction if one is open; no commit)."""
        if not re.fullmatch(r"[A-Za-z0-9.-]+", domain):
            raise ValueError(f"Message-ID domain {domain!r} must be a plain host name")
        self._conn = conn
        self.domain = domain
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        for statement in _SCHEMA:
            # execute(), not executescript(): the latter would COMMIT the caller's open transaction.
            conn.execute(statement)

    def backoff(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th transient failure: base * 2**(attempts-1), capped."""
        return min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_cap)

    def enqueue(
        self,
        *,
        dedupe_key: str,
        role: str,
        recipients: Sequence[str],
        sender: str,
        subject: str,
        text: str,
        html: str,
        inline_images: Sequence[InlineImage] = (),
        now: datetime,
        reply_to: str = "",
    ) -> str | None:
        """Store the complete message as ``pending``; its Message-ID, or ``None`` if ``dedupe_key`` exists.

        Does not commit: the row becomes durable with the caller's own changes, or not at all.
        """
        if not dedupe_key:
            raise ValueError("dedupe_key must not be empty")
        if isinstance(recipients, str) or not recipients:
            raise ValueError("recipients must be a non-empty sequence of addresses")
        # Checked first so a duplicate costs no message building (and no uuid is burnt).
        if self.has(dedupe_key):
            return None
        message_id = f"<cakra.{uuid.uuid4().hex}@{self.domain}>"
        message = build_message(
            message_id=message_id,
            recipients=recipients,
            sender=sender,
            subject=subject,
            text=text,
            html=html,
            inline_images=inline_images,
            date=now,
            reply_to=reply_to,
        )
        stamp = _stamp(now)
        cursor = self._conn.execute(
            "INSERT INTO outbox (dedupe_key, message_id, role, recipients, subject, message,"
            " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (dedupe_key) DO NOTHING",
            (
                dedupe_key,
                message_id,
                role,
                json.dumps(list(recipients)),
                str(message["Subject"]),
                message.as_bytes(),
                stamp,
                stamp,
            ),
        )
        return message_id if cursor.rowcount == 1 else None

    def has(self, dedupe_key: str) -> bool:
        """True when a message under ``dedupe_key`` was already enqueued (lets callers skip building it)."""
        return (
            self._conn.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", (dedupe_key,)).fetchone()
            is not None
        )

    def _rows(self, where: str, params: Sequence[object]) -> list[OutboxRow]:
        # `where` is always one of this module's literal clauses; values go through parameters.
        sql = f"SELECT {_COLUMNS} FROM outbox WHERE {where} ORDER BY id"  # noqa: S608
        return [
            OutboxRow(
                id=r[0],
                dedupe_key=r[1],
                message_id=r[2],
                role=r[3],
                recipients=tuple(json.loads(r[4])),
                subject=r[5],
                raw=bytes(r[6]),
                status=r[7],
                attempts=r[8],
                created_at=r[9],
                next_attempt_at=r[10],
                sent_at=r[11],
                last_error=r[12],
            )
            for r in self._conn.execute(sql, params)
        ]

    def pending(self, now: datetime) -> list[OutboxRow]:
        """Pending rows due at ``now`` (``next_attempt_at <= now``), oldest first."""
        return self._rows("status = 'pending' AND next_attempt_at <= ?", (_stamp(now),))

    def rows(self) -> list[OutboxRow]:
        """Every row, oldest first (for reports, audits and tests)."""
        return self._rows("1 = 1", ())

    def get(self, message_id: str) -> OutboxRow | None:
        """The row with this Message-ID, whatever its status."""
        rows = self._rows("message_id = ?", (message_id,))
        return rows[0] if rows else None

    def deliver(
        self,
        transport: Transport,
        now: datetime,
        *,
        on_before_send: Callable[[OutboxRow], None] | None = None,
        limit: int | None = None,
        first_role: str | None = None,
    ) -> DeliveryResult:
        """Send the due rows (at most ``limit``; ``first_role``'s ahead of the others, so an alert about a
        backlog is not stuck behind it), committing each outcome; see the module docstring."""
        if self._conn.in_transaction:
            raise RuntimeError("Outbox.deliver needs no open transaction: commit the cycle's changes first")
        result = DeliveryResult()
        rows = sorted(self.pending(now), key=lambda row: row.role != first_role)[:limit]
        if not rows:
            return result  # no connection opened for an empty run
        with open_session(transport) as session:
            for row in rows:
                if on_before_send is not None:
                    on_before_send(row)  # outside the try: an exception here aborts the run as a crash would
                try:
                    session.send(row.for_sending())
                except PartialDelivery as exc:
                    self._finish(row, "sent", now, str(exc))
                    result.sent.append(row.message_id)
                except TransportError as exc:
                    if exc.affects_all:
                        self._note(row, str(exc))
                        result.halted = result.last_error = str(exc)
                        log.warning("delivery stopped at %s: %s", row.message_id, exc)
                        break
                    self._failed_attempt(row, now, str(exc), permanent=exc.permanent, result=result)
                except Exception as exc:
                    # A bug in a transport must not wedge the outbox: count it as a transient failure so
                    # max_attempts eventually retires the message, and keep the traceback in the log.
                    log.exception("unexpected error sending %s", row.message_id)
                    self._failed_attempt(row, now, repr(exc), permanent=False, result=result)
                else:
                    self._finish(row, "sent", now, None)
                    result.sent.append(row.message_id)
        return result

    def _failed_attempt(
        self, row: OutboxRow, now: datetime, error: str, *, permanent: bool, result: DeliveryResult
    ) -> None:
        result.last_error = error
        attempts = row.attempts + 1
        if permanent or attempts >= self.max_attempts:
            if not permanent:
                error = f"gave up after {attempts} attempts: {error}"
            self._conn.execute(
                "UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?",
                (attempts, error, row.id),
            )
            self._conn.commit()
            result.failed.append(row.message_id)
            log.warning("message %s (%s) failed: %s", row.message_id, row.role, error)
            return
        self._conn.execute(
            "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
            (attempts, _stamp(now + self.backoff(attempts)), error, row.id),
        )
        self._conn.commit()
        result.retrying.append(row.message_id)

    def _finish(self, row: OutboxRow, status: str, now: datetime, error: str | None) -> None:
        self._conn.execute(
            "UPDATE outbox SET status = ?, sent_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
            (status, _stamp(now), error, row.id),
        )
        self._conn.commit()

    def _note(self, row: OutboxRow, error: str) -> None:
        self._conn.execute("UPDATE outbox SET last_error = ? WHERE id = ?", (error, row.id))
        self._conn.commit()

    def stats(self) -> dict[str, int]:
        """Row count per status; every status is present (0 when none)."""
        counts = dict.fromkeys(STATUSES, 0)
        for status, count in self._conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status"):
            counts[status] = count
        return counts

    def health(self, *, excluding_role: str = "") -> OutboxHealth:
        """Counts of undelivered rows and the oldest pending one's age, leaving out ``excluding_role``'s
        rows (the admin alerts must not count as the backlog they report)."""
        pending, retrying, failed, oldest = self._conn.execute(
            "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'pending' AND attempts > 0), 0),"
            " COALESCE(SUM(status = 'failed'), 0), MIN(CASE WHEN status = 'pending' THEN created_at END)"
            " FROM outbox WHERE role != ?",
            (excluding_role,),
        ).fetchone()
        error = self._conn.execute(
            "SELECT last_error FROM outbox WHERE status != 'sent' AND last_error IS NOT NULL AND role != ?"
            " ORDER BY next_attempt_at DESC, id DESC LIMIT 1",
            (excluding_role,),
        ).fetchone()
        return OutboxHealth(
            pending,
            retrying,
            failed,
            datetime.fromisoformat(oldest) if oldest else None,
            error[0] if error else None,
        )

    def forget_bodies(self, before: datetime) -> int:
        """Blank subject and body of sent/failed rows created before ``before``; the number blanked.

        Data minimisation (UU No. 27/2022): the message text holds personal data the outbox no longer
        needs once delivery is settled. The row itself stays so its dedupe_key still blocks re-queueing.
        Does not commit.
        """
        cursor = self._conn.execute(
            "UPDATE outbox SET subject = '', message = x'' "
            "WHERE status IN ('sent', 'failed') AND created_at < ? AND length(message) > 0",
            (_stamp(before),),
        )
        return cursor.rowcount
