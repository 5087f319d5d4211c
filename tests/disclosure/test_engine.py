"""Disclosure control: hand-checked cases and properties over random tables.

The property tests check the engine's output with an independent method. A hidden cell could
be worked out if the published cells and totals allowed it only one value. For tables of
counts with totals (rows and columns, or area hierarchies) the relations form a totally
unimodular system, so the cell can take another value exactly when some change of every
hidden cell by -1, 0 or +1 keeps every total right, keeps hidden cells at 1 or more (zeros
are always shown) and moves that cell. :func:`alternative` searches those changes
exhaustively, by backtracking, with no linear programming.
"""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vrhub.disclosure import (
    AdditiveTable,
    CellState,
    DisclosureRule,
    ProtectedTable,
    engine,
    protect,
)
from vrhub.errors import DisclosureError

Key = tuple[str, ...]


def test_docstring_example_runs() -> None:
    assert doctest.testmod(engine).failed == 0


@pytest.mark.parametrize(
    ("rule", "value", "shown"),
    [
        (DisclosureRule(), 0, 0),
        (DisclosureRule(), 8, 10),
        (DisclosureRule(), 12, 10),
        (DisclosureRule(), 13, 15),
        (DisclosureRule(), 17, 15),
        (DisclosureRule(), 1234, 1235),
        (DisclosureRule(9, 10), 10, 10),
        (DisclosureRule(9, 10), 15, 20),
        (DisclosureRule(7, 20), 8, 20),  # never rounded down to 0
    ],
)
def test_rounding(rule: DisclosureRule, value: int, shown: int) -> None:
    assert rule.round(value) == shown


def test_single_small_cell_in_a_row_is_protected_by_hand() -> None:
    # Row total 50 = 4 + 20 + 26: hiding only the 4 would give it away as 50 - 20 - 26.
    t = AdditiveTable.hierarchy({"a": 4, "b": 20, "c": 26}, {"a": "T", "b": "T", "c": "T"})
    p = protect(t, DisclosureRule())
    assert p.cells[("a",)].state is CellState.PRIMARY
    assert p.cells[("b",)].state is CellState.SECONDARY  # the smallest other part
    assert (p.value(("c",)), p.value(("T",))) == (25, 50)
    assert p.cells[("c",)].rule == "rounded to the nearest 5"


def test_inconsistent_or_negative_tables_are_refused() -> None:
    with pytest.raises(DisclosureError, match="T is 10 but its parts add to 9"):
        AdditiveTable({("a",): 4, ("b",): 5, ("T",): 10}, [(("T",), (("a",), ("b",)))])
    with pytest.raises(DisclosureError, match="not a count"):
        AdditiveTable({("a",): -1})


def alternative(table: AdditiveTable, hidden: set[Key], cell: Key) -> bool:
    """Can ``cell`` take another value consistent with everything published?"""
    order = sorted(hidden)
    relations = [
        (total, parts)
        for total, parts in table.relations
        if any(k in hidden for k in (total, *parts))
    ]
    members = [
        [(p, 1) for p in parts if p in hidden] + ([(total, -1)] if total in hidden else [])
        for total, parts in relations
    ]
    change: dict[Key, int] = {}

    def consistent() -> bool:
        for ms in members:
            fixed = sum(sign * change[k] for k, sign in ms if k in change)
            free = sum(1 for k, _ in ms if k not in change)
            if abs(fixed) > free:
                return False
        return True

    def search(i: int) -> bool:
        if i == len(order):
            return change[cell] != 0
        k = order[i]
        for d in (1, -1, 0) if k == cell else (0, 1, -1):
            if k == cell and d == 0:
                continue
            if table.values[k] + d < 1:
                continue
            change[k] = d
            if consistent() and search(i + 1):
                return True
            del change[k]
        return False

    return search(0)


def check(table: AdditiveTable, protected: ProtectedTable, rule: DisclosureRule) -> None:
    hidden = protected.suppressed
    for key, v in table.values.items():
        cell = protected.cells[key]
        if 1 <= v <= rule.suppress_max:
            assert cell.value is None and cell.state is CellState.PRIMARY
        if cell.value is not None:
            assert not 1 <= cell.value <= rule.suppress_max, (key, cell.value)
            assert cell.value == rule.round(v)
            assert cell.value % rule.round_to == 0
        if v == 0:
            assert cell.value == 0  # zeros are never hidden, so hidden cells are >= 1
    for key in hidden:
        assert alternative(table, hidden, key), f"{key} can be worked out"


counts = st.one_of(st.integers(0, 9), st.integers(0, 40))


@settings(max_examples=150, deadline=None)
@given(
    grid=st.integers(2, 4).flatmap(
        lambda c: st.lists(st.lists(counts, min_size=c, max_size=c), min_size=2, max_size=4)
    ),
    rule=st.sampled_from([DisclosureRule(), DisclosureRule(9, 10)]),
)
def test_grid_with_totals_never_reveals_a_hidden_cell(
    grid: list[list[int]], rule: DisclosureRule
) -> None:
    rows = [f"r{i}" for i in range(len(grid))]
    cols = [f"c{j}" for j in range(len(grid[0]))]
    table = AdditiveTable.grid(rows, cols, grid)
    try:
        protected = protect(table, rule)
    except DisclosureError as exc:
        # Only when a small count sits among zeros: then its total must itself be small.
        assert "the rest of its row is zero" in str(exc) or "no cell is left" in str(exc)
        return
    check(table, protected, rule)


@settings(max_examples=150, deadline=None)
@given(
    districts=st.lists(st.lists(counts, min_size=2, max_size=5), min_size=2, max_size=4),
    rule=st.sampled_from([DisclosureRule(), DisclosureRule(9, 10)]),
)
def test_lsoa_district_partnership_hierarchy_never_reveals_a_hidden_cell(
    districts: list[list[int]], rule: DisclosureRule
) -> None:
    leaves, parent_of = {}, {}
    for d, lsoas in enumerate(districts):
        parent_of[f"district{d}"] = "partnership"
        for i, v in enumerate(lsoas):
            leaves[f"lsoa{d}-{i}"] = v
            parent_of[f"lsoa{d}-{i}"] = f"district{d}"
    table = AdditiveTable.hierarchy(leaves, parent_of)
    try:
        protected = protect(table, rule)
    except DisclosureError as exc:
        assert "the rest of its row is zero" in str(exc) or "no cell is left" in str(exc)
        return
    check(table, protected, rule)


def test_percentages_use_published_figures() -> None:
    t = AdditiveTable.grid(["a", "b"], ["x", "y"], [[12, 40], [33, 61]])
    p = protect(t, DisclosureRule())
    # Published: a/x 10, Total/x 45: 10 / 45 = 22%, not the true 12 / 45 = 27%.
    assert p.percentage(("a", "x"), ("Total", "x")) == 22.0
