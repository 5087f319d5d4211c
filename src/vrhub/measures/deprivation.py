"""Rates by deprivation decile: the quantitative core of the Influential Factors synthesis.

Records placed in an LSOA take that LSOA's decile of the English Indices of Deprivation (the
overall index or one domain; 1 is the most deprived tenth of England). **IoD 2025** (on LSOA
2021) is the default: records coded to LSOA 2021 join it directly, records coded to LSOA 2011
through the LSOA 2011 → 2021 lookup in ``ref_lsoa``; a record whose 2011 LSOA has no single
2021 code (a split), or whose LSOA has no decile (Wales), is counted and said, never dropped
silently. ``iod="2019"`` uses IoD 2019 on LSOA 2011. The vintage is stated with every result,
and the population is the one nearest the period on the same LSOA geography
(:mod:`vrhub.measures.population`).
For each decile: count, population, rate and interval; then the rate ratio and difference
between the most and the least deprived decile present, and the **gradient**: the rate ratio
for each step of one decile, from a log-linear regression of the counts on decile with the
population as exposure.

The gradient is fitted as a **quasi-Poisson** model (McCullagh and Nelder, *Generalized Linear
Models*, 2nd ed., 1989, section 4.5 on quasi-likelihood; Wedderburn, *Biometrika* 61, 1974):
the point estimate is the Poisson maximum-likelihood one (iteratively reweighted least
squares), and the dispersion is estimated as Pearson's chi-squared over its residual degrees
of freedom (deciles less two). Recorded crime is clustered (a few streets, a few repeat
victims), so counts by decile vary far more than a Poisson model allows: on police.uk data
the ratio is typically 30 to 60. When it exceeds 1, the variance is multiplied by it, so the
standard error of the log gradient, and the log-scale distance of each limit of the
most-against-least rate ratio from the ratio, are multiplied by its square root. It is
**floored at 1**: counts that vary less than Poisson never narrow an interval below the Poisson
one. With two deciles there are no residual degrees of freedom, the dispersion cannot be
estimated, and the Poisson intervals stand (a note says so). The dispersion (chi-squared, its
degrees of freedom and their ratio) is reported with the result.

Example (runnable, a perfect gradient: each decile half the rate of the one before, so the
counts fit the model exactly and the dispersion is 0, floored to 1)::

    >>> counts = {d: 1024 // 2 ** (d - 1) for d in range(1, 11)}
    >>> g = poisson_gradient(counts, {d: 10_000 for d in range(1, 11)})
    >>> round(g.ratio_per_decile, 3), g.dispersion.df, g.dispersion.factor
    (0.5, 8, 1.0)

Example (runnable, seeded: counts scattered around a gradient of 0.8 with about ten times
Poisson variance, so the interval is about sqrt(10) times wider on the log scale)::

    >>> rng = np.random.default_rng(16)
    >>> pops = {d: 50_000 for d in range(1, 11)}
    >>> mean = {d: 2_000 * 0.8 ** (d - 1) for d in pops}
    >>> counts = {d: int(rng.negative_binomial(m / 9, 1 / 10)) for d, m in mean.items()}
    >>> g = poisson_gradient(counts, pops)
    >>> g.dispersion.df, round(g.dispersion.ratio, 1), round(g.ratio_per_decile, 3)
    (8, 13.2, 0.804)
    >>> round(g.lower, 3), round(g.upper, 3), round(g.poisson_lower, 3), round(g.poisson_upper, 3)
    (0.781, 0.827, 0.797, 0.81)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import ibis
import numpy as np
from scipy.stats import norm

from vrhub.datasets.spec import Dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.measures.change import Comparison, compare_counts
from vrhub.measures.engine import last_year, selected
from vrhub.measures.intervals import rate_interval
from vrhub.measures.population import choose
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
#: IoD vintages: the table of deciles, its LSOA column, and that column's geography.
IOD: dict[str, tuple[str, str, str]] = {
    "2025": ("ref_imd2025", "lsoa21", "LSOA 2021"),
    "2019": ("ref_imd", "lsoa11", "LSOA 2011"),
}
#: Supplementary indices IoD 2025 ships as well (income deprivation affecting children and
#: older people).
SUPPLEMENTARY = ("idaci", "idaopi")


@dataclass(frozen=True)
class Dispersion:
    """Pearson's chi-squared of a Poisson fit and its residual degrees of freedom."""

    pearson_chi2: float
    df: int

    @property
    def ratio(self) -> float | None:
        """Chi-squared over degrees of freedom (1 for Poisson counts); None with no df."""
        return self.pearson_chi2 / self.df if self.df > 0 else None

    @property
    def factor(self) -> float:
        """The multiplier of the variance: the ratio floored at 1 (1 when it cannot be had)."""
        return 1.0 if self.ratio is None else max(1.0, self.ratio)

    @property
    def widening(self) -> float:
        """How many times wider each interval is on the log scale: the factor's square root."""
        return math.sqrt(self.factor)

    def describe(self) -> str:
        """Plain words for notes, reports and the command line."""
        if self.ratio is None:
            return (
                "the dispersion cannot be estimated from two deciles, so the intervals assume "
                "Poisson variation"
            )
        said = f"dispersion (Pearson chi-squared/df) {self.ratio:.1f} on {self.df} df"
        if self.factor > 1:
            return (
                f"{said}: the counts vary more than Poisson, so the intervals are "
                f"{self.widening:.1f} times as wide on the log scale (quasi-Poisson)"
            )
        return f"{said}: not above 1, so the Poisson intervals stand"


@dataclass(frozen=True)
class Gradient:
    """The rate ratio per decile, its quasi-Poisson interval and the Poisson-only one."""

    ratio_per_decile: float
    lower: float
    upper: float
    dispersion: Dispersion
    poisson_lower: float
    poisson_upper: float


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
    # The gradient fit's dispersion, which also widens the most-against-least interval.
    dispersion: Dispersion | None = None
    #: The deprivation vintage ("IoD 2025" or "IoD 2019") and the population used.
    iod: str = "IoD 2025"
    population: str | None = None
    #: Records with an LSOA that has no decile of the vintage (not in the rates).
    unmatched: int = 0

    def vintage(self) -> str:
        """The words stated with every figure: deprivation vintage and population."""
        said = f"deciles of the English Indices of Deprivation {self.iod.removeprefix('IoD ')}"
        return said + (f"; population: {self.population}" if self.population else "")


def poisson_gradient(
    counts: Mapping[int, int], populations: Mapping[int, float], confidence: float = 0.95
) -> Gradient | None:
    """Rate ratio per decile from a quasi-Poisson log-linear model with population offset."""
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
    dispersion = Dispersion(float(np.sum((y - mu) ** 2 / mu)), len(deciles) - 2)
    se = math.sqrt(float(np.linalg.inv(info)[1, 1]))
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    b = float(beta[1])
    wide = z * se * dispersion.widening
    return Gradient(
        math.exp(b),
        math.exp(b - wide),
        math.exp(b + wide),
        dispersion,
        math.exp(b - z * se),
        math.exp(b + z * se),
    )


def widened(c: Comparison, dispersion: Dispersion) -> Comparison:
    """The rate ratio's exact interval widened for overdispersion: each limit's distance from
    the ratio on the log scale times the square root of the dispersion (floored at 1). For
    large counts the exact interval is the Wald one, exp(log ratio +/- z sqrt(1/a + 1/b)), so
    this is the quasi-Poisson interval; for small counts it keeps the exact one's asymmetry."""
    rr, w = c.rate_ratio, dispersion.widening
    if w == 1 or rr is None or rr == 0:
        return c

    def limit(bound: float | None) -> float | None:
        return None if bound is None or bound == 0 else rr * (bound / rr) ** w

    return replace(c, lower=limit(c.lower), upper=limit(c.upper))


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
    iod: str = "2025",
) -> DeprivationResult:
    """Rates by deprivation decile (IoD 2025 unless ``iod="2019"``) for the partnership, or
    one of its districts."""
    if iod not in IOD:
        raise UnsupportedFieldError(
            f"--iod '{iod}' is not a deprivation vintage vrhub holds (choose 2025 or 2019)"
        )
    table, code, geography = IOD[iod]
    known = DOMAINS + (SUPPLEMENTARY if iod == "2025" else ())
    if domain not in known:
        raise UnsupportedFieldError(
            f"'{domain}' is not a deprivation domain of IoD {iod} (choose from {', '.join(known)})"
        )
    column = f"{domain}_decile"
    imd = backend.table(table)
    if column not in imd.columns:
        raise UnsupportedFieldError(f"the loaded IoD {iod} data has no {domain} decile")
    if district is not None and district not in districts:
        raise UnsupportedFieldError(
            f"{district} is not a district of the partnership ({', '.join(districts)})"
        )
    area = [district] if district else list(districts)
    t = selected(backend, measure, dataset, dict(filters or {}), date_from, date_to)
    t = t.filter(t.district.isin(area))
    lsoa = backend.table("ref_lsoa")
    if iod == "2025":
        # 2011-coded records through the lookup (ingest already fills lsoa21 where it can).
        to21 = lsoa.group_by(_code=lsoa.code).aggregate(_to21=lsoa.lsoa21.max())
        t = t.left_join(to21, t.lsoa11 == to21._code)
        t = t.mutate(_area=ibis.coalesce(t.lsoa21, t._to21))
    else:
        t = t.mutate(_area=t.lsoa11)
    placed_at = t.lsoa11.notnull() | t.lsoa21.notnull()
    deciles = imd.select(lsoa=imd[code], decile=imd[column]).filter(lambda d: d.decile.notnull())
    tagged = t.left_join(deciles, t._area == deciles.lsoa)
    summary = tagged.aggregate(
        unplaced=(~placed_at).cast("int64").sum().fill_null(0),
        unmatched=(placed_at & tagged.decile.isnull()).cast("int64").sum().fill_null(0),
    )
    [found] = summary.to_pyarrow().to_pylist()
    unplaced, unmatched = int(found["unplaced"]), int(found["unmatched"])
    counted = (
        tagged.filter(tagged.decile.notnull())
        .group_by("decile")
        .aggregate(count=lambda x: x.count(), cell_key=lambda x: x.record_key.sum())
    )
    chosen = choose(
        backend,
        area,
        "everyone",
        int(date_to[:4]) if date_to else last_year(backend, dataset),
        geography,
    )
    est = backend.table("ref_population_estimates")
    est = est.filter(
        (est.source == chosen.source) & (est.year == chosen.year) & (est.band == chosen.band)
    )
    here = lsoa.filter(lsoa.district.isin(area)).select("code").distinct()
    populations = (
        est.join(here, est.lsoa == here.code)
        .join(deciles, est.lsoa == deciles.lsoa)
        .group_by("decile")
        .aggregate(population=lambda x: x.population.sum())
    )
    count_of = {
        int(r["decile"]): Tally(int(r["count"]), int(r["cell_key"] or 0))
        for r in counted.to_pyarrow().to_pylist()
    }
    pop_of = {int(r["decile"]): int(r["population"]) for r in populations.to_pyarrow().to_pylist()}
    result = from_counts(
        measure, dataset, domain, district, count_of, pop_of, unplaced, iod, chosen.describe()
    )
    result.unmatched = unmatched
    if unmatched:
        why = (
            "its LSOA 2011 has no single LSOA 2021 (it was split) or its LSOA has no IoD 2025 "
            "decile"
            if iod == "2025"
            else "its LSOA 2021 has no single LSOA 2011 (a merge or a new area) or its LSOA has "
            "no IoD 2019 decile"
        )
        result.notes.insert(
            0, f"{unmatched:,} records are not in the rates because {why}; they are not zeros"
        )
    return result


def from_counts(
    measure: Measure,
    dataset: Dataset,
    domain: str,
    district: str | None,
    count_of: Mapping[int, int],
    pop_of: Mapping[int, int],
    unplaced: int = 0,
    iod: str = "2025",
    population: str | None = None,
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
    gradient = poisson_gradient(count_of, pop_of)
    dispersion = None if gradient is None else gradient.dispersion
    if len(rows) >= 2:
        most, least = rows[0], rows[-1]
        comparison = compare_counts(most.count, least.count, most.population, least.population)
        if dispersion is not None:
            comparison = widened(comparison, dispersion)
        difference = most.rate - least.rate
        if (most.decile, least.decile) != (1, 10):
            notes.append(
                f"the area has no LSOA in decile {1 if most.decile != 1 else 10}; the "
                f"comparison is decile {most.decile} against decile {least.decile}"
            )
    if dispersion is not None:
        notes.append(dispersion.describe())
    return DeprivationResult(
        measure.name,
        dataset.name,
        domain,
        district,
        measure.per,
        rows,
        comparison,
        difference,
        gradient,
        unplaced,
        notes,
        dispersion,
        f"IoD {iod}",
        population,
    )


__all__ = [
    "DOMAINS",
    "IOD",
    "SUPPLEMENTARY",
    "DeprivationResult",
    "Dispersion",
    "Gradient",
    "by_decile",
    "from_counts",
    "poisson_gradient",
    "widened",
]
