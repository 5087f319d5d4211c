"""The four feeds end to end through the command line, as a partner analyst sends them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.datasets.justice import (
    JUSTICE,
    LEEDS_2011,
    grant_justice_agreement,
    justice_files,
    query,
    write_rows,
)
from vrhub.cli import main
from vrhub.home import Home

BREAKDOWN = {
    "youth-justice": "outcome_type",
    "probation": "order_type",
    "fire-incident": "incident_type",
    "ambulance-incident": "category",
}


def test_each_feed_loads_and_counts_through_the_cli(
    wy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grant_justice_agreement(wy_home)
    files = justice_files(tmp_path, ["2024-01", "2024-02"], [LEEDS_2011], seed=3)
    home = ["--home", str(wy_home.path)]
    by = BREAKDOWN
    for name in JUSTICE:
        ingest = ["ingest", "--dataset", name, "--organisation", "test-justice", str(files[name])]
        assert main([*ingest, *home]) == 0, capsys.readouterr().err
        capsys.readouterr()
        assert main(["counts", "--dataset", name, "--by", by[name], "--format", "csv", *home]) == 0
        shown = capsys.readouterr().out.splitlines()
        with files[name].open(encoding="utf-8") as fh:
            header, *lines = fh.read().splitlines()
        column = header.split(",").index(by[name])
        expected = Counter(line.split(",")[column] for line in lines)
        got = {row.split(",")[0]: int(row.split(",")[1]) for row in shown[1:]}
        assert got == expected, name


def test_a_bad_row_is_reported_in_words_and_kept_aside(
    wy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grant_justice_agreement(wy_home)
    good = {
        "supervision_id": "S1",
        "person_id": "P1",
        "start_date": "2024-05-02",
        "sentence_date": "2024-05-01",
        "order_type": "Licence",
        "ho_offence_group": "Robbery",
        "age": "23",
        "sex": "Male",
        "residence_lsoa": LEEDS_2011,
    }
    bad = good | {"supervision_id": "S2", "sentence_date": "2024-06-01"}
    path = write_rows(tmp_path / "probation.csv", [good, bad])
    home = ["--home", str(wy_home.path)]
    assert main(["ingest", "--dataset", "probation", str(path), *home]) == 0
    said = capsys.readouterr()
    assert "probation.csv: 1 of 2 rows loaded, 1 rejected into quarantine" in said.out
    assert main(["quarantine", "list", "--limit", "5", *home]) == 0
    listed = capsys.readouterr().out
    assert "start_date is earlier than sentence_date" in listed
    assert query(wy_home, "SELECT count(*) FROM events_probation") == [(1,)]
