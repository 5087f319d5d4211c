"""Governed reads: every figure an output shows, through the measures engine and the one
release step (:func:`vrhub.governance.release.release`).

A :class:`Query` names what is asked (measure, dataset, filters, breakdown, months). One
:class:`Reads` serves one output (a report, a district profile, a dashboard page) for one
audience and area: it runs each query over the area, releases it (agreements drawn on, the
audience check, the strictest disclosure rule), records every batch, agreement and definition
version drawn on (for the appendix and the manifest), and refuses figures whose agreements do
not permit the audience, so the output can say so instead of showing them.

Example (runnable)::

    >>> q = Query("crime-rate", "police-crime", by=("district",), months=("2025-10", "2026-09"))
    >>> q.with_area("E08000035").filters
    (('district', 'E08000035'),)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import duckdb
import ibis

from vrhub.datasets import get_dataset
from vrhub.disclosure.engine import DisclosureRule
from vrhub.governance.context import Governance
from vrhub.governance.lineage import AgreementRef
from vrhub.governance.release import Release, release
from vrhub.governance.roles import reads_exact_figures
from vrhub.home import Home
from vrhub.measures import engine
from vrhub.measures.engine import MeasureResult
from vrhub.measures.registry import get_measure
from vrhub.outputs.period import Period

AUDIENCES = ("analyst", "partner", "public")
T = TypeVar("T")


@dataclass(frozen=True)
class Query:
    """What an output asks for: a measure of a dataset, filtered, broken down, over months."""

    measure: str
    dataset: str
    #: (field, value) pairs, sorted, e.g. (("district", "E08000035"),).
    filters: tuple[tuple[str, str], ...] = ()
    by: tuple[str, ...] = ()
    #: First and last month (YYYY-MM), or None for the output's own period.
    months: tuple[str, str] | None = None

    def with_area(self, district: str | None) -> Query:
        """The same query for one district (None: unchanged)."""
        if district is None:
            return self
        wanted = dict(self.filters) | {"district": district}
        return Query(
            self.measure, self.dataset, tuple(sorted(wanted.items())), self.by, self.months
        )


@dataclass
class Lineage:
    """What a report drew on."""

    batches: set[int] = field(default_factory=set)
    agreements: dict[str, AgreementRef] = field(default_factory=dict)
    measures: dict[str, str] = field(default_factory=dict)  # name -> version
    definitions: set[str] = field(default_factory=set)
    withheld: dict[str, str] = field(default_factory=dict)  # dataset -> why


@dataclass
class Reads:
    home: Home
    con: duckdb.DuckDBPyConnection
    gov: Governance
    audience: str
    period: Period
    district: str | None
    lineage: Lineage
    _cache: dict[tuple[Any, ...], tuple[MeasureResult, DisclosureRule | None]] = field(
        default_factory=dict
    )
    _loaded: dict[str, bool] = field(default_factory=dict)
    _derived: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.backend = ibis.duckdb.from_connection(self.con)

    @property
    def area(self) -> list[str]:
        """The district codes the report covers."""
        return [self.district] if self.district else list(self.home.partnership.district_codes)

    @property
    def area_name(self) -> str:
        if self.district is None:
            return self.home.partnership.name
        return next(d.name for d in self.home.partnership.districts if d.code == self.district)

    @property
    def exact(self) -> bool:
        return reads_exact_figures(self.audience)

    def district_name(self, code: str) -> str:
        return next((d.name for d in self.home.partnership.districts if d.code == code), code)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """A figure derived from the measures, worked out once per report (a section and the
        dashboard page built on it share it)."""
        if key not in self._derived:
            self._derived[key] = compute()
        result: T = self._derived[key]
        return result

    def has_data(self, dataset: str) -> bool:
        """Whether the dataset holds any records (asked once per report)."""
        if dataset not in self._loaded:
            ds = get_dataset(dataset)
            [row] = self.con.execute(f"SELECT count(*) FROM {ds.table}").fetchall()
            self._loaded[dataset] = bool(row and row[0])
        return self._loaded[dataset]

    def measure(
        self,
        name: str,
        dataset: str,
        by: list[str] | None = None,
        months: tuple[str, str] | None = None,
        filters: dict[str, str] | None = None,
    ) -> tuple[MeasureResult, DisclosureRule | None]:
        """A measure over the output's area (see :meth:`run`)."""
        q = Query(name, dataset, tuple(sorted((filters or {}).items())), tuple(by or []), months)
        return self.run(q)

    def run(self, q: Query) -> tuple[MeasureResult, DisclosureRule | None]:
        """A query's figures over the output's area and the disclosure rule they need.

        Raises :class:`~vrhub.errors.AudienceForbiddenError` when an agreement drawn on does
        not permit the audience, and :class:`~vrhub.errors.UngovernedBatchError` when a batch
        cannot be tied to its agreement.
        """
        q = q.with_area(self.district)
        months = q.months or self.period.current
        key = (q.measure, q.dataset, q.by, months, q.filters)
        if key in self._cache:
            return self._cache[key]
        m = get_measure(q.measure)
        result = engine.run_measure(
            self.backend, m, get_dataset(q.dataset), self.area, list(q.by), dict(q.filters),
            months[0], months[1],
        )  # fmt: skip
        released = self._release(result.batches)
        result.agreements = released.labels
        rule = self._rule(released)
        if rule is not None:
            result.disclosure = f"{self.audience} audience: {rule.describe()}"
        self.lineage.measures[m.name] = m.version
        if result.definition:
            self.lineage.definitions.add(result.definition)
        self._cache[key] = (result, rule)
        return result, rule

    def rule_for(self, batches: list[int]) -> DisclosureRule | None:
        """The rule for figures drawn from these batches (checking the audience)."""
        return self._rule(self._release(batches))

    def _release(self, batches: list[int]) -> Release:
        released = release(self.gov.records, batches, self.audience)
        self.lineage.batches.update(batches)
        self.lineage.agreements.update({a.label: a for a in released.agreements})
        return released

    @staticmethod
    def _rule(released: Release) -> DisclosureRule | None:
        if released.exact:
            return None
        return DisclosureRule(released.suppress_max, released.round_to)
