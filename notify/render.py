"""Rendering every message from ``templates/`` with one Jinja2 environment.

Contract:
- ``render_message(name, context)`` renders ``email/{name}.subject.txt``, ``email/{name}.txt`` and
  ``email/{name}.html`` -> ``Rendered(subject, text, html)``; the subject is collapsed to one line.
- HTML is always autoescaped; ``.txt`` templates (plain-text body, subject) are not — they are not HTML,
  so escaping would only show readers ``&lt;`` (and header safety is the outbox's job: it collapses the
  subject to one line).
- Undefined variables raise (``StrictUndefined``): a message with a hole is a bug, never sent.
- Filters: ``tanggal`` ("Senin, 23 November 2026 14.05 WIB"), ``tanggal_pendek`` ("23/11/2026 14.05"),
  both shown in the zone named by an optional argument, else the context variable ``timezone`` (an IANA
  name or ZoneInfo), else Asia/Jakarta; ``durasi`` ("1 jam 5 menit", "2 hari 3 jam"); ``angka`` (numbers
  with a decimal comma, "1.250", "8,3") and ``persen`` ("8,3 %"), from ``common/wording.py``.
- Text templates are read with ``trim_blocks``/``lstrip_blocks`` so ``{% if %}`` lines leave no blanks.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from cakra.common.wording import BULAN, HARI, angka, durasi, persen

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
DEFAULT_ZONE = "Asia/Jakarta"

# Indonesia's three legal time zones (Keppres 41/1987); Pontianak is WIB too.
_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}


class Rendered(NamedTuple):
    subject: str
    text: str
    html: str


def _zone(context: Context, zone: str | tzinfo | None) -> tzinfo:
    chosen = zone if zone is not None else context.get("timezone", DEFAULT_ZONE)
    return ZoneInfo(chosen) if isinstance(chosen, str) else chosen


def _local(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time has no meaning across WIB/WITA/WIT; refuse rather than guess.
        raise ValueError(f"tanggal needs a timezone-aware datetime, got {value!r}")
    return value.astimezone(zone)


def _zone_abbreviation(local: datetime, zone: tzinfo) -> str:
    return _ZONE_NAMES.get(getattr(zone, "key", ""), local.tzname() or "")


@pass_context
def tanggal(context: Context, value: datetime | None, zone: str | tzinfo | None = None) -> str:
    """``Senin, 23 November 2026 14.05 WIB``; ``None`` -> ``-``."""
    if value is None:
        return "-"
    tz = _zone(context, zone)
    local = _local(value, tz)
    # PUEBI writes clock times with a period: 14.05.
    text = f"{HARI[local.weekday()]}, {local.day} {BULAN[local.month - 1]} {local.year} {local:%H.%M}"
    return f"{text} {_zone_abbreviation(local, tz)}".rstrip()


@pass_context
def tanggal_pendek(context: Context, value: datetime | None, zone: str | tzinfo | None = None) -> str:
    """``23/11/2026 14.05``; ``None`` -> ``-``."""
    if value is None:
        return "-"
    return f"{_local(value, _zone(context, zone)):%d/%m/%Y %H.%M}"


def make_environment(folder: Path = TEMPLATES_DIR) -> Environment:
    """A Jinja2 environment over ``folder`` with the project's escaping rules and filters."""
    env = Environment(
        loader=FileSystemLoader(folder),
        # HTML is always escaped (also templates built from strings); only .txt is not, because
        # plain text and subjects are not HTML and escaping there would show "&lt;" to readers.
        autoescape=select_autoescape(disabled_extensions=("txt",), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        tanggal=tanggal, tanggal_pendek=tanggal_pendek, durasi=durasi, angka=angka, persen=persen
    )
    return env


@functools.cache
def environment() -> Environment:
    """The one environment over the project's ``templates/`` folder (built on first use)."""
    return make_environment(TEMPLATES_DIR)


def render_message(name: str, context: Mapping[str, Any], *, env: Environment | None = None) -> Rendered:
    """Render the three parts of ``email/{name}``; ``env`` defaults to ``environment()``."""
    env = env or environment()
    subject = env.get_template(f"email/{name}.subject.txt").render(context)
    text = env.get_template(f"email/{name}.txt").render(context)
    html = env.get_template(f"email/{name}.html").render(context)
    return Rendered(subject=" ".join(subject.split()), text=text, html=html)
