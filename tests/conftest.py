"""Shared fixtures: a real SMTP server (tests/smtp_fixtures.py) and a Cakra site in a temp folder."""

from __future__ import annotations

from tests.site import site  # noqa: F401
from tests.smtp_fixtures import smtp_server, smtp_ssl_server, smtp_starttls_server, smtp_test_cert  # noqa: F401
