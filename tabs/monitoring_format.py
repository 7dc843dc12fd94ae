"""The Monitoring tab's colours, the same on both backends: conditional formatting by the cell's text.

Sudah green, Belum grey, Terlambat red (the status tab's late colour), Perlu perbaikan amber. A rule per
state covers the whole grid once, so a cell that changes state changes colour with no formatting request
of its own: on Google the rules are added by ``init`` (idempotently: existing ones are recognised), on
the local workbook ``MonitoringScreen`` lays them (again) after every write of the tab.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cakra.tabs.local_format import LAST_ROW, OperatorScreen
from cakra.tabs.screen import LATE_RGB, hex_colour
from cakra.workflow.submissions import BELUM, PERBAIKAN, SUDAH, TERLAMBAT

if TYPE_CHECKING:
    from cakra.sheets.google import GoogleSheets

STATE_RGB: dict[str, tuple[float, float, float]] = {
    SUDAH: (0.85, 0.94, 0.83),
    BELUM: (0.93, 0.93, 0.93),
    TERLAMBAT: LATE_RGB,
    PERBAIKAN: (1.0, 0.92, 0.7),
}
_LAST_COLUMN = 61  # Desa + up to 60 periods ([periodic] periods_shown)
_WIDTHS = (28, 12)  # characters: the desa column, each period column


class MonitoringScreen(OperatorScreen):
    """The operator's screen (``tabs/local_format.py``) plus the Monitoring tab's colours and layout."""

    def __init__(self, *args: Any, monitoring_tab: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.monitoring_tab = monitoring_tab

    def lay_out(self, sheet: Worksheet) -> None:
        if sheet.title != self.monitoring_tab:
            super().lay_out(sheet)
            return
        sheet.freeze_panes = "B2"
        for col in range(1, max(sheet.max_column, 2) + 1):
            sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS[0] if col == 1 else _WIDTHS[1]
        grid = f"B2:{get_column_letter(_LAST_COLUMN)}{LAST_ROW}"
        rules = ConditionalFormattingList()
        for state, rgb in STATE_RGB.items():
            fill = PatternFill(fill_type="solid", start_color=hex_colour(rgb), end_color=hex_colour(rgb))
            rules.add(grid, CellIsRule(operator="equal", formula=[f'"{state}"'], fill=fill))
        sheet.conditional_formatting = rules  # the tab is the service's: its rules replace any other


def monitoring_requests(backend: GoogleSheets, tab: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The batchUpdate requests still needed for the Monitoring tab's colours and frozen header/column."""
    sheet_id = backend.sheet_properties(tab)["sheetId"]
    existing = backend.fetch_metadata(
        backend.spreadsheet_for(tab), "sheets(properties(sheetId),conditionalFormats)"
    )
    sheet = next(s for s in existing.get("sheets", []) if s["properties"]["sheetId"] == sheet_id)
    present = _rule_texts(sheet.get("conditionalFormats", []))
    grid = {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": 1}  # to the grid's end, as it grows
    requests: list[dict[str, Any]] = []
    for state, rgb in STATE_RGB.items():
        if state in present:
            continue
        requests.append(
            {
                "addConditionalFormatRule": {
                    "index": 0,
                    "rule": {
                        "ranges": [grid],
                        "booleanRule": {
                            "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": state}]},
                            "format": {
                                "backgroundColor": dict(zip(("red", "green", "blue"), rgb, strict=True))
                            },
                        },
                    },
                }
            }
        )
    requests.append(
        {
            "updateSheetProperties": {
                "properties": {
                    "sheetId": sheet_id,
                    "gridProperties": {"frozenRowCount": 1, "frozenColumnCount": 1},
                },
                "fields": "gridProperties.frozenRowCount,gridProperties.frozenColumnCount",
            }
        }
    )
    lines = [f"tab {tab!r}: states coloured ({', '.join(STATE_RGB)})"] if len(requests) > 1 else []
    return requests, lines


def _rule_texts(rules: Sequence[dict[str, Any]]) -> set[str]:
    """The texts existing TEXT_EQ rules colour."""
    found = set()
    for rule in rules:
        condition = rule.get("booleanRule", {}).get("condition", {})
        if condition.get("type") == "TEXT_EQ":
            found.update(v.get("userEnteredValue", "") for v in condition.get("values", []))
    return found


def prepare_monitoring_tab(backend: GoogleSheets, tab: str) -> list[str]:
    """Colour the Monitoring tab on Google (``init``); the lines of what was done."""
    requests, lines = monitoring_requests(backend, tab)
    backend.batch_update(backend.spreadsheet_for(tab), "format the Monitoring tab", requests)
    return lines
