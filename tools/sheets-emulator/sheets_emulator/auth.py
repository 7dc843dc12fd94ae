"""OAuth token endpoint and bearer-token checks.

``POST /token`` accepts Google's JWT-bearer grant (``grant_type=urn:ietf:params:oauth:grant-type:
jwt-bearer&assertion=<JWT>``) as google-auth sends it for service accounts, checks the assertion's
shape and expiry, verifies its RS256 signature when the key was made by ``sheets_emulator.keys`` in this
process, and answers ``{"access_token", "expires_in", "token_type"}``.  Failures answer like Google's
token endpoint: ``{"error": "invalid_grant", "error_description": ...}`` with 400.

With ``require_auth`` the API endpoints demand ``Authorization: Bearer <token issued here and not
expired>`` and otherwise answer 401 UNAUTHENTICATED with the real message and a
``WWW-Authenticate`` header.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from .errors import MISSING_CREDENTIALS, ApiError
from .http_types import Request, Response, json_response
from .keys import PUBLIC_KEYS

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_WWW_AUTH = 'Bearer realm="https://accounts.google.com/"'


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


class TokenAuthority:
    """Issues and checks access tokens (thread-safe)."""

    def __init__(self, clock: Callable[[], float], lifetime: int = 3600) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        """A new access token valid for ``lifetime`` seconds."""
        token = "ya29.emu-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = self.clock() + self.lifetime
        return token

    def revoke_all(self) -> None:
        """Forget every issued token (clients must refresh)."""
        with self._lock:
            self._tokens.clear()

    def check(self, header: str | None) -> None:
        """Raise 401 unless ``header`` carries a live token issued here."""
        if not header:
            raise ApiError(401, MISSING_CREDENTIALS, headers={"WWW-Authenticate": _WWW_AUTH})
        scheme, _, token = header.partition(" ")
        with self._lock:
            expiry = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if expiry is None or expiry <= self.clock():
            raise ApiError(
                401,
                headers={"WWW-Authenticate": _WWW_AUTH + ', error="invalid_token"'},
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED"
                        if expiry is None
                        else "ACCESS_TOKEN_EXPIRED",
                        "domain": "googleapis.com",
                        "metadata": {"service": "sheets.googleapis.com", "method": "google.apps.sheets.v4"},
                    }
                ],
            )

    def _grant_error(self, description: str) -> Response:
        body = json.dumps({"error": "invalid_grant", "error_description": description}).encode()
        return Response(400, body)

    def _verify(self, assertion: str) -> str | None:
        """Return an error description, or None when the assertion is acceptable."""
        parts = assertion.split(".")
        if len(parts) != 3:
            return (
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
            )
        try:
            header: dict[str, Any] = json.loads(_b64(parts[0]))
            claims: dict[str, Any] = json.loads(_b64(parts[1]))
            signature = _b64(parts[2])
        except (ValueError, UnicodeDecodeError):
            return "Invalid JWT Signature."
        if header.get("alg") != "RS256" or not claims.get("iss"):
            return "Invalid JWT Signature."
        now = self.clock()
        exp, iat = float(claims.get("exp", 0)), float(claims.get("iat", 0))
        if exp < now - 300 or iat > now + 300 or exp - iat > 3600 + 300:
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
        public = PUBLIC_KEYS.get(str(header.get("kid")))
        if public is not None:
            try:
                public.verify(
                    signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256()
                )
            except InvalidSignature:
                return "Invalid JWT Signature."
        return None

    def token_endpoint(self, req: Request) -> Response:
        """POST /token (form-encoded JWT-bearer grant)."""
        form = parse_qs(req.body.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [""])[0]
        if grant != JWT_BEARER:
            body = json.dumps(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: " + grant}
            )
            return Response(400, body.encode())
        error = self._verify((form.get("assertion") or [""])[0])
        if error:
            return self._grant_error(error)
        return json_response(
            {"access_token": self.issue(), "expires_in": self.lifetime - 1, "token_type": "Bearer"}
        )
