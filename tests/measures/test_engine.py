"""The measures engine against an independent computation on the real police.uk files.

The independent side reads the police.uk CSV files with the csv module, places each LSOA in
its district with IoD 2019 File 1, takes populations from the raw Census 2021 R data file
(the population nearest 2022, summed by the district named in each LSOA's name) and computes
rates and Byar or exact intervals itself. Counts must match exactly; rates and intervals to four
significant figures.
"""

from __future__ import annotations

import collections
import csv
import gzip
import math
import re
import warnings
from pathlib import Path

import pytest
from scipy.stats import chi2

from tests.conftest import DATA, RAW
from vrhub import pipeline
from vrhub.cli import common, main
from vrhub.datasets import get_dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.home import Home
from vrhub.measures import engine
from vrhub.measures.engine import MeasureInputError
from vrhub.measures.registry import UnknownMeasureError
from vrhub.reference.sources import shipped_dir
from vrhub.store.analytical import connect

UK = get_dataset("police-uk-street")
VSO = "Violence and sexual offences"


def census2021_by_district() -> collections.Counter[str]:
    """Census 2021 usual residents by district code, from the raw R data file: each LSOA's
    district is the name its LSOA name starts with, coded by IoD 2019 File 1."""
    import rdata

    code_of = {}
    # District codes as ONS uses them today (Barnsley and Sheffield were recoded in 2025).
    with gzip.open(shipped_dir() / "lookups" / "la_all_codes.csv.gz", "rt", newline="") as fh:
        today = {r["LADCD"]: r["LADCD_ACTIVE"] for r in csv.DictReader(fh)}
    with gzip.open(
        shipped_dir() / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        "rt",
        encoding="utf-8-sig",
        newline="",
    ) as fh:
        for r in csv.DictReader(fh):
            code_of[r["Local Authority District name (2019)"]] = today[
                r["Local Authority District code (2019)"]
            ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tibble classes read as plain data frames
        [census] = rdata.read_rda(RAW / "population" / "census21_pop.rda").values()
    population: collections.Counter[str] = collections.Counter()
    for name, n in zip(census["lsoa21_name"], census["usual_residents"], strict=True):
        district = code_of.get(re.sub(r"\s+\d{3}[A-Z]$", "", str(name)))
        if district:
            population[district] += int(n)
    return population


def independent(files: list[Path], districts: set[str], crime_type: str) -> dict[str, tuple]:
    lad = {}
    # District codes as ONS uses them today (Barnsley and Sheffield were recoded in 2025).
    with gzip.open(shipped_dir() / "lookups" / "la_all_codes.csv.gz", "rt", newline="") as fh:
        today = {r["LADCD"]: r["LADCD_ACTIVE"] for r in csv.DictReader(fh)}
    with gzip.open(
        shipped_dir() / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        "rt",
        encoding="utf-8-sig",
        newline="",
    ) as fh:
        for r in csv.DictReader(fh):
            lad[r["LSOA code (2011)"]] = today[r["Local Authority District code (2019)"]]
    population = census2021_by_district()
    counts: collections.Counter[str] = collections.Counter()
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                district = lad.get(r["LSOA code"])
                if r["Crime type"] == crime_type and district in districts:
                    counts[district] += 1
    out = {}
    for d, n in counts.items():
        pop = population[d]
        if n >= 10:
            z = 1.959963984540054
            lo = n * (1 - 1 / (9 * n) - z / (3 * math.sqrt(n))) ** 3
            hi = (n + 1) * (1 - 1 / (9 * (n + 1)) + z / (3 * math.sqrt(n + 1))) ** 3
        else:
            lo = chi2.ppf(0.025, 2 * n) / 2 if n else 0.0
            hi = chi2.ppf(0.975, 2 * n + 2) / 2
        out[d] = (n, pop, 1000 * n / pop, 1000 * lo / pop, 1000 * hi / pop)
    return out


def same4(a: float, b: float) -> bool:
    return float(f"{a:.4g}") == float(f"{b:.4g}")


def check(home: Home, files: list[Path], date_from: str, date_to: str) -> None:
    pipeline.ingest_paths(home, UK, files)
    result = pipeline.run_measure(
        home, "crime-rate", UK, ["district"], {"crime_type": VSO}, date_from, date_to
    )
    expected = independent(files, set(home.partnership.district_codes), VSO)
    got = {row.group[0]: row for row in result.rows}
    assert set(got) == set(expected)
    for d, (n, pop, rate, lo, hi) in expected.items():
        row = got[d]
        assert (row.count, row.population) == (n, pop)
        assert row.rate is not None and row.lower is not None and row.upper is not None
        assert same4(row.rate, rate) and same4(row.lower, lo) and same4(row.upper, hi), (d, row)
    assert result.agreements == ["OGL-3.0 v1"]
    assert result.per == 1000


def test_committed_extract_rates(sy_home: Home) -> None:
    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    check(sy_home, files, "2022-01", "2022-06")


@pytest.mark.skipif(
    not (RAW / "police_uk_south_yorkshire_2022").is_dir(),
    reason="the shared raw police.uk files are only on the development machine",
)
def test_six_months_of_south_yorkshire_rates(sy_home: Home) -> None:
    files = sorted((RAW / "police_uk_south_yorkshire_2022").glob("*.csv"))
    check(sy_home, files, "2022-01", "2022-06")


def test_unsupported_and_bad_requests_refuse_clearly(sy_home: Home) -> None:
    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    pipeline.ingest_paths(sy_home, UK, files)
    with pytest.raises(UnsupportedFieldError, match="one geography at a time"):
        pipeline.run_measure(sy_home, "crime-rate", UK, ["lsoa", "lsoa21"])
    with pytest.raises(UnsupportedFieldError, match="has no field 'victim_age'"):
        pipeline.run_measure(sy_home, "crime-rate", UK, ["victim_age"])
    with pytest.raises(MeasureInputError, match="--from '2022-13' is not a month"):
        pipeline.run_measure(sy_home, "crime-rate", UK, [], None, "2022-13")
    with pytest.raises(UnknownMeasureError, match="no measure is called 'knife'"):
        pipeline.run_measure(sy_home, "knife", UK)


def test_cli_measure_commands(
    sy_home: Home, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common.out, "width", 400)
    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    pipeline.ingest_paths(sy_home, UK, files)
    assert main(["measure", "list"]) == 0
    assert "crime-rate" in capsys.readouterr().out
    assert main(["measure", "show", "crime-rate"]) == 0
    assert "Denominator: resident population" in capsys.readouterr().out
    args = [
        "measure",
        "run",
        "crime-rate",
        "--home",
        str(sy_home.path),
        "--dataset",
        "police-uk-street",
        "--filter",
        f"crime_type={VSO}",
        "--by",
        "district",
        "--from",
        "2022-01",
        "--to",
        "2022-06",
        "--format",
        "csv",
    ]
    assert main(args) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "district,count,population,rate,lower,upper,per"
    assert len(lines) == 5 and all(line.endswith(",1000") for line in lines[1:])
    assert "under OGL-3.0 v1" in captured.err
    assert main([*args[:-1], "xml"]) == 1


def test_homes_loaded_before_the_district_population_table_give_the_same_rates(
    sy_home: Home,
) -> None:
    """Rates join a district population table summed at reference load; a home whose
    reference data predates that table sums the LSOA populations instead, to the same figures."""
    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    pipeline.ingest_paths(sy_home, UK, files)
    args = (sy_home, "crime-rate", UK, ["district"], {"crime_type": VSO}, "2022-01", "2022-06")
    with_table = pipeline.run_measure(*args)
    whole = pipeline.run_measure(sy_home, "crime-rate", UK, [], {"crime_type": VSO})
    con = connect(sy_home)
    try:
        con.execute("DROP TABLE ref_district_population")
    finally:
        con.close()
    engine._COMPILED.clear()
    without = pipeline.run_measure(*args)
    assert without.rows == with_table.rows
    assert pipeline.run_measure(sy_home, "crime-rate", UK, [], {"crime_type": VSO}) == whole
    assert sum(r.population or 0 for r in with_table.rows) == whole.rows[0].population


def test_a_district_filter_gives_the_rate_per_that_districts_residents(sy_home: Home) -> None:
    """Filtered to one district, the rate is over that district's residents (its row in the
    by-district result), not the whole partnership's; a neighbourhood filter without its
    population is refused rather than divided by the whole area."""
    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    pipeline.ingest_paths(sy_home, UK, files)
    period = ("2022-01", "2022-06")
    by_district = pipeline.run_measure(
        sy_home, "crime-rate", UK, ["district"], {"crime_type": VSO}, *period
    )
    for row in by_district.rows:
        [district] = row.group
        one = pipeline.run_measure(
            sy_home, "crime-rate", UK, [], {"crime_type": VSO, "district": district}, *period
        )
        [only] = one.rows
        assert (only.count, only.population, only.rate) == (row.count, row.population, row.rate)
    whole = pipeline.run_measure(sy_home, "crime-rate", UK, [], {"crime_type": VSO}, *period)
    assert whole.rows[0].population == sum(r.population or 0 for r in by_district.rows)
    with pytest.raises(MeasureInputError, match="group by lsoa21 instead"):
        pipeline.run_measure(sy_home, "crime-rate", UK, [], {"lsoa21": "E01007320"}, *period)
