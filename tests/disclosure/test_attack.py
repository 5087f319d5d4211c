"""The differencing attacker's solver on cases small enough to check by hand.

Each case is published twice: the weak way (exact values shown, or only the groups holding
records listed), which the attacker must see through, and by the cell-key method, which it
must not. The explorer as a whole is attacked in ``test_differencing.py``.
"""

from __future__ import annotations

import doctest

import pytest

from vrhub.disclosure import attack as attack_module
from vrhub.disclosure.attack import Answer, Atom, Relation, attack, possible, same, violated
from vrhub.disclosure.engine import MAX_NOISE, DisclosureRule, Tally, publish
from vrhub.errors import DisclosureError

RULE = DisclosureRule()
#: The weak publication: small counts hidden, every other count shown exactly.
EXACT = DisclosureRule(round_to=1)


def cell_key(count: int, key: int) -> int | None:
    return publish(Tally(count, key), RULE).value


def test_docstring_examples_run() -> None:
    assert doctest.testmod(attack_module).failed == 0


@pytest.mark.parametrize(
    ("published", "lowest", "highest"),
    [
        (None, 0, 11),  # hidden: 0 to 7, zeros included, or 8 to 11 moved down to 7 or less
        (10, 8, 16),  # moved to 8..12 (8 at least), which rounds to 10; moved by -4..+4
        (15, 9, 21),  # moved to 13..17; a count of 9 moved by +4 is 13
        (40, 34, 46),  # moved to 38..42
    ],
)
def test_what_a_published_value_allows_by_hand(
    published: int | None, lowest: int, highest: int
) -> None:
    assert possible(published, RULE) == (lowest, highest)


def test_a_listed_hidden_group_holds_at_least_one() -> None:
    assert possible(None, RULE, nonempty=True) == (1, 11)
    assert possible(None, EXACT, max_noise=0, nonempty=True) == (1, 7)
    assert possible(9, EXACT, max_noise=0) == (9, 9)


def test_what_a_published_value_allows_is_exactly_what_publishing_gives() -> None:
    # Every count, published under every slot of the noise table, is in the range its
    # published value allows; and every count in each range is published so by some key.
    reached: dict[int | None, set[int]] = {}
    for n in range(60):
        for key in range(200):
            v = cell_key(n, key)
            lo, hi = possible(v, RULE)
            assert lo <= n <= hi, (n, key, v)
            reached.setdefault(v, set()).add(n)
    for v, counts in reached.items():
        lo, hi = possible(v, RULE)
        if hi < 55:  # away from the edge of the counts tried
            assert counts == set(range(lo, hi + 1)), v


def test_a_value_nothing_publishes_is_refused() -> None:
    with pytest.raises(DisclosureError, match="no count could have been published as 12"):
        possible(12, RULE)


# Case 1: the partnership is the sum of its districts ------------------------------------
# Leeds 40, Bradford 3 (hidden), Kirklees 12: 55 in all.
DISTRICTS = [("t", "Leeds"), ("t", "Bradford"), ("t", "Kirklees")]


def districts(shown: list[int | None]) -> list[Answer]:
    asked = [tuple(DISTRICTS), *((d,) for d in DISTRICTS)]
    return [Answer(str(a), a, v) for a, v in zip(asked, shown, strict=True)]


def test_weak_partnership_gives_the_hidden_district_away() -> None:
    result = attack(districts([55, 40, None, 12]), (), EXACT, max_noise=0)
    # 55 - 40 - 12 = 3.
    assert [(p.answer.name, p.value) for p in result.pinned] == [(str((DISTRICTS[1],)), 3)]
    assert result.hidden == 1 and result.undecided == ()


def test_cell_key_partnership_keeps_the_hidden_district() -> None:
    shown = [cell_key(55, 7), cell_key(40, 199), cell_key(3, 5), cell_key(12, 150)]
    assert shown == [55, 45, None, 10]
    result = attack(districts(shown), (), RULE, truth=[55, 40, 3, 12])
    # 55 could be 49..61, 45 could be 39..51, 10 could be 8..16: Bradford anything 0 to 7.
    assert result.pinned == () and result.hidden == 1


# Case 2: seven hours of a hidden total -------------------------------------------------
HOURS = [f"{h:02d}" for h in range(24)]
HELD = ["01", "03", "04", "12", "19", "22", "23"]  # one record each: 7 in all
HOURS_LINK = [same(("t",), [("hour", h) for h in HOURS])]


def test_weak_listing_of_hours_gives_every_one_away() -> None:
    # Only hours with records listed: seven listed hours, each at least 1, under a total of at
    # most 7, so each is exactly 1 and the total is 7.
    # (No movement, so that a hidden count is at most 7.)
    listed = [Answer(h, (("hour", h),), None, nonempty=True) for h in HELD]
    result = attack([Answer("total", (("t",),), None), *listed], HOURS_LINK, RULE, max_noise=0)
    assert {(p.answer.name, p.value) for p in result.pinned} == {
        ("total", 7),
        *((h, 1) for h in HELD),
    }


def test_every_hour_listed_gives_none_away() -> None:
    every = [Answer(h, (("hour", h),), None) for h in HOURS]
    truth = [7, *(int(h in HELD) for h in HOURS)]
    result = attack([Answer("total", (("t",),), None), *every], HOURS_LINK, RULE, truth=truth)
    assert result.pinned == () and result.hidden == 25
    # The random solutions settle some; the searches settle the rest.
    assert result.by_sampling >= 1 and result.solves == 6 + result.searches


def test_searches_alone_settle_every_hidden_answer() -> None:
    # With no random solutions first, each hidden answer is searched for a value other than
    # its true one (and each solution found settles others on the way).
    every = [Answer(h, (("hour", h),), None) for h in HOURS]
    truth = [7, *(int(h in HELD) for h in HOURS)]
    told = [Answer("total", (("t",),), None), *every]
    result = attack(told, HOURS_LINK, RULE, truth=truth, samples=0)
    assert result.pinned == () and result.by_sampling == 0
    assert 1 <= result.searches <= 25 and result.solves == result.searches


# Case 2b: two hidden districts under a shown sum (found by the explorer's attack in CI) ---
PAIR = [("t", "Bradford"), ("t", "Kirklees")]


def pair(shown: int | None) -> list[Answer]:
    return [
        Answer("both", tuple(PAIR), shown),
        Answer("Bradford", (PAIR[0],), None),
        Answer("Kirklees", (PAIR[1],), None),
    ]


def test_a_hidden_count_known_to_be_at_most_7_is_pinned_under_a_sum_shown_as_20() -> None:
    # 7 + 7 = 14 moved by +4 is 18, shown as 20; 20 could be 14..26, so had a reader known
    # that each hidden district is at most 7, both would be 7.
    at_most_7 = [Relation(f"{x} hidden", ((x, 1),), 0, 7) for x in PAIR]
    result = attack(pair(20), at_most_7, RULE, truth=[14, 7, 7])
    assert sorted((p.answer.name, p.value) for p in result.pinned) == [
        ("Bradford", 7),
        ("Kirklees", 7),
    ]


def test_a_count_moved_into_the_hidden_range_is_hidden_so_no_sum_pins_its_parts() -> None:
    # Hiding 8 to 11 when their movement takes them to 7 or less means a hidden count may be
    # up to 11: the same sum leaves each district anything from 3 to 11.
    assert cell_key(14, 199) == 20  # moved by +4
    assert cell_key(9, 0) is None  # 9 moved by -4 is 5: hidden
    result = attack(pair(20), (), RULE, truth=[14, 7, 7])
    assert result.pinned == ()
    # Whatever is shown for the sum of two hidden counts, neither is ever pinned.
    for shown in (None, 10, 15, 20, 25, 30):
        if shown is not None and possible(shown, RULE)[0] > 2 * possible(None, RULE)[1]:
            continue
        assert attack(pair(shown), (), RULE, samples=3).pinned == (), shown


# Case 3: two overlapping years ----------------------------------------------------------
# Months 1..13; month 1 has 8 records, months 2..12 have 32 between them, month 13 has 3.
# The year to month 12 is 40, the year to month 13 is 35; month 1 is shown (8), month 13
# hidden: 35 - (40 - 8) = 3.
MONTHS = [("t", m) for m in range(1, 14)]


def years(shown: list[int | None]) -> list[Answer]:
    asked = [tuple(MONTHS[:12]), tuple(MONTHS[1:]), (MONTHS[0],), (MONTHS[12],)]
    names = ["year to 12", "year to 13", "month 1", "month 13"]
    return [Answer(n, a, v) for n, a, v in zip(names, asked, shown, strict=True)]


def test_weak_overlapping_years_give_the_hidden_month_away() -> None:
    result = attack(years([40, 35, 8, None]), (), EXACT, max_noise=0)
    assert [(p.answer.name, p.value) for p in result.pinned] == [("month 13", 3)]


def test_cell_key_overlapping_years_keep_the_hidden_month() -> None:
    shown = [cell_key(40, 3), cell_key(35, 100), cell_key(8, 60), cell_key(3, 9)]
    assert shown == [35, 35, 10, None]
    result = attack(years(shown), (), RULE, truth=[40, 35, 8, 3])
    assert result.pinned == ()


# The bookkeeping ------------------------------------------------------------------------
def test_a_truth_outside_its_published_range_is_refused() -> None:
    with pytest.raises(DisclosureError, match=r"the true count 20 is outside 8\.\.16"):
        attack([Answer("a", (("x",),), 10)], (), RULE, truth=[20])


def test_contradictory_answers_are_refused() -> None:
    told = [Answer("a", (("x",),), None), Answer("a and b", (("x",), ("y",)), None)]
    big = [*told, Answer("b", (("y",),), 40)]  # b alone is 34..46, but a and b at most 7
    with pytest.raises(DisclosureError, match="contradict"):
        attack(big, (), RULE)


def test_violated_names_what_the_values_break() -> None:
    told = districts([55, 40, None, 12])
    values: dict[Atom, int] = {DISTRICTS[0]: 40, DISTRICTS[1]: 3, DISTRICTS[2]: 12}
    assert violated(told, (), values, EXACT, max_noise=0) == []
    broken = violated(told, [same(("t", "all"), DISTRICTS)], values | {DISTRICTS[1]: 9}, EXACT, 0)
    assert len(broken) == 3  # the partnership, Bradford (9 is not hidden) and the relation
    assert MAX_NOISE == 4
