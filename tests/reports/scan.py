"""Scanning a published report for numbers that could be unprotected counts.

Every number in the visible text of the HTML, in the data of its charts and in the text of
the PDF is checked. Numbers whose context shows they are not counts of events or people
(dates, times, codes, ages in band labels, page and figure numbers, percentages, rates with
decimals, counts of neighbourhoods or months) are set aside; every other whole number must be
0 or a multiple of 5, as rounding to the nearest 5 gives.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
NOT_COUNTS = [
    r"\bPage \d+ of \d+\b",  # page footers
    r"(?:^|\n)\s*\d+\.\s",  # numbered lists
    r"\d{4}-\d{2}(?:-\d{2})?",  # months and days
    r"\b\d{2}:\d{2}\b",  # times
    r"\b[EWSKN]\d{8}\b",  # ONS codes
    r"\b[A-Z][A-Za-z']+\s+\d{3}[A-Z]\b",  # LSOA names such as "Leeds 056D"
    r"\b[a-z]+\d+\b",  # partner source codes such as "demo01"
    r"\b\d+ = most deprived",
    r"\b(?:19|20)\d{2}\b",  # years
    rf"\b\d{{1,2}} (?:{MONTHS})\b",  # "5 November"
    r"\b(?:[Pp]age|Figure|decile|[Dd]eciles?|measure|[Aa]ppendix|version|v|Sch|para|under|"
    r"per|from|Article|article|X|Y|ICD-|aged)\s?\d[\d,]*",
    r"\b\d+ (?:to|and) \d+\b",  # age bands such as "18 to 25"
    r"\b\d+ and over\b",
    r"\bby at most \d+\b",  # the disclosure method's largest change to a count
    r"\bat \d+ or less\b",  # the disclosure method's hidden range ("leaves it at 7 or less")
    r"\b\d[\d,]*\s+(?:months?|days?|neighbourhoods?|LSOAs?|points?|files|districts?|years?|"
    r"(?:electoral\s+)?wards?|"
    r"hours?|categories|figures?|weeks?)\b",
    r"\b\d[\d,]*\s+of\s+(?:the\s+)?[\d,]+\s+(?:LSOAs|neighbourhoods)\b",
    r"\b\d[\d,]*\s+residents\b",  # resident populations (published ONS estimates)
    r"\d[\d,]*(?:\.\d+)?\s?%",  # percentages
    r"\d[\d,]*\.\d+",  # decimals (rates, intervals, limits)
    r"\b[A-Za-z]+-[A-Za-z]+-\d+\b",  # agreement and definition references
    r"\b\d+(?:st|nd|rd|th)\b",
    r"\(\d\)|\d\(\w\)",  # legal references such as 9(2)(i)
]
NOT_COUNT = re.compile("|".join(f"(?:{p})" for p in NOT_COUNTS))
NUMBER = re.compile(r"\d[\d,]*")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.specs: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in = "spec" if dict(attrs).get("type") == "application/json" else "skip"
        for name, value in attrs:
            if name in ("aria-label", "alt", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "spec":
            self.specs.append(data)
        elif self._in is None:
            self.parts.append(data)


def html_text(page: str) -> tuple[str, list[dict[str, object]]]:
    """The visible text (with text alternatives) and the chart data rows of a page."""
    p = _Text()
    p.feed(page)
    rows: list[dict[str, object]] = []
    for spec in p.specs:
        data = json.loads(spec)["data"]["values"]
        for row in data:
            rows.append(row.get("properties", row) if isinstance(row, dict) else row)
    return " ".join(p.parts), rows


def suspicious(text: str) -> list[str]:
    """Whole numbers outside the not-a-count contexts that are not 0 or a multiple of 5."""
    cleaned = NOT_COUNT.sub(" ", text)
    found = []
    for m in NUMBER.finditer(cleaned):
        value = int(m.group().replace(",", "").strip(",") or 0)
        if value % 5:
            start = max(0, m.start() - 60)
            found.append(f"{m.group()} in ...{cleaned[start : m.end() + 40]}...")
    return found


def suspicious_data(rows: list[dict[str, object]]) -> list[str]:
    """Chart data counts ("y" of count charts) that are not suppressed, 0 or rounded."""
    bad = []
    for r in rows:
        y = r.get("y")
        if isinstance(y, int) and not isinstance(y, bool) and y % 5:
            bad.append(repr(r))
    return bad
