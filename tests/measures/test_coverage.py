"""Missing data is never zero (issue 16): periods and months with no data held are said so,
refused where a figure would mislead, and left out of series instead of counted as 0."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import police_crime_row
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.errors import NoDataHeldError
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.measures import coverage
from vrhub.measures.engine import MeasureInputError
from vrhub.months import month_range
from vrhub.outputs.period import parse_period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports.sections.common import change, trend

PC = get_dataset("police-crime")
#: Twelve months of data, 2025-01 to 2025-12, with no file for 2025-06.
HELD = [m for m in month_range("2025-01", "2025-12") if m != "2025-06"]


def test_docstring_example_runs() -> None:
    assert doctest.testmod(coverage).failed == 0


@pytest.fixture
def home(wy_home: Home, write_police_crime: Callable[..., Path]) -> Home:
    rows = [
        police_crime_row(
            100 * i + k, occurred_from=f"{m}-0{k + 1} 22:00", recorded_date=f"{m}-0{k + 2} 09:00"
        )
        for i, m in enumerate(HELD)
        for k in range(5)
    ]
    [r] = pipeline.ingest_paths(wy_home, PC, [write_police_crime("pc.csv", rows)], source="wyp")
    assert r.rows_accepted == 5 * len(HELD)
    return wy_home


def test_a_baseline_with_no_data_is_refused_not_read_as_none(home: Home) -> None:
    with pytest.raises(NoDataHeldError) as e:
        pipeline.compare_periods(
            home, "serious-violence", PC, ("2025-07", "2025-12"), ("2024-07", "2024-12")
        )
    assert str(e.value) == (
        "no police-crime data is held for the period compared with (2024-07 to 2024-12): the "
        "data held runs from 2025-01 to 2025-12, with no data for 2025-06"
    )


def test_a_partly_held_period_is_not_compared(home: Home) -> None:
    with pytest.raises(
        NoDataHeldError, match=r"only partly held: no police-crime data for 2025-06"
    ):
        pipeline.compare_periods(
            home, "serious-violence", PC, ("2025-04", "2025-09"), ("2024-10", "2025-03")
        )


@pytest.mark.parametrize(
    ("current", "previous", "by", "says"),
    [
        (("2025-07", "2025-12"), ("2025-03", "2025-08"), [], "the periods overlap"),
        (("2025-12", "2025-07"), ("2025-01", "2025-05"), [], "give the earlier month first"),
        (("2025-07", "2025-12"), ("2025-01", "2025-05"), ["month"], "cannot be broken down by"),
        (("2027-01", "2027-12"), ("2026-01", "2026-12"), [], "no police-crime data is held"),
    ],
)
def test_comparisons_that_cannot_be_made_are_refused_in_one_line(
    home: Home, current: tuple[str, str], previous: tuple[str, str], by: list[str], says: str
) -> None:
    with pytest.raises((NoDataHeldError, MeasureInputError), match=says):
        pipeline.compare_periods(home, "serious-violence", PC, current, previous, by)


def test_a_missing_month_is_left_out_of_the_control_chart_not_counted_as_zero(
    home: Home,
) -> None:
    [(_, chart)] = pipeline.measure_spc(home, "serious-violence", PC)
    assert chart.months == HELD  # 2025-06 is not a month of 0
    assert min(chart.values) == 5 and chart.signals == []
    with pytest.raises(NoDataHeldError, match="at least two months"):
        pipeline.measure_spc(home, "serious-violence", PC, date_from="2025-05", date_to="2025-06")


def test_a_period_with_no_data_is_refused_and_a_partial_one_says_so(home: Home) -> None:
    with pytest.raises(NoDataHeldError, match="no police-crime data is held for the months"):
        pipeline.run_measure(home, "serious-violence", PC, date_from="2023-01", date_to="2023-12")
    partial = pipeline.run_measure(
        home, "serious-violence", PC, date_from="2025-01", date_to="2025-12"
    )
    assert partial.rows[0].count == 55
    assert any("no police-crime data for 2025-06" in c for c in partial.caveats)


def test_the_report_says_the_previous_year_is_not_held(home: Home) -> None:
    with open_hub(home) as hub:
        data = Reads(
            hub.home, hub.con, hub.gov, "analyst", parse_period("year ending 2025-12"), None,
            Lineage(),
        )  # fmt: skip
        ch = change(data, "serious-violence", "police-crime")
        chart, spc, why = trend(data, "serious-violence", "police-crime", "t", "t")
    assert ch.comparison is None and ch.before.text() == "no data"
    sentence = ch.sentence("Serious violence", "West Yorkshire", "year ending December 2025")
    assert (
        "this year is only partly held (no police-crime data for 2025-06) and no police-crime "
        "data is held for the previous 12 months, so no change is given" in sentence
    )
    assert "against none" not in sentence and " 0 " not in sentence
    # The monthly line has a gap for the month with no file, and the chart leaves it out.
    assert chart is not None and spc is not None
    assert [r["y"] for r in chart.rows if r["x"] == "2025-06"] == [None]
    assert "2025-06" not in spc.months and "left out" in why


def test_deprivation_and_costs_refuse_a_period_with_no_data_and_note_a_partial_one(
    home: Home,
) -> None:
    with pytest.raises(NoDataHeldError, match="no police-crime data is held for the months"):
        pipeline.measure_deprivation(
            home, "serious-violence", PC, date_from="2023-01", date_to="2023-12"
        )
    partial = pipeline.measure_deprivation(
        home, "serious-violence", PC, date_from="2025-01", date_to="2025-12"
    )
    assert any("no police-crime data for 2025-06" in n for n in partial.notes)
    table = home.path.parent / "costs.csv"
    table.write_text(
        "category,offence_codes,unit_cost,price_year,source\n"
        "Violence with injury,008/01,14000,2015/16,Test source A\n",
        encoding="utf-8",
    )
    pipeline.load_unit_costs(home, table, actor="analyst")
    with pytest.raises(NoDataHeldError, match="no police-crime data is held for the months"):
        pipeline.cost_of_violence(home, PC, [], date_from="2030-01", date_to="2030-12")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["measure", "change", "serious-violence", "--year-ending", "Sept 2025"],
         "--year-ending 'Sept 2025' is not a month: write it as YYYY-MM"),
        (["measure", "change", "serious-violence", "--year-ending", "2025"],
         "--year-ending '2025' is not a month"),
        (["measure", "spc", "serious-violence", "--from", "Jan-25"], "--from 'Jan-25' is not"),
        (["measure", "spc", "serious-violence", "--to", "2025-13"], "--to '2025-13' is not"),
        (["measure", "costs", "--from", "2025"], "--from '2025' is not a month"),
    ],
)  # fmt: skip
def test_a_month_in_another_form_is_one_clear_line_naming_its_option(
    home: Home, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert main([*args, "--home", str(home.path), "--dataset", "police-crime"]) == 1
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
