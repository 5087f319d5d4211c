"""Where violence happens: LSOA rates on a map, the most affected neighbourhoods, how
concentrated violence is, and hotspots by Getis-Ord Gi*."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from vrhub.disclosure.engine import DisclosureRule
from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.outputs.protect import Shown, ShownRate, protect_parts, shown, shown_rate
from vrhub.outputs.reads import Reads
from vrhub.reference.boundaries import geometries
from vrhub.reports.charts import Chart
from vrhub.reports.content import HOTSPOT, Finding, Note, Paragraph, Section, Subheading, Table
from vrhub.reports.hotspots import (
    GiStar,
    Placed,
    analysis_areas,
    getis_ord,
    lsoa21_population,
    outline,
    rates_per_1000,
)
from vrhub.reports.hotspots import place as place_records
from vrhub.reports.registry import section
from vrhub.reports.sections.common import lacks, withheld
from vrhub.reports.sections.place_kinds import kinds_part
from vrhub.reports.sections.place_wards import hotspot_wards, ward_part

POLICE = "police-crime"
TOP = 10
PUBLIC = "public"


@section("place", "Where violence happens", 60)
def place(data: Reads) -> Section:
    """Serious violence per 1,000 residents by neighbourhood (LSOA 2021: a map and the ten
    highest rates) and by ward (every ward ranked with its 95% interval, and a ward map); the
    share in the busiest 5% of neighbourhoods; hotspots by Getis-Ord Gi* (with a
    false-discovery-rate correction), records of either vintage placed through the lookup,
    naming the districts covered (partner pages show which neighbourhoods are hotspots, worked
    out on exact counts, with no statistic); kinds of place from emergency department records;
    night-time economy violence by the town centres of the partnership file. Public pages name
    no area smaller than a ward: wards only, and which wards hold hotspots."""
    s = Section("place", "Where violence happens")
    if lacks(s, data, POLICE):
        return s
    try:
        _place(s, data)
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
    return s


@dataclass(frozen=True)
class LsoaFigures:
    """Serious violence in each neighbourhood of the area, as the audience may see it."""

    lsoas: dict[str, tuple[str, str, str | None, float]]  # code -> name, district, 2021, pop
    population: str  # the population the rates use, in words
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
    """Counts and rates per 1,000 residents on the areas of the hotspot analysis (LSOA 2021; a
    2011 LSOA that split kept whole), records of either vintage placed through the lookup;
    published counts outside the analyst tier; every neighbourhood with a population, with
    none recorded shown as 0."""
    return data.once("lsoa-figures", lambda: _lsoa_figures(data))


def _lsoa_figures(data: Reads) -> LsoaFigures:
    h = hotspot_figures(data)
    areas = h.placed.areas
    lsoas: dict[str, tuple[str, str, str | None, float]] = {
        c: (a.name, a.district, None, float(a.population))
        for c, a in areas.items()
        if a.population is not None
    }
    counts = {c: h.placed.counts.get(c, 0) for c in lsoas}
    shown = protect_parts(counts, h.rule)
    rates = {c: shown_rate(shown[c], lsoas[c][3], 1000) for c in lsoas}
    newer = lsoa21_population(data.con, _year(data))
    words = (
        "the mid-2015 resident population (IoD 2019 denominators)"
        if newer is None
        else f"the {newer[1].source} population ({newer[1].year})"
    )
    return LsoaFigures(lsoas, words, counts, shown, rates, h.rule)


def _year(data: Reads) -> int:
    return int(data.period.end[:4])


def _place(s: Section, data: Reads) -> None:
    f = lsoa_figures(data)
    lsoas, counts, rule = f.lsoas, f.counts, f.rule
    s.add(
        Paragraph(
            f"Serious violence per 1,000 residents in each of the {len(lsoas):,} neighbourhoods "
            f"(lower layer super output areas, LSOA 2021; one that was a single area in 2011 "
            f"and split since is kept whole) of {data.area_name}, in the "
            f"{data.period.label}. Records coded to 2011 or 2021 areas are both placed. Rates "
            f"use {f.population}; a neighbourhood "
            "with a town centre or night-time economy has many visitors, so its rate per "
            "resident is high."
        )
    )
    h = hotspot_figures(data)
    if data.audience != PUBLIC:  # the public is told of no area smaller than a ward
        _map(s, data, h)
        _top(s, data, f)
    ward_part(s, data)
    _concentration(s, data, lsoas, counts, rule)
    _hotspots(s, data, h)
    kinds_part(s, data)


def _top(s: Section, data: Reads, f: LsoaFigures) -> None:
    lsoas, shown, rates = f.lsoas, f.shown, f.rates
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


def _map(s: Section, data: Reads, h: HotspotFigures) -> None:
    """The map of rates on the analysis areas (LSOA 2021, a split 2011 LSOA whole), each
    rate from the count as the audience may see it."""
    rows = []
    for code, geometry in h.polygons.items():
        area = h.placed.areas[code]
        rate = shown_rate(shown(h.placed.counts[code], h.rule), area.population, 1000).rate
        rows.append(
            {"geometry": geometry, "name": area.name, "y": None if rate is None else round(rate, 2)}
        )
    if not rows:
        s.add(
            Note(
                f"No neighbourhood boundaries are loaded for {data.area_name}, so the map is not "
                "drawn; the rates are in the table below. Load LSOA boundary GeoJSON with "
                "`vrhub reference boundaries` to add it."
            )
        )
        return
    s.add(
        Chart(
            "place-map",
            "map",
            f"Serious violence per 1,000 residents by neighbourhood (LSOA 2021), "
            f"{data.period.label}",
            "Rate per 1,000",
            rows,
            y_format=".1f",
        )
    )
    s.add(Note(f"{coverage_words(data, h)} {placing_words(h)}".strip()))


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


@dataclass(frozen=True)
class HotspotFigures:
    """The hotspot analysis of the area: records on LSOA 2021 areas, exact rates, Gi*."""

    placed: Placed
    polygons: dict[str, dict[str, Any]]  # area code -> GeoJSON, for areas with a boundary
    rates: dict[str, float]  # exact rate per 1,000 for the areas analysed
    results: list[GiStar]
    covered: list[str]  # districts analysed
    no_boundaries: list[str]  # districts of the area with no boundaries loaded
    no_records: list[str]  # districts with boundaries but no records in the period
    rule: DisclosureRule | None


def hotspot_figures(data: Reads) -> HotspotFigures:
    """Gi* worked out on exact counts (whatever the audience: outside the analyst tier only the
    classification is shown, never a statistic of suppressed or rounded counts)."""
    return data.once("hotspot-figures", lambda: _hotspot_figures(data))


def _hotspot_figures(data: Reads) -> HotspotFigures:
    result, rule = data.measure("serious-violence", POLICE, ["lsoa"])
    areas = analysis_areas(data.con, data.area, _year(data))
    placed = place_records(data.con, areas, [(r.group[0], r.count) for r in result.rows])
    parts = [p for a in areas.values() for p in (*a.parts, *a.made_of)]
    loaded = geometries(data.con, parts)
    polygons = {c: g for c, a in areas.items() if (g := outline(loaded, a)) is not None}
    with_boundary = {a.district for c, a in areas.items() if c in polygons}
    records = {d: 0 for d in data.area}
    for code, n in placed.counts.items():
        records[areas[code].district] += int(n)
    no_records = [d for d in data.area if d in with_boundary and not records.get(d)]
    covered = [d for d in data.area if d in with_boundary and d not in no_records]
    analysed = {c for c, a in areas.items() if c in polygons and a.district in covered}
    rates = rates_per_1000(
        {c: n for c, n in placed.counts.items() if c in analysed},
        {c: areas[c].population for c in analysed},
    )
    results = getis_ord({c: polygons[c] for c in rates}, rates)
    no_boundaries = [d for d in data.area if d not in with_boundary]
    return HotspotFigures(
        placed, polygons, rates, results, covered, no_boundaries, no_records, rule
    )


def _names(data: Reads, codes: list[str]) -> str:
    names = [data.district_name(c) for c in codes]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def coverage_words(data: Reads, h: HotspotFigures) -> str:
    """Which districts the map and the hotspot analysis cover, and why any are left out."""
    if not h.covered:
        text = "The hotspot analysis covers no district"
    else:
        text = f"The hotspot analysis covers {_names(data, h.covered)}"
    out = []
    if h.no_boundaries:
        verb = "has" if len(h.no_boundaries) == 1 else "have"
        out.append(f"{_names(data, h.no_boundaries)} {verb} no boundaries loaded")
    if h.no_records:
        out.append(f"{_names(data, h.no_records)} {'has' if len(h.no_records) == 1 else 'have'} "
                   "no police-recorded crime in the period")  # fmt: skip
    return text + ("; " + "; ".join(out) if out else "") + "."


def _records(count: int, rule: DisclosureRule | None) -> str:
    """A number of records as the audience may see it ("a few" where it is too small)."""
    published = shown(count, rule).count
    return "A few records" if published is None else f"{published:,} records"


def placing_words(h: HotspotFigures) -> str:
    """What happened to records that are not simply on an LSOA 2021 of the area, and which
    areas have no rate."""
    p = h.placed
    out = []
    if p.split:
        out.append(
            f"{_records(p.split, h.rule)} in neighbourhoods that split in 2021 are counted on "
            "the neighbourhood as it was in 2011 (its 2021 parts together)."
        )
    if p.unplaced:
        out.append(
            f"{_records(p.unplaced, h.rule)} in LSOAs the lookup cannot place in a 2021 "
            "neighbourhood of the area could not be mapped."
        )
    if p.no_lsoa:
        out.append(
            f"{_records(p.no_lsoa, h.rule)} have no neighbourhood recorded and are not mapped."
        )
    unbounded = [c for c, a in p.areas.items() if a.district in h.covered and c not in h.polygons]
    if unbounded:
        out.append(
            f"{len(unbounded):,} neighbourhoods of the districts covered have no boundary loaded, "
            f"so they are not on the map ({', '.join(p.areas[c].name for c in unbounded[:5])}"
            f"{' and others' if len(unbounded) > 5 else ''})."
        )
    drawn = [c for c, a in p.areas.items() if c in h.polygons and a.district in h.covered]
    no_rate = [c for c in drawn if c not in h.rates]
    if no_rate:
        out.append(
            f"{len(no_rate):,} neighbourhoods have no population held, so no rate, and are left "
            "out of the hotspot analysis."
        )
    return " ".join(out)


def _hotspots(s: Section, data: Reads, h: HotspotFigures) -> None:
    s.add(Subheading("Hotspots (Getis-Ord Gi*)" if data.exact else "Hotspots"))
    covers = coverage_words(data, h)
    if len(h.rates) < 3:
        s.add(
            Note(
                "Hotspots need neighbourhood boundaries to find which areas are next to each "
                f"other; too few are loaded for {data.area_name}, so no hotspot analysis is "
                f"shown. {covers}"
            )
        )
        return
    areas = h.placed.areas
    hot = sorted((g for g in h.results if g.hotspot), key=lambda g: -g.z)
    what = (
        "areas where they and their neighbours together have markedly higher rates than "
        "elsewhere (Getis-Ord Gi* z-score, Benjamini-Hochberg false-discovery rate 5%)"
        if data.exact
        else "clusters of neighbouring areas with high rates, more than chance would give"
    )
    if not hot:
        s.add(
            Paragraph(
                f"No neighbourhood is a hotspot ({what.split(' (')[0]}) once chance is allowed "
                f"for. {covers}"
            )
        )
        return
    s.add(Paragraph(f"{len(hot):,} neighbourhoods are hotspots: {what}. {covers}"))
    if data.exact:
        s.add(
            Table(
                "Hotspot neighbourhoods, highest z-score first",
                ["Neighbourhood (LSOA)", "District", "Gi* z-score"],
                [
                    [areas[g.code].name, data.district_name(areas[g.code].district), f"{g.z:.2f}"]
                    for g in hot[:20]
                ],
                [False, False, True],
            )
        )
    else:
        s.add(
            Note(
                "Whether a neighbourhood is a hotspot is worked out on the full figures, before "
                "small numbers are hidden or figures rounded; only the result is shown here."
            )
        )
    if data.audience == PUBLIC:
        names = hotspot_wards(data, [g.code for g in hot], {c: a.parts for c, a in areas.items()})
        s.add(Table("Wards with hotspot neighbourhoods", ["Ward (district)"], [[n] for n in names],
                    [False]))  # fmt: skip
    elif not data.exact:
        listed = sorted(hot, key=lambda g: (data.district_name(areas[g.code].district),
                                            areas[g.code].name))  # fmt: skip
        s.add(
            Table(
                "Hotspot neighbourhoods",
                ["Neighbourhood (LSOA)", "District"],
                [[areas[g.code].name, data.district_name(areas[g.code].district)] for g in listed],
                [False, False],
            )
        )
    lead = f", led by {areas[hot[0].code].name}" if data.exact else ""
    s.findings.append(
        Finding(
            f"{len(hot):,} neighbourhoods stand out as hotspots of serious violence in "
            f"{data.area_name}{lead}. {covers}",
            25,
            HOTSPOT,
        )
    )
