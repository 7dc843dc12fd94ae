"""The one Gmail API call Cakra makes: ``users.messages.send`` with a base64url ``raw`` message.

Sent messages are kept on the store (``store.sent_mail``) with the parsed message, so tests read what
the Gmail channel really delivered. The reply has the real shape: ``{"id", "threadId", "labelIds"}``.
"""

from __future__ import annotations

import base64
import binascii
from email import message_from_bytes, policy

from .errors import ApiError
from .http_types import Request, Response, json_response
from .store import Store


def messages_send(store: Store, req: Request, user_id: str) -> Response:
    """POST /gmail/v1/users/{userId}/messages/send."""
    raw = req.json().get("raw")
    if not isinstance(raw, str) or not raw:
        raise ApiError(
            400, "'raw' RFC822 payload message string or uploading message via /upload/* URL required"
        )
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        raise ApiError(400, "Invalid value for ByteString: raw") from None
    message = message_from_bytes(data, policy=policy.default)
    if not message.get_all("To"):
        raise ApiError(400, "Recipient address required")
    message_id = f"{store.rng.getrandbits(64):016x}"
    store.sent_mail.append({"id": message_id, "user": user_id, "raw": data, "message": message})
    return json_response({"id": message_id, "threadId": message_id, "labelIds": ["SENT"]})
