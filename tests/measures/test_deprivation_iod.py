"""Deprivation by IoD 2025 (the default) or IoD 2019: records of either LSOA vintage placed,
the unplaceable counted, the vintage stated; IoD 2025 as shipped matches the raw files."""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import DATA, RAW, police_crime_row
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.home import Home
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
UK = get_dataset("police-uk-street")
WY = ("E08000032", "E08000033", "E08000034", "E08000035", "E08000036")
FILE2 = RAW / "imd2025" / "File_2_IoD2025 Domains of Deprivation.csv"
needs_raw = pytest.mark.skipif(not FILE2.is_file(), reason="the raw IoD 2025 files are not here")


@needs_raw
def test_iod2025_deciles_for_west_yorkshire_match_the_raw_csv(wy_home: Home) -> None:
    with open(FILE2, encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Local Authority District code (2024)"] in WY]
    decile_col = next(c for c in rows[0] if c.startswith("Index of Multiple Deprivation (IMD) Dec"))
    crime_col = next(c for c in rows[0] if c.startswith("Crime Decile"))
    want = Counter(int(r[decile_col]) for r in rows)
    want_crime = Counter(int(r[crime_col]) for r in rows)
    con = connect(wy_home)
    try:
        codes = [r["LSOA code (2021)"] for r in rows]
        got = dict(
            con.execute(
                "SELECT imd_decile, count(*) FROM ref_imd2025 WHERE lsoa21 IN (SELECT unnest(?)) "
                "GROUP BY 1",
                [codes],
            ).fetchall()
        )
        got_crime = dict(
            con.execute(
                "SELECT crime_decile, count(*) FROM ref_imd2025 "
                "WHERE lsoa21 IN (SELECT unnest(?)) GROUP BY 1",
                [codes],
            ).fetchall()
        )
        # Every WY LSOA 2021 of IoD 2025 is placed in its district by reference geography.
        placed = con.execute(
            "SELECT count(*) FROM ref_lsoa WHERE code IN (SELECT unnest(?)) AND district IN "
            "(SELECT unnest(?))",
            [codes, list(WY)],
        ).fetchall()[0][0]
        score = con.execute(
            "SELECT imd_score FROM ref_imd2025 WHERE lsoa21 = 'E01000001'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert len(rows) == sum(want.values()) == 1_404
    assert got == dict(want) and got_crime == dict(want_crime)
    assert placed == len(rows)
    assert score == pytest.approx(8.742)  # the humaniverse copy of File 7


def _ingest(home: Home, write: Callable[..., Path], lsoas: list[str]) -> None:
    rows = [
        police_crime_row(i, lsoa_code=code, recorded_date="2022-03-03 09:00")
        for i, code in enumerate(lsoas)
    ]
    [r] = pipeline.ingest_paths(home, PC, [write("pc.csv", rows)], source="wyp")
    assert r.rows_accepted == len(lsoas)


def test_iod2025_is_the_default_and_places_2011_and_2021_codes(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    # E01011264: a Leeds LSOA unchanged in 2021 (IoD 2025 decile 6, IoD 2019 decile 5);
    # E01035050: a Leeds LSOA new in 2021; E01011490: a Leeds 2011 LSOA split in 2021.
    _ingest(wy_home, write_police_crime, ["E01011264"] * 3 + ["E01035050"] * 2 + ["E01011490"])
    r = pipeline.measure_deprivation(wy_home, "crime-rate", PC)
    assert r.iod == "IoD 2025"
    assert "English Indices of Deprivation 2025" in r.vintage()
    assert "Census 2021 usual residents (LSOA 2021)" in r.vintage()  # nearest 2022
    counts = {row.decile: int(row.count) for row in r.rows if row.count}
    con = connect(wy_home)
    try:
        d_new = con.execute(
            "SELECT imd_decile FROM ref_imd2025 WHERE lsoa21 = 'E01035050'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert sum(counts.values()) == 5 and counts[6] >= 3
    assert counts[d_new] == (5 if d_new == 6 else 2)
    # The split LSOA's record is counted and said, not dropped silently.
    assert r.unmatched == 1
    assert r.notes[0].startswith("1 records are not in the rates because its LSOA 2011")

    old = pipeline.measure_deprivation(wy_home, "crime-rate", PC, iod="2019")
    assert old.iod == "IoD 2019" and "LSOA 2011" in (old.population or "")
    old_counts = {row.decile: int(row.count) for row in old.rows if row.count}
    # IoD 2019 is on 2011 codes: the split LSOA is placed by its own code; every record is
    # either in a decile or counted as unmatched (a 2021 code with no single 2011 code).
    assert old_counts[5] >= 3 and old_counts[6] >= 1
    assert sum(old_counts.values()) + old.unmatched == 6 and old.unplaced == 0

    with pytest.raises(UnsupportedFieldError, match="--iod '2015' is not a deprivation vintage"):
        pipeline.measure_deprivation(wy_home, "crime-rate", PC, iod="2015")
    with pytest.raises(UnsupportedFieldError, match="not a deprivation domain of IoD 2019"):
        pipeline.measure_deprivation(wy_home, "crime-rate", PC, domain="idaci", iod="2019")
    children = pipeline.measure_deprivation(wy_home, "crime-rate", PC, domain="idaci")
    assert children.domain == "idaci"


def test_cli_states_the_vintage(
    wy_home: Home, write_police_crime: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _ingest(wy_home, write_police_crime, ["E01011264"] * 3)
    args = ["measure", "deprivation", "crime-rate", "--dataset", "police-crime"]
    args += ["--home", str(wy_home.path), "--format", "csv"]
    assert main(args) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[0].endswith(",per,iod")
    assert all(line.endswith(",IoD 2025") for line in out.out.splitlines()[1:])
    assert "IoD 2025: deciles of the English Indices of Deprivation 2025" in " ".join(
        out.err.split()
    )
    assert main([*args, "--iod", "2019"]) == 0
    assert "IoD 2019: deciles" in " ".join(capsys.readouterr().err.split())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_iod2025_gradient_on_real_data_against_statsmodels(sy_home: Home) -> None:
    """Sheffield, January to June 2022: vrhub's quasi-Poisson gradient over IoD 2025 deciles
    agrees with statsmodels fitted to the same counts and populations."""
    sm = pytest.importorskip("statsmodels.api")
    files = sorted((DATA / "police_uk_sy_extract").glob("*.csv"))
    pipeline.ingest_paths(sy_home, UK, files)
    r = pipeline.measure_deprivation(sy_home, "crime-rate", UK, district="E08000019")
    assert r.iod == "IoD 2025" and len(r.rows) >= 3
    deciles = [row.decile for row in r.rows]
    y = np.array([float(row.count) for row in r.rows])
    x = sm.add_constant(np.array(deciles, dtype=float))
    offset = np.log(np.array([float(row.population) for row in r.rows]))
    fit = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    lower, upper = np.exp(fit.conf_int(alpha=0.05)[1])
    g = r.gradient
    assert g is not None
    assert g.ratio_per_decile == pytest.approx(math.exp(fit.params[1]), rel=1e-6)
    assert g.dispersion.ratio == pytest.approx(fit.scale, rel=1e-6)
    if fit.scale > 1:
        assert g.lower == pytest.approx(lower, rel=1e-6)
        assert g.upper == pytest.approx(upper, rel=1e-6)
