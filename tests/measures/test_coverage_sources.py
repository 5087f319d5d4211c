"""A month is held only when every source that supplies the dataset has sent it (issue 16):
a month one organisation has not sent yet is partial, said so, and never read as a fall."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import (
    HOMICIDES,
    TEST_AGREEMENT,
    police_crime_row,
    rare_homicide_rows,
    write_police_uk,
)
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.errors import NoDataHeldError
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.measures.coverage import Coverage, by_source, coverage
from vrhub.measures.spc import NO_CHART, T_CHART, XMR
from vrhub.months import month_range

PC = get_dataset("police-crime")
BRADFORD_LSOA = "E01010801"  # Bradford 036E
MONTHS = month_range("2024-01", "2025-12")


def test_by_source_by_hand() -> None:
    rows = [("a", m) for m in ("2025-01", "2025-02", "2025-03")]
    rows += [("b", m) for m in ("2025-02", "2025-04")]
    c = by_source("x", rows)
    # b starts in 2025-02, so 2025-01 needs only a; b has not sent 2025-03; a not 2025-04.
    assert c.months == frozenset({"2025-01", "2025-02"})
    assert dict(c.partial) == {"2025-03": ("b",), "2025-04": ("a",)}
    assert c.state(("2025-01", "2025-02")) == "whole"
    assert c.state(("2025-03", "2025-04")) == "partial"
    assert c.state(("2025-05", "2025-06")) == "not held"
    assert c.held() == (
        "the data held runs from 2025-01 to 2025-04; 2025-03: no file from b yet; 2025-04: no "
        "file from a yet"
    )
    assert (
        c.gap_words(["2024-12", "2025-03"]) == "no x data for 2024-12; 2025-03: no file from b yet"
    )
    assert by_source("x", []) == Coverage("x", frozenset())


@pytest.fixture
def home(wy_home: Home, write_police_crime: Callable[..., Path]) -> Home:
    """Leeds from the police (every month) and Bradford from the partnership (no 2025-11 or
    2025-12 file yet), five records a month each."""
    leeds = [
        police_crime_row(
            100 * i + k, recorded_date=f"{m}-0{k + 1} 09:00", occurred_from=f"{m}-0{k + 1} 08:00"
        )
        for i, m in enumerate(MONTHS)
        for k in range(5)
    ]
    bradford = [
        police_crime_row(
            90000 + 100 * i + k,
            recorded_date=f"{m}-0{k + 1} 09:00",
            occurred_from=f"{m}-0{k + 1} 08:00",
            lsoa_code=BRADFORD_LSOA,
        )
        for i, m in enumerate(MONTHS[:-2])
        for k in range(5)
    ]
    for name, rows, org in (("leeds.csv", leeds, "test-police"), ("bfd.csv", bradford, "test-vrp")):
        [r] = pipeline.ingest_paths(
            wy_home,
            PC,
            [write_police_crime(name, rows)],
            source="wyp",
            agreement=TEST_AGREEMENT,
            organisation=org,
        )
        assert r.rows_accepted == len(rows)
    return wy_home


def test_a_month_one_source_has_not_sent_is_partial_not_a_fall(home: Home) -> None:
    with open_hub(home) as hub:
        held = coverage(hub.con, PC)
    assert held.months == frozenset(MONTHS[:-2])
    assert dict(held.partial) == {"2025-11": ("test-vrp",), "2025-12": ("test-vrp",)}
    assert held.last == "2025-12"

    # Bradford's missing months are not zeros: no false fall or improvement signal.
    charts = dict(pipeline.measure_spc(home, "serious-violence", PC, ["district"]))
    assert set(charts) == {("E08000032",), ("E08000035",)}
    for chart in charts.values():
        assert chart.method == XMR and chart.months == MONTHS[:-2]
        assert chart.signals == [] and min(chart.values) == 5

    with pytest.raises(NoDataHeldError, match="holds 1 whole month from 2025-10 to 2025-12 ") as e:
        pipeline.measure_spc(home, "serious-violence", PC, date_from="2025-10")
    assert str(e.value).endswith(
        "2025-11: no file from test-vrp yet; 2025-12: no file from test-vrp yet)"
    )

    with pytest.raises(NoDataHeldError) as e:
        pipeline.compare_periods(
            home, "serious-violence", PC, ("2025-01", "2025-12"), ("2024-01", "2024-12")
        )
    assert str(e.value).startswith(
        "the period (2025-01 to 2025-12) is only partly held: 2025-11: no file from test-vrp "
        "yet; 2025-12: no file from test-vrp yet, so a change cannot be measured fairly"
    )
    # The months every source has sent compare fairly.
    [(_, c)] = pipeline.compare_periods(
        home, "serious-violence", PC, ("2024-12", "2025-10"), ("2024-01", "2024-11")
    )
    assert (c.count, c.previous, c.significant) == (110, 110, False)

    # A rate over the whole period says which months a source has not sent, not "no data".
    result = pipeline.run_measure(home, "serious-violence", PC, ["district"])
    [said] = [c for c in result.caveats if "Only part of the period" in c]
    assert "2025-11: no file from test-vrp yet; 2025-12: no file from test-vrp yet" in said
    assert "no police-crime data for" not in said


def test_rare_events_with_dates_get_a_t_chart_end_to_end(
    wy_home: Home, write_police_crime: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # An assault every month (so every month is held) and six homicides in two years.
    rows = rare_homicide_rows(MONTHS)
    [r] = pipeline.ingest_paths(wy_home, PC, [write_police_crime("pc.csv", rows)], source="wyp")
    assert r.rows_accepted == len(rows)
    [(_, chart)] = pipeline.measure_spc(wy_home, "non-domestic-homicide", PC)
    assert chart.method == T_CHART
    assert chart.months == HOMICIDES[1:]
    # Days between them, counted on a calendar (2024 is a leap year): to 2 March 52, to 20
    # June 110, to 5 August 46, to 30 November 117, to 14 February 76.
    assert chart.values == [52.0, 110.0, 46.0, 117.0, 76.0]
    assert chart.counts["2024-01"] == 1 and chart.counts["2024-02"] == 0
    assert chart.signals == []

    home = ["--home", str(wy_home.path), "--dataset", "police-crime", "--format", "csv"]
    assert main(["measure", "spc", "non-domestic-homicide", *home]) == 0
    out = capsys.readouterr().out
    assert out.startswith("method,mean,lower_limit,upper_limit,signal,kind,months,explanation")
    assert "t chart" in out and "days between events" in out


def test_rare_events_known_only_by_month_get_no_chart(sy_home: Home, tmp_path: Path) -> None:
    at = ",SYP,SYP,-1.47,53.38,On or near X,E01007321,Sheffield 001A"
    lines = [f",{m}{at},Anti-social behaviour,," for m in MONTHS]
    lines += [f"w{i},{m}{at},Possession of weapons,," for i, m in enumerate(MONTHS[::5])]
    path = write_police_uk(tmp_path / "uk.csv", lines)
    uk = get_dataset("police-uk-street")
    [r] = pipeline.ingest_paths(sy_home, uk, [path])
    assert r.rows_accepted == len(lines)
    [(_, chart)] = pipeline.measure_spc(
        sy_home, "crime-rate", uk, filters={"crime_type": "Possession of weapons"}
    )
    assert chart.method == NO_CHART and chart.signals == [] and chart.chart is None
    assert chart.notes == [
        "fewer than two events a month on average (0.2): too few events a month for a control "
        "chart, and the dates of events are not held; shown as counts"
    ]
    assert sum(chart.values) == 5


@pytest.mark.parametrize("by", ["month", "district,date"])
def test_spc_by_month_is_one_clear_line(
    sy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str], by: str
) -> None:
    at = ",SYP,SYP,-1.47,53.38,On or near X,E01007321,Sheffield 001A,Burglary,,"
    path = write_police_uk(tmp_path / "uk.csv", [f",{m}{at}" for m in MONTHS[:3]])
    pipeline.ingest_paths(sy_home, get_dataset("police-uk-street"), [path])
    args = ["--home", str(sy_home.path), "--dataset", "police-uk-street", "--by", by]
    assert main(["measure", "spc", "crime-rate", *args]) == 1
    field = by.split(",")[-1]
    assert capsys.readouterr().err.strip() == (
        f"error: a control chart is drawn month by month already, so --by cannot include "
        f"{field}: leave it out"
    )
