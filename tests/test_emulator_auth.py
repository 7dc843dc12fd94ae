"""OAuth token endpoint with a generated service-account key, bearer checks, ``point_session_at``
and google-api-python-client against the emulator."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import gspread
import pytest
import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from sheets_emulator.keys import make_service_account_key
from sheets_emulator.server import SheetsEmulator

from cakra.credentials import load_credentials
from cakra.sheets.endpoint import point_session_at, rewrite_url

SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]


@pytest.fixture
def secured() -> Iterator[SheetsEmulator]:
    emu = SheetsEmulator(require_auth=True).start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def credentials(secured: SheetsEmulator, tmp_path: Path) -> service_account.Credentials:
    key = make_service_account_key(tmp_path / "sa.json", secured.token_uri)
    # The product's loader: it keeps google-auth from looking up a boundary at iamcredentials.googleapis.com.
    return load_credentials(str(key), SCOPES, google_endpoint=False)


def test_key_file_is_private_and_points_at_the_emulator(secured: SheetsEmulator, tmp_path: Path) -> None:
    key = make_service_account_key(tmp_path / "k.json", secured.token_uri)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    info = json.loads(key.read_text())
    assert info["type"] == "service_account" and info["token_uri"] == secured.token_uri
    assert info["private_key"].startswith("-----BEGIN PRIVATE KEY-----")


def test_jwt_bearer_flow_with_authorized_session(
    secured: SheetsEmulator, credentials: service_account.Credentials
) -> None:
    sid = secured.create_spreadsheet("auth", {"Tab": [["ok"]]})
    session = point_session_at(AuthorizedSession(credentials), secured.base_url)
    r = session.get(f"https://sheets.googleapis.com/v4/spreadsheets/{sid}/values/Tab!A1")
    assert r.status_code == 200 and r.json()["values"] == [["ok"]]
    assert credentials.token and credentials.token.startswith("ya29.")
    assert [e.path for e in secured.log][:1] == ["/token"]
    client = gspread.Client(auth=None, session=session)
    assert client.open_by_key(sid).worksheet("Tab").acell("A1").value == "ok"
    secured.tokens.revoke_all()  # the session refreshes after the 401 and retries
    assert session.get(f"https://sheets.googleapis.com/v4/spreadsheets/{sid}").status_code == 200


def test_requests_without_a_token_we_issued_get_401(secured: SheetsEmulator) -> None:
    sid = secured.create_spreadsheet("auth")
    url = f"{secured.base_url}/v4/spreadsheets/{sid}"
    missing = requests.get(url, timeout=5)
    assert missing.status_code == 401
    assert missing.json()["error"]["status"] == "UNAUTHENTICATED"
    assert missing.json()["error"]["message"].startswith(
        "Request is missing required authentication credential."
    )
    forged = requests.get(url, headers={"Authorization": "Bearer ya29.not-ours"}, timeout=5)
    assert forged.status_code == 401
    assert forged.json()["error"]["message"].startswith("Request had invalid authentication credentials.")
    assert "WWW-Authenticate" in forged.headers
    good = requests.get(url, headers={"Authorization": f"Bearer {secured.issue_token()}"}, timeout=5)
    assert good.status_code == 200


def test_token_endpoint_rejects_bad_grants(
    secured: SheetsEmulator, credentials: service_account.Credentials
) -> None:
    wrong_grant = requests.post(secured.token_uri, data={"grant_type": "password"}, timeout=5)
    assert wrong_grant.status_code == 400 and wrong_grant.json()["error"] == "unsupported_grant_type"
    assertion = credentials._make_authorization_grant_assertion()
    head, payload, _sig = (
        assertion.decode().split(".") if isinstance(assertion, bytes) else assertion.split(".")
    )
    tampered = f"{head}.{payload}.AAAA"
    bad = requests.post(
        secured.token_uri,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": tampered},
        timeout=5,
    )
    assert bad.status_code == 400 and bad.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid JWT Signature.",
    }


def test_googleapiclient_with_static_discovery(
    secured: SheetsEmulator, credentials: service_account.Credentials
) -> None:
    service = build(
        "sheets",
        "v4",
        credentials=credentials,
        client_options={"api_endpoint": secured.base_url},
        static_discovery=True,
        cache_discovery=False,
    )
    created = (
        service.spreadsheets()
        .create(
            body={
                "properties": {"title": "via discovery", "timeZone": "Asia/Jayapura"},
                "sheets": [{"properties": {"title": "Kasus"}}],
            }
        )
        .execute()
    )
    sid = created["spreadsheetId"]
    assert created["properties"]["timeZone"] == "Asia/Jayapura"
    assert created["sheets"][0]["properties"]["title"] == "Kasus"
    values = service.spreadsheets().values()
    reply = values.update(
        spreadsheetId=sid,
        range="Kasus!A1",
        valueInputOption="USER_ENTERED",
        body={"values": [["=2*21", "0812"]]},
    ).execute()
    assert reply["updatedRange"] == "Kasus!A1:B1"
    got = values.get(spreadsheetId=sid, range="Kasus!A1:B1", valueRenderOption="UNFORMATTED_VALUE").execute()
    assert got["values"] == [[42, 812]]
    batch = values.batchGet(spreadsheetId=sid, ranges=["Kasus!A1", "Kasus!B1"]).execute()
    assert [vr["values"] for vr in batch["valueRanges"]] == [[["42"]], [["812"]]]
    with pytest.raises(HttpError) as err:
        values.get(spreadsheetId=sid, range="Missing!A1").execute()
    assert err.value.resp.status == 400


def test_rewrite_url_only_touches_google_api_hosts() -> None:
    base = "http://127.0.0.1:9/prefix"
    assert rewrite_url("https://sheets.googleapis.com/v4/spreadsheets/x?a=1", base) == (
        "http://127.0.0.1:9/prefix/v4/spreadsheets/x?a=1"
    )
    assert (
        rewrite_url("https://www.googleapis.com/drive/v3/files", base)
        == "http://127.0.0.1:9/prefix/drive/v3/files"
    )
    assert rewrite_url("https://oauth2.googleapis.com/token", base) == "https://oauth2.googleapis.com/token"
    session = point_session_at(requests.Session(), "http://127.0.0.1:1")
    point_session_at(session, "http://127.0.0.1:2")  # re-pointing does not stack wrappers
    with pytest.raises(requests.ConnectionError) as err:
        session.get("https://sheets.googleapis.com/v4/spreadsheets/x", timeout=2)
    assert "127.0.0.1" in str(err.value) and "port=2" in str(err.value)
    with pytest.raises(ValueError):
        point_session_at(requests.Session(), "127.0.0.1:8080")
