"""The benchmarking section: the area's own rates worked out independently here from the records
written, set against published rates from a loaded file, per audience; periods and definitions
that differ said; no file loaded said with how to load one."""

from __future__ import annotations

import doctest
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.outputs.period import parse_period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reference.benchmarks import HEADER
from vrhub.reports.content import Note, Paragraph, Table
from vrhub.reports.sections import benchmarking as module
from vrhub.reports.sections.benchmarking import benchmarking, benchmarking_figures

PC = get_dataset("police-crime")
LEEDS, BRADFORD = "E08000035", "E08000032"
MONTHS = [f"2024-{m:02d}" for m in (10, 11, 12)] + [f"2025-{m:02d}" for m in range(1, 10)]
PERIOD = "year ending 2025-09"
RATES = [
    "violence-with-injury,Violence with injury,E92000001,England,england,year ending 2025-09,"
    "10.1,1000,10.0,10.2,ONS,Crime in England and Wales,no",
    "violence-with-injury,Violence with injury,E12000003,Yorkshire and The Humber,region,"
    "year ending 2025-09,12.6,1000,12.3,12.9,ONS,Crime in England and Wales,no",
    "violence-with-injury,Violence with injury,E12000001,North East,region,"
    "year ending 2025-09,11.0,1000,,,ONS,Crime in England and Wales,no",
    "violence-with-injury,Violence with injury,E08000003,Manchester,comparable,"
    "year ending 2025-09,14.8,1000,,,ONS,Crime in England and Wales,no",
    "knife-enabled-serious-violence,Knife-enabled serious violence,E92000001,England,england,"
    "year ending 2024-09,80.5,100000,,,ONS,Knife crime,no",
    "fear-of-crime,Feeling unsafe after dark,E92000001,England,england,2024/25,"
    "21.0,1000,,,ONS,Crime survey,no",
]


def _bradford_lsoa(home: Home) -> str:
    with open_hub(home) as hub:
        [(code,)] = hub.con.execute(
            "SELECT min(code) FROM ref_lsoa WHERE district = ? AND code = lsoa11", [BRADFORD]
        ).fetchall()
    return str(code)


def _load(home: Home, write: Callable[..., Path], tmp_path: Path, rates: list[str]) -> None:
    """Three Leeds records of violence with injury every month, four in Bradford in all, and
    two other offences (not counted)."""
    rows = []
    for i, m in enumerate(MONTHS):
        for j in range(3):
            rows.append(
                police_crime_row(
                    100 * i + j, occurred_from=f"{m}-1{j} 21:00", recorded_date=f"{m}-1{j} 23:00"
                )
            )
    brad = _bradford_lsoa(home)
    for k in range(4):
        rows.append(
            police_crime_row(
                5000 + k,
                lsoa_code=brad,
                occurred_from=f"2025-0{k + 1}-05 10:00",
                recorded_date=f"2025-0{k + 1}-05 12:00",
            )
        )
    rows += [police_crime_row(6000 + k, ho_offence_code="105/01") for k in range(2)]
    [r] = pipeline.ingest_paths(home, PC, [write("pc.csv", rows)], source="wyp")
    assert r.status == "loaded"
    if rates:
        path = tmp_path / "rates.csv"
        path.write_text(HEADER + "\n" + "\n".join(rates) + "\n", encoding="utf-8")
        pipeline.load_benchmarks(home, path)


def _reads(home: Home, audience: str, district: str | None = None) -> Iterator[Reads]:
    with open_hub(home) as hub:
        yield Reads(hub.home, hub.con, hub.gov, audience, parse_period(PERIOD), district, Lineage())


def _populations(home: Home, codes: list[str]) -> set[int]:
    """Every all-ages population the store holds for these districts together."""
    with open_hub(home) as hub:
        rows = hub.con.execute(
            "SELECT sum(population) FROM ref_district_population_estimates "
            "WHERE band = 'all' AND list_contains(?, district) GROUP BY year, geography, source",
            [codes],
        ).fetchall()
    return {int(r[0]) for r in rows}


def _byar(n: int, pop: float, per: int) -> tuple[float, float]:
    z = 1.959963984540054
    lo = n * (1 - 1 / (9 * n) - z / (3 * math.sqrt(n))) ** 3
    hi = (n + 1) * (1 - 1 / (9 * (n + 1)) + z / (3 * math.sqrt(n + 1))) ** 3
    return per * lo / pop, per * hi / pop


def _table(section: Any, starts: str) -> Table:
    return next(b for b in section.blocks if isinstance(b, Table) and b.caption.startswith(starts))


def _texts(section: Any, kind: type) -> list[str]:
    return [b.text for b in section.blocks if isinstance(b, kind)]


def test_docstring_examples_run() -> None:
    assert doctest.testmod(module).failed == 0


def test_own_rates_match_an_independent_computation_for_analysts(
    wy_home: Home, write_police_crime: Callable[..., Path], tmp_path: Path
) -> None:
    _load(wy_home, write_police_crime, tmp_path, RATES)
    for data in _reads(wy_home, "analyst"):
        figures = {f.indicator: f for f in benchmarking_figures(data)}
        section = benchmarking.build(data)
    vwi = figures["violence-with-injury"]
    assert vwi.period == ("2024-10", "2025-09") and vwi.own_period == vwi.period
    mine = [r for r in vwi.rates if r.source == "vrhub"]
    own = {r.kind if r.kind == "partnership" else r.code: r for r in mine}
    expected = {"partnership": (40, list(PC_AREA)), LEEDS: (36, [LEEDS]), BRADFORD: (4, [BRADFORD])}
    for key, (n, codes) in expected.items():
        r = own[key]
        assert r.count == str(n)
        assert r.population is not None and int(r.population) in _populations(wy_home, codes)
        assert r.rate == pytest.approx(1000 * n / r.population)
    lo, hi = _byar(40, own["partnership"].population or 0, 1000)
    assert (own["partnership"].lower, own["partnership"].upper) == (
        pytest.approx(lo),
        pytest.approx(hi),
    )
    # Only the partnership's region is shown, with England and the comparable area.
    table = _table(section, "Violence with injury per 1,000")
    names = [row[0] for row in table.rows]
    assert "Yorkshire and The Humber" in names and "North East" not in names
    assert ["England", "England", "10.1", "10.0 to 10.2", "", "Crime in England and Wales"] in (
        table.rows
    )
    manchester = next(row for row in table.rows if row[0] == "Manchester")
    assert manchester[3:5] == ["not given", "not compared (no interval)"]
    region = next(row for row in table.rows if row[0] == "Yorkshire and The Humber")
    assert region[4] == "higher"  # England's 10.1 is below the region's 12.3 to 12.9
    partnership = next(row for row in table.rows if row[0] == "West Yorkshire")
    # England's rate lies far above the interval of 40 records among about 2.3 million.
    assert partnership[4] == "lower" and partnership[2] == f"{own['partnership'].rate:,.1f}"
    [finding] = section.findings
    assert finding.text.startswith("Violence with injury, year ending 2025-09: West Yorkshire: ")
    assert finding.text.endswith("against England's 10.1, lower than England.")
    notes = " ".join(_texts(section, Note))
    assert "the same indicator as the published rates" in notes
    assert "The periods differ: the published rates are for October 2023 to September 2024" in (
        notes
    )
    assert "vrhub has no measure 'fear-of-crime'" in notes
    assert not any("ILLUSTRATIVE" in t for t in _texts(section, Note))
    chart = next(b for b in section.blocks if getattr(b, "id", "") == "benchmark-fear-of-crime")
    assert [r["y"] for r in chart.rows] == [21.0]


PC_AREA = ("E08000032", "E08000033", "E08000034", "E08000035", "E08000036")


@pytest.mark.parametrize("audience", ["partner", "public"])
def test_published_rates_hide_small_counts_and_stay_near_the_truth(
    wy_home: Home, write_police_crime: Callable[..., Path], tmp_path: Path, audience: str
) -> None:
    _load(wy_home, write_police_crime, tmp_path, RATES)
    for data in _reads(wy_home, audience):
        vwi = next(f for f in benchmarking_figures(data) if f.indicator == "violence-with-injury")
    own = {r.code: r for r in vwi.rates if r.source == "vrhub"}
    assert own[BRADFORD].count == "[c]" and own[BRADFORD].rate is None  # 4 records
    for code, truth in ((LEEDS, 36), ("West Yorkshire", 40)):
        r = own[code]
        published = int(r.count)
        assert abs(published - truth) <= 6 and published % 5 == 0
        assert r.rate == pytest.approx(1000 * published / (r.population or 0))


def test_a_district_profile_compares_its_own_district(
    wy_home: Home, write_police_crime: Callable[..., Path], tmp_path: Path
) -> None:
    _load(wy_home, write_police_crime, tmp_path, RATES)
    for data in _reads(wy_home, "analyst", LEEDS):
        vwi = next(f for f in benchmarking_figures(data) if f.indicator == "violence-with-injury")
        section = benchmarking.build(data)
    own = [r for r in vwi.rates if r.source == "vrhub"]
    assert [(r.name, r.kind, r.count) for r in own] == [("Leeds", "own", "36")]
    assert own[0].population and int(own[0].population) in _populations(wy_home, [LEEDS])
    text = " ".join(_texts(section, Paragraph))
    assert f"Leeds: {own[0].rate:,.1f} per 1,000 against England's 10.1, lower than England" in (
        text
    )


def test_no_file_loaded_says_so_and_how_to_load_one(
    wy_home: Home, write_police_crime: Callable[..., Path], tmp_path: Path
) -> None:
    _load(wy_home, write_police_crime, tmp_path, [])
    for data in _reads(wy_home, "public"):
        section = benchmarking.build(data)
    [text] = _texts(section, Paragraph)
    assert text.startswith("Benchmarks not loaded")
    assert "vrhub reference benchmarks load FILE" in text
    assert not any(isinstance(b, Table) for b in section.blocks)


def test_illustrative_rates_are_labelled_prominently(
    wy_home: Home, write_police_crime: Callable[..., Path], tmp_path: Path
) -> None:
    _load(wy_home, write_police_crime, tmp_path, [RATES[0].replace(",no", ",yes")])
    for data in _reads(wy_home, "public"):
        section = benchmarking.build(data)
    first = section.blocks[0]
    assert isinstance(first, Note) and first.text.startswith("ILLUSTRATIVE VALUES")
    assert section.findings == []  # an illustrative comparison is never a key finding
