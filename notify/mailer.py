"""The mailer: everything a message needs to reach its readers, built once when the service is wired.

It holds the outbox, the transport, each role's addresses and what every template may use (agency, SOP
name, the status sheet's link, the timezone). Compose, citizen, digest and report take a ``Mailer`` plus
their own explicit arguments, never the whole application.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cakra.common.pii import redact
from cakra.notify.outbox import DeliveryResult, InlineImage, Outbox, OutboxRow
from cakra.notify.pacing import HeldNotices
from cakra.notify.render import Rendered, render_message
from cakra.notify.transports.base import Transport


@dataclass(frozen=True)
class Mailer:
    """``addresses``: role id -> its recipients; ``context``: what every template may use besides ``now``
    (``agency_name``, ``sop_name``, ``status_sheet_url``, ``status_place`` — where the status tab is, in
    words —, ``timezone``)."""

    outbox: Outbox
    transport: Transport
    sender: str
    addresses: Mapping[str, Sequence[str]] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    held: HeldNotices | None = None  # notices bundled for later (notify/pacing.py); None = none wait
    reply_to: str = ""  # Reply-To of messages to citizens (the agency's desk); '' = none
    # Roles whose messages may carry a full NIK (the SOP's ``sees_identity``); every other reader's
    # message (other roles, citizens) passes ``redact`` whole, subject and both bodies.
    identity_roles: frozenset[str] = frozenset()
    # Unit id -> its recipients (config ``[units.<id>] emails``): who a per-unit role is, for that unit.
    unit_addresses: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # Unit id -> where its own screen is (``status_place``, ``status_sheet_url``): a unit's people work
    # its cases there, not in the main sheet, so their messages point them to it.
    unit_places: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def recipients(self, role: str, unit: str = "") -> list[str]:
        """The addresses of ``role`` (empty when it has none); with ``unit``, that unit's recipients
        (a per-unit role's message about the unit's cases goes to them only)."""
        if unit:
            return list(self.unit_addresses.get(unit, ()))
        return list(self.addresses.get(role, ()))

    def base_context(self, now: datetime, unit: str = "") -> dict[str, Any]:
        """What every message template may use; with ``unit``, the status place is that unit's screen."""
        return {**self.context, **self.unit_places.get(unit, {}), "now": now}

    def has(self, dedupe_key: str) -> bool:
        """Whether a message under ``dedupe_key`` was already recorded."""
        return self.outbox.has(dedupe_key)

    def enqueue(
        self,
        template: str,
        context: Mapping[str, Any],
        *,
        dedupe_key: str,
        role: str,
        recipients: Sequence[str],
        now: datetime,
        inline_images: Sequence[InlineImage] = (),
        reply_to: str = "",
    ) -> str | None:
        """Render ``templates/email/<template>.*`` and record it in the outbox from the configured sender
        (``reply_to``: where answers go, '' = to the sender).

        The one way every message enters the outbox; returns its Message-ID, or None when ``dedupe_key``
        was already recorded. Does not commit (the caller's transaction does). A reader outside
        ``identity_roles`` gets the message with every NIK-like run masked, whatever field it came in.
        """
        rendered = render_message(template, context)
        if role not in self.identity_roles:
            rendered = Rendered(*(redact(part) for part in rendered))
        return self.outbox.enqueue(
            dedupe_key=dedupe_key,
            role=role,
            recipients=recipients,
            sender=self.sender,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            inline_images=inline_images,
            now=now,
            reply_to=reply_to,
        )

    def deliver(
        self,
        now: datetime,
        *,
        on_before_send: Callable[[OutboxRow], None] | None = None,
        first_role: str | None = None,
    ) -> DeliveryResult:
        """Send what the outbox holds that is due, through the transport (``first_role``'s first)."""
        return self.outbox.deliver(self.transport, now, on_before_send=on_before_send, first_role=first_role)
