"""Change over time: a period against the one before (or a baseline), with an honest verdict.

The rate ratio of two periods is estimated from their counts and populations. Its 95%
interval is exact: given the total of the two counts, the first is binomial, so a
Clopper-Pearson interval for that share converts to an interval for the ratio (the
conditional method; Armitage, Berry and Matthews, *Statistical Methods in Medical Research*,
4th ed., section 5.3). A change is reported only when the interval excludes no change. When
both counts are under :data:`TINY` (20), the verdict gives the two counts, not a percentage.

Example (runnable)::

    >>> c = compare_counts(120, 100, 1_000_000, 1_000_000)
    >>> round(c.percent_change, 1), c.significant
    (20.0, False)
    >>> print(c.verdict("serious violence", "the year before"))  # doctest: +NORMALIZE_WHITESPACE
    no significant change in serious violence compared with the year before
    (+20.0%, 95% CI -8.7% to +58.1%)
    >>> compare_counts(200, 100, 1, 1).verdict("knife crime", "the previous 12 months")[:60]
    'knife crime rose by 100.0% compared with the previous 12 mon'
    >>> print(compare_counts(7, 4, 1, 1).verdict("homicide", "the year before"))
    ... # doctest: +NORMALIZE_WHITESPACE
    no significant change in homicide compared with the year before (4 in the year before and
    7 now; too few records for a percentage change)
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import beta

from vrhub.months import month_add

#: Below this many records in both periods, a change is given as the two counts, never as a
#: percentage ("rose from 4 to 7", not "+75%"): one record more or less moves it by a lot.
TINY = 20


@dataclass(frozen=True)
class Comparison:
    """Two periods' counts and the change between their rates."""

    count: int
    previous: int
    population: float
    previous_population: float
    rate_ratio: float | None
    lower: float | None
    upper: float | None
    confidence: float

    @property
    def percent_change(self) -> float | None:
        return None if self.rate_ratio is None else 100 * (self.rate_ratio - 1)

    @property
    def significant(self) -> bool:
        return (
            self.lower is not None and self.upper is not None and (self.lower > 1 or self.upper < 1)
        )

    @property
    def tiny(self) -> bool:
        """Both counts under :data:`TINY`: a percentage would overstate the change."""
        return self.count < TINY and self.previous < TINY

    def verdict(self, what: str, against: str) -> str:
        """Plain words that never call noise a change."""
        if self.count == 0 and self.previous == 0:
            return f"{what}: no records in either period, so no change can be measured"
        if self.rate_ratio is None or self.lower is None or self.upper is None:
            return (
                f"{what}: {self.count:,} records against none in {against}, so the change "
                "cannot be given as a percentage"
            )
        if self.tiny:
            said = f"{self.previous:,} in {against} and {self.count:,} now"
            if not self.significant:
                return (
                    f"no significant change in {what} compared with {against} ({said}; too few "
                    "records for a percentage change)"
                )
            word = "rose" if self.count > self.previous else "fell"
            return (
                f"{what} {word} from {self.previous:,} in {against} to {self.count:,} (too few "
                "records for a percentage change)"
            )
        pc, lo, hi = self.percent_change, 100 * (self.lower - 1), 100 * (self.upper - 1)
        assert pc is not None
        interval = f"95% CI {lo:+.1f}% to {hi:+.1f}%"
        if not self.significant:
            return (
                f"no significant change in {what} compared with {against} ({pc:+.1f}%, {interval})"
            )
        word = "rose" if pc > 0 else "fell"
        return f"{what} {word} by {abs(pc):.1f}% compared with {against} ({interval})"


def compare_counts(
    count: int,
    previous: int,
    population: float,
    previous_population: float,
    confidence: float = 0.95,
) -> Comparison:
    """Rate ratio of ``count`` over ``previous`` (per population), with an exact interval."""
    n = count + previous
    if n == 0:
        return Comparison(
            count, previous, population, previous_population, None, None, None, confidence
        )
    alpha = 1 - confidence
    lo_p = 0.0 if count == 0 else float(beta.ppf(alpha / 2, count, previous + 1))
    hi_p = 1.0 if previous == 0 else float(beta.ppf(1 - alpha / 2, count + 1, previous))
    scale = previous_population / population

    def ratio(p: float) -> float | None:
        return None if p >= 1 else p / (1 - p) * scale

    rr = None if previous == 0 else count / previous * scale
    return Comparison(
        count,
        previous,
        population,
        previous_population,
        rr,
        ratio(lo_p),
        ratio(hi_p),
        confidence,
    )


def year_ending(month: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The 12 months ending ``month`` and the 12 before them."""
    return (month_add(month, -11), month), (month_add(month, -23), month_add(month, -12))


def financial_year(start_year: int) -> tuple[str, str]:
    """April of ``start_year`` to March of the next year."""
    return f"{start_year:04d}-04", f"{start_year + 1:04d}-03"
