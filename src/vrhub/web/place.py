"""The place page: serious violence by neighbourhood for one district in the viewer's scope (or
the whole partnership for those who may see it all): the map, every neighbourhood ranked, how
concentrated violence is and the hotspots, built by the needs assessment's own place section so
the page and the report always agree."""

from __future__ import annotations

from typing import Any

from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.governance.context import Governance
from vrhub.home import Home
from vrhub.outputs.period import Period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports.charts import Chart
from vrhub.reports.content import Note, Paragraph, Section, Subheading, Table
from vrhub.reports.render import section_blocks
from vrhub.reports.sections.place import lsoa_figures, place
from vrhub.reports.sections.place_wards import ward_figures
from vrhub.web.downloads import table

WARDS = ["Rank", "Ward", "Ward code", "District", "Records", "Rate per 1,000", "Lower 95%",
         "Upper 95%"]  # fmt: skip
RANKED = ["Rank", "Neighbourhood (LSOA)", "LSOA code", "District", "Records",
          "Rate per 1,000", "Lower 95%", "Upper 95%"]  # fmt: skip


def place_view(
    home: Home, con: Any, gov: Governance, audience: str, period: Period, district: str | None
) -> dict[str, Any]:
    """The place page's figures (also its JSON and downloads)."""
    data = Reads(home, con, gov, audience, period, district, Lineage())
    section = place(data)
    ranked: list[list[object]] = []
    try:
        f = lsoa_figures(data)
    except (AudienceForbiddenError, UnsupportedFieldError):
        f = None
    if f is not None and data.has_data("police-crime"):
        for i, code in enumerate(f.ranked(), 1):
            name, d, _, _ = f.lsoas[code]
            r = f.rates[code]
            ranked.append(
                [
                    i,
                    name,
                    code,
                    data.district_name(d),
                    f.shown[code].count,
                    _round(r.rate),
                    _round(r.lower),
                    _round(r.upper),
                ]
            )
    caption = f"Every neighbourhood of {data.area_name} by its rate of serious violence"
    hidden = 0 if f is None else len(f.lsoas) - len(ranked)
    if audience == "public":  # the public is told of no area smaller than a ward
        ranked, hidden = _wards(data)
        caption = f"Every ward of {data.area_name} by its rate of serious violence"
    return {
        "period": period.label,
        "audience": audience,
        "area": {"code": district or "all", "name": data.area_name},
        "blocks": _plain(section),
        "hidden": hidden,
        "tables": [
            table("wards", f"{caption}, {period.label}", WARDS, ranked)
            if audience == "public"
            else table("neighbourhoods", f"{caption}, {period.label}", RANKED, ranked)
        ],
        "_section": section,
    }


def _wards(data: Reads) -> tuple[list[list[object]], int]:
    """The ranked table by ward (code, name, published count, rate and interval)."""
    try:
        w = ward_figures(data)
    except (AudienceForbiddenError, UnsupportedFieldError):
        return [], 0
    if not data.has_data("police-crime"):
        return [], 0
    rows: list[list[object]] = []
    for i, code in enumerate(w.ranked(), 1):
        r = w.rates[code]
        ward = w.wards[code]
        rows.append([i, ward.name, code, data.district_name(ward.district), w.shown[code].count,
                     _round(r.rate), _round(r.lower), _round(r.upper)])  # fmt: skip
    return rows, len(w.wards) - len(rows)


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


def html_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The section's blocks as the page draws them (SVG drawings with their tables)."""
    blocks: list[dict[str, Any]] = section_blocks([view["_section"]])[0]["blocks"]
    return blocks


def _plain(section: Section) -> list[dict[str, Any]]:
    """The section as JSON: its text, tables and each chart's figures (never its boundaries)."""
    out: list[dict[str, Any]] = []
    for b in section.blocks:
        if isinstance(b, Paragraph):
            out.append({"kind": "paragraph", "text": b.text})
        elif isinstance(b, Subheading):
            out.append({"kind": "subheading", "text": b.text})
        elif isinstance(b, Note):
            out.append({"kind": "note", "text": b.text})
        elif isinstance(b, Table):
            out.append({"kind": "table", "caption": b.caption, "columns": b.columns,
                        "rows": b.rows})  # fmt: skip
        elif isinstance(b, Chart):
            columns, rows = b.table()
            out.append(
                {
                    "kind": "chart",
                    "title": b.title,
                    "alt": b.alt_text(),
                    "columns": columns,
                    "rows": rows,
                }
            )
    return out
