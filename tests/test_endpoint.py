"""``cakra.sheets.endpoint``: the optional ``api_endpoint`` redirect of the Google backend's session."""

from __future__ import annotations

import pytest
import requests

from cakra.sheets.endpoint import point_session_at, rewrite_url


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
