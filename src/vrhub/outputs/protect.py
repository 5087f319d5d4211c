"""Figures as a report's audience may see them.

The analyst tier sees exact counts. Every other audience sees each count published by the
cell-key method (:mod:`vrhub.disclosure.engine`) under the strictest rule of the agreements
drawn on: counts 0 to 7 hidden, the rest moved by a small amount fixed by the records counted
and rounded to the nearest 5, unless an agreement is stricter. A total is published from its
own records like any other count, so it is the same figure wherever it appears. Rates,
intervals and percentages shown to them are computed from the published counts only.

Counts must be :class:`~vrhub.disclosure.engine.Tally` values (as the measures engine returns
them) or a plain 0 for a group with no records; anything else is refused outside the analyst
tier, so a count cannot reach an audience without its cell key.

Example (runnable)::

    >>> from vrhub.disclosure.engine import DisclosureRule, Tally
    >>> counts = {"Leeds": Tally(3, 11), "Bradford": Tally(41, 20), "Wakefield": Tally(18, 35)}
    >>> shown = protect_parts(counts, DisclosureRule())
    >>> [shown[k].text() for k in ("Leeds", "Wakefield", "Bradford", "Total")]
    ['[c]', '15', '40', '60']
    >>> shown["Leeds"].state
    'suppressed: small count'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vrhub.disclosure.engine import TOTAL, DisclosureRule, publish, tally
from vrhub.measures.intervals import rate_interval

EXACT = "analyst tier: exact"
SUPPRESSED = "[c]"
#: The state of a count for a period with no data held: not a count at all (never 0).
NOT_HELD = "no data held"


@dataclass(frozen=True)
class Shown:
    """A count as published, with the rule applied to it."""

    count: int | None
    state: str

    @property
    def hidden(self) -> bool:
        return self.count is None

    def text(self) -> str:
        if self.state == NOT_HELD:
            return "no data"
        return SUPPRESSED if self.count is None else f"{self.count:,}"


def shown(count: int, rule: DisclosureRule | None) -> Shown:
    """One count as the audience may see it (exact for the analyst tier)."""
    if rule is None:
        return Shown(int(count), EXACT)
    cell = publish(count, rule)
    return Shown(cell.value, cell.state.value)


def protect_parts(
    parts: Mapping[str, int], rule: DisclosureRule | None, total: bool = True
) -> dict[str, Shown]:
    """Counts that add up to a total (shown as ``"Total"`` when ``total``)."""
    out = {k: shown(v, rule) for k, v in parts.items()}
    if total:
        out[TOTAL] = shown(sum((_checked(v, rule) for v in parts.values()), 0), rule)
    return out


def protect_each(values: Mapping[str, int], rule: DisclosureRule | None) -> dict[str, Shown]:
    """Counts shown apart (not with a total they add to)."""
    return protect_parts(values, rule, total=False)


def protect_grid(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Mapping[tuple[str, str], int],
    rule: DisclosureRule | None,
) -> dict[tuple[str, str], Shown]:
    """A rows × columns table with its row, column and grand totals."""
    cell = {(r, c): _checked(counts.get((r, c), 0), rule) for r in rows for c in columns}
    for r in rows:
        cell[(r, TOTAL)] = sum((cell[(r, c)] for c in columns), 0)
    for c in [*columns, TOTAL]:
        cell[(TOTAL, c)] = sum((cell[(r, c)] for r in rows), 0)
    return {k: shown(v, rule) for k, v in cell.items()}


def _checked(count: int, rule: DisclosureRule | None) -> int:
    """Outside the analyst tier, the count as a tally (refusing one without its cell key)."""
    return count if rule is None else tally(count)


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
