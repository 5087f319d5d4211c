"""Control charts on real police.uk counts (issue 16), computed independently with pandas
from the raw South Yorkshire street-level files for January to June 2022, without vrhub."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from tests.conftest import RAW
from vrhub.measures.spc import NO_CHART, XMR, control, xmr

STREET = RAW / "police_uk_south_yorkshire_2022"
DISTRICTS = ("Barnsley", "Doncaster", "Rotherham", "Sheffield")

pytestmark = pytest.mark.skipif(not STREET.is_dir(), reason="the raw police.uk files are absent")


@cache
def _records() -> pd.DataFrame:
    df = pd.concat(
        pd.read_csv(f, usecols=["Month", "LSOA name", "Crime type"])
        for f in sorted(STREET.glob("*.csv"))
    )
    df["district"] = df["LSOA name"].str.rsplit(" ", n=1).str[0]
    df["msoa"] = df["LSOA name"].str[:-1]  # "Sheffield 001A" is in "Sheffield 001"
    return df[df["district"].isin(DISTRICTS)]


def _monthly(*by: str, crime_type: str | None = None) -> pd.DataFrame:
    """Records by ``by`` and month (a month with none is a true 0: every file of the six
    months is there; an area with none in all six is not a row)."""
    df = _records()
    if crime_type:
        df = df[df["Crime type"] == crime_type]
    return df.groupby([*by, "Month"]).size().unstack(fill_value=0)


def test_every_real_district_series_gets_an_xmr_chart_with_the_same_limits() -> None:
    table = _monthly("district", "Crime type")
    months = [str(m) for m in table.columns]
    assert months == [f"2022-0{m}" for m in range(1, 7)] and len(table) == 56
    for _, row in table.iterrows():
        found = control(months, [float(v) for v in row])
        mean, mr = row.mean(), row.diff().abs().mean()
        assert mean >= 2  # no district's crime type is rare
        assert found.method == XMR  # six months: too short to allow for the season
        assert found.chart is not None
        assert abs(found.chart.mean - mean) < 1e-9
        assert abs(found.chart.upper - (mean + 2.66 * mr)) < 1e-9
        assert abs(found.chart.lower - max(mean - 2.66 * mr, 0)) < 1e-9
        assert "fewer than 15 months: limits are unreliable" in found.notes


@pytest.mark.parametrize(
    ("crime_type", "areas", "rare", "xmr_concerns"),
    [("Possession of weapons", 156, 143, 23), ("Robbery", 146, 133, 16)],
)
def test_rare_real_neighbourhood_series_are_not_judged_by_an_xmr_chart(
    crime_type: str, areas: int, rare: int, xmr_concerns: int
) -> None:
    table = _monthly("msoa", crime_type=crime_type)
    months = [str(m) for m in table.columns]
    small = table[table.mean(axis=1) < 2]
    assert (len(table), len(small)) == (areas, rare)
    concerns = 0
    for _, row in small.iterrows():
        values = [float(v) for v in row]
        found = control(months, values)  # police.uk holds the month only: no dates
        assert found.method == NO_CHART and found.signals == []
        assert "too few events a month for a control chart" in found.notes[0]
        concerns += any(s.kind == "concern" for s in xmr(months, values).signals)
    # Before: one XmR chart called these neighbourhoods' tiny counts special-cause concerns.
    assert concerns == xmr_concerns
