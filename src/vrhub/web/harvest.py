"""Every answer the measure explorer gives one viewer about one measure, as the differencing
attacker of :mod:`vrhub.disclosure.attack` sees them.

A viewer (an audience and the districts in their scope) may ask the explorer for the
partnership or any district in scope, for the year ending any month held, with no breakdown or
any breakdown the dataset offers. :func:`harvest` asks every one of those questions and writes
each published row as an :class:`~vrhub.disclosure.attack.Answer` over unknowns (atoms):

* ``("t", district, month)``: the measure's records in a district in a month. A total, a month
  row and a district row are sums of these;
* ``(breakdown, district, month, group)``: the records of one group of a breakdown whose groups
  do not overlap (age group, sex, day of the week, hour...); a district-month's groups add up to
  its total;
* ``("sv_category", district, month, category)``: the records in one serious-violence category,
  never more than the total (categories overlap, so they need not add up to it).

It also writes down what the published definitions tell any reader (age groups and the
under-25 split describe the same ages; some categories hold exactly the measure's records),
and, for the tests' bookkeeping only, the true count of every answer, asked of the explorer as
the analyst tier (which sees exact counts; a group it does not list has none).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from vrhub.datasets import get_dataset
from vrhub.disclosure.attack import Answer, Atom, Relation, at_most, same
from vrhub.errors import DisclosureError
from vrhub.governance.context import Governance
from vrhub.home import Home
from vrhub.measures.engine import AGE_GROUPS, UNDER_25
from vrhub.months import month_add, month_range
from vrhub.web.explore import Query, breakdowns, explore, months_held, period_choices

TOTAL = "Total"
INF = float("inf")
#: Breakdowns whose rows are sums of the total atoms themselves.
OWN_ATOMS = ("month", "district")
#: What the published definitions tell a reader about some measures' categories: the category
#: holds exactly the measure's records (``None``) or exactly those of one breakdown group.
#: (Non-domestic homicides are violence against the person, so the category of violence
#: against women and girls holds exactly those with a female victim.)
SAME_RECORDS: dict[str, dict[str, tuple[str, str] | None]] = {
    "non-domestic-homicide": {
        "homicide": None,
        "violence-against-women-and-girls": ("victim_sex", "Female"),
    },
    "knife-enabled-serious-violence": {"knife-crime": None},
}
#: Measures each of whose records is in at least one category.
COVERED = ("serious-violence",)


@dataclass
class Harvest:
    """The answers one viewer can get, what relates their unknowns, and their true counts."""

    measure: str
    audience: str
    answers: list[Answer]
    relations: list[Relation]
    #: The true count of each answer, in order (for bookkeeping, never for the attacker).
    truth: list[int]
    #: Explorer pages asked for, and published rows read (before merging repeats).
    pages: int
    rows: int

    @property
    def hidden(self) -> int:
        return sum(a.hidden for a in self.answers)


def harvest(
    home: Home,
    con: Any,
    gov: Governance,
    measure: str,
    dataset: str,
    audience: str,
    scope: list[str],
) -> Harvest:
    """Ask the explorer every question ``audience`` may ask with ``scope`` (see the module)."""
    ds = get_dataset(dataset)
    span = months_held(con, ds)
    everyone = list(home.partnership.district_codes)
    offered = [b for b in breakdowns(ds) if b]
    seen: dict[frozenset[Atom], int] = {}
    answers: list[Answer] = []
    truth: list[int] = []
    groups: dict[str, list[str]] = defaultdict(list)
    listed: dict[str, list[set[str]]] = defaultdict(list)
    pending: list[tuple[str, str, str, list[str], list[str], dict[str, Any]]] = []
    pages = rows = 0
    for area in ["all", *scope]:
        districts = everyone if area == "all" else [area]
        for end in period_choices(span):
            months = month_range(month_add(end, -11), end)
            exact_total = _truth(home, con, gov, measure, dataset, area, end, "", scope)
            for by in ["", *offered]:
                page = explore(
                    home, con, gov, audience, Query(measure, dataset, area, end, by), scope
                )
                pages += 1
                rows += len(page["rows"])
                if not by or page["withheld"]:
                    got = page["rows"][0]["count"]
                    _add(seen, answers, truth, _name(area, end, by, TOTAL),
                         _totals(districts, months), got, exact_total[TOTAL])  # fmt: skip
                    continue
                pending.append((area, end, by, districts, months, page))
                names = {r["group"] for r in page["rows"]} - {TOTAL}
                listed[by].append(names)
                for g in names - set(groups[by]):
                    groups[by].append(g)
    # A group listed only sometimes is listed because it holds records.
    sometimes = {
        b: set[str]().union(*ls) - ls[0].intersection(*ls[1:])
        for b, ls in listed.items()
        if b not in OWN_ATOMS
    }
    for area, end, by, districts, months, page in pending:
        exact = _truth(home, con, gov, measure, dataset, area, end, by, scope)
        for row in page["rows"]:
            g = row["group"]
            if by == "district":
                chosen = [r["group"] for r in page["rows"] if r["group"] != TOTAL]
                atoms = _totals(chosen if g == TOTAL else [g], months)
            elif by == "month" or g == TOTAL:  # a breakdown's groups add up to the total
                atoms = _totals(districts, months if g == TOTAL else [g])
            else:
                atoms = [(by, d, m, g) for d in districts for m in months]
            nonempty = g in sometimes.get(by, set())
            _add(seen, answers, truth, _name(area, end, by, g), atoms, row["count"],
                 exact.get(g, 0), nonempty)  # fmt: skip
    return Harvest(
        measure, audience, answers, _relations(measure, everyone, span, groups), truth,
        pages, rows,
    )  # fmt: skip


def _totals(districts: list[str], months: list[str]) -> list[Atom]:
    return [("t", d, m) for d in districts for m in months]


def _name(area: str, end: str, by: str, group: str) -> str:
    return f"{area} year ending {end}" + (f" by {by}: {group}" if by else "")


def _add(
    seen: dict[frozenset[Atom], int],
    answers: list[Answer],
    truth: list[int],
    name: str,
    atoms: list[Atom],
    published: int | None,
    true: int,
    nonempty: bool = False,
) -> None:
    """Keep one answer per set of records: the same records are always published the same
    (their cell key is the same), so a repeat tells the attacker nothing more."""
    key = frozenset(atoms)
    if key in seen:
        first = answers[seen[key]]
        if first.published != published:
            raise DisclosureError(
                f"{name} and {first.name} count the same records but were published as "
                f"{published} and {first.published}: the two could be averaged"
            )
        if truth[seen[key]] != true:
            raise DisclosureError(f"{name} and {first.name} are not the same records")
        if nonempty and not first.nonempty:
            answers[seen[key]] = Answer(first.name, first.atoms, first.published, True)
        return
    seen[key] = len(answers)
    answers.append(Answer(name, tuple(atoms), published, nonempty))
    truth.append(true)


def _truth(
    home: Home,
    con: Any,
    gov: Governance,
    measure: str,
    dataset: str,
    area: str,
    end: str,
    by: str,
    scope: list[str],
) -> dict[str, int]:
    """The exact counts of a page, by group (the analyst tier's view)."""
    page = explore(home, con, gov, "analyst", Query(measure, dataset, area, end, by), scope)
    return {r["group"]: int(r["count"] or 0) for r in page["rows"]}


def _relations(
    measure: str,
    districts: list[str],
    span: tuple[str, str] | None,
    groups: dict[str, list[str]],
) -> list[Relation]:
    """What holds between the atoms of each district-month, whatever was published."""
    out: list[Relation] = []
    months = month_range(*span) if span else []
    facts = SAME_RECORDS.get(measure, {})
    for d in districts:
        for m in months:
            total = ("t", d, m)
            for by, names in groups.items():
                if by in OWN_ATOMS:
                    continue
                atoms = [(by, d, m, g) for g in names]
                if by != "sv_category":
                    out.append(same(total, atoms))
                    continue
                out += [at_most(a, total) for a in atoms]
                for g in names:
                    if g in facts:
                        whole = facts[g]
                        other = total if whole is None else (whole[0], d, m, whole[1])
                        if whole is None or whole[0] in groups:
                            out.append(same(other, [("sv_category", d, m, g)]))
                if measure in COVERED:
                    terms = ((total, -1), *((a, 1) for a in atoms))
                    out.append(Relation(f"each record of {total} in a category", terms, 0, INF))
            if "age_group" in groups and "under_25" in groups:
                out += _ages(d, m)
    return out


def _ages(d: str, m: str) -> list[Relation]:
    """Children are under 25; under-25s are children or young adults (18 to 25); an unknown
    age is unknown in both breakdowns."""
    child, young, _ = ((("age_group", d, m, g), 1) for g in AGE_GROUPS)
    under = (("under_25", d, m, UNDER_25[0]), 1)
    unknown = ((("age_group", d, m, "unknown"), 1), (("under_25", d, m, "unknown"), -1))
    flip = (under[0], -1)
    return [
        Relation(f"children under 25 in {d} {m}", (child, flip), -INF, 0),
        Relation(
            f"under 25s are children or young adults in {d} {m}",
            (under, (child[0], -1), (young[0], -1)),
            -INF,
            0,
        ),
        Relation(f"unknown ages in {d} {m}", unknown, 0, 0),
    ]
