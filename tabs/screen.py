"""What the operator's screen looks like on either backend: one statement, two renderings.

``tabs.google_format`` turns it into Sheets API requests, ``tabs.local_format`` into openpyxl settings,
so the dropdown's prompt, the colour of a late row and the columns' widths are the same on both.
"""

from __future__ import annotations

from cakra.tabs.status import COLUMNS

# Column widths in pixels (Google's unit); the local workbook converts them to characters.
DEFAULT_WIDTH = 140
WIDE = {
    "summary": 320,
    "message": 360,
    "disposisi": 240,
    "verification": 220,
    "follow_up": 220,
    "location": 200,
    "handover": 260,
}
PIXELS_PER_CHARACTER = 7  # a spreadsheet's default font: about 7 px per character

LATE_RGB = (0.99, 0.89, 0.89)  # a late row's background: light red
DROPDOWN_PROMPT = "Pilih tahap berikutnya sesuai SOP"
UNIT_PROMPT = "Pilih unit tujuan disposisi"
OPERATOR_HEADERS = frozenset(c.header for c in COLUMNS if c.operator)


def width_px(key: str) -> int:
    """The width a status column gets (pixels)."""
    return WIDE.get(key, DEFAULT_WIDTH)


def late_formula(letter: str) -> str:
    """The condition that colours a row late: its "Terlambat" cell (column ``letter``) starts with "Ya"."""
    return f'LEFT(${letter}2,2)="Ya"'


def hex_colour(rgb: tuple[float, float, float]) -> str:
    """``(0.99, 0.89, 0.89)`` -> ``"FCE3E3"`` (openpyxl's colour notation)."""
    return "".join(f"{round(part * 255):02X}" for part in rgb)
