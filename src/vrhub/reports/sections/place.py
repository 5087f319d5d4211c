"""Where violence happens: LSOA rates on a map, the most affected neighbourhoods, how
concentrated violence is, and hotspots by Getis-Ord Gi*."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from vrhub.disclosure.engine import DisclosureRule
from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.outputs.protect import Shown, ShownRate, protect_parts, shown_rate
from vrhub.outputs.reads import Reads
from vrhub.reference.boundaries import geometries
from vrhub.reports.charts import Chart
from vrhub.reports.content import Finding, Note, Paragraph, Section, Subheading, Table
from vrhub.reports.hotspots import getis_ord
from vrhub.reports.registry import section
from vrhub.reports.sections.common import lacks, withheld

POLICE = "police-crime"
TOP = 10


@section("place", "Where violence happens", 60)
def place(data: Reads) -> Section:
    """Serious violence per 1,000 residents by neighbourhood (LSOA 2011), mapped where boundary
    polygons are loaded; the ten highest rates; the share in the busiest 5% of neighbourhoods;
    and hotspots by Getis-Ord Gi* with a false-discovery-rate correction."""
    s = Section("place", "Where violence happens")
    if lacks(s, data, POLICE):
        return s
    try:
        _place(s, data)
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
    return s


def _lsoas(data: Reads) -> dict[str, tuple[str, str, str | None, float]]:
    """Every 2011 LSOA of the area: code -> (name, district, 2021 code, population)."""
    rows = data.con.execute(
        "SELECT l.code, l.name, l.district, l.lsoa21, p.total FROM ref_lsoa l "
        "JOIN ref_population p ON p.lsoa11 = l.code "
        "WHERE l.code = l.lsoa11 AND list_contains(?, l.district) ORDER BY l.code",
        [data.area],
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3], float(r[4])) for r in rows}


@dataclass(frozen=True)
class LsoaFigures:
    """Serious violence in each neighbourhood of the area, as the audience may see it."""

    lsoas: dict[str, tuple[str, str, str | None, float]]  # code -> name, district, 2021, pop
    counts: dict[str, int]
    shown: dict[str, Shown]
    rates: dict[str, ShownRate]
    rule: DisclosureRule | None

    def ranked(self) -> list[str]:
        """Neighbourhoods with a rate that can be shown, highest first."""
        return sorted(
            (c for c in self.lsoas if self.rates[c].rate is not None),
            key=lambda c: -(self.rates[c].rate or 0),
        )


def lsoa_figures(data: Reads) -> LsoaFigures:
    """Counts and rates per 1,000 residents by LSOA 2011 (published counts outside the analyst
    tier; every neighbourhood of the area, with none recorded shown as 0)."""
    return data.once("lsoa-figures", lambda: _lsoa_figures(data))


def _lsoa_figures(data: Reads) -> LsoaFigures:
    result, rule = data.measure("serious-violence", POLICE, ["lsoa"])
    lsoas = _lsoas(data)
    counts = {code: 0 for code in lsoas}
    for r in result.rows:
        if r.group[0] in counts:
            counts[r.group[0]] = r.count
    shown = protect_parts(counts, rule)
    rates = {c: shown_rate(shown[c], lsoas[c][3], 1000) for c in lsoas}
    return LsoaFigures(lsoas, counts, shown, rates, rule)


def _place(s: Section, data: Reads) -> None:
    f = lsoa_figures(data)
    lsoas, counts, shown, rates, rule = f.lsoas, f.counts, f.shown, f.rates, f.rule
    s.add(
        Paragraph(
            f"Serious violence per 1,000 residents in each of the {len(lsoas):,} neighbourhoods "
            f"(lower layer super output areas, LSOA 2011) of {data.area_name}, in the "
            f"{data.period.label}. Rates use the mid-2015 resident population; a neighbourhood "
            "with a town centre or night-time economy has many visitors, so its rate per "
            "resident is high."
        )
    )
    polygons = geometries(data.con, [*lsoas, *(v[2] for v in lsoas.values() if v[2])])
    _map(s, data, lsoas, polygons, {c: r.rate for c, r in rates.items()})
    ranked = f.ranked()
    s.add(Subheading("The most affected neighbourhoods"))
    s.add(
        Table(
            f"The {TOP} neighbourhoods with the highest rates of serious violence, "
            f"{data.period.label}",
            ["Neighbourhood (LSOA)", "District", "Records", "Rate per 1,000", "95% interval"],
            [
                [
                    lsoas[c][0],
                    data.district_name(lsoas[c][1]),
                    shown[c].text(),
                    f"{rates[c].rate:.1f}",
                    f"{rates[c].lower:.1f} to {rates[c].upper:.1f}",
                ]
                for c in ranked[:TOP]
            ],
            [False, False, True, True, False],
        )
    )
    _concentration(s, data, lsoas, counts, rule)
    _hotspots(s, data, lsoas, polygons, {c: (rates[c].rate or 0.0) for c in lsoas})


def _map(
    s: Section,
    data: Reads,
    lsoas: dict[str, tuple[str, str, str | None, float]],
    polygons: dict[str, dict[str, Any]],
    rates: dict[str, float | None],
) -> None:
    rows = []
    for code, (name, _, lsoa21, _) in lsoas.items():
        geometry = polygons.get(code) or (polygons.get(lsoa21) if lsoa21 else None)
        if geometry is not None:
            rate = rates[code]
            rows.append(
                {"geometry": geometry, "name": name, "y": None if rate is None else round(rate, 2)}
            )
    missing = len(lsoas) - len(rows)
    if not rows:
        s.add(
            Note(
                f"No neighbourhood boundaries are loaded for {data.area_name}, so the map is not "
                "drawn; the rates are in the table below. Load LSOA boundary GeoJSON with "
                "`vrhub reference boundaries` to add it."
            )
        )
    else:
        s.add(
            Chart(
                "place-map",
                "map",
                f"Serious violence per 1,000 residents by neighbourhood, {data.period.label}",
                "Rate per 1,000",
                rows,
                y_format=".1f",
            )
        )
        if missing:
            s.add(
                Note(
                    f"{missing:,} of the {len(lsoas):,} neighbourhoods have no boundary loaded "
                    "(districts without boundary files, or LSOAs whose boundary changed in "
                    "2021), so they are not on the map."
                )
            )


def _concentration(
    s: Section,
    data: Reads,
    lsoas: dict[str, tuple[str, str, str | None, float]],
    counts: dict[str, int],
    rule: DisclosureRule | None,
) -> None:
    n_top = max(1, math.ceil(0.05 * len(lsoas)))
    top = sorted(lsoas, key=lambda c: -counts[c])[:n_top]
    in_top = sum(counts[c] for c in top)
    parts = protect_parts({"top": in_top, "rest": sum(counts.values()) - in_top}, rule)
    a, b = parts["top"].count, parts["Total"].count
    s.add(Subheading("How concentrated violence is"))
    if a is None or not b:
        s.add(Paragraph("Too few records to show how concentrated violence is."))
        return
    share = 100 * a / b
    text = (
        f"The busiest 5% of neighbourhoods ({n_top:,} of {len(lsoas):,} LSOAs) had "
        f"{share:.1f}% of serious violence in the {data.period.label}."
    )
    s.add(Paragraph(text))
    if share >= 15:
        s.findings.append(
            Finding(
                f"Violence is concentrated in {data.area_name}: {text[0].lower()}{text[1:]}", 35
            )
        )


def _hotspots(
    s: Section,
    data: Reads,
    lsoas: dict[str, tuple[str, str, str | None, float]],
    polygons: dict[str, dict[str, Any]],
    rates: dict[str, float],
) -> None:
    s.add(Subheading("Hotspots (Getis-Ord Gi*)"))
    by_code = {c: polygons[v[2] or c] for c, v in lsoas.items() if (v[2] or c) in polygons}
    if len(by_code) < 3:
        s.add(
            Note(
                "Hotspots need neighbourhood boundaries to find which areas are next to each "
                f"other; none are loaded for {data.area_name}, so no hotspot analysis is shown."
            )
        )
        return
    results = getis_ord(by_code, rates)
    hot = sorted((h for h in results if h.hotspot), key=lambda h: -h.z)
    covered = (
        ""
        if len(by_code) == len(lsoas)
        else f" (the {len(by_code):,} neighbourhoods with boundaries)"
    )
    if not hot:
        s.add(
            Paragraph(
                f"No neighbourhood{covered} is a statistically significant hotspot once the "
                "false-discovery-rate correction is applied."
            )
        )
        return
    s.add(
        Paragraph(
            f"{len(hot):,} neighbourhoods{covered} are hotspots: areas where they and their "
            "neighbours together have markedly higher rates than elsewhere (Gi* z-score, "
            "Benjamini-Hochberg false-discovery rate 5%)."
        )
    )
    s.add(
        Table(
            "Hotspot neighbourhoods, highest z-score first",
            ["Neighbourhood (LSOA)", "District", "Gi* z-score"],
            [
                [lsoas[h.code][0], data.district_name(lsoas[h.code][1]), f"{h.z:.2f}"]
                for h in hot[:20]
            ],
            [False, False, True],
        )
    )
    s.findings.append(
        Finding(
            f"{len(hot):,} neighbourhoods stand out as hotspots in {data.area_name}, led by "
            f"{lsoas[hot[0].code][0]}.",
            25,
        )
    )
