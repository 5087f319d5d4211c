"""The scorecard finds the defects the demo generator planted, at the rates planted.

The demo (two years, seed 11) plants: one police month delivered 70 days after month end,
locations missing from 2.5% of police records, invalid codes in 0.3% of rows of every feed,
invalid LSOA codes in 0.1% and repeated identifiers in 0.05% of police rows, victim ages
missing from 5%, and LSOAs missing from 3% of hospital admissions. Each expected rate is
checked within four binomial standard errors of the planted rate.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.cli import main
from vrhub.demo import calibration as cal
from vrhub.demo.generate import DEFAULT_END_MONTH, months_between
from vrhub.quality.scorecard import THRESHOLDS, FeedScore, rate
from vrhub.store.analytical import connect

ROOT = Path(__file__).resolve().parents[2]


def near(observed: float, planted: float, n: int) -> bool:
    return abs(observed - planted) <= 4 * math.sqrt(planted * (1 - planted) / n) + 1e-9


@pytest.fixture(scope="module")
def feeds(demo_home: Path) -> dict[tuple[str, str], FeedScore]:
    found = pipeline.quality(pipeline.open_partnership_home(demo_home))
    return {(f.dataset, f.source): f for f in found}


def test_police_feed_defects_at_the_planted_rates(feeds: dict[tuple[str, str], FeedScore]) -> None:
    f = feeds[("police-crime", "west-yorkshire-police")]
    months = months_between(DEFAULT_END_MONTH, 24)
    assert f.months == months and f.missing_months == []
    assert f.late_months == [(months[-6], cal.LATE_DAYS.value)]
    assert f.measure("worst_lag_days").value == cal.LATE_DAYS.value
    assert f.measure("worst_lag_days").rating == "red"
    assert f.measure("median_lag_days").value == cal.ON_TIME_DAYS.value
    n = f.rows_read
    missing_location = 1 - f.measure("location_complete").value
    assert near(missing_location, cal.MISSING_LOCATION_RATE.value, n)
    assert near(f.measure("invalid_code_share").value, cal.INVALID_CODE_RATE.value, n)
    assert near(f.measure("invalid_lsoa_share").value, cal.INVALID_LSOA_RATE.value, n)
    assert near(f.measure("duplicate_share").value, cal.DUPLICATE_RATE.value, n)
    assert near(1 - f.measure("age_complete").value, 0.05, n)
    assert f.overall == "red"


def test_health_feeds_defects_at_the_planted_rates(
    feeds: dict[tuple[str, str], FeedScore],
) -> None:
    ed = [f for (d, _), f in feeds.items() if d == "ed-assault"]
    assert len(ed) == 5  # one feed per emergency department
    read = sum(f.rows_read for f in ed)
    invalid = sum(f.measure("invalid_code_share").value * f.rows_read for f in ed) / read
    assert near(invalid, cal.INVALID_CODE_RATE.value, read)
    hospital = feeds[("hospital-admission", "west-yorkshire-hospitals")]
    n = hospital.rows_read
    assert near(hospital.measure("invalid_code_share").value, cal.INVALID_CODE_RATE.value, n)
    assert near(1 - hospital.measure("location_complete").value, 0.03, n)
    assert hospital.late_months == []
    assert "serious_violence_share" in hospital.not_available


@pytest.mark.parametrize(
    ("measure", "value", "rating"),
    [
        ("median_lag_days", 31, "green"),
        ("median_lag_days", 32, "amber"),
        ("median_lag_days", 46, "red"),
        ("location_complete", 0.98, "green"),
        ("location_complete", 0.975, "amber"),
        ("location_complete", 0.94, "red"),
        ("rejected_share", 0.02, "amber"),
        ("rejected_share", 0.021, "red"),
    ],
)
def test_ratings_follow_the_thresholds(measure: str, value: float, rating: str) -> None:
    assert rate(measure, value) == rating


def test_every_threshold_is_documented() -> None:
    text = (ROOT / "docs/reference/quality.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")
    }
    for name, (green, amber) in THRESHOLDS.items():
        row = rows[f"`{name}`"]

        def shown(v: float, name: str = name) -> str:
            return f"{v:g}" if name.endswith(("days", "months")) else f"{v * 100:g}%"

        assert f" {shown(green)} |" in row, (name, row)
        if amber != green:
            assert f" {shown(amber)} |" in row, (name, row)


def test_cli_formats(demo_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(demo_home)
    assert main(["quality", "--home", home, "--source", "west-yorkshire-police"]) == 0
    shown = capsys.readouterr().out
    assert "police-crime from west-yorkshire-police: RED" in shown and "Late months:" in shown
    assert main(["quality", "--home", home, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    con = connect(pipeline.open_partnership_home(demo_home))
    try:
        loaded = {
            d for (d,) in con.execute("SELECT DISTINCT dataset FROM ingest_batches").fetchall()
        }
    finally:
        con.close()
    assert {d["dataset"] for d in data} == loaded >= {"police-crime", "ed-assault", "neet"}
    assert main(["quality", "--home", home, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "dataset,source,measure,value,rating,meaning"
    assert main(["quality", "--home", home, "--format", "xml"]) == 1
