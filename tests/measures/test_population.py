"""Rates use the population nearest the year measured, state it, and give age-specific rates.

District populations are checked against an independent pandas sum of the raw R data files
(ONS mid-2020 single year of age on LSOA 2011), placing each LSOA by the district its name
starts with.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import RAW, police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.home import Home
from vrhub.measures.population import NoPopulationError, Population, nearest
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
UK = get_dataset("police-uk-street")
LEEDS = "E08000035"
WY_NAMES = {
    "Bradford": "E08000032",
    "Calderdale": "E08000033",
    "Kirklees": "E08000034",
    "Leeds": "E08000035",
    "Wakefield": "E08000036",
}


def _mid2020_by_district(first: int, last: int) -> dict[str, int]:
    """Mid-2020 residents aged first..last (last 90 means 90 and over) by WY district, summed
    from the raw R data file with pandas."""
    rdata = pytest.importorskip("rdata")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [raw] = rdata.read_rda(RAW / "population" / "population20_lsoa11.rda").values()
    cols = [str(a) if a < 90 else "90+" for a in range(first, last + 1)]
    raw = raw.assign(
        district=raw["lsoa11_name"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True),
        band=raw[cols].sum(axis=1),
    )
    sums = raw[raw.district.isin(list(WY_NAMES))].groupby("district")["band"].sum()
    return {WY_NAMES[d]: int(v) for d, v in sums.items()}


def _rows(
    home: Home, write: Callable[..., Path], n_children: int, n_adults: int, month: str
) -> None:
    rows = [
        police_crime_row(
            i, occurred_from=f"{month}-02 10:00", recorded_date=f"{month}-03 09:00", victim_age="15"
        )
        for i in range(n_children)
    ] + [
        police_crime_row(
            100 + i,
            occurred_from=f"{month}-02 10:00",
            recorded_date=f"{month}-03 09:00",
            victim_age="40",
        )
        for i in range(n_adults)
    ]
    path = write(f"pc-{month}.csv", rows)
    [r] = pipeline.ingest_paths(home, PC, [path], source="wyp")
    assert r.rows_accepted == n_children + n_adults


def _district_estimates(home: Home, year: int, band: str) -> dict[str, int]:
    con = connect(home)
    try:
        rows = con.execute(
            "SELECT district, population FROM ref_district_population_estimates "
            "WHERE year = ? AND band = ?",
            [year, band],
        ).fetchall()
    finally:
        con.close()
    return {d: int(p) for d, p in rows if d in WY_NAMES.values()}


@pytest.mark.parametrize(("band", "first", "last"), [("all", 0, 90), ("0-17", 0, 17)])
def test_mid2020_district_populations_match_the_raw_file(
    wy_home: Home, band: str, first: int, last: int
) -> None:
    expected = _mid2020_by_district(first, last)
    assert _district_estimates(wy_home, 2020, band) == expected
    if band == "all":
        assert expected[LEEDS] == 798_786  # SOURCES.md


def test_nearest_year_ties_go_to_the_newer() -> None:
    held = [
        Population("mid-2015", 2015, "LSOA 2011", "all", True),
        Population("mid-2020", 2020, "LSOA 2011", "all", False),
        Population("Census 2021 usual residents", 2021, "LSOA 2021", "all", False),
        Population("ONS mid-2021 small-area population estimates", 2021, "LSOA 2021", "all", False),
    ]
    assert nearest(held, 2016).year == 2015
    assert nearest(held, 2018).year == 2020  # 2 years from 2020, 3 from 2015
    assert nearest(held, 2017).year == 2015
    # 2021: the single-year estimate over the census; 2030: the newest.
    assert nearest(held, 2021).source.startswith("ONS mid-2021")
    assert nearest(held, 2030).year == 2021


def test_rate_states_the_population_nearest_the_period(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    _rows(wy_home, write_police_crime, 3, 5, "2016-03")
    old = pipeline.run_measure(wy_home, "crime-rate", PC, ["district"], None, "2016-01", "2016-12")
    assert old.population_vintage.startswith("IoD 2019 population denominators")
    assert "excludes prisoners" in old.population_vintage
    [row] = old.rows
    assert row.population == 771_857  # Leeds, IoD 2019 File 6 total, mid-2015
    assert row.count == 8


def test_age_specific_rates(wy_home: Home, write_police_crime: Callable[..., Path]) -> None:
    _rows(wy_home, write_police_crime, 3, 5, "2022-03")
    everyone = pipeline.run_measure(wy_home, "crime-rate", PC, ["district"], None, None, "2022-12")
    # 2022: Census 2021 is nearest for all ages.
    assert everyone.population_vintage == "Census 2021 usual residents (LSOA 2021), all ages"
    assert everyone.rows[0].population == 811_960
    children = pipeline.run_measure(
        wy_home, "crime-rate", PC, ["district"], None, None, "2022-12", per="children"
    )
    # Census 2021 has no under-18 band: mid-2020 is used, and only children's records count.
    assert children.population_vintage.startswith("ONS mid-2020 small-area")
    assert "children (under 18)" in children.population_vintage
    [row] = children.rows
    assert (row.count, row.population) == (3, _mid2020_by_district(0, 17)[LEEDS])
    young = pipeline.run_measure(
        wy_home, "crime-rate", PC, ["district"], None, None, "2022-12", per="young-adults"
    )
    assert young.rows == [] or young.rows[0].count == 0
    under25 = pipeline.run_measure(
        wy_home, "crime-rate", PC, ["district"], None, None, "2022-12", per="under-25"
    )
    # Census 2021 gives under 25 (0-15 plus 16-24).
    assert under25.population_vintage.startswith("Census 2021")
    assert under25.rows[0].count == 3


def test_age_band_no_population_holds_is_a_named_error(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    _rows(wy_home, write_police_crime, 1, 1, "2022-03")
    con = connect(wy_home)
    try:
        con.execute("DELETE FROM ref_district_population_estimates WHERE band = '0-17'")
    finally:
        con.close()
    with pytest.raises(NoPopulationError, match="children \\(under 18\\) for every district"):
        pipeline.run_measure(wy_home, "crime-rate", PC, None, None, None, None, per="children")


def test_age_specific_rate_needs_an_age(sy_home: Home) -> None:
    from tests.conftest import DATA

    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    pipeline.ingest_paths(sy_home, UK, files)
    with pytest.raises(UnsupportedFieldError, match=r"--per children .* holds none"):
        pipeline.run_measure(sy_home, "crime-rate", UK, None, None, None, None, per="children")
    with pytest.raises(NoPopulationError, match="--per 'babies' is not one of"):
        pipeline.run_measure(sy_home, "crime-rate", UK, None, None, None, None, per="babies")


def test_cli_per_option_states_population(
    wy_home: Home, write_police_crime: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from vrhub.cli import main

    _rows(wy_home, write_police_crime, 2, 1, "2022-03")
    code = main(
        [
            "measure",
            "run",
            "crime-rate",
            "--dataset",
            "police-crime",
            "--home",
            str(wy_home.path),
            "--per",
            "children",
            "--format",
            "csv",
        ]
    )
    out = capsys.readouterr()
    assert code == 0
    assert "ONS mid-2020 small-area population estimates (LSOA 2011), children (under 18)" in (
        re.sub(r"\s+", " ", out.err)
    )


def test_records_at_prisons_are_counted_where_the_population_excludes_prisoners(
    sy_home: Home,
) -> None:
    """Only the IoD 2019 denominators left: the rate says prisoners are excluded and how many
    records police.uk placed at a prison, counted independently from the files."""
    import csv

    from tests.conftest import DATA

    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    pipeline.ingest_paths(sy_home, UK, files)
    sy_lsoas = {
        c
        for (c,) in connect_rows(
            sy_home,
            "SELECT code FROM ref_lsoa WHERE district IN (SELECT unnest(?))",
            [list(sy_home.partnership.district_codes)],
        )
    }
    at_prison = 0
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            at_prison += sum(
                1
                for r in csv.DictReader(fh)
                if r["Location"] == "On or near Prison" and r["LSOA code"] in sy_lsoas
            )
    assert at_prison > 0
    newer = pipeline.run_measure(sy_home, "crime-rate", UK)
    assert not any("prison" in c for c in newer.caveats)  # Census 2021 includes prisoners
    connect_rows(sy_home, "DELETE FROM ref_district_population_estimates WHERE year <> 2015")
    old = pipeline.run_measure(sy_home, "crime-rate", UK)
    assert "excludes prisoners" in old.population_vintage
    [said] = [c for c in old.caveats if "at a prison" in c]
    assert said.startswith(f"{at_prison:,} of these records were recorded at a prison")


def connect_rows(home: Home, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = connect(home)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_rates_by_lsoa_2021_use_lsoa_2021_populations(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    rows = [
        police_crime_row(i, lsoa_code=code, recorded_date="2022-03-03 09:00")
        for i, code in enumerate(["E01011264", "E01011264", "E01035050"])
    ]
    pipeline.ingest_paths(wy_home, PC, [write_police_crime("pc.csv", rows)], source="wyp")
    census = _raw_census()
    r = pipeline.run_measure(wy_home, "crime-rate", PC, ["lsoa21"])
    assert r.population_vintage == "Census 2021 usual residents (LSOA 2021), all ages"
    got = {row.group[0]: (int(row.count), row.population) for row in r.rows}
    assert got == {
        "E01011264": (2, census["E01011264"]),
        "E01035050": (1, census["E01035050"]),
    }
    # By LSOA 2011 the same records use the mid-2020 estimates on 2011 codes.
    by11 = pipeline.run_measure(wy_home, "crime-rate", PC, ["lsoa"])
    assert by11.population_vintage.startswith("ONS mid-2020 small-area")


def _raw_census() -> dict[str, int]:
    rdata = pytest.importorskip("rdata")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [raw] = rdata.read_rda(RAW / "population" / "census21_pop.rda").values()
    return {str(k): int(v) for k, v in raw.groupby("lsoa21_code")["usual_residents"].sum().items()}
