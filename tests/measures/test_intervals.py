"""Intervals checked by hand, against closed forms and against an independent computation."""

from __future__ import annotations

import doctest
import math

import pytest
from scipy.optimize import brentq
from scipy.stats import poisson

from vrhub.measures import intervals
from vrhub.measures.intervals import poisson_interval, rate_interval, wilson_interval


def test_docstring_examples_run() -> None:
    assert doctest.testmod(intervals).failed == 0


def test_closed_forms_for_zero_and_one() -> None:
    zero = poisson_interval(0)
    assert zero.lower == 0 and zero.upper == pytest.approx(-math.log(0.025), rel=1e-9)
    one = poisson_interval(1)
    assert one.lower == pytest.approx(-math.log(0.975), rel=1e-9)


def _exact_by_root_finding(o: int) -> tuple[float, float]:
    """The exact interval found directly from Poisson tail probabilities (no chi-squared)."""
    upper = brentq(lambda lam: poisson.cdf(o, lam) - 0.025, 1e-9, 10 * o + 20, xtol=1e-12)
    if o == 0:
        return 0.0, upper
    lower = brentq(lambda lam: poisson.sf(o - 1, lam) - 0.025, 1e-12, 10 * o + 20, xtol=1e-12)
    return lower, upper


@pytest.mark.parametrize("o", range(10))
def test_exact_interval_matches_root_finding(o: int) -> None:
    ci = poisson_interval(o)
    lower, upper = _exact_by_root_finding(o)
    assert ci.method == "exact"
    assert ci.lower == pytest.approx(lower, abs=1e-7)
    assert ci.upper == pytest.approx(upper, rel=1e-7)


@pytest.mark.parametrize("o", [10, 11, 25, 50, 100, 333, 1000, 5000])
def test_byar_close_to_exact_from_ten(o: int) -> None:
    ci = poisson_interval(o)
    lower, upper = _exact_by_root_finding(o)
    assert ci.method == "byar"
    assert ci.lower == pytest.approx(lower, rel=0.005)
    assert ci.upper == pytest.approx(upper, rel=0.005)


def test_byar_worked_by_hand_for_one_hundred() -> None:
    # Lower: 100 x (1 - 1/900 - 1.96/30)^3 = 100 x 0.93356^3 = 81.36.
    # Upper: 101 x (1 - 1/909 + 1.96/(3 x 10.05))^3 = 101 x 1.06391^3 = 121.63.
    ci = poisson_interval(100)
    assert (round(ci.lower, 2), round(ci.upper, 2)) == (81.36, 121.63)


def test_rates_scale_the_count_interval() -> None:
    r = rate_interval(24, 2_350_000, per=1_000_000)
    ci = poisson_interval(24)
    assert r.rate == pytest.approx(24 / 2.35)
    assert (r.lower, r.upper) == pytest.approx((ci.lower / 2.35, ci.upper / 2.35))
    with pytest.raises(ValueError, match="population above zero"):
        rate_interval(3, 0, per=1000)
    with pytest.raises(ValueError, match="whole number"):
        poisson_interval(-1)


def test_wilson_known_values() -> None:
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    low, high = wilson_interval(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)
