"""The place section by ward: counts and rates per 1,000 residents for every ward of the area,
ranked with 95% intervals, and a ward map; and, for the public, which wards hold hotspots (the
public page names no area smaller than a ward)."""

from __future__ import annotations

from dataclasses import dataclass

from vrhub.disclosure.engine import DisclosureRule
from vrhub.outputs.protect import Shown, ShownRate, protect_parts, shown_rate
from vrhub.outputs.reads import Reads
from vrhub.reference.boundaries import geometries
from vrhub.reports.charts import Chart
from vrhub.reports.content import Note, Paragraph, Section, Subheading, Table
from vrhub.reports.wards import InWards, Ward, in_wards, population_words, ward_of, wards

POLICE = "police-crime"
#: A ranked ward table lists every ward up to this many, else the highest this many.
ALL_UP_TO = 40
TOP = 20


@dataclass(frozen=True)
class WardFigures:
    """Serious violence in each ward of the area, as the audience may see it."""

    wards: dict[str, Ward]
    placed: InWards
    shown: dict[str, Shown]
    rates: dict[str, ShownRate]
    population: str | None  # the population the rates use, in words
    rule: DisclosureRule | None

    def ranked(self) -> list[str]:
        """Wards with a rate that can be shown, highest first (ties by name)."""
        return sorted(
            (c for c in self.wards if self.rates[c].rate is not None),
            key=lambda c: (-(self.rates[c].rate or 0), self.wards[c].name),
        )


def ward_figures(data: Reads) -> WardFigures:
    """Counts by ward (records of either LSOA vintage placed through the lookup), published
    outside the analyst tier, and rates per 1,000 on the sum of each ward's LSOA 2021
    populations."""
    return data.once("ward-figures", lambda: _ward_figures(data))


def _ward_figures(data: Reads) -> WardFigures:
    result, rule = data.measure("serious-violence", POLICE, ["lsoa"])
    year = int(data.period.end[:4])
    held = wards(data.con, data.area, year)
    placed = in_wards(
        ward_of(data.con, data.area), held, [(r.group[0], r.count) for r in result.rows]
    )
    shown = protect_parts(placed.counts, rule)
    rates = {c: shown_rate(shown[c], held[c].population, 1000) for c in held}
    return WardFigures(held, placed, shown, rates, population_words(data.con, year), rule)


def ward_part(s: Section, data: Reads) -> None:
    """The ward subsection: map, ranked table, and what could not be placed in a ward."""
    f = ward_figures(data)
    s.add(Subheading("Wards"))
    if not f.wards:
        s.add(
            Note(
                "No LSOA to ward lookup is loaded, so figures by ward cannot be shown; load the "
                "reference data with `vrhub reference load`."
            )
        )
        return
    pop = (
        f"Rates use {f.population}."
        if f.population
        else "No LSOA 2021 population is held, so ward rates cannot be worked out."
    )
    s.add(
        Paragraph(
            f"Serious violence in each of the {len(f.wards):,} electoral wards (2024 wards) of "
            f"{data.area_name}, in the {data.period.label}; councils plan by ward. Each record "
            f"is placed in the ward of its neighbourhood through the ONS LSOA to ward lookup. "
            f"{pop}"
        )
    )
    _ward_map(s, data, f)
    ranked = f.ranked()
    if not ranked:
        s.add(Paragraph("Too few records to show a rate for any ward."))
    else:
        listed = ranked if len(f.wards) <= ALL_UP_TO else ranked[:TOP]
        caption = (
            f"Every ward of {data.area_name} by its rate of serious violence"
            if len(listed) == len(f.wards)
            else f"The {len(listed)} wards with the highest rates of serious violence"
        )
        s.add(
            Table(
                f"{caption}, {data.period.label}",
                ["Ward", "District", "Records", "Rate per 1,000", "95% interval"],
                [
                    [
                        f.wards[c].name,
                        data.district_name(f.wards[c].district),
                        f.shown[c].text(),
                        f"{f.rates[c].rate:.1f}",
                        f"{f.rates[c].lower:.1f} to {f.rates[c].upper:.1f}",
                    ]
                    for c in listed
                ],
                [False, False, True, True, False],
            )
        )
    notes = _left_out(f, len(ranked))
    if notes:
        s.add(Note(" ".join(notes)))


def _left_out(f: WardFigures, with_rate: int) -> list[str]:
    out = []
    p = f.placed
    for n, words in (
        (p.across, "are in 2011 neighbourhoods whose 2021 parts lie in different wards, so "
                   "they are in no one ward"),
        (p.unplaced, "are in neighbourhoods the lookup does not place in a ward of the area"),
        (p.no_lsoa, "have no neighbourhood recorded"),
    ):  # fmt: skip
        if n:
            published = protect_parts({"n": n}, f.rule, total=False)["n"].count
            lead = "A few records" if published is None else f"{published:,} records"
            out.append(f"{lead} {words}, and are not counted in any ward.")
    no_pop = [w.name for w in f.wards.values() if w.population is None]
    if no_pop:
        out.append(
            f"{len(no_pop):,} wards have no population held for every one of their "
            "neighbourhoods, so no rate."
        )
    hidden = len(f.wards) - with_rate - len(no_pop)
    if hidden > 0 and f.rule is not None:
        out.append(f"{hidden:,} wards have too few records to show a rate.")
    return out


def _ward_map(s: Section, data: Reads, f: WardFigures) -> None:
    polygons = geometries(data.con, f.wards)
    rows = [
        {
            "geometry": polygons[c],
            "name": f.wards[c].name,
            "y": None if f.rates[c].rate is None else round(f.rates[c].rate or 0, 2),
        }
        for c in f.wards
        if c in polygons
    ]
    if not rows:
        s.add(
            Note(
                f"No ward boundaries are loaded for {data.area_name}, so the ward map is not "
                "drawn; the rates are in the table below. vrhub ships them for West and South "
                "Yorkshire (`vrhub reference load`); load others with `vrhub reference "
                "boundaries`."
            )
        )
        return
    s.add(
        Chart(
            "place-ward-map",
            "map",
            f"Serious violence per 1,000 residents by ward, {data.period.label}",
            "Rate per 1,000",
            rows,
            x_title="Ward",
            y_format=".1f",
        )
    )
    missing = [f.wards[c].name for c in f.wards if c not in polygons]
    if missing:
        s.add(
            Note(
                f"{len(missing):,} wards have no boundary loaded and are not on the map "
                f"({', '.join(missing[:5])}{' and others' if len(missing) > 5 else ''})."
            )
        )


def hotspot_wards(data: Reads, hot: list[str], parts: dict[str, tuple[str, ...]]) -> list[str]:
    """The names of the wards that hold the hotspot neighbourhoods ``hot`` (each by its LSOA
    2021 ``parts``), sorted by district and name: what the public may be told."""
    f = ward_figures(data)
    where = f.placed.lsoa_ward
    found = {where.get(p) for code in hot for p in parts.get(code, (code,))}
    codes = sorted(
        (w for w in found if w is not None and w in f.wards),
        key=lambda w: (data.district_name(f.wards[w].district), f.wards[w].name),
    )
    return [f"{f.wards[w].name} ({data.district_name(f.wards[w].district)})" for w in codes]
