"""The pieces of a report on their own: protected figures, hotspots, charts and periods."""

from __future__ import annotations

import doctest
import itertools
import math

import numpy as np
import pytest
import shapely.geometry
from scipy.stats import norm

from vrhub.disclosure.engine import DisclosureRule
from vrhub.errors import DisclosureError
from vrhub.outputs import period, protect
from vrhub.outputs.period import ReportInputError, parse_period
from vrhub.outputs.protect import protect_each, protect_grid, protect_parts, shown_rate
from vrhub.reports import charts, hotspots
from vrhub.reports.charts import Chart
from vrhub.reports.hotspots import getis_ord
from vrhub.tally import Tally


def test_docstring_examples_run() -> None:
    for module in (charts, hotspots, period, protect):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_protected_parts_hide_small_counts_and_publish_the_total_from_its_records() -> None:
    # Keys chosen by hand: slot 100 moves by 0, slot 0 by -4, slot 199 by +4.
    a, b, c = Tally(3, 100), Tally(12, 100), Tally(40, 0)
    shown = protect_parts({"a": a, "b": b, "c": c}, DisclosureRule())
    assert shown["a"].count is None and shown["a"].state == "suppressed: small count"
    assert shown["b"].count == 10  # 12 + 0, rounded
    assert shown["c"].count == 35  # 40 - 4 = 36, rounded
    # The total's key is the parts' (200, slot 0: -4): 55 - 4 = 51, rounded to 50. It is
    # the same figure however the same records are gathered.
    assert shown["Total"].count == 50
    assert protect_each({"t": a + b + c}, DisclosureRule())["t"].count == 50
    exact = protect_parts({"a": 3, "b": 12}, None)
    assert (exact["a"].count, exact["Total"].count) == (3, 15)
    alone = protect_each({"x": Tally(9, 100), "y": 0, "z": Tally(7, 5)}, DisclosureRule())
    # Zeros are hidden too, so a breakdown never shows which groups are empty.
    assert (alone["x"].count, alone["y"].count, alone["z"].count) == (10, None, None)
    stricter = protect_each({"x": Tally(9, 100)}, DisclosureRule(suppress_max=9))
    assert stricter["x"].count is None


def test_a_count_without_its_cell_key_is_refused_outside_the_analyst_tier() -> None:
    with pytest.raises(DisclosureError, match="cell key"):
        protect_parts({"a": 3, "b": 12}, DisclosureRule())
    assert protect_parts({"a": 3}, None)["a"].count == 3


def test_grid_totals_are_published_from_their_own_records() -> None:
    counts = {
        ("Mon", "00"): Tally(2, 1),
        ("Mon", "01"): Tally(30, 2),
        ("Tue", "00"): Tally(25, 3),
        ("Tue", "01"): Tally(40, 4),
    }
    g = protect_grid(["Mon", "Tue"], ["00", "01"], counts, DisclosureRule())
    assert g[("Mon", "00")].count is None
    # Each margin is published like the single count of the same records.
    assert g[("Mon", "Total")] == protect_each({"m": Tally(32, 3)}, DisclosureRule())["m"]
    assert g[("Total", "Total")] == protect_each({"t": Tally(97, 10)}, DisclosureRule())["t"]


def test_rates_come_from_the_published_count() -> None:
    shown = protect_each({"n": Tally(123, 100)}, DisclosureRule())["n"]
    assert shown.count == 125
    r = shown_rate(shown, 50_000, 1000)
    assert r.rate == pytest.approx(2.5)
    assert (
        shown_rate(protect_each({"n": Tally(4, 1)}, DisclosureRule())["n"], 50_000, 1000).rate
        is None
    )


def _squares(n: int) -> dict[str, dict[str, object]]:
    return {
        f"A{i}{j}": {
            "type": "Polygon",
            "coordinates": [[[i, j], [i, j + 1], [i + 1, j + 1], [i + 1, j], [i, j]]],
        }
        for i in range(n)
        for j in range(n)
    }


def test_gi_star_matches_an_independent_computation() -> None:
    """Gi* from its formula (Ord and Getis 1995, binary weights including the area itself)."""
    geoms = _squares(4)
    rng = np.random.default_rng(7)
    codes = sorted(geoms)
    values = {c: float(v) for c, v in zip(codes, rng.poisson(5, len(codes)), strict=True)}
    got = {g.code: g for g in getis_ord(geoms, values)}
    x = np.array([values[c] for c in codes])
    n, mean = len(x), x.mean()
    s = math.sqrt((x**2).mean() - mean**2)
    for k, c in enumerate(codes):
        i, j = int(c[1]), int(c[2])
        near = [
            f"A{a}{b}"
            for a in range(i - 1, i + 2)
            for b in range(j - 1, j + 2)
            if 0 <= a < 4 and 0 <= b < 4
        ]
        w = len(near)
        total = sum(values[m] for m in near)
        z = (total - mean * w) / (s * math.sqrt((n * w - w * w) / (n - 1)))
        assert got[c].z == pytest.approx(z, rel=1e-9), c
        assert got[c].p == pytest.approx(2 * norm.sf(abs(z)), rel=1e-9)
        assert k >= 0


def test_gi_star_finds_a_planted_cluster_and_nothing_in_noise() -> None:
    geoms = _squares(8)
    # Noise from a seeded generator (str hashes change from run to run).
    rng = np.random.default_rng(3)
    flat = {c: 10.0 + float(rng.integers(0, 3)) for c in geoms}
    assert [h.code for h in getis_ord(geoms, flat) if h.hotspot] == []
    planted = dict(flat) | {c: 60.0 for c in ("A33", "A34", "A43", "A44")}
    hot = {h.code for h in getis_ord(geoms, planted) if h.hotspot}
    assert {"A33", "A34", "A43", "A44"} <= hot
    assert all(c[1] in "2345" and c[2] in "2345" for c in hot)
    assert getis_ord({"A00": geoms["A00"]}, {"A00": 1.0}) == []


def test_chart_alternatives_and_tables_come_from_the_data() -> None:
    bar = Chart(
        "b", "bar", "By category", "Records",
        [{"x": "Knife crime", "y": 120}, {"x": "Homicide", "y": None}, {"x": "Robbery", "y": 45}],
        x_title="Category",
    )  # fmt: skip
    alt = bar.alt_text()
    assert "Highest: Knife crime 120; Robbery 45" in alt
    assert "1 figure is suppressed" in alt
    columns, rows = bar.table()
    assert columns == ["Category", "Records"]
    assert rows[1] == ["Homicide", "[c]"]
    heat = Chart(
        "h", "heatmap", "Hours", "Records",
        [{"row": "Friday", "x": "22:00", "y": 30}, {"row": "Monday", "x": "09:00", "y": 5}],
        x_title="Hour",
    )  # fmt: skip
    assert "Busiest: Friday 22:00 (30)" in heat.alt_text()
    spec = heat.spec()
    assert spec["mark"]["type"] == "rect" and spec["config"]["aria"] is False
    assert "<svg" in heat.svg()
    empty = Chart("e", "line", "Nothing", "Records", [{"x": "2026-01", "y": None}])
    assert empty.alt_text().startswith("Nothing: no figure can be shown")


def test_map_polygons_are_turned_clockwise_for_the_projection() -> None:
    anticlockwise = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    ring = charts._clockwise(shapely.geometry.shape(anticlockwise))["coordinates"][0]
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert area < 0  # clockwise


def test_map_leaves_out_detail_smaller_than_a_pixel() -> None:
    # A wiggly square 0.26 degrees across: the map is 520 pixels wide, so a pixel is 0.0005
    # degrees and the boundary may move by a fifth of that (0.0001) and no more.
    n = 400
    wiggle = [(i / n * 0.26, 0.00002 * (-1) ** i) for i in range(n)]
    ring = [*wiggle, (0.26, 0.0), (0.26, 0.26), (0.0, 0.26), (0.0, 0.0)]
    square = {"type": "Polygon", "coordinates": [ring]}
    chart = Chart("m", "map", "Map", "Rate", [{"geometry": square, "name": "A", "y": 1.0}])
    drawn = chart._map()["data"]["values"][0]["geometry"]
    kept = shapely.geometry.shape(drawn)
    assert len(drawn["coordinates"][0]) < 10  # the wiggle is gone
    assert kept.hausdorff_distance(shapely.geometry.shape(square)) <= 0.26 / 2600 + 1e-9
    assert abs(kept.area - 0.26**2) < 1e-4


def test_a_map_says_what_its_areas_are() -> None:
    square = {"type": "Polygon", "coordinates": [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]]}
    rows = [{"geometry": square, "name": "A", "y": 1.0}]
    by_ward = Chart("w", "map", "Map", "Rate", rows, x_title="Ward").alt_text()
    by_lsoa = Chart("l", "map", "Map", "Rate", rows).alt_text()
    assert "across 1 wards" in by_ward and "LSOA" not in by_ward
    assert "across 1 neighbourhoods (LSOAs)" in by_lsoa


def test_periods() -> None:
    p = parse_period("year ending 2026-03")
    assert p.current == ("2025-04", "2026-03") and p.previous == ("2024-04", "2025-03")
    assert p.label == "year ending March 2026"
    assert p.history == ("2021-04", "2026-03")
    for bad in ("2026-03", "year ending 2026-00", "year to 2026-03"):
        with pytest.raises(ReportInputError, match="year ending YYYY-MM"):
            parse_period(bad)
