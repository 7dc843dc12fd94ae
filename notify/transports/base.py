"""The one interface every delivery channel implements, and the one error type it raises.

Contract:
- ``Transport.send(message)`` (an ``email.message.Message``; the outbox hands over one whose serialisation
  is exactly the bytes it stored) returns only once the channel has *accepted* the message (the SMTP server
  answered 250, the file is renamed into place). Any failure is raised as ``TransportError``; nothing
  else is expected to escape (the outbox still treats a stray exception as a transient failure).
- ``TransportError.permanent``: retrying this same message cannot succeed (address refused, message
  rejected, credentials wrong). ``False`` means "try again later".
- ``TransportError.affects_all``: the failure is not about this message — every message would fail the
  same way right now (server unreachable, login rejected, disk full). The outbox stops the run there and
  leaves that message and all later ones pending without counting an attempt against them.
- ``PartialDelivery``: some recipients accepted the message and others refused it. The message must NOT
  be sent again (the accepted recipients would get a duplicate), so the outbox records it as sent and
  keeps the refusal as its ``last_error``.
- A transport that can reuse one connection for several messages also offers ``session()``;
  ``open_session(transport)`` gives callers one code path for both kinds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from email.message import Message
from typing import Protocol, runtime_checkable


class TransportError(Exception):
    """A message could not be handed over; ``str(error)`` is one line saying why."""

    def __init__(self, message: str, *, permanent: bool = False, affects_all: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.affects_all = affects_all

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, permanent={self.permanent}, affects_all={self.affects_all})"


class PartialDelivery(TransportError):
    """The message reached some recipients; ``refused`` maps each refused address to the server's reason."""

    def __init__(self, message: str, *, refused: Mapping[str, str]) -> None:
        # permanent: the message as a whole must not be retried (see module docstring).
        super().__init__(message, permanent=True)
        self.refused = dict(refused)


@runtime_checkable
class Transport(Protocol):
    """A delivery channel: hands one complete message over or raises ``TransportError``."""

    def send(self, message: Message) -> None: ...


@runtime_checkable
class SessionTransport(Transport, Protocol):
    """A transport that can send several messages over one connection.

    ``session()`` must not connect before the first ``send`` (an empty run costs nothing) and must
    release the connection on exit even when the block raised.
    """

    def session(self) -> AbstractContextManager[Transport]: ...


@contextlib.contextmanager
def open_session(transport: Transport) -> Iterator[Transport]:
    """Yield something with ``send``: the transport's own session if it has one, else the transport."""
    if isinstance(transport, SessionTransport):
        with transport.session() as session:
            yield session
    else:
        yield transport
