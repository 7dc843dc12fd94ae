"""Charts for leadership emails: matplotlib PNGs embedded inline (``cid:``), never attached.

Drawn for a phone: the templates show them at most ``DISPLAY_PX`` CSS pixels wide (less on a 390 px
screen) and the PNG has twice that many pixels (sharp on 2x screens), with text sized in points so that
it stays at least ~11 px tall on a phone.

Every text drawn into a chart (title, labels, series names) passes ``redact``: a picture is text that
leaves the service too, and categories come from the citizen's answers.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

from cakra.common.wording import angka

matplotlib.use("Agg")  # no display on a server; must be chosen before pyplot is imported

import matplotlib.pyplot as plt

from cakra.common.pii import redact, redact_value

DISPLAY_PX = 480  # the width the templates give a chart (CSS px)
_WIDTH_IN = 4.8  # figure width in inches: 100 px per inch at DISPLAY_PX
_DPI = 200  # 2x: a 960 px wide PNG
_TEXT, _TITLE, _SMALL = 11, 13, 10  # points


def bar_chart(
    title: str, labels: list[str], values: list[float], *, color: str = "#7f1d1d", unit: str = ""
) -> bytes:
    """A horizontal bar chart as PNG bytes (960 px wide: 2x of its 480 px display width)."""
    title, labels = redact(title), redact_value(labels)
    height = 1.3 + 0.45 * max(len(labels), 1)
    figure, axes = plt.subplots(figsize=(_WIDTH_IN, height), dpi=_DPI)
    try:
        if not labels:
            return _empty(figure, axes, title)
        positions = range(len(labels))
        axes.barh(list(positions), values, color=color)
        axes.set_yticks(list(positions), labels, fontsize=_TEXT)
        axes.tick_params(axis="x", labelsize=_SMALL)
        axes.invert_yaxis()
        axes.set_title(title, fontsize=_TITLE, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        for position, value in zip(positions, values, strict=True):
            axes.text(value, position, f" {angka(value)}{unit}", va="center", fontsize=_TEXT)
        value_axis(axes, unit)
        return _png(figure)
    finally:
        plt.close(figure)


def value_axis(axes: plt.Axes, unit: str) -> None:
    """A percentage's axis always runs 0-100 %: 8.3 % must look like a short bar, not a full one."""
    if unit == "%":
        axes.set_xlim(0, 100)


# Distinguishable colours for stacked series (the agency red first); repeats past ten series.
_PALETTE = (
    "#7f1d1d",
    "#c2410c",
    "#a16207",
    "#4d7c0f",
    "#0f766e",
    "#1d4ed8",
    "#6d28d9",
    "#be185d",
    "#57534e",
    "#0e7490",
)


def stacked_columns(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> bytes:
    """Vertical columns per label (e.g. weeks), stacked by series (e.g. categories), with a legend; PNG bytes."""
    title, labels, series = redact(title), redact_value(labels), redact_value(series)
    figure, axes = plt.subplots(figsize=(_WIDTH_IN, 4.2), dpi=_DPI)
    try:
        if not any(sum(values) for values in series.values()):
            return _empty(figure, axes, title)
        positions = list(range(len(labels)))
        bottom = [0] * len(labels)
        for index, (name, values) in enumerate(series.items()):
            axes.bar(
                positions, list(values), bottom=bottom, color=_PALETTE[index % len(_PALETTE)], label=name
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_xticks(positions, list(labels), fontsize=_SMALL, rotation=45)
        axes.tick_params(axis="y", labelsize=_SMALL)
        axes.set_title(title, fontsize=_TITLE, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        axes.yaxis.get_major_locator().set_params(integer=True)
        # Below the plot, not beside it: beside, it would take half of a phone's width.
        axes.legend(fontsize=_SMALL, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.16), ncol=2)
        return _png(figure)
    finally:
        plt.close(figure)


def _empty(figure: plt.Figure, axes: plt.Axes, title: str) -> bytes:
    """A chart with nothing to draw says so, rather than showing empty axes."""
    axes.set_title(title, fontsize=_TITLE, loc="left")
    axes.axis("off")
    axes.text(
        0.5,
        0.5,
        "Belum ada data untuk periode ini",
        ha="center",
        va="center",
        fontsize=_TEXT,
        color="#6b7280",
    )
    return _png(figure)


def _png(figure: plt.Figure) -> bytes:
    figure.tight_layout()  # makes room for tick labels and a legend below the axes; keeps the width
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def small_multiples(
    title: str, labels: Sequence[str], panels: Mapping[str, Sequence[float | None]], *, unit: str = ""
) -> bytes:
    """One small bar chart per panel (e.g. per desa: members present per month), two per row, on one
    shared scale so panels compare at a glance; a missing value (None) is a gap, not a zero. PNG bytes,
    960 px wide like the others: each panel is half a phone's width, its text at least ~11 px tall."""
    title, labels, panels = redact(title), redact_value(list(labels)), redact_value(dict(panels))
    rows = max(1, -(-len(panels) // 2))
    figure, grid = plt.subplots(
        rows, 2, figsize=(_WIDTH_IN, 0.6 + 1.55 * rows), dpi=_DPI, sharey=True, squeeze=False
    )
    try:
        top = max((v for values in panels.values() for v in values if v is not None), default=0)
        positions = list(range(len(labels)))
        for index, axes in enumerate(grid.flat):
            if index >= len(panels):
                axes.axis("off")
                continue
            name, values = list(panels.items())[index]
            shown = [0 if v is None else v for v in values]
            axes.bar(positions, shown, color=[_PALETTE[0] if v is not None else "#e5e7eb" for v in values])
            for position, value in zip(positions, values, strict=True):
                if value is not None:
                    axes.text(position, value, angka(value), ha="center", va="bottom", fontsize=_SMALL - 2)
            axes.set_title(name, fontsize=_SMALL, loc="left")
            axes.set_xticks(positions, list(labels), fontsize=_SMALL - 2)
            axes.tick_params(axis="y", labelsize=_SMALL - 2)
            axes.spines[["top", "right"]].set_visible(False)
            axes.set_ylim(0, max(top * 1.25, 1))
        figure.suptitle(f"{title}{unit}", fontsize=_TITLE, x=0.02, ha="left")
        return _png(figure)
    finally:
        plt.close(figure)
