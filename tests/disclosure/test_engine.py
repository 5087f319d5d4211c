"""Disclosure control by the cell-key method: hand-checked cases and properties.

The attacker who combines many answers is played in ``test_differencing.py``; here each piece
is checked on cases small enough to work out by hand.
"""

from __future__ import annotations

import doctest
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vrhub.disclosure import CellState, DisclosureRule, Tally, engine, publish, tally
from vrhub.disclosure.engine import MAX_NOISE, MODULUS, NOISE, noise
from vrhub.errors import DisclosureError


def test_docstring_example_runs() -> None:
    assert doctest.testmod(engine).failed == 0


@pytest.mark.parametrize(
    ("rule", "value", "shown"),
    [
        (DisclosureRule(), 8, 10),
        (DisclosureRule(), 12, 10),
        (DisclosureRule(), 13, 15),
        (DisclosureRule(), 1_234, 1_235),
        (DisclosureRule(round_to=10), 15, 20),
        (DisclosureRule(round_to=1), 9, 9),
    ],
)
def test_rounding(rule: DisclosureRule, value: int, shown: int) -> None:
    assert rule.round(value) == shown


def test_noise_table_is_symmetric_with_the_documented_shares() -> None:
    slots = Counter(NOISE)
    assert len(NOISE) == 200
    assert slots == Counter({0: 112, 1: 30, -1: 30, 2: 10, -2: 10, 3: 3, -3: 3, 4: 1, -4: 1})
    assert sum(NOISE) == 0 and MAX_NOISE == 4
    # Variance 1.13, as the concepts page says.
    assert sum(n * n for n in NOISE) / len(NOISE) == pytest.approx(1.13)


def test_small_counts_and_zeros_are_hidden_whatever_the_key() -> None:
    rule = DisclosureRule()
    for n in range(8):
        for key in (0, 1, 99, 2**31, MODULUS - 1):
            cell = publish(Tally(n, key), rule)
            assert cell.value is None and cell.state is CellState.HIDDEN
    assert publish(0, rule).value is None  # a plain zero is a group with no records
    stricter = DisclosureRule(suppress_max=10)
    assert publish(Tally(9, 5), stricter).value is None


def test_a_count_is_moved_by_its_key_then_rounded_by_hand() -> None:
    rule = DisclosureRule()
    # Key 0 is slot 0 of the sorted table: -4. 30 - 4 = 26, rounded to 25.
    assert noise(Tally(30, 0)) == -4
    assert publish(Tally(30, 0), rule).value == 25
    # Key 199 is the last slot: +4. 30 + 4 = 34, rounded to 35.
    assert publish(Tally(30, 199), rule).value == 35
    # Key 100 is in the middle: 0. 30 stays 30.
    assert publish(Tally(30, 100), rule).value == 30
    # A count moved into the hidden range is hidden too: 8 - 4 = 4 and 11 - 4 = 7 are hidden,
    # 12 - 4 = 8 is shown as 10; 8 + 4 = 12 is shown as 10.
    assert publish(Tally(8, 0), rule).value is None
    assert publish(Tally(11, 0), rule).value is None
    assert publish(Tally(12, 0), rule).value == 10
    assert publish(Tally(8, 199), rule).value == 10


def test_tallies_add_their_keys_and_keep_them_through_sums() -> None:
    a, b, c = Tally(3, MODULUS - 1), Tally(4, 5), Tally(10, 7)
    total = sum([a, b, c], 0)
    assert isinstance(total, Tally)
    assert int(total) == 17 and total.key == (MODULUS - 1 + 5 + 7) % MODULUS
    rest = total - a
    assert isinstance(rest, Tally) and int(rest) == 14 and rest.key == 12
    # Mixing with a non-zero plain number loses the key, and publishing refuses it.
    assert not isinstance(a + 1, Tally)
    with pytest.raises(DisclosureError, match="cell key"):
        publish(a + 1, DisclosureRule())
    with pytest.raises(DisclosureError, match="cell key"):
        tally(12)


def test_negative_counts_and_bad_rules_are_refused() -> None:
    with pytest.raises(DisclosureError):
        publish(Tally(3, 1) - Tally(5, 1), DisclosureRule())
    with pytest.raises(DisclosureError):
        DisclosureRule(suppress_max=-1)
    with pytest.raises(DisclosureError):
        DisclosureRule(round_to=0)


def test_breakdown_minimum_follows_the_rule() -> None:
    assert DisclosureRule().breakdown_min == 25
    assert DisclosureRule(suppress_max=10, round_to=10).breakdown_min == 40


@given(st.integers(min_value=8, max_value=100_000), st.integers(min_value=0))
def test_published_counts_stay_near_the_truth_and_out_of_the_hidden_range(n: int, key: int) -> None:
    rule = DisclosureRule()
    value = publish(Tally(n, key), rule).value
    # Hidden only when moved to 7 or less (so never from 12 up).
    assert (value is None) == (n + noise(Tally(n, key)) <= 7)
    if value is None:
        return
    assert value % 5 == 0 and value >= 10
    assert abs(value - n) <= MAX_NOISE + 2
    # The same records always give the same answer.
    assert publish(Tally(n, key), rule).value == value


@given(st.integers(min_value=8, max_value=10_000))
def test_noise_averages_out_over_keys(n: int) -> None:
    """Over all 200 slots, the movement averages to zero (the method is unbiased before
    rounding)."""
    moved = [noise(Tally(n, k)) for k in range(200)]
    assert sum(moved) == 0
