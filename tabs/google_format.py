"""``init`` on Google: make the status tab pleasant and safe for operators, idempotently.

- a dropdown (ONE_OF_LIST, not strict, so typing "3" still works) of the SOP's step titles and endings on
  the ``Tahap`` column;
- service-owned columns protected with a warning (operators are warned before overwriting them);
- conditional formatting that colours overdue rows; a frozen header row; sensible column widths.
Running it twice changes nothing the second time: existing protections and rules are recognised.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cakra.sheets.google import column_letter
from cakra.tabs.screen import DROPDOWN_PROMPT, LATE_RGB, UNIT_PROMPT, late_formula, width_px
from cakra.tabs.status import COLUMNS
from cakra.workflow.sop import Sop

if TYPE_CHECKING:
    from cakra.sheets.google import GoogleSheets

PROTECTION_PREFIX = "Cakra: kolom layanan"


def _range(sheet_id: int, col: int, *, from_row: int = 1) -> dict[str, Any]:
    return {
        "sheetId": sheet_id,
        "startRowIndex": from_row,
        "startColumnIndex": col,
        "endColumnIndex": col + 1,
    }


def format_requests(
    backend: GoogleSheets, tab: str, sop: Sop, *, unit_screen: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """The batchUpdate requests still needed on ``tab``, and a line for each thing they do (a unit's
    own screen gets no "Unit Tujuan" dropdown: only the dispatcher disposes)."""
    status = backend.read([tab])[tab]
    if status is None:
        return [], [f"tab {tab!r} is missing; it is created first"]
    props = backend.sheet_properties(tab)
    sheet_id = props["sheetId"]
    existing = backend.fetch_metadata(
        backend.spreadsheet_for(tab),
        "sheets(properties(sheetId),protectedRanges(description),conditionalFormats)",
    )
    sheet = next(s for s in existing.get("sheets", []) if s["properties"]["sheetId"] == sheet_id)
    protected = {p.get("description") for p in sheet.get("protectedRanges", [])}
    rules = str(sheet.get("conditionalFormats", []))
    position = {c.key: status.column(c.header) for c in COLUMNS}
    requests: list[dict[str, Any]] = []
    lines: list[str] = []

    choice = position["step_choice"]
    if choice is not None:
        requests.append(
            {
                "setDataValidation": {
                    "range": _range(sheet_id, choice),
                    "rule": {
                        "condition": {
                            "type": "ONE_OF_LIST",
                            "values": [{"userEnteredValue": t} for t in sop.choices()],
                        },
                        "inputMessage": DROPDOWN_PROMPT,
                        "showCustomUi": True,
                        "strict": False,
                    },
                }
            }
        )
        lines.append("dropdown on 'Tahap' set to the SOP's steps and endings")
    unit = position["unit"]
    if unit is not None and sop.units and not unit_screen:
        requests.append(
            {
                "setDataValidation": {
                    "range": _range(sheet_id, unit),
                    "rule": {
                        "condition": {
                            "type": "ONE_OF_LIST",
                            "values": [{"userEnteredValue": u.title} for u in sop.units.values()],
                        },
                        "inputMessage": UNIT_PROMPT,
                        "showCustomUi": True,
                        "strict": False,  # an alias typed is accepted (workflow/disposition.py)
                    },
                }
            }
        )
        lines.append("dropdown on 'Unit Tujuan' set to the SOP's units")
    for column in COLUMNS:
        description = f"{PROTECTION_PREFIX} {column.header}"
        col = position[column.key]
        if column.operator or col is None or description in protected:
            continue
        requests.append(
            {
                "addProtectedRange": {
                    "protectedRange": {
                        "range": _range(sheet_id, col, from_row=0),
                        "description": description,
                        "warningOnly": True,
                    }
                }
            }
        )
        lines.append(f"column {column.header!r} protected (warning only)")
    late = position["late"]
    if late is not None:
        formula = "=" + late_formula(column_letter(late + 1))
        if formula not in rules:
            requests.append(
                {
                    "addConditionalFormatRule": {
                        "index": 0,
                        "rule": {
                            "ranges": [{"sheetId": sheet_id, "startRowIndex": 1}],
                            "booleanRule": {
                                "condition": {
                                    "type": "CUSTOM_FORMULA",
                                    "values": [{"userEnteredValue": formula}],
                                },
                                "format": {
                                    "backgroundColor": dict(
                                        zip(("red", "green", "blue"), LATE_RGB, strict=True)
                                    )
                                },
                            },
                        },
                    }
                }
            )
            lines.append("overdue rows coloured red")
    requests.append(
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        }
    )
    for column in COLUMNS:
        col = position[column.key]
        if col is not None:
            requests.append(
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": sheet_id,
                            "dimension": "COLUMNS",
                            "startIndex": col,
                            "endIndex": col + 1,
                        },
                        "properties": {"pixelSize": width_px(column.key)},
                        "fields": "pixelSize",
                    }
                }
            )
    lines.append("header row frozen, column widths set")
    return requests, lines


def prepare_status_tab(
    backend: GoogleSheets, tab: str, sop: Sop, *, unit_screen: bool = False
) -> Iterator[str]:
    requests, lines = format_requests(backend, tab, sop, unit_screen=unit_screen)
    if requests:
        backend.batch_update(backend.spreadsheet_for(tab), "format the status tab", requests)
    yield from lines
