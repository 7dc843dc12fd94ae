"""The Google backend's one HTTP seam: gspread's ``http_client`` retries, the session's adapter redirects.

The retry rules are checked against canned answers (a session that answers from a list: no socket, no
wait); the wiring through real gspread + google-auth against the emulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from sheets_emulator.keys import make_service_account_key
from sheets_emulator.server import SheetsEmulator

from cakra.common.errors import SheetError
from cakra.credentials import SHEETS_SCOPES, load_credentials
from cakra.sheets.endpoint import EndpointAdapter
from cakra.sheets.google import GoogleSheets
from cakra.sheets.retry import RetryingHTTPClient, RetryPolicy, purpose_of

SHEET = "https://sheets.googleapis.com/v4/spreadsheets/abc"


def answer(status: int, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    body = {} if status == 200 else {"error": {"code": status, "status": "X", "message": f"answer {status}"}}
    response._content = json.dumps(body).encode()
    return response


class Canned(requests.Session):
    """Answers each request with the next canned answer (an exception is raised instead)."""

    def __init__(self, answers: list[requests.Response | Exception]) -> None:
        super().__init__()
        self.answers = answers
        self.urls: list[str] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.urls.append(url)
        reply = self.answers.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def client(answers: list[requests.Response | Exception], waits: list[float]) -> RetryingHTTPClient:
    http = RetryingHTTPClient(None, session=Canned(answers))
    http.policy = RetryPolicy(attempts=4, sleep=waits.append, random=lambda: 0.0)
    return http


def test_transient_answers_are_retried_with_backoff_and_retry_after() -> None:
    waits: list[float] = []
    http = client(
        [answer(503), answer(429, {"Retry-After": "3"}), requests.ConnectionError("reset"), answer(200)],
        waits,
    )
    assert http.request("get", f"{SHEET}/values:batchGet").status_code == 200
    assert waits == [1.0, 3.0, 4.0]  # base 2 s * 2**n, scaled by 0.5 (random 0); the server's 3 s


def test_giving_up_and_refusals_are_one_line_naming_the_request() -> None:
    waits: list[float] = []
    http = client([answer(503)] * 4, waits)
    with pytest.raises(SheetError) as error:
        http.request("post", f"{SHEET}/values:batchUpdate")
    assert str(error.value).startswith("Google Sheets did not write the changed cells after 4 attempts (503")
    assert "next cycle carries on" in str(error.value) and len(waits) == 3
    http = client([answer(400)], waits)
    with pytest.raises(SheetError, match=r"^Google Sheets refused to create the tab 'X': 400 X: answer 400$"):
        http.request("post", f"{SHEET}:batchUpdate", json={"requests": []}, purpose="create the tab 'X'")
    assert len(waits) == 3  # a refusal is not retried


def test_requests_are_named_by_their_url() -> None:
    assert purpose_of("get", f"{SHEET}/values:batchGet?ranges=A") == "read the tabs"
    assert purpose_of("post", f"{SHEET}:batchUpdate") == "change the spreadsheet"
    assert purpose_of("get", SHEET) == "read the spreadsheet's metadata"
    assert purpose_of("get", "https://www.googleapis.com/drive/v3/files") == "call GET /drive/v3/files"


@pytest.fixture
def backend(google_emulator: SheetsEmulator, tmp_path: Path) -> Iterator[GoogleSheets]:
    key = make_service_account_key(tmp_path / "sa.json", google_emulator.token_uri)
    credentials = load_credentials(key, SHEETS_SCOPES, google_endpoint=False)
    spreadsheet_id = google_emulator.create_spreadsheet("seam", {"Form Responses 1": [["Timestamp"]]})
    yield GoogleSheets.connect(
        credentials, spreadsheet_id, ["Form Responses 1"], api_endpoint=google_emulator.base_url
    )


def test_every_request_goes_through_the_retrying_client_and_the_endpoint_adapter(
    backend: GoogleSheets, google_emulator: SheetsEmulator
) -> None:
    session = backend.http.session
    assert "request" not in vars(session)  # nothing patched on the session: an adapter is mounted
    assert isinstance(session.get_adapter(SHEET), EndpointAdapter)
    assert not isinstance(session.get_adapter("https://oauth2.googleapis.com/token"), EndpointAdapter)
    waits: list[float] = []
    backend.policy = RetryPolicy(sleep=waits.append, random=lambda: 0.5)
    google_emulator.faults.add(status=503, count=1, method="GET")
    assert backend.timezone.key == "Asia/Jakarta"  # the backend's own metadata request, retried
    google_emulator.faults.add(status=500, count=1, method="GET")
    assert backend.client.open_by_key(backend.main_id).title == "seam"  # gspread's own request too
    assert waits == [1.5, 1.5]  # 2 s scaled by 0.75


def test_the_backend_refuses_a_client_without_the_retrying_seam() -> None:
    with pytest.raises(TypeError, match="RetryingHTTPClient"):
        GoogleSheets(gspread.Client(auth=None, session=requests.Session()), "id", ["Form Responses 1"])  # type: ignore[arg-type]
