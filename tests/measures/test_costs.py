"""Cost of violence: sourced unit costs only, offences times costs counted by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.errors import ReferenceDataError, UnsupportedFieldError
from vrhub.home import Home
from vrhub.measures import costs
from vrhub.measures.costs import parse_unit_costs

PC = get_dataset("police-crime")
HEADER = "category,offence_codes,unit_cost,price_year,source\n"


def test_docstring_example_runs() -> None:
    import doctest

    assert doctest.testmod(costs).failed == 0


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("Homicide,001/01,3000000,2015/16,\n", "row 2: source is blank"),
        ("Homicide,001/01,3000000,,Some source\n", "row 2: price_year is blank"),
        ("Homicide,1/1,3000000,2015/16,Some source\n", "offence_codes must be Home Office"),
        ("Homicide,001/01,-5,2015/16,Some source\n", "unit_cost '-5' is not an amount"),
        ("Homicide,001/01,lots,2015/16,Some source\n", "unit_cost 'lots' is not an amount"),
        (
            "Homicide,001/01,1,2015/16,S\nMurder,001/01,2,2015/16,S\n",
            "row 3: offence code 001/01 is already costed as Homicide",
        ),
    ],
)
def test_bad_unit_cost_tables_are_refused(row: str, says: str) -> None:
    with pytest.raises(ReferenceDataError, match=says):
        parse_unit_costs(HEADER + row, "costs.csv")


def test_missing_column_is_named() -> None:
    with pytest.raises(ReferenceDataError, match="missing column source"):
        parse_unit_costs("category,offence_codes,unit_cost,price_year\nA,001/01,1,2015\n", "c")


def test_costs_counted_by_hand(wy_home: Home, tmp_path: Path) -> None:
    path = tmp_path / "pc.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        codes = ["001/01", "008/01", "008/01", "034/02", "105/01"]
        for i, code in enumerate(codes, start=1):
            w.writerow(police_crime_row(i, ho_offence_code=code))
    pipeline.ingest_paths(wy_home, PC, [path], source="wyp")
    with pytest.raises(ReferenceDataError, match="no unit costs are loaded"):
        pipeline.cost_of_violence(wy_home, PC, ["category"])
    table = tmp_path / "costs.csv"
    table.write_text(
        HEADER
        + "Homicide,001/01;004/01,3000000,2015/16,Test source A\n"
        + "Violence with injury,008/01;005/01,14000,2015/16,Test source A\n",
        encoding="utf-8",
    )
    assert pipeline.load_unit_costs(wy_home, table, actor="analyst") == 2
    r = pipeline.cost_of_violence(wy_home, PC, ["category"])
    assert [(x.group, x.offences, x.cost) for x in r.rows] == [
        (("Homicide",), 1, 3_000_000.0),
        (("Violence with injury",), 2, 28_000.0),
    ]
    assert r.uncosted == 2  # the robbery and the assault without injury have no cost here
    assert (r.price_years, r.sources) == (["2015/16"], ["Test source A"])
    total = pipeline.cost_of_violence(wy_home, PC, [])
    assert total.rows[0].cost == 3_028_000.0
    by_year = pipeline.cost_of_violence(wy_home, PC, ["district", "year"])
    assert by_year.rows[0].group == ("E08000035", "2024")
    with pytest.raises(UnsupportedFieldError, match="not victim_sex"):
        pipeline.cost_of_violence(wy_home, PC, ["victim_sex"])


def test_demo_costs_are_labelled_illustrative(demo_home: Path) -> None:
    home = pipeline.open_partnership_home(demo_home)
    r = pipeline.cost_of_violence(home, PC, ["category"])
    assert r.rows and all("ILLUSTRATIVE" in s for s in r.sources)
