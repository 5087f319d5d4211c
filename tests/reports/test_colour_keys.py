"""Map and heat-grid colour keys are steps (one coloured box per class, each labelled), never
a gradient: WeasyPrint does not draw SVG gradients, so a gradient key vanishes from the PDF."""

from __future__ import annotations

import re

from vrhub.reports.charts import STEPS, SUPPRESSED_BAND, SUPPRESSED_COLOUR, Chart, _bands


def _legend(svg: str) -> str:
    start = svg.index('role-legend"')
    return svg[start : svg.index("role-axis", start) if "role-axis" in svg[start:] else None]


def _boxes(legend: str) -> list[str]:
    """The fill of each box drawn in the key (one per legend entry)."""
    symbols = re.findall(r'role-legend-symbol".*?</g>', legend, flags=re.S)
    return [f for block in symbols for f in re.findall(r'fill="([^"]+)"', block)]


def _labels(legend: str) -> list[str]:
    return re.findall(r'role-legend-label".*?>([^<]+)</text>', legend)


def _heatmap() -> Chart:
    days = ["Monday", "Tuesday", "Wednesday"]
    rows = [
        {"row": d, "x": f"{h:02d}", "y": None if (h, d) == (3, "Monday") else (h * 7 + i) % 40}
        for i, d in enumerate(days)
        for h in range(24)
    ]
    return Chart("grid", "heatmap", "Offences by hour", "Offences", rows, x_title="Hour")


def _map() -> Chart:
    rows = [
        {
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [i * 0.01, 53.7],
                        [i * 0.01 + 0.01, 53.7],
                        [i * 0.01 + 0.01, 53.71],
                        [i * 0.01, 53.7],
                    ]
                ],
            },
            "name": f"Area {i}",
            "y": float(i),
        }
        for i in range(10)
    ]
    return Chart("m", "map", "Rate by area", "Rate per 1,000", rows, y_format=".1f")


def test_fifths_labelled_with_their_lowest_and_highest_figures() -> None:
    chart = _map()
    assert _bands([float(i) for i in range(10)], chart.key_fmt) == [
        "0.0 to 1.0", "0.0 to 1.0", "2.0 to 3.0", "2.0 to 3.0", "4.0 to 5.0",
        "4.0 to 5.0", "6.0 to 7.0", "6.0 to 7.0", "8.0 to 9.0", "8.0 to 9.0",
    ]  # fmt: skip
    assert _bands([5, 5, 5, None], _heatmap().key_fmt) == ["5", "5", "5", SUPPRESSED_BAND]
    assert _bands([None], _heatmap().key_fmt) == [SUPPRESSED_BAND]


def test_the_heat_grid_key_is_steps_with_a_box_for_each() -> None:
    chart = _heatmap()
    svg = chart.svg()
    assert "linearGradient" not in svg and "Gradient" not in svg
    legend = _legend(svg)
    labels = sorted(set(chart.bands()), key=chart._band_order)
    assert len(labels) == 6 and labels[-1] == SUPPRESSED_BAND  # five steps and the hidden
    assert _labels(legend) == labels
    boxes = _boxes(legend)
    assert len(boxes) == len(labels)
    assert boxes[-1] == SUPPRESSED_COLOUR
    assert len(set(boxes)) == len(boxes)
    assert set(boxes[:-1]) == set(STEPS)


def test_the_map_key_is_steps_with_a_box_for_each() -> None:
    chart = _map()
    svg = chart.svg()
    assert "linearGradient" not in svg
    legend = _legend(svg)
    assert _labels(legend) == [
        "0.0 to 1.0", "2.0 to 3.0", "4.0 to 5.0", "6.0 to 7.0", "8.0 to 9.0",
    ]  # fmt: skip
    assert _boxes(legend) == list(STEPS)
