"""Delivery channels behind one interface (see ``notify.transports.base``)."""

from cakra.notify.transports.base import (
    PartialDelivery,
    SessionTransport,
    Transport,
    TransportError,
    open_session,
)
from cakra.notify.transports.outbox_dir import OutboxDirTransport
from cakra.notify.transports.smtp import SmtpTransport

__all__ = [
    "OutboxDirTransport",
    "PartialDelivery",
    "SessionTransport",
    "SmtpTransport",
    "Transport",
    "TransportError",
    "open_session",
]
