"""Hotspots on LSOA 2021: records of either vintage placed through the lookup (a merged area
never a false 0, a split area kept whole, the rest counted and said), Gi* worked out on exact
counts for every audience, and every finding naming the districts it covers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import shapely
from shapely.geometry import shape

from vrhub import pipeline
from vrhub.disclosure.engine import DisclosureRule
from vrhub.hub import open_hub
from vrhub.outputs.period import latest_year
from vrhub.outputs.protect import shown
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports.content import Note, Paragraph, Table
from vrhub.reports.hotspots import (
    analysis_areas,
    getis_ord,
    outline,
    place,
    rates_per_1000,
)
from vrhub.reports.sections.place import hotspot_figures
from vrhub.reports.sections.place import place as place_section
from vrhub.store.migrations import REFERENCE_TABLES
from vrhub.tally import Tally

D = "E08000099"


def _square(x: float, y: float, w: float = 1.0) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + w, y], [x + w, y + 1], [x, y + 1],
                                                [x, y]]]}  # fmt: skip


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """A lookup with every kind of change: U unchanged, A1+A2 merged into M, S split into S1
    and S2; populations on the 2011 LSOAs."""
    c = duckdb.connect()
    c.execute(REFERENCE_TABLES)
    rows = [
        ("U", "Town 001A", D, "U", "U"),  # unchanged
        ("A1", "Town 002A", D, "A1", "M"),  # merged ...
        ("A2", "Town 002B", D, "A2", "M"),
        ("M", "Town 002E", D, None, "M"),  # ... into M (no unique 2011 parent)
        ("S", "Town 003A", D, "S", None),  # split ...
        ("S1", "Town 003E", D, "S", "S1"),  # ... into S1 and S2
        ("S2", "Town 003F", D, "S", "S2"),
        ("O", "Elsewhere 001A", "E08000098", "O", "O"),  # another district
    ]
    c.executemany("INSERT INTO ref_lsoa VALUES (?, ?, ?, ?, ?, 'test')", rows)
    pops = [("U", 1000), ("A1", 1500), ("A2", 1500), ("S", 2000), ("O", 1000)]
    c.executemany("INSERT INTO ref_population VALUES (?, ?, NULL, NULL, NULL, NULL, 'test')", pops)
    yield c
    c.close()


def test_records_of_either_vintage_land_on_the_2021_areas(con: duckdb.DuckDBPyConnection) -> None:
    areas = analysis_areas(con, [D])
    assert set(areas) == {"U", "M", "S"}
    assert areas["M"].population == 3000  # its 2011 parts together
    assert areas["S"].parts == ("S1", "S2") and areas["S"].population == 2000
    counts = [("U", 4), ("A1", 3), ("A2", 5), ("S", 2), ("S1", 1), ("X", 6), (None, 7)]
    placed = place(con, areas, counts)
    assert placed.counts == {"U": 4, "M": 8, "S": 3}  # the merged area is never a false 0
    assert (placed.split, placed.unplaced, placed.no_lsoa) == (3, 6, 7)
    # Records coded at 2021 level land too, on the same areas.
    again = place(con, areas, [("M", 2), ("S2", 1), ("U", 1)])
    assert again.counts == {"U": 1, "M": 2, "S": 1} and again.unplaced == 0


def test_a_split_area_is_drawn_as_its_2021_parts_together(con: duckdb.DuckDBPyConnection) -> None:
    areas = analysis_areas(con, [D])
    polygons = {"S1": _square(0, 0), "S2": _square(1, 0)}
    whole = outline(polygons, areas["S"])
    assert whole is not None
    assert shape(whole).equals(shapely.box(0, 0, 2, 1))
    assert outline({"S1": _square(0, 0)}, areas["S"]) is None  # a part without a boundary
    # Boundaries a partnership loaded on LSOA 2011 serve too.
    assert outline({"S": _square(0, 0, 2)}, areas["S"]) == _square(0, 0, 2)
    merged = outline({"A1": _square(0, 0), "A2": _square(1, 0)}, areas["M"])
    assert merged is not None and shape(merged).equals(shapely.box(0, 0, 2, 1))
    assert areas["M"].made_of == ("A1", "A2")


def _grid() -> dict[str, dict[str, Any]]:
    return {f"E0{i}{j}": _square(i, j) for i in range(5) for j in range(5)}


def test_the_classification_uses_exact_counts_not_hidden_ones_as_zero() -> None:
    # A corner of four small neighbourhoods, each with 6 records (hidden from the public, as
    # 0 to 7 are) among 200 residents; elsewhere 20 records among 2,000 residents.
    cluster = {"E000", "E001", "E010", "E011"}
    counts = {c: Tally(6 if c in cluster else 20, key=i) for i, c in enumerate(_grid())}
    pops: dict[str, float | None] = {c: (200 if c in cluster else 2000) for c in _grid()}
    exact = {g.code for g in getis_ord(_grid(), rates_per_1000(counts, pops)) if g.hotspot}
    assert exact == cluster
    rule = DisclosureRule(7, 5)
    hidden_as_zero = {c: shown(n, rule).count or 0 for c, n in counts.items()}
    naive = {g.code for g in getis_ord(_grid(), rates_per_1000(hidden_as_zero, pops)) if g.hotspot}
    assert naive != exact  # what the public would be told if hidden counts were read as 0


@pytest.fixture(scope="module")
def sections(demo_home: Path) -> Iterator[dict[str, Any]]:
    home = pipeline.open_partnership_home(demo_home)
    out: dict[str, Any] = {}
    with open_hub(home) as hub:
        period = latest_year(hub.con)
        for audience in ("analyst", "partner", "public"):
            data = Reads(hub.home, hub.con, hub.gov, audience, period, None, Lineage())
            out[audience] = (place_section(data), hotspot_figures(data))
            if audience == "analyst":
                result, _ = data.measure("serious-violence", "police-crime", ["lsoa"])
                out["total"] = sum(int(r.count) for r in result.rows)
        leeds = Reads(hub.home, hub.con, hub.gov, "public", period, "E08000035", Lineage())
        out["leeds"] = (place_section(leeds), hotspot_figures(leeds))
    yield out


def _hot(figures: Any) -> set[str]:
    return {g.code for g in figures.results if g.hotspot}


def _table(section: Any, caption: str) -> Table:
    return next(b for b in section.blocks if isinstance(b, Table) and b.caption == caption)


def test_public_and_partner_see_the_analyst_classification(sections: dict[str, Any]) -> None:
    analyst_section, analyst = sections["analyst"]
    hot = _hot(analyst)
    assert hot  # the demo has hotspots
    names = sorted(analyst.placed.areas[c].name for c in hot)
    for audience in ("partner", "public"):
        section, figures = sections[audience]
        assert _hot(figures) == hot
        if audience == "partner":
            table = _table(section, "Hotspot neighbourhoods")
            assert sorted(r[0] for r in table.rows) == names
            assert table.columns == ["Neighbourhood (LSOA)", "District"]  # no statistic shown
        else:  # the public is told which wards hold them, naming no smaller area
            table = _table(section, "Wards with hotspot neighbourhoods")
            assert table.columns == ["Ward (district)"]
            wards = figures_wards(analyst, hot)
            assert sorted(r[0] for r in table.rows) == sorted(wards)
            assert not set(names) & {r[0] for r in table.rows}
        text = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph | Note))
        assert "z-score" not in text and "Gi*" not in text
        assert "more than chance would give" in text
    z = _table(analyst_section, "Hotspot neighbourhoods, highest z-score first")
    assert len(z.rows) == min(20, len(hot))


def figures_wards(figures: Any, hot: set[str]) -> list[str]:
    """'Ward (District)' for each ward holding a hotspot, from the shipped lookup CSV."""
    import csv
    import gzip

    from vrhub.reference.sources import shipped_dir

    path = shipped_dir() / "lookups" / "lsoa21_wd24_lad24_ew.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
        rows = {r["LSOA21CD"]: (r["WD24NM"], r["LAD24NM"]) for r in csv.DictReader(fh)}
    found = {rows[p] for c in hot for p in figures.placed.areas[c].parts if p in rows}
    return [f"{w} ({d})" for w, d in found]


def test_the_rates_behind_the_classification_are_exact(sections: dict[str, Any]) -> None:
    _, public = sections["public"]
    for code, rate in list(public.rates.items())[:50]:
        area = public.placed.areas[code]
        assert area.population is not None
        assert rate == pytest.approx(1000 * int(public.placed.counts[code]) / area.population)


def test_every_hotspot_finding_names_the_districts_it_covers(sections: dict[str, Any]) -> None:
    section, figures = sections["analyst"]
    assert figures.covered == ["E08000032", "E08000033", "E08000034", "E08000035", "E08000036"]
    words = "The hotspot analysis covers Bradford, Calderdale, Kirklees, Leeds and Wakefield."
    [finding] = [f.text for f in section.findings if "hotspots" in f.text]
    assert words in finding
    notes = [b.text for b in section.blocks if isinstance(b, Note)]
    assert any(words in n for n in notes)  # the map's caption note
    leeds, leeds_figures = sections["leeds"]
    assert leeds_figures.covered == ["E08000035"]
    assert any("The hotspot analysis covers Leeds." in f.text for f in leeds.findings)


def test_records_that_cannot_be_mapped_are_counted_and_said(sections: dict[str, Any]) -> None:
    section, figures = sections["analyst"]
    p = figures.placed
    # Every record is on an area, or has no LSOA, or is counted as not mapped (an LSOA the
    # lookup does not know; records on a 2011 area with no 2021 area of its own are both).
    unmapped = sum(int(p.counts[c]) for c, a in p.areas.items() if not a.parts)
    placed = sum(int(n) for n in p.counts.values())
    assert placed + p.no_lsoa + p.unplaced - unmapped == sections["total"]
    notes = " ".join(b.text for b in section.blocks if isinstance(b, Note))
    assert p.no_lsoa and p.split  # the demo has both kinds
    # The official ONS lookup places every LSOA code the demo uses.
    assert p.unplaced == 0
    if p.no_lsoa:
        assert f"{p.no_lsoa:,} records have no neighbourhood recorded" in notes
    if p.unplaced:
        assert f"{p.unplaced:,} records in LSOAs the lookup cannot place" in notes
    if p.split:
        assert f"{p.split:,} records in neighbourhoods that split in 2021" in notes
    unbounded = [a for c, a in p.areas.items() if c not in figures.polygons]
    if unbounded:
        said = f"{len(unbounded):,} neighbourhoods of the districts covered have no boundary"
        assert said in notes
        assert unbounded[0].name in notes


def test_outside_the_analyst_tier_those_numbers_are_published(sections: dict[str, Any]) -> None:
    section, figures = sections["partner"]  # the public is shown no neighbourhood map
    p, rule = figures.placed, figures.rule
    assert rule is not None
    notes = " ".join(b.text for b in section.blocks if isinstance(b, Note))
    for n in (p.split, p.unplaced, p.no_lsoa):
        published = shown(n, rule).count  # from the records' own cell keys
        assert published is None or f"{published:,} records" in notes
        if published is not None and published != int(n):
            assert f"{int(n):,} records" not in notes


def test_areas_use_the_lsoa_2021_population_nearest_the_year(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Where LSOA 2021 populations are held, each 2021 area has its own and a 2011 LSOA that
    split has its parts' together; the year nearest the period is used (ties to the newer)."""
    con.execute(
        "CREATE TABLE ref_population_estimates (lsoa VARCHAR, geography VARCHAR, year INTEGER, "
        "band VARCHAR, population INTEGER, source VARCHAR, excludes_prisoners BOOLEAN)"
    )
    for year, scale in ((2021, 1), (2024, 2)):
        con.executemany(
            "INSERT INTO ref_population_estimates VALUES (?, 'LSOA 2021', ?, 'all', ?, ?, FALSE)",
            [
                (code, year, n * scale, f"test {year}")
                for code, n in (("U", 900), ("M", 2800), ("S1", 1200), ("S2", 700))
            ],
        )
    areas = analysis_areas(con, [D], 2022)
    assert {c: a.population for c, a in areas.items()} == {"U": 900, "M": 2800, "S": 1900}
    later = analysis_areas(con, [D], 2026)
    assert later["S"].population == 3800
    # Without LSOA 2021 populations, the mid-2015 ones on the 2011 LSOAs serve.
    con.execute("DELETE FROM ref_population_estimates")
    assert analysis_areas(con, [D], 2022)["M"].population == 3000
