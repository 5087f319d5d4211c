"""Figures as a report's audience may see them.

The analyst tier sees exact counts. Every other audience sees counts protected by the
disclosure engine under the strictest rule of the agreements drawn on (counts 1 to 7
suppressed, the rest rounded to the nearest 5, unless an agreement is stricter), with
secondary suppression wherever the parts and their total are shown together. Rates, intervals
and percentages shown to them are computed from the published (rounded) counts only, so no
exact count can be worked back from a rate and its population.

Example (runnable)::

    >>> from vrhub.disclosure.engine import DisclosureRule
    >>> shown = protect_parts({"Leeds": 3, "Bradford": 41, "Wakefield": 18}, DisclosureRule())
    >>> [shown[k].count for k in ("Leeds", "Wakefield", "Bradford", "Total")]
    [None, None, 40, 60]
    >>> shown["Leeds"].state
    'suppressed: small count'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vrhub.disclosure.engine import TOTAL, AdditiveTable, DisclosureRule, protect
from vrhub.measures.intervals import rate_interval

EXACT = "analyst tier: exact"
SUPPRESSED = "[c]"


@dataclass(frozen=True)
class Shown:
    """A count as published, with the rule applied to it."""

    count: int | None
    state: str

    @property
    def hidden(self) -> bool:
        return self.count is None

    def text(self) -> str:
        return SUPPRESSED if self.count is None else f"{self.count:,}"


def protect_parts(
    parts: Mapping[str, int], rule: DisclosureRule | None, total: bool = True
) -> dict[str, Shown]:
    """Counts that add up to a total (shown as ``"Total"`` when ``total``)."""
    if rule is None:
        shown = {k: Shown(int(v), EXACT) for k, v in parts.items()}
        if total:
            shown[TOTAL] = Shown(sum(int(v) for v in parts.values()), EXACT)
        return shown
    if total:
        table = AdditiveTable.hierarchy(dict(parts), dict.fromkeys(parts, TOTAL))
    else:
        table = AdditiveTable({(k,): int(v) for k, v in parts.items()})
    p = protect(table, rule)
    return {k[0]: Shown(c.value, c.state.value) for k, c in p.cells.items()}


def protect_each(values: Mapping[str, int], rule: DisclosureRule | None) -> dict[str, Shown]:
    """Counts shown apart (not with a total they add to): primary suppression and rounding."""
    return protect_parts(values, rule, total=False)


def protect_grid(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Mapping[tuple[str, str], int],
    rule: DisclosureRule | None,
) -> dict[tuple[str, str], Shown]:
    """A rows × columns table with its row, column and grand totals."""
    grid = [[int(counts.get((r, c), 0)) for c in columns] for r in rows]
    if rule is None:
        table = AdditiveTable.grid(rows, columns, grid)
        return {(k[0], k[1]): Shown(v, EXACT) for k, v in table.values.items()}
    p = protect(AdditiveTable.grid(rows, columns, grid), rule)
    return {(k[0], k[1]): Shown(c.value, c.state.value) for k, c in p.cells.items()}


@dataclass(frozen=True)
class ShownRate:
    rate: float | None
    lower: float | None
    upper: float | None


def shown_rate(shown: Shown, population: float | None, per: int) -> ShownRate:
    """The rate and its interval from the published count (none when it is hidden)."""
    if shown.count is None or not population:
        return ShownRate(None, None, None)
    ci = rate_interval(shown.count, float(population), per)
    return ShownRate(ci.rate, ci.lower, ci.upper)
