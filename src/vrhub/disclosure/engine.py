"""Disclosure control for every count that leaves the analyst tier: the cell-key method.

Protecting each table on its own is not enough: a user who may ask for any area, any year and
any breakdown can combine the answers (a partnership is the sum of its districts; two
overlapping years differ by two months; a breakdown's groups add up to its total) and solve for
what each table hid. So vrhub protects every *count* the same way wherever it appears, following
the cell-key method of the national statistics offices' flexible table builders (the ABS
TableBuilder; ONS's Census 2021 custom datasets):

1. every record in the analytical store has a **record key**, a number from 0 to 2³²−1 drawn
   from a keyed hash of its identifier when it is loaded (:mod:`vrhub.store.events`);
2. every count carries its **cell key**, the sum of its records' keys modulo 2³²
   (:class:`Tally`). The same records always give the same cell key, whatever question
   gathered them, and a count worked out from others (a total, a remainder) gets its key from
   theirs by the same arithmetic;
3. outside the analyst tier a count from 0 to ``suppress_max`` (7 unless an agreement is
   stricter) is **hidden**, zeros included, so a breakdown never shows where the few records
   are not; every other count is **moved** by an amount from −4 to +4 chosen by its cell key
   (:data:`NOISE_SLOTS`: not at all in 56% of counts, by 1 in 30%, by 2 to 4 in the rest),
   and then **rounded** to the nearest ``round_to`` (5 unless stricter). A count its movement
   takes into the hidden range (8 moved down by 1, say) is hidden too, so a hidden count may
   be as large as ``suppress_max + 4``: a reader never knows that a hidden count is at most 7,
   which is what would let two hidden districts whose sum is shown as 20 (at least 14) be
   pinned at 7 each.

Because the movement depends only on the records counted, asking again, asking another way or
asking for an overlapping year gives the same answer for the same records and an unrelated
movement for different ones: differences between answers stay uncertain by several records, and
no hidden count can be pinned down. ``tests/disclosure/test_differencing.py`` plays that
attacker with an integer programme over every answer the explorer gives a non-analyst.

Example (runnable)::

    >>> rule = DisclosureRule()
    >>> small, big = Tally(3, key=17), Tally(41, key=123_456_614)
    >>> publish(small, rule).value is None, publish(Tally(0), rule).value is None
    (True, True)
    >>> publish(big, rule).value, noise(big)
    (40, -1)
    >>> publish(Tally(9, key=0), rule).value is None    # 9 moved by -4 is 5: hidden too
    True
    >>> total = small + big                 # the records of both: its key is the sum of theirs
    >>> int(total), total.key, publish(total, rule).value
    (44, 123456631, 45)
    >>> publish(big, rule).value == publish(Tally(41, key=123_456_614), rule).value
    True

Method: cell-key perturbation as in Fraser and Wooton, *A proposed method for confidentialising
tabular output to protect against differencing* (ABS, 2005) and Thompson, Broadfoot and
Elazar, *Methodology for the automatic confidentialisation of statistical outputs from remote
servers at the Australian Bureau of Statistics* (2013); the small-count rule and rounding are
the partnership's (the brief).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vrhub.errors import DisclosureError
from vrhub.tally import MODULUS, Tally

Key = tuple[str, ...]
TOTAL = "Total"
#: How many of 200 equally likely cell-key slots move a count by each amount: nothing in 56%
#: of counts, 1 either way in 15% each, 2 in 5%, 3 in 1.5% and 4 in 0.5% (variance 1.13).
#: The rare large movements are what keep the edges of every answer uncertain.
NOISE_SLOTS = {0: 112, 1: 30, -1: 30, 2: 10, -2: 10, 3: 3, -3: 3, 4: 1, -4: 1}
#: How far a published count is moved, indexed by cell key modulo 200.
NOISE = tuple(sorted(m for m, n in NOISE_SLOTS.items() for _ in range(n)))
#: The largest movement (published with the method, so readers know the uncertainty).
MAX_NOISE = max(abs(n) for n in NOISE)


def tally(count: int) -> Tally:
    """``count`` as a tally: tallies pass through; a plain 0 is the empty tally (key 0)."""
    if isinstance(count, Tally):
        return count
    if count == 0:
        return Tally(0)
    raise DisclosureError(
        "a count without its cell key cannot be published outside the analyst tier "
        f"(got {type(count).__name__}); count it through the measures engine"
    )


@dataclass(frozen=True)
class DisclosureRule:
    """Counts 0..suppress_max are hidden; others are moved by their cell key and rounded."""

    suppress_max: int = 7
    round_to: int = 5

    def __post_init__(self) -> None:
        if self.suppress_max < 0 or self.round_to < 1:
            raise DisclosureError("a disclosure rule needs suppress_max >= 0 and round_to >= 1")

    @property
    def breakdown_min(self) -> int:
        """The smallest published total a breakdown is shown for: three times the hidden range,
        rounded up to the rounding base (25 under the standard rule)."""
        least = 3 * (self.suppress_max + 1)
        return -(-least // self.round_to) * self.round_to

    def describe(self) -> str:
        return (
            f"counts 0 to {self.suppress_max} hidden; others moved by at most {MAX_NOISE} "
            f"(cell-key method), hidden if that leaves them at {self.suppress_max} or less, "
            f"and rounded to the nearest {self.round_to}"
        )

    def round(self, value: int) -> int:
        """Nearest multiple of the base (halves up), never 0 for a non-zero count."""
        if value == 0:
            return 0
        nearest = (2 * value + self.round_to) // (2 * self.round_to) * self.round_to
        return max(self.round_to, nearest)


class CellState(StrEnum):
    HIDDEN = "suppressed: small count"
    PERTURBED = "published: perturbed and rounded"


@dataclass(frozen=True)
class PublishedCell:
    """One count as it may be published, with the rule applied to it."""

    value: int | None
    state: CellState
    rule: str


def noise(count: Tally) -> int:
    """The movement the cell key chooses for this count."""
    return NOISE[count.key % len(NOISE)]


def publish(count: int, rule: DisclosureRule) -> PublishedCell:
    """A count as an audience outside the analyst tier may see it (see the module's notes)."""
    t = tally(count)
    if t < 0:
        raise DisclosureError(f"{int(t)} is not a count")
    moved = int(t) + noise(t)
    if t <= rule.suppress_max or moved <= rule.suppress_max:
        return PublishedCell(None, CellState.HIDDEN, rule.describe())
    return PublishedCell(rule.round(moved), CellState.PERTURBED, rule.describe())


__all__ = [
    "MAX_NOISE",
    "MODULUS",
    "NOISE",
    "TOTAL",
    "CellState",
    "DisclosureRule",
    "Key",
    "PublishedCell",
    "Tally",
    "noise",
    "publish",
    "tally",
]
