"""Confidence intervals for counts, rates and proportions, as the brief sets them.

- A count of events treated as Poisson: Byar's approximation for 10 or more, the exact
  interval (from the chi-squared distribution) below 10. This is the convention of the
  public-health profiles (Fingertips); see Breslow and Day, *Statistical Methods in Cancer
  Research* vol. II (IARC, 1987), for Byar's method.
- A rate is the count's interval divided by the denominator, times the rate base.
- A proportion: the Wilson score interval (Wilson, JASA 1927).

Examples (runnable)::

    >>> ci = poisson_interval(10)
    >>> ci.method, round(ci.lower, 3), round(ci.upper, 3)
    ('byar', 4.787, 18.391)
    >>> ci = poisson_interval(3)
    >>> ci.method, round(ci.lower, 4), round(ci.upper, 3)
    ('exact', 0.6187, 8.767)
    >>> r = rate_interval(150, 250_000, per=1000)
    >>> round(r.rate, 3), round(r.lower, 3), round(r.upper, 3)
    (0.6, 0.508, 0.704)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from scipy.stats import chi2, norm

BYAR_FROM = 10


@functools.cache
def _z(confidence: float) -> float:
    return float(norm.ppf(1 - (1 - confidence) / 2))


@dataclass(frozen=True)
class CountInterval:
    """A count's confidence interval and the method that gave it."""

    count: int
    lower: float
    upper: float
    confidence: float
    method: str  # byar | exact


@dataclass(frozen=True)
class RateInterval:
    """A rate per ``per`` people with its interval."""

    count: int
    denominator: float
    per: int
    rate: float
    lower: float
    upper: float
    method: str


def poisson_interval(count: int, confidence: float = 0.95) -> CountInterval:
    """Interval for a Poisson count: Byar's method from 10, exact below."""
    if count < 0 or int(count) != count:
        raise ValueError(f"a count must be a whole number of 0 or more, not {count}")
    o = int(count)
    alpha = 1 - confidence
    if o >= BYAR_FROM:
        z = _z(confidence)
        lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
        return CountInterval(o, lower, upper, confidence, "byar")
    lower, upper = _exact_limits(o, alpha)
    return CountInterval(o, lower, upper, confidence, "exact")


@functools.lru_cache(maxsize=1024)
def _exact_limits(count: int, alpha: float) -> tuple[float, float]:
    """The exact (chi-squared) limits of a small count, worked out once per count: a
    breakdown by small area, weekday and hour asks for the same few small counts thousands of
    times."""
    lower = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count)) / 2
    upper = float(chi2.ppf(1 - alpha / 2, 2 * (count + 1))) / 2
    return lower, upper


def rate_interval(
    count: int, denominator: float, per: int, confidence: float = 0.95
) -> RateInterval:
    """A crude rate per ``per`` with the count's Poisson interval scaled the same way."""
    if denominator <= 0:
        raise ValueError("a rate needs a population above zero")
    ci = poisson_interval(count, confidence)
    scale = per / denominator
    return RateInterval(
        ci.count, denominator, per, count * scale, ci.lower * scale, ci.upper * scale, ci.method
    )


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError("a proportion needs 0 <= successes <= trials and trials > 0")
    z = _z(confidence)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return max(0.0, centre - half), min(1.0, centre + half)
