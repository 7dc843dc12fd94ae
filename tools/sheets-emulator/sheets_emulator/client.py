"""A gspread client wired to an emulator (no credentials, URLs redirected)."""

from __future__ import annotations

import gspread
import requests

from cakra.sheets.endpoint import point_session_at


def gspread_client(base_url: str) -> gspread.Client:
    """``gspread.Client(auth=None, session=...)`` whose Google API calls go to ``base_url``."""
    return gspread.Client(auth=None, session=point_session_at(requests.Session(), base_url))
