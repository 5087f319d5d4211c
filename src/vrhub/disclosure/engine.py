"""Primary suppression, secondary suppression and rounding of tables of counts.

The partnership's rule (see the brief): outside the analyst tier, counts from 1 to 7 are
suppressed and all other counts rounded to the nearest 5; an agreement may set a stricter
rule. A table with totals needs more than that: if a row of three cells and its total are
published except one small cell, the small cell is the total minus the others. So
:func:`protect`

1. suppresses every count in the small range (*primary* suppression);
2. wherever a total and its parts would leave exactly one cell hidden, hides one more, the
   smallest non-zero part (*secondary* suppression), until no relation has a lone gap;
3. checks each hidden cell with an integer programme: given every published cell's true
   value (more than a reader ever has, since published counts are rounded), every relation,
   and that hidden cells are at least 1 (zeros are always shown), can the cell take only one
   value? If so it hides one more cell around it and checks again;
4. rounds every shown count to the nearest multiple of the rounding base (halves up), never
   down to 0, so no shown count falls in the small range.

Each published cell records what was done to it and why. Percentages are computed only from
published figures (:meth:`ProtectedTable.percentage`).

Example (runnable)::

    >>> t = AdditiveTable.grid(
    ...     ["Leeds", "Bradford", "Wakefield"], ["knife", "other"], [[3, 40], [12, 30], [20, 22]]
    ... )
    >>> p = protect(t, DisclosureRule())
    >>> p.cells[("Leeds", "knife")].state.value
    'suppressed: small count'
    >>> sorted(k for k in p.suppressed if p.cells[k].state is CellState.SECONDARY)
    [('Bradford', 'knife'), ('Bradford', 'other'), ('Leeds', 'other')]
    >>> p.value(("Wakefield", "knife")), p.value(("Total", "Total"))
    (20, 125)
    >>> p.percentage(("Wakefield", "knife"), ("Total", "knife"))
    57.0

Method: the small-count rule is the partnership's (brief); secondary suppression and the
audit of recoverability follow the cell-suppression approach of Hundepool et al.,
*Statistical Disclosure Control* (Wiley, 2012), chapter 4.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from vrhub.errors import DisclosureError

Key = tuple[str, ...]
#: A total and the parts that add up to it.
Relation = tuple[Key, tuple[Key, ...]]
TOTAL = "Total"


@dataclass(frozen=True)
class DisclosureRule:
    """Counts 1..suppress_max are hidden; others are rounded to the nearest round_to."""

    suppress_max: int = 7
    round_to: int = 5

    def __post_init__(self) -> None:
        if self.suppress_max < 0 or self.round_to < 1:
            raise DisclosureError("a disclosure rule needs suppress_max >= 0 and round_to >= 1")

    def describe(self) -> str:
        return (
            f"counts 1 to {self.suppress_max} suppressed; others rounded to the nearest "
            f"{self.round_to}"
        )

    def round(self, value: int) -> int:
        """Nearest multiple of the base (halves up), never 0 for a non-zero count."""
        if value == 0:
            return 0
        nearest = (2 * value + self.round_to) // (2 * self.round_to) * self.round_to
        return max(self.round_to, nearest)


@dataclass
class AdditiveTable:
    """Counts, and the relations in which one count is the total of others."""

    values: dict[Key, int]
    relations: list[Relation] = field(default_factory=list)

    def __post_init__(self) -> None:
        for key, v in self.values.items():
            if v < 0 or int(v) != v:
                raise DisclosureError(f"cell {'/'.join(key)} holds {v}, not a count")
        for total, parts in self.relations:
            missing = [k for k in (total, *parts) if k not in self.values]
            if missing:
                raise DisclosureError(f"relation names unknown cells: {missing}")
            if sum(self.values[p] for p in parts) != self.values[total]:
                raise DisclosureError(
                    f"{'/'.join(total)} is {self.values[total]} but its parts add to "
                    f"{sum(self.values[p] for p in parts)}"
                )

    @classmethod
    def grid(
        cls, rows: Sequence[str], columns: Sequence[str], counts: Sequence[Sequence[int]]
    ) -> AdditiveTable:
        """A rows × columns table, with row totals, column totals and the grand total added."""
        values: dict[Key, int] = {}
        for r, row in zip(rows, counts, strict=True):
            for c, v in zip(columns, row, strict=True):
                values[(r, c)] = int(v)
            values[(r, TOTAL)] = sum(int(v) for v in row)
        for c in columns:
            values[(TOTAL, c)] = sum(values[(r, c)] for r in rows)
        values[(TOTAL, TOTAL)] = sum(values[(r, TOTAL)] for r in rows)
        relations: list[Relation] = [
            ((r, TOTAL), tuple((r, c) for c in columns)) for r in [*rows, TOTAL]
        ]
        relations += [((TOTAL, c), tuple((r, c) for r in rows)) for c in [*columns, TOTAL]]
        return cls(values, relations)

    @classmethod
    def hierarchy(cls, leaves: Mapping[str, int], parent_of: Mapping[str, str]) -> AdditiveTable:
        """Counts for the smallest areas and the totals of every level above them.

        ``parent_of`` maps each area to the one containing it (an LSOA to its district, a
        district to the partnership); the top level has no parent.
        """
        values: dict[Key, int] = {(k,): int(v) for k, v in leaves.items()}
        children: dict[str, list[str]] = {}
        for child, parent in parent_of.items():
            children.setdefault(parent, []).append(child)
        pending = set(children)
        while pending:
            ready = [p for p in pending if all((c,) in values for c in children[p])]
            if not ready:
                raise DisclosureError("the area hierarchy has a cycle or a missing area")
            for p in sorted(ready):
                values[(p,)] = sum(values[(c,)] for c in children[p])
                pending.discard(p)
        relations: list[Relation] = [
            ((p,), tuple((c,) for c in sorted(cs))) for p, cs in sorted(children.items())
        ]
        return cls(values, relations)


class CellState(StrEnum):
    ZERO = "published: zero"
    ROUNDED = "published: rounded"
    PRIMARY = "suppressed: small count"
    SECONDARY = "suppressed: protects another cell"


@dataclass(frozen=True)
class PublishedCell:
    """One cell as it may be published, with the rule applied to it."""

    key: Key
    value: int | None
    state: CellState
    rule: str


@dataclass
class ProtectedTable:
    """A table made safe to publish under a rule."""

    rule: DisclosureRule
    cells: dict[Key, PublishedCell]

    def value(self, key: Key) -> int | None:
        return self.cells[key].value

    @property
    def suppressed(self) -> set[Key]:
        return {k for k, c in self.cells.items() if c.value is None}

    def percentage(self, part: Key, whole: Key, places: int = 0) -> float | None:
        """``part`` as a percentage of ``whole``, from the published figures only."""
        a, b = self.value(part), self.value(whole)
        if a is None or b is None or b == 0:
            return None
        return round(100 * a / b, places)


def protect(table: AdditiveTable, rule: DisclosureRule) -> ProtectedTable:
    """Apply primary and secondary suppression and rounding (see the module's notes)."""
    values = table.values
    primary = {k for k, v in values.items() if 1 <= v <= rule.suppress_max}
    hidden = set(primary)
    member_of: dict[Key, list[int]] = {k: [] for k in values}
    for i, (total, parts) in enumerate(table.relations):
        for k in (total, *parts):
            member_of[k].append(i)

    def lone_gaps() -> set[int]:
        return {
            i
            for i, (total, parts) in enumerate(table.relations)
            if sum(k in hidden for k in (total, *parts)) == 1
        }

    def cheapest(relation_ids: Iterable[int], lone: set[int]) -> Key | None:
        """The shown non-zero cell to hide next: one closing most lone gaps, then parts
        before totals, then the smallest (hiding as little information as possible)."""
        best: tuple[int, int, int, Key] | None = None
        for i in relation_ids:
            total, parts = table.relations[i]
            for rank, k in [(0, p) for p in parts] + [(1, total)]:
                if k in hidden or values[k] == 0:
                    continue
                closes = sum(j in lone for j in member_of[k])
                cand = (-closes, rank, values[k], k)
                if best is None or cand < best:
                    best = cand
        return best[3] if best else None

    while True:
        lone = lone_gaps()
        while lone:
            i = min(lone)
            extra = cheapest([i], lone)
            if extra is None:  # every other member is zero: nothing can protect it
                total = table.relations[i][0]
                raise DisclosureError(
                    f"cannot protect {'/'.join(total)}: the rest of its row is zero"
                )
            hidden.add(extra)
            lone = lone_gaps()
        exposed = _recoverable(table, hidden)
        if not exposed:
            break
        extra = cheapest((i for k in exposed for i in member_of[k]), set())
        if extra is None:
            raise DisclosureError(
                f"cannot protect {'/'.join(sorted(exposed)[0])}: no cell is left to hide"
            )
        hidden.add(extra)

    cells = {}
    for k, v in values.items():
        if k in primary:
            cells[k] = PublishedCell(k, None, CellState.PRIMARY, rule.describe())
        elif k in hidden:
            cells[k] = PublishedCell(
                k, None, CellState.SECONDARY, "suppressed so a small count cannot be worked out"
            )
        elif v == 0:
            cells[k] = PublishedCell(k, 0, CellState.ZERO, "zero is shown as 0")
        else:
            cells[k] = PublishedCell(
                k, rule.round(v), CellState.ROUNDED, f"rounded to the nearest {rule.round_to}"
            )
    return ProtectedTable(rule, cells)


def _recoverable(table: AdditiveTable, hidden: set[Key]) -> list[Key]:
    """Hidden cells whose value the published cells and relations fix exactly."""
    if not hidden:
        return []
    order = sorted(hidden)
    index = {k: j for j, k in enumerate(order)}
    rows, rhs = [], []
    for total, parts in table.relations:
        if not any(k in hidden for k in (total, *parts)):
            continue
        row = np.zeros(len(order))
        b = 0.0
        for p in parts:
            if p in hidden:
                row[index[p]] += 1
            else:
                b -= table.values[p]
        if total in hidden:
            row[index[total]] -= 1
        else:
            b += table.values[total]
        rows.append(row)
        rhs.append(b)
    if not rows:
        return []
    a = np.array(rows)
    constraint = LinearConstraint(a, np.array(rhs), np.array(rhs))
    bounds = Bounds(np.ones(len(order)), np.full(len(order), np.inf))
    integral = np.ones(len(order))
    exposed = []
    for k in order:
        c = np.zeros(len(order))
        c[index[k]] = 1
        low = milp(c, constraints=constraint, bounds=bounds, integrality=integral)
        high = milp(-c, constraints=constraint, bounds=bounds, integrality=integral)
        if low.status != 0:
            raise DisclosureError("the table's totals do not add up; it cannot be protected")
        if high.status == 0 and abs(-high.fun - low.fun) < 0.5:
            exposed.append(k)
    return exposed
