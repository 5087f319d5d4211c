"""The SQL conversions agree with an independent reading of the same text in Python."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vrhub.datasets.spec import Field, Kind
from vrhub.ingest import rules

DATETIME = Field("when", "when", Kind.DATETIME, "a date and time")
DATE = Field("day", "day", Kind.DATE, "a date")

#: Every layout the standards accept, as Python writes it.
LAYOUTS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _typed(con: duckdb.DuckDBPyConnection, f: Field, text: str) -> object:
    row = con.execute(f"SELECT {rules.typed(f, '$v')}", {"v": text}).fetchone()
    assert row is not None
    return row[0]


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    layout=st.sampled_from(LAYOUTS),
)
def test_every_accepted_layout_reads_back_the_same_moment(
    con: duckdb.DuckDBPyConnection, when: dt.datetime, layout: str
) -> None:
    text = when.strftime(layout)
    expected = dt.datetime.strptime(text, layout)
    assert _typed(con, DATETIME, text) == expected
    if "%H" not in layout:
        assert _typed(con, DATE, text) == expected.date()


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",  # no such day
        "2024-13-01",
        "2024-01-01 25:00",
        "2024-01-01 10:00:60",
        "2024-01-01 10:00+01",  # a time zone is not part of the standard
        "20240101",
        "2024/01/01",
        "yesterday",
    ],
)
def test_text_that_is_not_a_date_and_time_reads_as_missing(
    con: duckdb.DuckDBPyConnection, text: str
) -> None:
    assert _typed(con, DATETIME, text) is None


def test_fractional_seconds_and_one_digit_hours_are_read(con: duckdb.DuckDBPyConnection) -> None:
    assert _typed(con, DATETIME, "2024-01-01 10:00:00.123") == dt.datetime(
        2024, 1, 1, 10, 0, 0, 123000
    )
    assert _typed(con, DATETIME, "2024-01-01 9:05") == dt.datetime(2024, 1, 1, 9, 5)
