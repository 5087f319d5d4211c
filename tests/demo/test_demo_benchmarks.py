"""The demo's benchmark file: valid in the documented format, every row flagged illustrative
and sourced as such, for the demo's latest year."""

from __future__ import annotations

import doctest

from vrhub.demo import benchmarks as module
from vrhub.demo.benchmarks import SOURCE, illustrative_benchmarks
from vrhub.reference.benchmarks import parse_benchmarks


def test_docstring_examples_run() -> None:
    assert doctest.testmod(module).failed == 0


def test_every_row_is_valid_and_illustrative() -> None:
    rows = parse_benchmarks(illustrative_benchmarks("2026-09"), "demo.csv")
    assert rows and all(b.illustrative and b.source == SOURCE for b in rows)
    assert {(b.period_from, b.period_to) for b in rows} == {("2025-10", "2026-09")}
    for indicator in {b.indicator for b in rows}:
        kinds = sorted(b.area_type for b in rows if b.indicator == indicator)
        assert kinds == ["comparable"] * 5 + ["england", "region"]
    assert all(b.lower is not None and b.lower <= b.rate <= (b.upper or 0) for b in rows)
