"""Delivery channels behind one interface (see ``notify.transports.base``)."""

from notify.transports.base import PartialDelivery, SessionTransport, Transport, TransportError, open_session
from notify.transports.outbox_dir import OutboxDirTransport
from notify.transports.smtp import SmtpTransport

__all__ = [
    "OutboxDirTransport",
    "PartialDelivery",
    "SessionTransport",
    "SmtpTransport",
    "Transport",
    "TransportError",
    "open_session",
]
