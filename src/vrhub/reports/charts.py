"""One chart definition for the interactive HTML and the static PDF.

A :class:`Chart` holds the published figures it draws and says what kind of chart it is. From
that one definition come a Vega-Lite specification (drawn interactively in the HTML by Vega-Embed
and statically, as SVG, by vl-convert for the PDF and for readers without JavaScript), a text
alternative written from the data, and the same figures as a table.

Example (runnable)::

    >>> c = Chart("sv-trend", "line", "Serious violence by month", "Offences",
    ...           [{"x": "2026-01", "y": 40}, {"x": "2026-02", "y": 55}], x_title="Month")
    >>> print(c.alt_text())  # doctest: +NORMALIZE_WHITESPACE
    Line chart of offences by month, January 2026 to February 2026. Lowest 40 in January 2026;
    highest 55 in February 2026; latest 55 in February 2026.
    >>> [layer["mark"]["type"] for layer in c.spec()["layer"]]
    ['line']
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely.geometry
import vl_convert as vlc
from shapely.geometry import MultiPolygon
from shapely.geometry.polygon import orient

from vrhub.outputs.period import month_name

FONT = "DejaVu Sans"
#: Colours that stay distinct for the common forms of colour blindness (Okabe and Ito).
BLUE, ORANGE, GREEN, GREY = "#0072B2", "#D55E00", "#009E73", "#555555"
WIDTH = 520
HEIGHT = 220
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


@dataclass(frozen=True)
class Chart:
    """A chart of published figures.

    ``rows`` are dicts with ``x`` and ``y`` (``y`` None where a figure is suppressed), and
    optionally ``lower``/``upper`` (an interval), ``mean``/``lcl``/``ucl`` (SPC limits) and
    ``signal`` (a point's SPC signal). A heatmap's rows also have ``row``; a map's rows
    carry ``geometry`` and ``name``.
    """

    id: str
    kind: str  # line | bar | heatmap | map
    title: str
    y_title: str
    rows: list[dict[str, Any]]
    x_title: str = ""
    y_format: str = ",d"
    tick_step: int = 1
    notes: list[str] = field(default_factory=list)

    # -- the one definition -----------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        """The Vega-Lite specification (data inline, fonts and colours fixed)."""
        build = {
            "line": self._line,
            "bar": self._bar,
            "heatmap": self._heatmap,
            "map": self._map,
        }[self.kind]
        spec: dict[str, Any] = {
            "$schema": SCHEMA,
            "description": self.alt_text(),
            "width": WIDTH,
            "height": HEIGHT,
            "config": {
                # The text alternative and the table describe the chart; Vega's own ARIA
                # labels (one per mark) would only repeat them, less clearly.
                "aria": False,
                "font": FONT,
                "view": {"stroke": None},
                "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelColor": "#222222"},
                "legend": {"labelFontSize": 11, "titleFontSize": 12},
            },
        }
        spec.update(build())
        return spec

    def _values(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "geometry"} for r in self.rows]

    def _y(self) -> dict[str, Any]:
        return {
            "field": "y",
            "type": "quantitative",
            "title": self.y_title,
            "axis": {"format": self.y_format, "tickMinStep": self.tick_step},
        }

    def _line(self) -> dict[str, Any]:
        x: dict[str, Any] = {"field": "x", "type": "ordinal", "title": self.x_title or "Month"}
        x["axis"] = {"labelAngle": -45, "labelOverlap": "greedy"}
        layers: list[dict[str, Any]] = []
        if any("lower" in r for r in self.rows):
            layers.append(
                {
                    "mark": {"type": "area", "opacity": 0.2, "color": BLUE},
                    "encoding": {
                        "x": x,
                        "y": {"field": "lower", "type": "quantitative"},
                        "y2": {"field": "upper"},
                    },
                }
            )
        for key, dash in (("mean", []), ("ucl", [4, 4]), ("lcl", [4, 4])):
            if any(key in r for r in self.rows):
                layers.append(
                    {
                        "mark": {"type": "line", "color": GREY, "strokeDash": dash},
                        "encoding": {"x": x, "y": {"field": key, "type": "quantitative"}},
                    }
                )
        tooltip = [
            {"field": "x", "title": self.x_title or "Month"},
            {"field": "y", "title": self.y_title, "format": self.y_format},
        ]
        layers.append(
            {
                "mark": {"type": "line", "color": BLUE, "point": {"color": BLUE}},
                "encoding": {"x": x, "y": self._y(), "tooltip": tooltip},
            }
        )
        if any(r.get("signal") for r in self.rows):
            layers.append(
                {
                    "transform": [{"filter": "datum.signal"}],
                    "mark": {"type": "point", "filled": True, "size": 80, "color": ORANGE},
                    "encoding": {
                        "x": x,
                        "y": {"field": "y", "type": "quantitative"},
                        "tooltip": [*tooltip, {"field": "signal", "title": "Signal"}],
                    },
                }
            )
        return {"data": {"values": self._values()}, "layer": layers}

    def _bar(self) -> dict[str, Any]:
        order = [r["x"] for r in self.rows]
        y_axis = {"field": "x", "type": "nominal", "title": self.x_title, "sort": order}
        tooltip = [
            {"field": "x", "title": self.x_title or "Group"},
            {"field": "y", "title": self.y_title, "format": self.y_format},
        ]
        layers: list[dict[str, Any]] = [
            {
                "mark": {"type": "bar", "color": BLUE},
                "encoding": {"y": y_axis, "x": self._y(), "tooltip": tooltip},
            }
        ]
        if any("lower" in r for r in self.rows):
            layers.append(
                {
                    "mark": {"type": "rule", "color": "#000000"},
                    "encoding": {
                        "y": y_axis,
                        "x": {"field": "lower", "type": "quantitative"},
                        "x2": {"field": "upper"},
                    },
                }
            )
        height = max(60, 22 * len(self.rows))
        return {"data": {"values": self._values()}, "height": height, "layer": layers}

    def _heatmap(self) -> dict[str, Any]:
        rows_order = list(dict.fromkeys(r["row"] for r in self.rows))
        cols_order = list(dict.fromkeys(r["x"] for r in self.rows))
        bands = self.bands()
        values = [v | {"band": bands[i]} for i, v in enumerate(self._values())]
        return {
            "data": {"values": values},
            "height": 24 * len(rows_order),
            "mark": {"type": "rect"},
            "encoding": {
                "x": {"field": "x", "type": "ordinal", "title": self.x_title, "sort": cols_order},
                "y": {"field": "row", "type": "ordinal", "title": None, "sort": rows_order},
                "color": self._key("band"),
                "tooltip": [
                    {"field": "row", "title": "Day"},
                    {"field": "x", "title": self.x_title},
                    {"field": "y", "title": self.y_title, "format": self.y_format},
                ],
            },
        }

    def _map(self) -> dict[str, Any]:
        shapes = [shapely.geometry.shape(r["geometry"]) for r in self.rows]
        tolerance = _unseen(shapes)
        bands = self.bands()
        features = [
            {
                "type": "Feature",
                "geometry": _clockwise(shape.simplify(tolerance, preserve_topology=True)),
                "properties": {k: v for k, v in r.items() if k != "geometry"} | {"band": band},
            }
            for r, shape, band in zip(self.rows, shapes, bands, strict=True)
        ]
        return {
            "height": 420,
            "data": {"values": features},
            "projection": {"type": "mercator"},
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4},
            "encoding": {
                "color": self._key("properties.band"),
                "tooltip": [
                    {"field": "properties.name", "title": "Neighbourhood (LSOA)"},
                    {"field": "properties.y", "title": self.y_title, "format": self.y_format},
                ],
            },
        }

    # -- the colour key: steps, never a gradient -------------------------------------------
    def bands(self) -> list[str]:
        """Each row's class for the colour key: the shown figures in up to five steps of about
        equal size (fifths), each labelled with the lowest and highest figure in it; a
        suppressed figure is its own class. (A PDF cannot show a gradient key: WeasyPrint does
        not draw SVG gradients, so a stepped key is what both the page and the PDF get.)"""
        return _bands([r.get("y") for r in self.rows], self.key_fmt)

    def key_fmt(self, value: float) -> str:
        """A figure as the colour key labels it (in the chart's own format)."""
        return f"{round(value):,}" if self.y_format == ",d" else format(value, self.y_format)

    def _key(self, field: str) -> dict[str, Any]:
        labels = sorted(set(self.bands()), key=self._band_order)
        steps = [b for b in labels if b != SUPPRESSED_BAND]
        spread = [STEPS[round(i * (len(STEPS) - 1) / max(1, len(steps) - 1))] for i in
                  range(len(steps))]  # fmt: skip
        colours = spread + ([SUPPRESSED_COLOUR] if SUPPRESSED_BAND in labels else [])
        legend = {"symbolType": "square", "symbolSize": 160, "symbolStrokeWidth": 0}
        return {
            "field": field,
            "type": "ordinal",
            "title": self.y_title,
            "scale": {"domain": labels, "range": colours},
            "legend": legend | {"symbolOpacity": 1},
        }

    def _band_order(self, label: str) -> tuple[int, float]:
        if label == SUPPRESSED_BAND:
            return (1, 0.0)
        ys = [r["y"] for r, b in zip(self.rows, self.bands(), strict=True) if b == label]
        return (0, float(min(ys)))

    # -- what a reader without the picture gets -------------------------------------------
    def alt_text(self) -> str:
        """A text alternative written from the data."""
        shown = [r for r in self.rows if r.get("y") is not None]
        what = self.y_title[0].lower() + self.y_title[1:]
        hidden = len(self.rows) - len(shown)
        tail = (
            f" {hidden} figure{' is' if hidden == 1 else 's are'} suppressed to protect privacy."
            if hidden
            else ""
        )
        if not shown:
            return f"{self.title}: no figure can be shown.{tail}"
        fmt = self.fmt
        if self.kind == "line":
            lo = min(shown, key=lambda r: r["y"])
            hi = max(shown, key=lambda r: r["y"])
            last = shown[-1]
            signals = [r for r in shown if r.get("signal")]
            text = (
                f"Line chart of {what} by month, {_label(self.rows[0]['x'])} to "
                f"{_label(self.rows[-1]['x'])}. Lowest {fmt(lo['y'])} in {_label(lo['x'])}; "
                f"highest {fmt(hi['y'])} in {_label(hi['x'])}; latest {fmt(last['y'])} in "
                f"{_label(last['x'])}."
            )
            if signals:
                text += f" Special-cause signals at {len(signals)} points, marked in orange."
            return text + tail
        ranked = sorted(shown, key=lambda r: -r["y"])
        if self.kind == "bar":
            top = "; ".join(f"{r['x']} {fmt(r['y'])}" for r in ranked[:3])
            return (
                f"Bar chart of {what} by {self.x_title.lower() or 'group'}. Highest: {top}. "
                f"Lowest: {ranked[-1]['x']} {fmt(ranked[-1]['y'])}.{tail}"
            )
        if self.kind == "heatmap":
            top = "; ".join(f"{r['row']} {r['x']} ({fmt(r['y'])})" for r in ranked[:3])
            return f"Grid of {what} by day of the week and hour. Busiest: {top}.{tail}"
        top = "; ".join(f"{r['name']} ({fmt(r['y'])})" for r in ranked[:3])
        return f"Map of {what} across {len(self.rows)} {self._areas()}. Highest: {top}.{tail}"

    def _areas(self) -> str:
        """What a map's areas are, in the plural: wards when the map says so."""
        return "wards" if self.x_title.lower() == "ward" else "neighbourhoods (LSOAs)"

    def fmt(self, value: float) -> str:
        if self.y_format == ",d":
            return f"{round(value):,}"
        return f"{value:,.2f}"

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The figures as a table (the HTML shows it beside the chart; it is the fallback)."""
        extra = [
            k
            for k in ("lower", "upper", "mean", "lcl", "ucl", "signal")
            if any(k in r for r in self.rows)
        ]
        heads = {"lower": "lower 95%", "upper": "upper 95%", "mean": "mean"}
        heads |= {"lcl": "lower limit", "ucl": "upper limit", "signal": "signal"}
        first = (
            [self.x_title or "Neighbourhood (LSOA)"]
            if self.kind == "map"
            else (["Day", self.x_title] if self.kind == "heatmap" else [self.x_title or "Month"])
        )
        columns = [*first, self.y_title, *(heads[k] for k in extra)]
        body = []
        for r in (
            sorted(self.rows, key=lambda r: -(r.get("y") or 0)) if self.kind == "map" else self.rows
        ):
            label = (
                [r["name"]]
                if self.kind == "map"
                else ([r["row"], r["x"]] if self.kind == "heatmap" else [_label(r["x"])])
            )
            cells = ["[c]" if r.get("y") is None else self.fmt(r["y"])]
            for k in extra:
                v = r.get(k)
                cells.append("" if v is None else (str(v) if k == "signal" else f"{v:,.2f}"))
            body.append([*label, *cells])
        return columns, body

    def svg(self) -> str:
        """The static drawing (for the PDF, and for the HTML without JavaScript)."""
        return _svg(json.dumps(self.spec(), sort_keys=True))


#: The colour key's steps, lightest first (ColorBrewer Blues, five classes).
STEPS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
SUPPRESSED_BAND = "not shown (too few)"
SUPPRESSED_COLOUR = "#d9d9d9"


def _bands(values: Sequence[float | None], fmt: Any) -> list[str]:
    """Class labels for values: fifths of the shown ones (fewer where few differ)."""
    shown = sorted(float(v) for v in values if v is not None)
    if not shown:
        return [SUPPRESSED_BAND] * len(values)
    cuts = sorted(set(float(q) for q in np.quantile(shown, [0.2, 0.4, 0.6, 0.8])))
    steps: dict[int, list[float]] = {}
    for v in shown:
        steps.setdefault(int(np.searchsorted(cuts, v, side="left")), []).append(v)
    label = {
        i: fmt(vs[0]) if fmt(vs[0]) == fmt(vs[-1]) else f"{fmt(vs[0])} to {fmt(vs[-1])}"
        for i, vs in steps.items()
    }
    return [
        SUPPRESSED_BAND if v is None else label[int(np.searchsorted(cuts, float(v), side="left"))]
        for v in values
    ]


@functools.lru_cache(maxsize=512)
def _svg(spec_json: str) -> str:
    svg: str = vlc.vegalite_to_svg(json.loads(spec_json))
    return _PATH.sub(lambda m: _DECIMAL.sub(_tenth, m.group()), svg)


# A shape's outline to a tenth of a pixel (the renderer writes thousandths, a third of a map's
# size for nothing anyone can see); only the outlines, never the labels.
_PATH = re.compile(r' d="[^"]*"')
_DECIMAL = re.compile(r"-?\d+\.\d+")


def _tenth(m: re.Match[str]) -> str:
    return f"{float(m.group()):.1f}"


def _unseen(shapes: list[Any]) -> float:
    """How far (in degrees) a boundary may move without the drawing changing: a fifth of a
    pixel of the 520-pixel-wide map, so detail no one can see is not drawn (or sent)."""
    if not shapes:
        return 0.0
    x0, y0, x1, y1 = shapely.total_bounds(shapes)
    return float(max(x1 - x0, y1 - y0)) / 2600


def _clockwise(shape: Any) -> dict[str, Any]:
    """The polygon with clockwise outer rings, as the map projection (d3-geo) expects; rings the
    other way round would be drawn as the whole globe less the area."""
    polygons = list(shape.geoms) if isinstance(shape, MultiPolygon) else [shape]
    turned = [orient(p, sign=-1.0) for p in polygons]
    out = turned[0] if len(turned) == 1 else MultiPolygon(turned)
    mapped: dict[str, Any] = json.loads(
        json.dumps(shapely.geometry.mapping(out)), parse_float=lambda v: round(float(v), 5)
    )
    return mapped


def _label(x: object) -> str:
    text = str(x)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit():
        return month_name(text)
    return text


def spec_json(chart: Chart) -> str:
    """The specification as compact, stable JSON for the page."""
    return json.dumps(chart.spec(), sort_keys=True, separators=(",", ":"))


def table_numeric(columns: Sequence[str]) -> list[bool]:
    return [i > 0 for i in range(len(columns))]
