"""Everything a report reads, through the measures engine, with its lineage and audience checks.

One :class:`ReportData` serves one report (the partnership's or a district's) for one audience:
it runs measures over the report's area, records every batch, agreement and definition version
drawn on (for the appendix and the manifest), and refuses figures whose agreements do not
permit the audience, so a section can say so instead of showing them.
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
from vrhub.governance.lineage import (
    AgreementRef,
    agreements_for_batches,
    check_audience,
    strictest_rule,
)
from vrhub.home import Home
from vrhub.measures import engine
from vrhub.measures.engine import MeasureResult
from vrhub.measures.registry import get_measure
from vrhub.reports.period import Period

AUDIENCES = ("analyst", "partner", "public")
T = TypeVar("T")


@dataclass
class Lineage:
    """What a report drew on."""

    batches: set[int] = field(default_factory=set)
    agreements: dict[str, AgreementRef] = field(default_factory=dict)
    measures: dict[str, str] = field(default_factory=dict)  # name -> version
    definitions: set[str] = field(default_factory=set)
    withheld: dict[str, str] = field(default_factory=dict)  # dataset -> why


@dataclass
class ReportData:
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
        return self.audience == "analyst"

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
        """A measure over the report's area and the disclosure rule its figures need.

        Raises :class:`~vrhub.governance.lineage.AudienceForbiddenError` when an agreement
        drawn on does not permit the report's audience.
        """
        months = months or self.period.current
        wanted = dict(filters or {})
        if self.district:
            wanted["district"] = self.district
        key = (name, dataset, tuple(by or []), months, tuple(sorted(wanted.items())))
        if key in self._cache:
            return self._cache[key]
        ds = get_dataset(dataset)
        m = get_measure(name)
        result = engine.run_measure(
            self.backend, m, ds, self.area, list(by or []), wanted, months[0], months[1]
        )
        refs = agreements_for_batches(self.gov.records, result.batches)
        check_audience(refs, self.audience)
        result.agreements = [r.label for r in refs]
        rule = None if self.exact else DisclosureRule(*strictest_rule(refs))
        if rule is not None:
            result.disclosure = f"{self.audience} audience: {rule.describe()}"
        self.lineage.batches.update(result.batches)
        self.lineage.agreements.update({r.label: r for r in refs})
        self.lineage.measures[m.name] = m.version
        if result.definition:
            self.lineage.definitions.add(result.definition)
        self._cache[key] = (result, rule)
        return result, rule

    def rule_for(self, batches: list[int]) -> DisclosureRule | None:
        """The rule for figures drawn from these batches (checking the audience)."""
        refs = agreements_for_batches(self.gov.records, batches)
        check_audience(refs, self.audience)
        self.lineage.batches.update(batches)
        self.lineage.agreements.update({r.label: r for r in refs})
        return None if self.exact else DisclosureRule(*strictest_rule(refs))
