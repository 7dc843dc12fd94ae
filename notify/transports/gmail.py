"""The Gmail API channel (``users.messages.send``) for agencies on Google Workspace.

A service account with domain-wide delegation sends as ``[email] delegated_user`` with only the
``gmail.send`` scope. The message's own bytes (with its fixed Message-ID) are sent as-is, so the outbox's
exactly-once bookkeeping holds for this channel too. README: "Sending through the Gmail API".
"""

from __future__ import annotations

import base64
from email.message import Message
from typing import Any

from google.auth.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from cakra.notify.transports.base import TransportError


class GmailTransport:
    def __init__(self, service: Any, user: str = "me") -> None:
        self.service = service
        self.user = user

    @classmethod
    def connect(cls, credentials: Credentials, *, api_endpoint: str = "") -> GmailTransport:
        """Send with ``credentials`` (scoped for ``gmail.send`` and delegated to the user to send as:
        ``cakra.credentials`` loads them), through ``api_endpoint`` instead of Google's when given."""
        options = {"api_endpoint": api_endpoint} if api_endpoint else None
        service = build(
            "gmail",
            "v1",
            credentials=credentials,
            client_options=options,
            static_discovery=True,
            cache_discovery=False,
        )
        return cls(service)

    def send(self, message: Message) -> None:
        raw = base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")
        try:
            self.service.users().messages().send(userId=self.user, body={"raw": raw}).execute(num_retries=0)
        except HttpError as exc:
            status = int(exc.resp.status)
            transient = status in (408, 429) or status >= 500
            raise TransportError(
                f"Gmail API answered {status}: {exc.reason}",
                permanent=not transient,
                affects_all=status in (401, 403),
            ) from None
        except OSError as exc:
            raise TransportError(f"Gmail API unreachable: {exc}") from None
