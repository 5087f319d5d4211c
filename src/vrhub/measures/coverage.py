"""Which months the store holds for a dataset, so a month with no data is never read as zero.

A month is *held* when the dataset has records for it. A period is *whole* when every one of
its months is held, *partial* when some are, and *not held* when none are. Counts for a period
not held are refused with a :class:`~vrhub.errors.NoDataHeldError` that says what is held;
comparisons need both periods whole; a monthly series leaves out the months not held instead
of showing them as 0.

Example (runnable)::

    >>> c = Coverage("police-crime", frozenset({"2025-10", "2025-11", "2025-12"}))
    >>> c.missing(("2025-09", "2025-12"))
    ['2025-09']
    >>> periods = [("2025-10", "2025-12"), ("2025-09", "2025-12"), ("2024-01", "2024-12")]
    >>> [c.state(p) for p in periods]
    ['whole', 'partial', 'not held']
    >>> try:
    ...     c.require(("2024-10", "2025-09"), "the previous 12 months")
    ... except NoDataHeldError as e:
    ...     print(e)  # doctest: +NORMALIZE_WHITESPACE
    no police-crime data is held for the previous 12 months (2024-10 to 2025-09): the data held
    runs from 2025-10 to 2025-12
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vrhub.datasets.spec import Dataset
from vrhub.errors import NoDataHeldError
from vrhub.months import month_range


@dataclass(frozen=True)
class Coverage:
    """The months a dataset holds records for."""

    dataset: str
    months: frozenset[str]

    @property
    def first(self) -> str | None:
        return min(self.months) if self.months else None

    @property
    def last(self) -> str | None:
        return max(self.months) if self.months else None

    def held(self) -> str:
        """What is held, in words."""
        if not self.months:
            return f"no {self.dataset} data is held yet"
        gaps = self.missing((self.first or "", self.last or ""))
        text = f"the data held runs from {self.first} to {self.last}"
        return text + (f", with no data for {held_words(gaps)}" if gaps else "")

    def missing(self, period: tuple[str, str]) -> list[str]:
        """The months of the period that are not held."""
        return [m for m in month_range(*period) if m not in self.months]

    def state(self, period: tuple[str, str]) -> str:
        """'whole', 'partial' or 'not held'."""
        gaps = self.missing(period)
        if not gaps:
            return "whole"
        return "not held" if len(gaps) == len(month_range(*period)) else "partial"

    def require(self, period: tuple[str, str], label: str) -> list[str]:
        """Refuse a period none of whose months is held; return the months missing from it."""
        if period[0] > period[1]:
            raise NoDataHeldError(
                f"{label} ({period[0]} to {period[1]}) ends before it starts: give the "
                "earlier month first"
            )
        if self.state(period) == "not held":
            raise NoDataHeldError(
                f"no {self.dataset} data is held for {label} ({period[0]} to {period[1]}): "
                f"{self.held()}"
            )
        return self.missing(period)

    def require_whole(self, period: tuple[str, str], label: str) -> None:
        """Refuse a period not wholly held (a comparison of part of a year with a whole one
        would show a fall that is only missing data)."""
        gaps = self.require(period, label)
        if gaps:
            raise NoDataHeldError(
                f"{label} ({period[0]} to {period[1]}) is only partly held: no {self.dataset} "
                f"data for {held_words(gaps)}, so a change cannot be measured fairly; "
                f"{self.held()}"
            )


def coverage(con: Any, dataset: Dataset) -> Coverage:
    """The months the dataset's events table holds records for."""
    rows = con.execute(f"SELECT DISTINCT month FROM {dataset.table}").fetchall()
    return Coverage(dataset.name, frozenset(str(r[0]) for r in rows))


def held_words(months: list[str]) -> str:
    """Months as runs: '2024-10 to 2025-03 and 2025-06'."""
    runs: list[list[str]] = []
    for m in months:
        if runs and month_range(runs[-1][-1], m)[1:] == [m]:
            runs[-1].append(m)
        else:
            runs.append([m])
    parts = [r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
