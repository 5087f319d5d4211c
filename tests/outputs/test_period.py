"""A report or a set of recommendations asked for a year in which no data is held is refused,
saying which months are held; never a report of empty tables and zeros."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import police_crime_row
from vrhub import pipeline
from vrhub.cli import main
from vrhub.home import Home
from vrhub.outputs.period import ReportInputError


def test_a_year_with_no_data_is_refused_naming_the_months_held(
    wy_home: Home,
    write_police_crime: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        police_crime_row(i, occurred_from=f"2025-0{m}-10 21:00", recorded_date=f"2025-0{m}-11")
        for i, m in enumerate((3, 4, 5))
    ]
    [r] = pipeline.ingest_paths(
        wy_home, pipeline.get_dataset("police-crime"), [write_police_crime("pc.csv", rows)],
        source="wyp",
    )  # fmt: skip
    assert r.rows_accepted == 3, r.message
    with pytest.raises(ReportInputError) as err:
        pipeline.build_reports(wy_home, tmp_path / "out", "year ending 2019-03", pdf=False)
    assert str(err.value) == (
        "no data is held for the year ending March 2019 (April 2018 to March 2019): the data "
        'held runs from March 2025 to May 2025; give a --period "year ending YYYY-MM" within it'
    )
    assert not (tmp_path / "out" / "manifest.json").exists()
    home = str(wy_home.path)
    code = main(["recommendations", "propose", "--home", home, "--period", "year ending 2019-03"])
    assert code == 1
    assert "no data is held for the year ending March 2019" in capsys.readouterr().err
    # A year holding one of the months is reported on.
    built = pipeline.build_reports(
        wy_home, tmp_path / "ok", "year ending 2025-04", districts=False, pdf=False
    )
    assert built.reports


def test_a_home_with_no_data_says_load_some_first(wy_home: Home, tmp_path: Path) -> None:
    with pytest.raises(ReportInputError, match="no data is loaded yet"):
        pipeline.build_reports(wy_home, tmp_path / "out", "year ending 2025-03", pdf=False)
