"""Rates by deprivation decile: the quantitative core of the Influential Factors synthesis.

Records placed in an LSOA (2011) take that LSOA's decile of the English Indices of
Deprivation 2019 (the overall index or one domain; 1 is the most deprived tenth of England).
For each decile: count, population, rate and interval; then the rate ratio and difference
between the most and the least deprived decile present, and the **gradient**: the rate ratio
for each step of one decile, from a Poisson regression of the counts on decile with the
population as exposure (fitted by iteratively reweighted least squares; interval from the
Fisher information).

Example (runnable, a perfect gradient: each decile half the rate of the one before)::

    >>> counts = {d: 1024 // 2 ** (d - 1) for d in range(1, 11)}
    >>> g = poisson_gradient(counts, {d: 10_000 for d in range(1, 11)})
    >>> round(g.ratio_per_decile, 3)
    0.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import ibis
import numpy as np

from vrhub.datasets.spec import Dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.measures.change import Comparison, compare_counts
from vrhub.measures.engine import selected
from vrhub.measures.intervals import rate_interval
from vrhub.measures.spec import Measure
from vrhub.tally import Tally

DOMAINS = (
    "imd",
    "income",
    "employment",
    "education",
    "health",
    "crime",
    "housing",
    "living_environment",
)


@dataclass(frozen=True)
class Gradient:
    ratio_per_decile: float
    lower: float
    upper: float


@dataclass(frozen=True)
class DecileRow:
    decile: int
    count: int
    population: int
    rate: float
    lower: float
    upper: float


@dataclass
class DeprivationResult:
    measure: str
    dataset: str
    domain: str
    district: str | None
    per: int
    rows: list[DecileRow]
    most_vs_least: Comparison | None
    difference: float | None
    gradient: Gradient | None
    unplaced: int
    notes: list[str] = field(default_factory=list)


def poisson_gradient(
    counts: Mapping[int, int], populations: Mapping[int, float]
) -> Gradient | None:
    """Rate ratio per decile from a Poisson log-linear model with population offset."""
    deciles = sorted(d for d in populations if populations[d] > 0)
    if len(deciles) < 2 or sum(counts.get(d, 0) for d in deciles) == 0:
        return None
    x = np.array([[1.0, float(d)] for d in deciles])
    y = np.array([float(counts.get(d, 0)) for d in deciles])
    offset = np.log(np.array([float(populations[d]) for d in deciles]))
    beta = np.array([math.log(max(float(y.sum()), 0.5) / float(np.exp(offset).sum())), 0.0])
    for _ in range(50):
        mu = np.exp(x @ beta + offset)
        info = x.T @ (x * mu[:, None])
        step = np.linalg.solve(info, x.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(x @ beta + offset)
    info = x.T @ (x * mu[:, None])
    se = math.sqrt(float(np.linalg.inv(info)[1, 1]))
    b = float(beta[1])
    return Gradient(math.exp(b), math.exp(b - 1.959964 * se), math.exp(b + 1.959964 * se))


def by_decile(
    backend: ibis.BaseBackend,
    measure: Measure,
    dataset: Dataset,
    districts: list[str],
    domain: str = "imd",
    district: str | None = None,
    filters: dict[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> DeprivationResult:
    """Rates by deprivation decile for the partnership, or one of its districts."""
    if domain not in DOMAINS:
        raise UnsupportedFieldError(
            f"'{domain}' is not a deprivation domain (choose from {', '.join(DOMAINS)})"
        )
    column = f"{domain}_decile"
    imd = backend.table("ref_imd")
    if column not in imd.columns:
        raise UnsupportedFieldError(f"the loaded deprivation data has no {domain} decile")
    if district is not None and district not in districts:
        raise UnsupportedFieldError(
            f"{district} is not a district of the partnership ({', '.join(districts)})"
        )
    area = [district] if district else list(districts)
    t = selected(backend, measure, dataset, dict(filters or {}), date_from, date_to)
    t = t.filter(t.district.isin(area))
    unplaced = int(t.filter(t.lsoa11.isnull()).count().to_pyarrow().as_py())
    deciles = imd.select(lsoa=imd.lsoa11, decile=imd[column])
    counted = (
        t.filter(t.lsoa11.notnull())
        .join(deciles, t.lsoa11 == deciles.lsoa)
        .group_by("decile")
        .aggregate(count=lambda x: x.count(), cell_key=lambda x: x.record_key.sum())
    )
    lsoa = backend.table("ref_lsoa")
    pop = backend.table("ref_population")
    here = lsoa.filter((lsoa.code == lsoa.lsoa11) & lsoa.district.isin(area))
    populations = (
        pop.join(here, pop.lsoa11 == here.code)
        .join(deciles, pop.lsoa11 == deciles.lsoa)
        .group_by("decile")
        .aggregate(population=lambda x: x.total.sum())
    )
    count_of = {
        int(r["decile"]): Tally(int(r["count"]), int(r["cell_key"] or 0))
        for r in counted.to_pyarrow().to_pylist()
    }
    pop_of = {int(r["decile"]): int(r["population"]) for r in populations.to_pyarrow().to_pylist()}
    return from_counts(measure, dataset, domain, district, count_of, pop_of, unplaced)


def from_counts(
    measure: Measure,
    dataset: Dataset,
    domain: str,
    district: str | None,
    count_of: Mapping[int, int],
    pop_of: Mapping[int, int],
    unplaced: int = 0,
) -> DeprivationResult:
    """Rates, the most-against-least comparison and the gradient from counts by decile (a
    report outside the analyst tier passes the published, rounded counts)."""
    rows = []
    for d in sorted(pop_of):
        ci = rate_interval(count_of.get(d, 0), pop_of[d], measure.per)
        # The count as given (a tally keeps its cell key for disclosure control).
        rows.append(DecileRow(d, count_of.get(d, 0), pop_of[d], ci.rate, ci.lower, ci.upper))
    notes = []
    comparison = difference = None
    if len(rows) >= 2:
        most, least = rows[0], rows[-1]
        comparison = compare_counts(most.count, least.count, most.population, least.population)
        difference = most.rate - least.rate
        if (most.decile, least.decile) != (1, 10):
            notes.append(
                f"the area has no LSOA in decile {1 if most.decile != 1 else 10}; the "
                f"comparison is decile {most.decile} against decile {least.decile}"
            )
    return DeprivationResult(
        measure.name,
        dataset.name,
        domain,
        district,
        measure.per,
        rows,
        comparison,
        difference,
        poisson_gradient(count_of, pop_of),
        unplaced,
        notes,
    )


__all__ = ["DOMAINS", "DeprivationResult", "by_decile", "from_counts", "poisson_gradient"]
