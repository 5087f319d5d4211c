"""Overdispersion in the deprivation gradient and the most-against-least rate ratio (issue 16).

Hand cases first (no overdispersion leaves the Poisson intervals alone; known overdispersion
widens them by its square root), then an independent check on real police.uk counts for one
district, read straight from the raw files without vrhub: a profile-likelihood fit written
here from scratch, and statsmodels' GLM with ``scale="X2"`` (a dev dependency).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.stats import norm

from tests.conftest import RAW
from vrhub.datasets import get_dataset
from vrhub.measures.change import compare_counts
from vrhub.measures.deprivation import Dispersion, from_counts, poisson_gradient, widened
from vrhub.measures.registry import get_measure

Z = float(norm.ppf(0.975))
SV = get_measure("serious-violence")
PC = get_dataset("police-crime")
STREET = RAW / "police_uk_south_yorkshire_2022"
IMD = RAW / "imd2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
POP = RAW / "imd2019" / "File_6_-_IoD2019_Population_Denominators.csv.gz"
# Sheffield: the only district with street-level files here (South Yorkshire) that has LSOAs
# in all ten deciles. Its 2019 code, as the IoD 2019 files carry it.
SHEFFIELD = "E08000019"


def test_counts_on_the_curve_have_no_overdispersion_and_keep_the_poisson_interval() -> None:
    counts = {d: 1024 // 2 ** (d - 1) for d in range(1, 11)}  # exactly halving: a perfect fit
    pops = {d: 10_000 for d in range(1, 11)}
    g = poisson_gradient(counts, pops)
    assert g is not None
    assert g.dispersion.pearson_chi2 == pytest.approx(0, abs=1e-9)
    assert g.dispersion.df == 8 and g.dispersion.factor == 1 and g.dispersion.widening == 1
    assert (g.lower, g.upper) == (g.poisson_lower, g.poisson_upper)
    r = from_counts(SV, PC, "imd", None, counts, pops)
    assert r.dispersion == g.dispersion
    assert r.most_vs_least == compare_counts(1024, 2, 10_000, 10_000)  # unchanged, exact
    assert r.notes == [
        "dispersion (Pearson chi-squared/df) 0.0 on 8 df: not above 1, so the "
        "Poisson intervals stand"
    ]


def test_underdispersion_is_floored_at_one() -> None:
    # Four equal populations; counts 100, 101, 99, 100 lie near a flat line at 100, with
    # chi-squared about (0 + 1 + 1 + 0) / 100 = 0.02 on 2 df (the fitted line, tilted a
    # little, does slightly better): less than Poisson, so nothing is narrowed.
    g = poisson_gradient({1: 100, 2: 101, 3: 99, 4: 100}, {d: 1000 for d in range(1, 5)})
    assert g is not None
    assert g.ratio_per_decile == pytest.approx(1, abs=3e-3)
    assert g.dispersion.ratio is not None and 0.005 < g.dispersion.ratio <= 0.01
    assert g.dispersion.factor == 1
    assert (g.lower, g.upper) == (g.poisson_lower, g.poisson_upper)


def test_known_overdispersion_widens_the_intervals_by_its_square_root() -> None:
    # Counts 100, 200, 200, 100 on equal populations: symmetric, so the fitted line is flat at
    # 150 (gradient exactly 1). Pearson chi-squared = 4 x 50^2 / 150 = 66.67 on 4 - 2 = 2 df,
    # a dispersion of 33.33. The Poisson information for the slope is
    # 150 x sum((d - 2.5)^2) = 150 x 5 = 750, so its standard error is 1 / sqrt(750).
    counts, pops = {1: 100, 2: 200, 3: 200, 4: 100}, {d: 1000 for d in range(1, 5)}
    g = poisson_gradient(counts, pops)
    assert g is not None
    phi = 4 * 50**2 / 150 / 2
    assert g.dispersion.pearson_chi2 == pytest.approx(4 * 50**2 / 150, rel=1e-9)
    assert g.dispersion.df == 2
    assert g.dispersion.ratio == pytest.approx(phi, rel=1e-9)
    assert g.ratio_per_decile == pytest.approx(1, abs=1e-12)
    se = 1 / math.sqrt(750)
    assert g.poisson_upper == pytest.approx(math.exp(Z * se), rel=1e-9)
    assert g.upper == pytest.approx(math.exp(Z * se * math.sqrt(phi)), rel=1e-9)
    assert g.lower == pytest.approx(math.exp(-Z * se * math.sqrt(phi)), rel=1e-9)
    assert math.log(g.upper) / math.log(g.poisson_upper) == pytest.approx(math.sqrt(phi))

    # The most-against-least ratio (decile 1 against 4: 100 against 100) widens the same way.
    r = from_counts(SV, PC, "imd", None, counts, pops)
    exact = compare_counts(100, 100, 1000, 1000)
    c = r.most_vs_least
    assert c is not None and c.rate_ratio == 1 and c.lower is not None and c.upper is not None
    assert exact.lower is not None and exact.upper is not None
    assert math.log(c.lower) / math.log(exact.lower) == pytest.approx(math.sqrt(phi), rel=1e-12)
    assert math.log(c.upper) / math.log(exact.upper) == pytest.approx(math.sqrt(phi), rel=1e-12)
    # With counts of 100 the exact interval is near the Wald one, so this is close to the
    # quasi-Poisson Wald interval exp(+/- z sqrt(phi (1/100 + 1/100))): within 5% on the log
    # scale (the exact interval is a little wider and not quite symmetric).
    wald = Z * math.sqrt(phi * (1 / 100 + 1 / 100))
    assert math.log(c.upper) == pytest.approx(wald, rel=0.05)
    assert math.log(c.lower) == pytest.approx(-wald, rel=0.05)
    assert r.dispersion == g.dispersion
    assert "33.3 on 2 df" in r.notes[-1] and "5.8 times as wide" in r.notes[-1]


def test_two_deciles_cannot_estimate_the_dispersion() -> None:
    g = poisson_gradient({1: 300, 2: 150}, {1: 10_000, 2: 20_000})
    assert g is not None
    assert g.dispersion.df == 0 and g.dispersion.ratio is None and g.dispersion.factor == 1
    assert (g.lower, g.upper) == (g.poisson_lower, g.poisson_upper)
    r = from_counts(SV, PC, "imd", None, {1: 300, 2: 150}, {1: 10_000, 2: 20_000})
    assert "cannot be estimated from two deciles" in r.notes[-1]


def test_widening_keeps_zero_and_missing_limits() -> None:
    phi = Dispersion(40.0, 4)  # dispersion 10
    none_before = compare_counts(5, 0, 1000, 1000)  # no ratio: nothing to widen
    assert widened(none_before, phi) == none_before
    zero = compare_counts(0, 7, 1000, 1000)  # ratio 0, lower 0
    assert widened(zero, phi) == zero
    c = widened(compare_counts(30, 10, 1000, 1000), phi)
    exact = compare_counts(30, 10, 1000, 1000)
    assert c.lower is not None and exact.lower is not None
    assert math.log(c.lower / 3) == pytest.approx(math.sqrt(10) * math.log(exact.lower / 3))
    assert (c.count, c.previous, c.rate_ratio) == (30, 10, 3)


def test_no_gradient_means_no_dispersion() -> None:
    r = from_counts(SV, PC, "imd", None, {}, {})
    assert r.gradient is None and r.dispersion is None and r.notes == []


# Real data: violence and sexual offences in Sheffield, January to June 2022, by IMD 2019
# decile of the LSOA, against the mid-2015 population of the LSOAs in each decile.


@cache
def _sheffield() -> tuple[dict[int, int], dict[int, int]]:
    imd = pd.read_csv(IMD, encoding="utf-8-sig")
    imd = imd[imd["Local Authority District code (2019)"] == SHEFFIELD]
    decile = dict(
        zip(imd["LSOA code (2011)"], imd["Index of Multiple Deprivation (IMD) Decile"], strict=True)
    )
    pop = pd.read_csv(POP, encoding="utf-8-sig", thousands=",")
    pop = pop[pop["LSOA code (2011)"].isin(decile.keys())]
    people = pop.groupby(pop["LSOA code (2011)"].map(decile))[
        "Total population: mid 2015 (excluding prisoners)"
    ].sum()
    street = pd.concat(
        pd.read_csv(f, usecols=["Crime type", "LSOA code"]) for f in sorted(STREET.glob("*.csv"))
    )
    violence = street[
        (street["Crime type"] == "Violence and sexual offences")
        & street["LSOA code"].isin(decile.keys())
    ]
    counts = violence["LSOA code"].map(decile).value_counts()
    return (
        {int(d): int(n) for d, n in counts.items()},
        {int(d): int(n) for d, n in people.items()},
    )


needs_raw = pytest.mark.skipif(
    not (STREET.is_dir() and IMD.is_file() and POP.is_file()),
    reason="the raw police.uk and IoD 2019 files are not here",
)


@needs_raw
def test_real_counts_are_what_the_files_hold() -> None:
    counts, pops = _sheffield()
    assert sorted(counts) == sorted(pops) == list(range(1, 11))
    assert sum(counts.values()) == 11_038 and counts[1] == 4_362 and counts[10] == 269
    assert sum(pops.values()) == 569_177


@needs_raw
def test_real_data_against_a_profile_likelihood_fit_written_here() -> None:
    counts, pops = _sheffield()
    d = np.arange(1, 11, dtype=float)
    y = np.array([counts[k] for k in range(1, 11)], dtype=float)
    n = np.array([pops[k] for k in range(1, 11)], dtype=float)

    def fitted(b: float) -> np.ndarray:
        # Given the slope, the intercept's estimate is closed form: the totals must agree.
        w = n * np.exp(b * d)
        return w * y.sum() / w.sum()

    b = brentq(lambda b: float(np.sum(d * (y - fitted(b)))), -2, 2, xtol=1e-15, rtol=1e-15)
    mu = fitted(b)
    # The slope's information with the intercept profiled out: sum mu (d - weighted mean)^2.
    info = float(np.sum(mu * (d - np.sum(mu * d) / mu.sum()) ** 2))
    chi2 = float(np.sum((y - mu) ** 2 / mu))
    phi = chi2 / 8
    se = math.sqrt(phi / info)

    g = poisson_gradient(counts, pops)
    assert g is not None
    assert g.dispersion.df == 8
    assert g.dispersion.pearson_chi2 == pytest.approx(chi2, rel=1e-6)
    assert g.ratio_per_decile == pytest.approx(math.exp(b), rel=1e-6)
    assert g.lower == pytest.approx(math.exp(b - Z * se), rel=1e-6)
    assert g.upper == pytest.approx(math.exp(b + Z * se), rel=1e-6)
    assert 30 < phi < 60  # police.uk counts: far more spread out than Poisson

    r = from_counts(SV, PC, "imd", SHEFFIELD, counts, pops)
    c, exact = r.most_vs_least, compare_counts(counts[1], counts[10], pops[1], pops[10])
    assert c is not None and c.lower is not None and c.upper is not None
    assert exact.rate_ratio is not None and exact.lower is not None and exact.upper is not None
    rr = exact.rate_ratio
    assert c.rate_ratio == pytest.approx(rr)
    assert math.log(c.upper / rr) == pytest.approx(
        math.sqrt(phi) * math.log(exact.upper / rr), rel=1e-6
    )
    assert math.log(rr / c.lower) == pytest.approx(
        math.sqrt(phi) * math.log(rr / exact.lower), rel=1e-6
    )


@needs_raw
@pytest.mark.filterwarnings("ignore:Perfect separation:Warning")
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_real_data_against_statsmodels() -> None:
    import statsmodels.api as sm  # a dev dependency: the independent check

    counts, pops = _sheffield()
    deciles = list(range(1, 11))
    y = np.array([counts[k] for k in deciles], dtype=float)
    x = sm.add_constant(np.array(deciles, dtype=float))
    offset = np.log(np.array([pops[k] for k in deciles], dtype=float))
    fit = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    lower, upper = np.exp(fit.conf_int(alpha=0.05)[1])

    g = poisson_gradient(counts, pops)
    assert g is not None
    assert g.ratio_per_decile == pytest.approx(math.exp(fit.params[1]), rel=1e-6)
    assert g.lower == pytest.approx(lower, rel=1e-6)
    assert g.upper == pytest.approx(upper, rel=1e-6)
    assert g.dispersion.ratio == pytest.approx(fit.scale, rel=1e-6)
    assert g.dispersion.pearson_chi2 == pytest.approx(fit.pearson_chi2, rel=1e-6)
    assert g.dispersion.df == fit.df_resid

    # The most-against-least ratio: a quasi-Poisson GLM of deciles 1 and 10 alone (saturated,
    # so statsmodels warns of a perfect fit) with the full fit's dispersion gives the Wald
    # interval. vrhub widens the exact interval instead, which keeps its asymmetry: on the log
    # scale each half agrees with the Wald one to within 5%.
    two = np.array([counts[1], counts[10]], dtype=float)
    pair = sm.GLM(
        two,
        np.array([[1.0, 1.0], [1.0, 0.0]]),
        family=sm.families.Poisson(),
        offset=np.log(np.array([pops[1], pops[10]], dtype=float)),
    ).fit(scale=float(fit.scale))
    pair_lower, pair_upper = np.exp(pair.conf_int(alpha=0.05)[1])
    c = from_counts(SV, PC, "imd", SHEFFIELD, counts, pops).most_vs_least
    assert c is not None and c.rate_ratio is not None
    assert c.lower is not None and c.upper is not None
    rr = c.rate_ratio
    assert rr == pytest.approx(math.exp(pair.params[1]), rel=1e-9)
    assert math.log(c.upper / rr) == pytest.approx(math.log(pair_upper / rr), rel=0.05)
    assert math.log(rr / c.lower) == pytest.approx(math.log(rr / pair_lower), rel=0.05)
