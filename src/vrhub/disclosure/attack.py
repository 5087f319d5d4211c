"""The differencing attacker, played as an integer programme: can published answers, taken
together, pin down a count that was hidden?

A user who may ask many questions can combine the answers: a partnership is the sum of its
districts, two overlapping years share eleven months, a breakdown's groups add up to its
total. This module plays that user against a set of answers, assuming (as Kerckhoffs would)
that they know the method in full (the rule and the largest movement, :data:`MAX_NOISE`) but
not the cell keys.

The model:

* the unknowns are **atoms**: non-negative whole numbers of records, each named by a tuple,
  e.g. ``("t", "E08000035", "2024-03")`` for a district's records in a month;
* an :class:`Answer` is the sum of some atoms with what was published for it: a number, or
  ``None`` where it was hidden. From the published value and the method the attacker knows
  a range for the true count (:func:`possible`): a hidden count is 0 to ``suppress_max``
  plus the largest movement (1 upwards when a listing showed that the group holds records),
  since a count moved into the hidden range is hidden too; a shown value ``v``
  is any count that publishing could have turned into ``v`` for some movement;
* a :class:`Relation` is what the attacker knows about how atoms relate, whatever was
  published: a breakdown's groups add up to the total (:func:`same`); a category holds no
  more records than the total (:func:`at_most`).

:func:`attack` then decides, for every hidden answer, whether all the whole-number solutions
agree on its value (it is **pinned**, and the answers disclose it) or not. It first draws a
few solutions with random objectives: a hidden answer whose sum differs between two of them
(or from the true value, when the caller gives it) cannot be pinned. Only the rest need a
search of their own: is there a solution with the answer below, or above, the one value seen?

Example (runnable): seven hours of a hidden total of 7 records, published the old way (only
groups with records listed, so each listed group holds at least one) give every hour away;
listed with all 24 hours (zeros included, as the explorer now lists them), none is given away.
(No movement here, ``max_noise=0``, so that the listing alone makes the difference)::

    >>> rule = DisclosureRule()
    >>> hours = [f"{h:02d}" for h in range(24)]
    >>> held = {"01", "03", "04", "12", "19", "22", "23"}
    >>> total = Answer("total", (("t",),), None)
    >>> link = [same(("t",), [("hour", h) for h in hours])]
    >>> old = [total, *(Answer(h, (("hour", h),), None, nonempty=True) for h in sorted(held))]
    >>> old_result = attack(old, link, rule, max_noise=0, seed=1)
    >>> len(old_result.pinned), {p.value for p in old_result.pinned}
    (8, {1, 7})
    >>> new = [total, *(Answer(h, (("hour", h),), None) for h in hours)]
    >>> attack(new, link, rule, max_noise=0, seed=1).pinned
    ()

The method's own parameters make the difference as much as the listing: with exact values
shown, a partnership of 55 records whose districts show 40 and 12 gives the hidden third
district away as 3; moved and rounded, it does not::

    >>> parts = [("d", "Leeds"), ("d", "Bradford"), ("d", "Kirklees")]
    >>> def told(shown: list[int | None]) -> list[Answer]:
    ...     asked = [tuple(parts), (parts[0],), (parts[1],), (parts[2],)]
    ...     return [Answer(str(a), a, v) for a, v in zip(asked, shown)]
    >>> exact = DisclosureRule(round_to=1)
    >>> [p.value for p in attack(told([55, 40, None, 12]), (), exact, max_noise=0).pinned]
    [3]
    >>> attack(told([55, 40, None, 10]), (), rule).pinned
    ()
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, vstack

from vrhub.disclosure.engine import MAX_NOISE, DisclosureRule
from vrhub.errors import DisclosureError

Atom = Hashable
#: HiGHS stops at the first whole-number solution it finds when the gap allowed is this wide:
#: any solution will do for telling two values apart.
ANY_SOLUTION = {"mip_rel_gap": 1e9, "presolve": True}


@dataclass(frozen=True)
class Answer:
    """One published count: the sum of ``atoms`` (each counted once) and what was shown.

    ``published`` is ``None`` where the count was hidden. ``nonempty`` is True where the
    publication told the reader that the count is at least 1 (a list of only the groups
    holding records does).
    """

    name: str
    atoms: tuple[Atom, ...]
    published: int | None
    nonempty: bool = False

    @property
    def hidden(self) -> bool:
        return self.published is None


@dataclass(frozen=True)
class Relation:
    """What the attacker knows whatever was published: ``lo <= sum(coefficient * atom) <= hi``."""

    name: str
    terms: tuple[tuple[Atom, int], ...]
    lo: float
    hi: float


def same(whole: Atom, parts: Iterable[Atom], name: str = "") -> Relation:
    """The parts add up to the whole (a breakdown's groups add up to its total)."""
    terms = ((whole, -1), *((p, 1) for p in parts))
    return Relation(name or f"groups of {whole}", terms, 0, 0)


def at_most(part: Atom, whole: Atom, name: str = "") -> Relation:
    """The part holds no more records than the whole (a category of a total)."""
    return Relation(name or f"{part} within {whole}", ((part, 1), (whole, -1)), -np.inf, 0)


def possible(
    published: int | None,
    rule: DisclosureRule,
    max_noise: int = MAX_NOISE,
    nonempty: bool = False,
) -> tuple[int, int]:
    """The true counts that could have been published as ``published`` (lowest, highest).

    A shown value is inverted by trying every count near it with every movement from
    ``-max_noise`` to ``max_noise``: moved, kept only if both it and the count are above
    ``suppress_max``, and rounded as :func:`~vrhub.disclosure.engine.publish` does. A hidden
    count is one of ``suppress_max`` or less, or one a movement took there.

    >>> possible(None, DisclosureRule()), possible(10, DisclosureRule())
    ((0, 11), (8, 16))
    >>> possible(40, DisclosureRule()), possible(9, DisclosureRule(round_to=1), max_noise=0)
    ((34, 46), (9, 9))
    """
    least = rule.suppress_max + 1
    if published is None:
        return (1 if nonempty else 0), rule.suppress_max + max_noise
    reach = rule.round_to + max_noise + 1
    could = [
        n
        for n in range(max(least, published - reach), published + reach + 1)
        if any(
            n + k >= least and rule.round(n + k) == published
            for k in range(-max_noise, max_noise + 1)
        )
    ]
    if not could:
        raise DisclosureError(f"no count could have been published as {published}")
    lo, hi = could[0], could[-1]
    if len(could) != hi - lo + 1:
        raise DisclosureError(f"the counts published as {published} are not one range")
    return lo, hi


@dataclass(frozen=True)
class Pin:
    """A hidden answer the others give away: every solution has it at ``value``."""

    answer: Answer
    value: int


@dataclass(frozen=True)
class AttackResult:
    """What the attacker learned from the answers."""

    answers: int
    hidden: int
    pinned: tuple[Pin, ...]
    #: Hidden answers the searches could not settle within their time limit.
    undecided: tuple[Answer, ...]
    #: Hidden answers shown to have two values by the first, random solutions.
    by_sampling: int
    #: Integer programmes solved, in all and searching one answer each.
    solves: int
    searches: int
    atoms: int
    seconds: float

    def summary(self) -> str:
        return (
            f"{self.answers:,} answers ({self.hidden:,} hidden) over {self.atoms:,} unknowns: "
            f"{len(self.pinned)} pinned, {len(self.undecided)} undecided; "
            f"{self.solves} integer programmes ({self.searches} searches) "
            f"in {self.seconds:.1f} s"
        )


class _Programme:
    """The answers and relations as one integer programme over the atoms."""

    def __init__(
        self,
        answers: Sequence[Answer],
        relations: Iterable[Relation],
        rule: DisclosureRule,
        max_noise: int,
    ) -> None:
        atoms: dict[Atom, int] = {}
        for a in answers:
            for x in a.atoms:
                atoms.setdefault(x, len(atoms))
        relations = list(relations)
        for r in relations:
            for x, _ in r.terms:
                atoms.setdefault(x, len(atoms))
        self.atoms = atoms
        n = len(atoms)
        self.range = [possible(a.published, rule, max_noise, a.nonempty) for a in answers]
        self.rows = csr_array(
            _matrix([[(atoms[x], 1) for x in dict.fromkeys(a.atoms)] for a in answers], n)
        )
        links = _matrix([[(atoms[x], c) for x, c in r.terms] for r in relations], n)
        # An atom is never more than the least of the ranges of the answers holding it.
        upper = np.full(n, np.inf)
        for a, (_, most) in zip(answers, self.range, strict=True):
            for x in a.atoms:
                upper[atoms[x]] = min(upper[atoms[x]], most)
        self.bounds = Bounds(np.zeros(n), upper)
        self.lo = np.array([r[0] for r in self.range] + [r.lo for r in relations], dtype=float)
        self.hi = np.array([r[1] for r in self.range] + [r.hi for r in relations], dtype=float)
        self.matrix = csr_array(vstack([self.rows, links])) if relations else self.rows
        self.solves = 0

    def solve(
        self,
        objective: np.ndarray,
        extra: tuple[int, float, float] | None = None,
        time_limit: float | None = None,
    ) -> np.ndarray | None:
        """A whole-number solution (the first found), optionally with one answer's sum held
        between two values; ``None`` if there is none (or none found in time)."""
        matrix, lo, hi = self.matrix, self.lo, self.hi
        if extra is not None:
            i, low, high = extra
            matrix = csr_array(vstack([matrix, self.rows[[i], :]]))
            lo, hi = np.append(lo, low), np.append(hi, high)
        options: dict[str, object] = dict(ANY_SOLUTION)
        if time_limit is not None:
            options["time_limit"] = time_limit
        self.solves += 1
        found = milp(
            objective,
            integrality=np.ones(len(objective)),
            bounds=self.bounds,
            constraints=LinearConstraint(matrix, lo, hi),
            options=options,
        )
        if found.x is None:
            if found.status == 2:  # infeasible: proven
                return None
            raise _Unsettled()
        x: np.ndarray = np.rint(found.x)
        return x


class _Unsettled(DisclosureError):
    """A search ran out of time without a solution or a proof that there is none (caught
    inside this module: such an answer is reported as undecided, never as safe)."""


def _matrix(rows: list[list[tuple[int, int]]], n: int) -> csr_array:
    data, cols, ptr = [], [], [0]
    for row in rows:
        for col, coef in row:
            cols.append(col)
            data.append(coef)
        ptr.append(len(cols))
    return csr_array(
        (np.array(data, dtype=float), np.array(cols, dtype=np.int64), ptr), (len(rows), n)
    )


def attack(
    answers: Sequence[Answer],
    relations: Iterable[Relation] = (),
    rule: DisclosureRule | None = None,
    max_noise: int = MAX_NOISE,
    truth: Sequence[int] | None = None,
    samples: int = 6,
    seed: int = 0,
    time_limit: float | None = 60.0,
    budget: float | None = None,
) -> AttackResult:
    """Decide, for every hidden answer, whether the answers taken together pin it down.

    ``truth`` (the true count of each answer, in order) is only for bookkeeping: the true
    counts are one solution, so a solution giving another value shows a hidden answer is
    not pinned. ``samples`` solutions with seeded random objectives come first; then each
    hidden answer still showing one value is searched for a solution below it and one above.
    ``time_limit`` bounds each integer programme and ``budget`` all of them (in seconds): a
    hidden answer left unsettled is returned as undecided, never as safe.
    Raises :class:`~vrhub.errors.DisclosureError` if the answers contradict each other (or
    ``truth``): then the model, not the method, is wrong.
    """
    started = time.perf_counter()
    rule = rule or DisclosureRule()
    p = _Programme(answers, relations, rule, max_noise)
    hidden = [i for i, a in enumerate(answers) if a.hidden]
    seen: dict[int, set[int]] = {i: set() for i in hidden}
    if truth is not None:
        if len(truth) != len(answers):
            raise DisclosureError("the truth needs one count for each answer")
        for i, a in enumerate(answers):
            lo, hi = p.range[i]
            if not lo <= truth[i] <= hi:
                raise DisclosureError(
                    f"{a.name}: the true count {truth[i]} is outside {lo}..{hi}, the range its "
                    f"published value ({a.published}) allows"
                )
        for i in hidden:
            seen[i].add(int(truth[i]))
    rng = np.random.default_rng(seed)
    n = len(p.atoms)

    def note(x: np.ndarray) -> None:
        sums = p.rows @ x
        for i in hidden:
            seen[i].add(int(np.rint(sums[i])))

    def direction(rows: list[int]) -> np.ndarray:
        """An objective pushing each of these answers towards its least or its most."""
        signs = rng.choice([-1.0, 1.0], size=len(rows))
        push = p.rows[rows, :].T @ signs if rows else np.zeros(n)
        out = np.asarray(push, dtype=float) + rng.uniform(-0.1, 0.1, size=n)
        # Only atoms some answer bounds are pushed, so no programme is unbounded.
        out[~np.isfinite(p.bounds.ub)] = 0.0
        return out

    # Without the truth, one solution at least gives each hidden answer a value to test.
    drawn = samples if samples > 0 or truth is not None else 1
    for _ in range(drawn if hidden else 0):
        try:
            x = p.solve(direction(hidden), time_limit=time_limit)
        except _Unsettled:
            continue  # the searches below settle what this would have
        if x is None:
            raise DisclosureError("the answers contradict each other: no counts fit them all")
        note(x)
    by_sampling = sum(len(seen[i]) > 1 for i in hidden)
    pinned: list[Pin] = []
    undecided: list[Answer] = []
    searches = 0
    for i in hidden:
        if len(seen[i]) > 1:
            continue
        out_of_time = budget is not None and time.perf_counter() - started > budget
        if not seen[i] or out_of_time:
            undecided.append(answers[i])
            continue
        [value] = seen[i]
        lo, hi = p.range[i]
        settled = True
        for low, high in ((lo, value - 1), (value + 1, hi)):
            if low > high or len(seen[i]) > 1:
                continue
            searches += 1
            open_ = [j for j in hidden if len(seen[j]) == 1 and j != i]
            try:
                x = p.solve(direction(open_), (i, low, high), time_limit)
            except _Unsettled:
                settled = False
                continue
            if x is not None:
                note(x)
        if len(seen[i]) == 1:
            if settled:
                pinned.append(Pin(answers[i], value))
            else:
                undecided.append(answers[i])
    return AttackResult(
        answers=len(answers),
        hidden=len(hidden),
        pinned=tuple(pinned),
        undecided=tuple(undecided),
        by_sampling=by_sampling,
        solves=p.solves,
        searches=searches,
        atoms=n,
        seconds=time.perf_counter() - started,
    )


def violated(
    answers: Sequence[Answer],
    relations: Iterable[Relation],
    values: Mapping[Atom, int],
    rule: DisclosureRule | None = None,
    max_noise: int = MAX_NOISE,
) -> list[str]:
    """The answers and relations that these atom values (e.g. the true counts) break; atoms
    not given are taken as 0. Empty when the values are a solution of the programme."""
    rule = rule or DisclosureRule()
    broken = []
    for a in answers:
        lo, hi = possible(a.published, rule, max_noise, a.nonempty)
        total = sum(values.get(x, 0) for x in dict.fromkeys(a.atoms))
        if not lo <= total <= hi:
            broken.append(f"{a.name}: {total} outside {lo}..{hi}")
    for r in relations:
        total = sum(c * values.get(x, 0) for x, c in r.terms)
        if not r.lo <= total <= r.hi:
            broken.append(f"{r.name}: {total} outside {r.lo}..{r.hi}")
    return broken


__all__ = [
    "Answer",
    "AttackResult",
    "Pin",
    "Relation",
    "at_most",
    "attack",
    "possible",
    "same",
    "violated",
]
