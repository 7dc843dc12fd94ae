"""Comparing what people type: headers, step names and choices match whatever their case and spacing."""

from __future__ import annotations

from typing import Any


def normalise_header(title: Any) -> str:
    """``"  Uraian\nKejadian :"`` -> ``"uraian kejadian"``: one space between words, no trailing
    ``:?*`` marks, case-folded; ``None`` -> ``""``."""
    return " ".join(str(title or "").replace("\n", " ").split()).strip(" :?*").casefold()
