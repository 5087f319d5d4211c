"""Which months the store holds for a dataset, so a month with no data is never read as zero.

A dataset can have several sources (each organisation, or each source named at ingest, such
as several police forces or hospital trusts). A source is expected every month from its first
month to the dataset's latest. A month is *held* when every source expected for it has sent
records for it; a month some but not all sources have sent is *partial* ("2025-03: no file
from leeds-th yet") and is treated as not held, so a district whose source is late never
shows a false fall. A period is *whole* when every one of its months is held, *partial* when
some of its months have data, and *not held* when none has any. Counts for a period
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

A month one source has not sent yet is not held::

    >>> late = Coverage("ed-assault", frozenset({"2025-01", "2025-02"}), {"2025-03": ("leeds-th",)})
    >>> late.state(("2025-01", "2025-03")), late.last
    ('partial', '2025-03')
    >>> late.held()
    'the data held runs from 2025-01 to 2025-03; 2025-03: no file from leeds-th yet'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vrhub.datasets.spec import Dataset
from vrhub.errors import NoDataHeldError
from vrhub.months import month_range


@dataclass(frozen=True)
class Coverage:
    """The months a dataset holds records for from every source (``months``), and the months
    some source has not sent yet (``partial``: month to the sources missing)."""

    dataset: str
    months: frozenset[str]
    partial: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def some(self) -> frozenset[str]:
        """Months with any data, from every source or some."""
        return self.months | frozenset(self.partial)

    @property
    def first(self) -> str | None:
        return min(self.some) if self.some else None

    @property
    def last(self) -> str | None:
        return max(self.some) if self.some else None

    def held(self) -> str:
        """What is held, in words."""
        if not self.some:
            return f"no {self.dataset} data is held yet"
        text = f"the data held runs from {self.first} to {self.last}"
        absent = [
            m for m in self.missing((self.first or "", self.last or "")) if m not in self.partial
        ]
        text += f", with no data for {held_words(absent)}" if absent else ""
        return text + (f"; {self.partial_words()}" if self.partial else "")

    def partial_words(self, months: list[str] | None = None) -> str:
        """Which source each partial month (of ``months``, or all) still lacks."""
        chosen = (
            sorted(self.partial) if months is None else [m for m in months if m in self.partial]
        )
        return "; ".join(f"{m}: no file from {' or '.join(self.partial[m])} yet" for m in chosen)

    def gap_words(self, months: list[str]) -> str:
        """Months not held, in words: those with no data and those a source has not sent."""
        absent = [m for m in months if m not in self.partial]
        late = [m for m in months if m in self.partial]
        parts = [f"no {self.dataset} data for {held_words(absent)}"] if absent else []
        return "; ".join([*parts, *([self.partial_words(late)] if late else [])])

    def missing(self, period: tuple[str, str]) -> list[str]:
        """The months of the period that are not held (from every source)."""
        return [m for m in month_range(*period) if m not in self.months]

    def state(self, period: tuple[str, str]) -> str:
        """'whole', 'partial' or 'not held'."""
        gaps = self.missing(period)
        if not gaps:
            return "whole"
        return "partial" if any(m in self.some for m in month_range(*period)) else "not held"

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
                f"{label} ({period[0]} to {period[1]}) is only partly held: "
                f"{self.gap_words(gaps)}, so a change cannot be measured fairly; {self.held()}"
            )


def coverage(con: Any, dataset: Dataset) -> Coverage:
    """The months the dataset's events table holds records for, from each source (the
    organisation that sent a batch, or the source named at ingest)."""
    rows = con.execute(
        "SELECT coalesce(b.organisation, b.source, '') AS source, e.month "
        f"FROM (SELECT DISTINCT batch_id, month FROM {dataset.table}) e "
        "LEFT JOIN ingest_batches b USING (batch_id) GROUP BY ALL"
    ).fetchall()
    return by_source(dataset.name, [(str(src), str(m)) for src, m in rows])


def by_source(dataset: str, rows: list[tuple[str, str]]) -> Coverage:
    """Coverage from (source, month) pairs: each source is expected from its first month to
    the dataset's latest."""
    if not rows:
        return Coverage(dataset, frozenset())
    sent: dict[str, set[str]] = {}
    for src, m in rows:
        sent.setdefault(src, set()).add(m)
    last = max(m for _, m in rows)
    some = {m for _, m in rows}
    months, partial = set(), {}
    for m in some:
        lacking = tuple(
            sorted(src for src, ms in sent.items() if min(ms) <= m <= last and m not in ms)
        )
        if lacking:
            partial[m] = lacking
        else:
            months.add(m)
    return Coverage(dataset, frozenset(months), partial)


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
