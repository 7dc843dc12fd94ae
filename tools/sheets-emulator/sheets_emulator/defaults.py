"""Constant parts of spreadsheet metadata, copied from the recorded real responses."""

from __future__ import annotations

import copy
from typing import Any

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
DEFAULT_COLUMN_WIDTH = 100
DEFAULT_ROW_HEIGHT = 21
DEFAULT_ACCOUNT = "cakra-emulator@cakra-emulator.iam.gserviceaccount.com"

_WHITE = {"red": 1, "green": 1, "blue": 1}

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": dict(_WHITE),
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": dict(_WHITE)},
}


def _theme(kind: str, rgb: dict[str, float]) -> dict[str, Any]:
    return {"colorType": kind, "color": {"rgbColor": rgb}}


SPREADSHEET_THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        _theme("TEXT", {}),
        _theme("BACKGROUND", dict(_WHITE)),
        _theme("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
        _theme("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
        _theme("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
        _theme("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
        _theme("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
        _theme("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
        _theme("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
    ],
}


def spreadsheet_properties(title: str, locale: str, time_zone: str) -> dict[str, Any]:
    """Fresh ``properties`` of a new spreadsheet, key order as the real API prints them."""
    return {
        "title": title,
        "locale": locale,
        "autoRecalc": "ON_CHANGE",
        "timeZone": time_zone,
        "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
        "spreadsheetTheme": copy.deepcopy(SPREADSHEET_THEME),
    }
