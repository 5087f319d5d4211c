"""Month arithmetic, shared by the demo, the scorecard, retention and the measures."""

from __future__ import annotations

import datetime as dt
import doctest

from vrhub import months
from vrhub.demo.generate import months_between
from vrhub.months import month_add, month_end, month_range


def test_docstring_example_runs() -> None:
    assert doctest.testmod(months).failed == 0


def test_across_year_ends() -> None:
    assert month_add("2024-12", 1) == "2025-01"
    assert month_add("2025-01", -1) == "2024-12"
    assert month_add("2025-03", -24) == "2023-03"
    assert month_end("2023-12") == dt.date(2023, 12, 31)
    assert month_end("2023-02") == dt.date(2023, 2, 28)
    assert month_range("2025-03", "2025-01") == []
    assert months_between("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
