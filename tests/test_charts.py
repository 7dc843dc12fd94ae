"""Leadership charts: a percentage's axis runs 0-100 %, so a bar's length is its share of 100 %."""

from __future__ import annotations

import io

from PIL import Image

from cakra.notify.charts import bar_chart

BAR = (0x7F, 0x1D, 0x1D)


def _bar_width(png: bytes) -> int:
    """The widest run of the bar colour on any row of the image, in pixels."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    return max(sum(1 for x in range(width) if pixels[x, y] == BAR) for y in range(height))


def test_a_percentage_bar_is_as_long_as_its_share_of_100_percent() -> None:
    full = _bar_width(bar_chart("SLA", ["2. Operator"], [100.0], unit="%"))
    small = _bar_width(bar_chart("SLA", ["2. Operator"], [8.3], unit="%"))
    assert full > 300
    assert abs(small / full - 0.083) < 0.01  # was a full bar: the axis ran 0-8.3


def test_other_units_still_scale_to_their_largest_value() -> None:
    hours = _bar_width(bar_chart("Median", ["2. Operator"], [2.5], unit=" jam"))
    assert hours > 300
