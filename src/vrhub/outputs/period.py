"""The period a report covers: a year ending a month, against the 12 months before it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from vrhub.datasets import all_datasets, get_dataset
from vrhub.errors import VrhubError
from vrhub.measures.change import year_ending
from vrhub.months import month_add

PERIOD = re.compile(r"^\s*year ending (\d{4})-(\d{2})\s*$", re.IGNORECASE)
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class ReportInputError(VrhubError):
    """A report was asked for in a way that cannot be met (period, audience, output)."""


def month_name(month: str) -> str:
    """'2026-09' as 'September 2026'."""
    year, m = month.split("-")
    return f"{MONTH_NAMES[int(m) - 1]} {year}"


@dataclass(frozen=True)
class Period:
    """The report's year and the one before, as inclusive month ranges."""

    end: str
    current: tuple[str, str]
    previous: tuple[str, str]

    @property
    def label(self) -> str:
        return f"year ending {month_name(self.end)}"

    @property
    def history(self) -> tuple[str, str]:
        """The five years to the end of the period, for trends and SPC."""
        return month_add(self.end, -59), self.end


def parse_period(text: str) -> Period:
    """'year ending 2026-09' as a :class:`Period`."""
    m = PERIOD.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ReportInputError(
            f"--period '{text}' is not understood: write it as \"year ending YYYY-MM\", "
            'for example "year ending 2026-09"'
        )
    end = f"{m.group(1)}-{m.group(2)}"
    current, previous = year_ending(end)
    return Period(end, current, previous)


def latest_year(con: duckdb.DuckDBPyConnection) -> Period:
    """The latest year ending in the police-recorded crime held."""
    [(last,)] = con.execute(
        f"SELECT max(month) FROM {get_dataset('police-crime').table}"
    ).fetchall()
    if last is None:
        raise ReportInputError(
            "no police-recorded crime is loaded, so there is no latest year to report on: "
            'give --period "year ending YYYY-MM" or load data first'
        )
    return parse_period(f"year ending {last}")


def check_held(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """Refuse a period in which no dataset holds a single record, saying which months are held
    (a report on it would be tables of nothing, never a true picture of no violence)."""
    have = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    lo: str | None = None
    hi: str | None = None
    first, last = period.current
    for d in all_datasets():
        if d.table not in have:
            continue
        [(a, b, inside)] = con.execute(
            f"SELECT min(month), max(month), count(*) FILTER (WHERE month BETWEEN ? AND ?) "
            f"FROM {d.table}",
            [first, last],
        ).fetchall()
        if inside:
            return
        if a is not None:
            lo, hi = min(lo or a, a), max(hi or b, b)
    if lo is None or hi is None:
        raise ReportInputError(
            "no data is loaded yet, so there is nothing to report on: load partner files "
            "first (vrhub ingest)"
        )
    raise ReportInputError(
        f"no data is held for the {period.label} ({month_name(first)} to {month_name(last)}): "
        f"the data held runs from {month_name(lo)} to {month_name(hi)}; give a --period "
        '"year ending YYYY-MM" within it'
    )
