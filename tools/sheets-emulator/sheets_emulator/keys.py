"""Synthetic service-account keys for talking to the emulator's OAuth token endpoint.

``make_service_account_key`` writes a key file in Google's JSON format whose ``token_uri`` points at
the emulator, so ``google.oauth2.service_account.Credentials.from_service_account_file`` and
``AuthorizedSession`` run their real JWT-bearer flow against it.  The RSA key is generated locally
with ``cryptography`` (a dependency of google-auth's signer in this environment); it is never a
real Google key.  The public half is remembered in ``PUBLIC_KEYS`` (by ``private_key_id``) so the
emulator can verify assertion signatures for keys made in this process.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PUBLIC_KEYS: dict[str, rsa.RSAPublicKey] = {}
PROJECT_ID = "cakra-emulator"


def make_service_account_key(
    path: str | os.PathLike[str],
    token_uri: str,
    *,
    client_email: str = f"cakra-emulator@{PROJECT_ID}.iam.gserviceaccount.com",
) -> Path:
    """Write a synthetic service-account key JSON (file mode 0600) and return its path."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_hex(20)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    info = {
        "type": "service_account",
        "project_id": PROJECT_ID,
        "private_key_id": kid,
        "private_key": pem,
        "client_email": client_email,
        "client_id": str(secrets.randbelow(10**20)).zfill(21),
        "auth_uri": token_uri.rsplit("/", 1)[0] + "/auth",
        "token_uri": token_uri,
        "universe_domain": "googleapis.com",
    }
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=2)
    os.chmod(target, 0o600)
    PUBLIC_KEYS[kid] = key.public_key()
    return target
