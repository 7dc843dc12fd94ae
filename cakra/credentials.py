"""Google credentials, loaded in ONE place for every Google adapter (Sheets, Gmail).

A service-account key file (refused when other users can read it: it is a password) or, without one,
Application Default Credentials; scoped for the API they are for; for Gmail, delegated to the Workspace
user to send as. With an ``api_endpoint`` that is not Google's (the local emulator), google-auth's Regional
Access Boundary lookup is switched off: it would call iamcredentials.googleapis.com, a boundary means
nothing to such an endpoint, and that call must not leave the machine. The adapters take the result as a
plain argument (``GoogleSheets.connect``, ``GmailTransport.connect``).
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import google.auth
import google.auth._helpers
import google.auth.exceptions
from google.auth.credentials import Credentials
from google.oauth2 import service_account

from cakra.common.errors import ConfigError

SHEETS_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)  # values and formatting; no Drive
GMAIL_SCOPES = ("https://www.googleapis.com/auth/gmail.send",)  # sending only


def load_credentials(
    key_path: Path | str | None,
    scopes: Sequence[str] = SHEETS_SCOPES,
    *,
    google_endpoint: bool = True,
    subject: str = "",
) -> Credentials:
    """Credentials from the key at ``key_path`` (empty: Application Default Credentials) for ``scopes``;
    ``subject``: act as that Workspace user (domain-wide delegation); ``google_endpoint=False``: they are
    used against another endpoint (see the module doc). Raises ``ConfigError`` with the fix."""
    credentials = _read(key_path, scopes) if key_path else _default(scopes)
    if not google_endpoint and hasattr(credentials, "_set_regional_access_boundary"):
        forever = google.auth._helpers.utcnow() + timedelta(days=36500)
        credentials._set_regional_access_boundary({"encodedLocations": "0x0", "expiry": forever})
    if subject and hasattr(credentials, "with_subject"):
        credentials = credentials.with_subject(subject)
    return credentials


def _default(scopes: Sequence[str]) -> Credentials:
    try:
        credentials, _ = google.auth.default(scopes=list(scopes))
    except google.auth.exceptions.DefaultCredentialsError:
        raise ConfigError(
            "no Google credentials: set [sheets] credentials to a service-account key under credentials/,"
            " or configure Application Default Credentials"
        ) from None
    return credentials


def _read(key_path: Path | str, scopes: Sequence[str]) -> Credentials:
    path = Path(key_path)
    if not path.exists():
        raise ConfigError(
            f"[sheets] credentials {path} does not exist; download the service-account key there"
        )
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"the key {path} can be read by other users; fix it with: chmod 600 {path}")
    try:
        return service_account.Credentials.from_service_account_file(str(path), scopes=list(scopes))
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"[sheets] credentials {path} is not a service-account key ({exc})") from None
