"""Months as the data holds them (``YYYY-MM`` text) and the arithmetic on them.

>>> month_add("2024-11", 3), month_end("2024-02"), month_range("2024-11", "2025-02")
('2025-02', datetime.date(2024, 2, 29), ['2024-11', '2024-12', '2025-01', '2025-02'])
"""

from __future__ import annotations

import datetime as dt
import re

from vrhub.errors import InvalidMonthError

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_month(value: str, option: str) -> str:
    """``value`` if it is a month written YYYY-MM; else one clear error naming ``option``."""
    if not MONTH.match(value):
        raise InvalidMonthError(
            f"{option} '{value}' is not a month: write it as YYYY-MM, for example 2026-09"
        )
    return value


def month_add(month: str, k: int) -> str:
    """The month ``k`` months after ``month`` (before, when ``k`` is negative)."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_end(month: str) -> dt.date:
    """The last day of the month."""
    following = month_add(month, 1)
    return dt.date(int(following[:4]), int(following[5:7]), 1) - dt.timedelta(days=1)


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included (empty if last is earlier)."""
    out = []
    month = first
    while month <= last:
        out.append(month)
        month = month_add(month, 1)
    return out
