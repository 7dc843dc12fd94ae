"""Normalising what the real API normalises in formats, colours and sheet properties.

* Colours are stored with 8 bits per channel and printed as float32 with 8 significant digits, zero
  channels omitted: ``{"red": 1, "green": 0, "blue": 0.5}`` comes back as
  ``{"red": 1, "blue": 0.49803922}`` (recorded).
* A colour and its ``*ColorStyle`` twin are mirrored (``backgroundColor`` <-> ``backgroundColorStyle
  .rgbColor``, ``textFormat.foregroundColor`` <-> ``foregroundColorStyle``, ``tabColor`` <->
  ``tabColorStyle``), as recorded for repeatCell and updateSheetProperties.
* Default-valued sheet properties are omitted (``hidden: false``, ``frozenRowCount: 0``, ...).
"""

from __future__ import annotations

import math
import struct
from typing import Any

_CHANNELS = ("red", "green", "blue", "alpha")
_PAIRS = (
    ("backgroundColor", "backgroundColorStyle"),
    ("foregroundColor", "foregroundColorStyle"),
    ("color", "colorStyle"),
)
_DEFAULT_FALSE = ("hidden", "rightToLeft")
_GRID_DEFAULTS = {
    "frozenRowCount": 0,
    "frozenColumnCount": 0,
    "hideGridlines": False,
    "rowGroupControlAfter": False,
    "columnGroupControlAfter": False,
}


def _channel(v: float, alpha: bool) -> float | int:
    if not alpha:
        v = math.floor(float(v) * 255 + 1e-3) / 255  # 8-bit channels; 0.5 -> 127 as recorded
    packed = struct.pack("f", float(v))
    f32 = struct.unpack("f", packed)[0]
    out = f32
    for digits in range(1, 10):  # shortest decimal that round-trips the float32 (Java Float.toString)
        out = float(f"{f32:.{digits}g}")
        if struct.pack("f", out) == packed:
            break
    return int(out) if out.is_integer() else out


def normalize_color(color: Any) -> dict[str, Any]:
    """8-bit channels as float32, zero channels omitted."""
    if not isinstance(color, dict):
        return {}
    out: dict[str, Any] = {}
    for ch in _CHANNELS:
        v = color.get(ch)
        if isinstance(v, int | float) and not isinstance(v, bool) and v:
            n = _channel(v, ch == "alpha")
            if n:
                out[ch] = n
    return out


def _normalize_style(style: Any) -> dict[str, Any] | None:
    if not isinstance(style, dict):
        return None
    if "themeColor" in style and style["themeColor"]:
        return {"themeColor": style["themeColor"]}
    if style.get("rgbColor") is None:
        return None
    return {"rgbColor": normalize_color(style["rgbColor"])}


def mirror_colors(obj: dict[str, Any]) -> dict[str, Any]:
    """Normalise colours recursively and mirror each colour with its ColorStyle twin."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict) and not any(key in pair for pair in _PAIRS):
            out[key] = mirror_colors(value)
        elif value is not None:
            out[key] = value
    for plain, style in _PAIRS:
        if plain not in obj and style not in obj:
            continue
        norm_style = _normalize_style(obj.get(style))
        if norm_style is not None:
            out[style] = norm_style
            if "rgbColor" in norm_style:
                out[plain] = dict(norm_style["rgbColor"])
            else:
                out.pop(plain, None)
        elif isinstance(obj.get(plain), dict):
            color = normalize_color(obj[plain])
            out[plain] = color
            out[style] = {"rgbColor": dict(color)}
        else:
            out.pop(plain, None)
            out.pop(style, None)
    return out


def normalize_sheet_props(props: dict[str, Any]) -> None:
    """In place: mirror tab colours and drop default-valued properties."""
    if "tabColor" in props or "tabColorStyle" in props:
        style = _normalize_style(props.get("tabColorStyle"))
        if style is None and isinstance(props.get("tabColor"), dict) and "tabColorStyle" not in props:
            style = {"rgbColor": normalize_color(props["tabColor"])}
        props.pop("tabColor", None)
        props.pop("tabColorStyle", None)
        if style is not None:
            if "rgbColor" in style:
                props["tabColor"] = dict(style["rgbColor"])
            props["tabColorStyle"] = style
    for key in _DEFAULT_FALSE:
        if props.get(key) is False:
            props.pop(key)
    gp = props.get("gridProperties")
    if isinstance(gp, dict):
        for key, default in _GRID_DEFAULTS.items():
            if key in gp and gp[key] == default:
                gp.pop(key)


def effective_format(default: dict[str, Any], user: dict[str, Any] | None) -> dict[str, Any]:
    """``effectiveFormat``: the spreadsheet default format overlaid with the cell's format."""

    def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
        return out

    return merge(default, user or {})
