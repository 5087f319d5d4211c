"""police.uk files ingest with exactly the counts an independent count of the files gives."""

from __future__ import annotations

import collections
import csv
import gzip
from pathlib import Path

import pytest

from tests.conftest import DATA, RAW
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.reference.sources import shipped_dir

POLICE_UK = get_dataset("police-uk-street")


def independent_counts(files: list[Path], districts: set[str]) -> dict[tuple[str, str, str], int]:
    """Count with the csv module, IoD 2019 File 1's LSOA → district column and the ONS list
    of district codes (old → current: Barnsley and Sheffield have new codes since 2025)."""
    with gzip.open(shipped_dir() / "lookups" / "la_all_codes.csv.gz", "rt", newline="") as fh:
        current = {r["LADCD"]: r["LADCD_ACTIVE"] for r in csv.DictReader(fh)}
    lad = {}
    imd = shipped_dir() / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
    with gzip.open(imd, "rt", encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            code = r["Local Authority District code (2019)"]
            lad[r["LSOA code (2011)"]] = current[code]
    counts: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                code = r["LSOA code"]
                district = lad.get(code, "outside") if code else "unknown"
                if district in districts or district == "unknown":
                    counts[(r["Month"], district, r["Crime type"])] += 1
    return dict(counts)


def _check(home: Home, files: list[Path]) -> None:
    results = pipeline.ingest_paths(home, POLICE_UK, files)
    assert all(r.status == "loaded" for r in results), [r.message for r in results]
    table = pipeline.counts(home, POLICE_UK, ["month", "district", "crime_type"])
    got = {(r[0], r[1], r[2]): r[3] for r in table.rows}
    expected = independent_counts(files, set(home.partnership.district_codes))
    assert got == expected
    every = pipeline.counts(home, POLICE_UK, ["month"], all_areas=True)
    rows = sum(len(f.read_text(encoding="utf-8").splitlines()) - 1 for f in files)
    assert every.total == rows == sum(r.rows_accepted for r in results)
    again = pipeline.ingest_paths(home, POLICE_UK, files)
    assert [r.status for r in again] == ["unchanged"] * len(files)
    assert all("nothing changed" in r.message for r in again)
    assert pipeline.counts(home, POLICE_UK, ["month", "district", "crime_type"]).rows == table.rows


def test_committed_extract_counts_exactly(sy_home: Home) -> None:
    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    assert len(files) == 2
    _check(sy_home, files)


@pytest.mark.skipif(
    not (RAW / "police_uk_south_yorkshire_2022").is_dir(),
    reason="the shared raw police.uk files are only on the development machine",
)
def test_six_months_of_south_yorkshire_count_exactly(sy_home: Home) -> None:
    files = sorted((RAW / "police_uk_south_yorkshire_2022").glob("*.csv"))
    assert len(files) == 6
    _check(sy_home, files)
    total = pipeline.counts(sy_home, POLICE_UK, ["crime_type"], all_areas=True)
    assert total.total == 91_486
    by_type = {r[0]: r[1] for r in total.rows}
    assert by_type["Violence and sexual offences"] == 31_425
    assert by_type["Anti-social behaviour"] == 12_407
    unknown = pipeline.counts(sy_home, POLICE_UK, ["district"])
    assert dict((r[0], r[1]) for r in unknown.rows)["unknown"] == 3_610


def test_counts_by_lsoa_and_unsupported_field(sy_home: Home) -> None:
    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    pipeline.ingest_paths(sy_home, POLICE_UK, files)
    by_lsoa = pipeline.counts(sy_home, POLICE_UK, ["lsoa"], all_areas=True)
    assert by_lsoa.total == 467
    from vrhub.errors import UnsupportedFieldError

    with pytest.raises(UnsupportedFieldError, match="no field 'victim_age'"):
        pipeline.counts(sy_home, POLICE_UK, ["victim_age"])
