"""Charts for leadership emails: matplotlib PNGs embedded inline (``cid:``), never attached."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server; must be chosen before pyplot is imported

import matplotlib.pyplot as plt


def bar_chart(
    title: str, labels: list[str], values: list[float], *, color: str = "#7f1d1d", unit: str = ""
) -> bytes:
    """A horizontal bar chart as PNG bytes (small enough for email: ~600 px wide)."""
    height = 1.2 + 0.35 * max(len(labels), 1)
    figure, axes = plt.subplots(figsize=(6.4, height), dpi=100)
    try:
        positions = range(len(labels))
        axes.barh(list(positions), values, color=color)
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
        axes.set_title(title, fontsize=11, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        for position, value in zip(positions, values, strict=True):
            axes.text(value, position, f" {value:g}{unit}", va="center", fontsize=9)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
