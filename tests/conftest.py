"""Shared fixtures: a real SMTP server, the Sheets emulator, and Cakra sites on either backend."""

from __future__ import annotations

from tests.emulator_fixtures import emulator, gc, http  # noqa: F401
from tests.google_site import google_emulator, google_site  # noqa: F401
from tests.site import site  # noqa: F401
from tests.smtp_fixtures import smtp_server, smtp_ssl_server, smtp_starttls_server, smtp_test_cert  # noqa: F401
