"""Charts for leadership emails: matplotlib PNGs embedded inline (``cid:``), never attached.

Every text drawn into a chart (title, labels, series names) passes ``redact``: a picture is text that
leaves the service too, and categories come from the citizen's answers."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server; must be chosen before pyplot is imported

import matplotlib.pyplot as plt

from cakra.common.pii import redact, redact_value


def bar_chart(
    title: str, labels: list[str], values: list[float], *, color: str = "#7f1d1d", unit: str = ""
) -> bytes:
    """A horizontal bar chart as PNG bytes (small enough for email: ~600 px wide)."""
    title, labels = redact(title), redact_value(labels)
    height = 1.2 + 0.35 * max(len(labels), 1)
    figure, axes = plt.subplots(figsize=(6.4, height), dpi=100)
    try:
        if not labels:
            return _empty(figure, axes, title)
        positions = range(len(labels))
        axes.barh(list(positions), values, color=color)
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
        axes.set_title(title, fontsize=11, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        for position, value in zip(positions, values, strict=True):
            axes.text(value, position, f" {value:g}{unit}", va="center", fontsize=9)
        return _png(figure)
    finally:
        plt.close(figure)


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
    figure, axes = plt.subplots(figsize=(6.4, 3.6), dpi=100)
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
        axes.set_xticks(positions, list(labels), fontsize=8)
        axes.set_title(title, fontsize=11, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        return _png(figure)
    finally:
        plt.close(figure)


def _empty(figure: plt.Figure, axes: plt.Axes, title: str) -> bytes:
    """A chart with nothing to draw says so, rather than showing empty axes."""
    axes.set_title(title, fontsize=11, loc="left")
    axes.axis("off")
    axes.text(
        0.5, 0.5, "Belum ada data untuk periode ini", ha="center", va="center", fontsize=10, color="#6b7280"
    )
    return _png(figure)


def _png(figure: plt.Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
