"""Published rates to benchmark against: England, the region, districts and comparable areas.

A benchmark file is a CSV of published rates, one row per indicator, area and period (the
format is documented in docs/reference/benchmarks-format.md). :func:`parse_benchmarks` checks
every row and names each problem by row and field; nothing is stored unless the whole file is
sound. :func:`load_benchmarks` then replaces, in one transaction, the rows of the indicators the
file holds (other indicators loaded from other files are kept).

The *comparable areas* are the rows whose ``area_type`` is ``comparable``: the file, not the
partnership, says which areas are its comparators, so the comparison is the publisher's (or the
analyst's) stated choice, kept with its source.

Example (runnable)::

    >>> text = (HEADER + "\\n" +
    ...     "violence-with-injury,Violence with injury,E92000001,England,england,"
    ...     "year ending 2026-03,9.8,1000,,,ONS,Crime in England and Wales,no\\n")
    >>> [b] = parse_benchmarks(text, "rates.csv")
    >>> b.area_type, b.period_from, b.period_to, b.rate, b.rate_per
    ('england', '2025-04', '2026-03', 9.8, 1000)
    >>> parse_period("2024/25")
    ('2024-04', '2025-03')
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import duckdb

from vrhub.errors import ReferenceDataError
from vrhub.months import month_add
from vrhub.store.analytical import transaction

COLUMNS = (
    "indicator",
    "indicator_title",
    "area_code",
    "area_name",
    "area_type",
    "period",
    "rate",
    "rate_per",
    "lower",
    "upper",
    "source",
    "publication",
    "illustrative",
)
#: Columns a file may leave out altogether (an interval, a note on the definition).
OPTIONAL = ("lower", "upper", "definition_note")
AREA_TYPES = ("england", "region", "district", "comparable")
ENGLAND = ("E92000001", "K04000001")  # England; England and Wales
AREA_CODE = {
    "england": re.compile(r"^(E92000001|K04000001)$"),
    "region": re.compile(r"^E12\d{6}$"),
    "district": re.compile(r"^(E0[6-9]|W06)\d{6}$"),
    # Any GSS code but output areas, LSOAs and MSOAs: no area below a ward is published.
    "comparable": re.compile(r"^(?![EW]0[012])[EWSNK]\d{8}$"),
}
INDICATOR = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MONTH = r"(\d{4})-(0[1-9]|1[0-2])"
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
HEADER = ",".join(COLUMNS)
SHOWN_PROBLEMS = 25


@dataclass(frozen=True)
class Benchmark:
    """One published rate for one indicator, area and period."""

    indicator: str
    indicator_title: str
    area_code: str
    area_name: str
    area_type: str
    period: str
    period_from: str
    period_to: str
    rate: float
    rate_per: int
    lower: float | None
    upper: float | None
    source: str
    publication: str
    illustrative: bool
    definition_note: str = ""

    @property
    def interval(self) -> str:
        if self.lower is None or self.upper is None:
            return "not given"
        return f"{self.lower:,.1f} to {self.upper:,.1f}"


def parse_period(text: str) -> tuple[str, str] | None:
    """A period as its first and last month: ``2025-04 to 2026-03``, ``year ending 2026-03``,
    ``2025/26`` (a financial year, April to March) or ``2025`` (a calendar year); None when it
    is none of these."""
    t = " ".join(text.strip().lower().split())
    if m := re.fullmatch(rf"{MONTH} to {MONTH}", t):
        first, last = f"{m[1]}-{m[2]}", f"{m[3]}-{m[4]}"
        return (first, last) if first <= last else None
    if m := re.fullmatch(rf"year ending {MONTH}", t):
        last = f"{m[1]}-{m[2]}"
        return month_add(last, -11), last
    if m := re.fullmatch(r"(\d{4})/(\d{2})", t):
        start = int(m[1])
        if (start + 1) % 100 != int(m[2]):
            return None
        return f"{start}-04", f"{start + 1}-03"
    if m := re.fullmatch(r"(\d{4})", t):
        return f"{m[1]}-01", f"{m[1]}-12"
    return None


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _per(text: str) -> int | None:
    t = text.lower().replace("per", "").replace(",", "").replace(" ", "")
    return int(t) if t.isdigit() and int(t) in (1000, 10_000, 100_000, 1_000_000) else None


#: The most rates one file may hold: a partnership benchmarks a few dozen indicators against
#: England, a region, its districts and a few comparable areas, far fewer than this.
MAX_RATES = 5_000
#: The largest rate a file may give (per its rate base; a rate per 1,000 is at most 1,000 of
#: every 1,000 people, and even a per-1,000,000 rate of events stays far below this).
MAX_RATE = 1_000_000
#: A text cell starting with one of these would run as a formula in a spreadsheet.
FORMULA = ("=", "+", "-", "@")


def parse_benchmarks(text: str, name: str) -> list[Benchmark]:
    """Validate a benchmark file whole; every problem names its row, field and value."""
    lines = text.count("\n")
    if lines > MAX_RATES + 1:
        raise ReferenceDataError(
            f"{name}: nothing loaded: the file has {lines:,} lines, more than the "
            f"{MAX_RATES:,} rates a benchmark file may hold; load the indicators the "
            "partnership reports against, a file for each set if need be"
        )
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL]
    if missing:
        raise ReferenceDataError(
            f"{name}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(the format is {', '.join(COLUMNS)}; see docs/reference/benchmarks-format.md)"
        )
    out: list[Benchmark] = []
    problems: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    per_of: dict[str, tuple[int, int]] = {}
    for i, raw in enumerate(reader, start=2):
        r = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        before = len(problems)

        def bad(field: str, why: str, r: dict[str, str] = r, i: int = i) -> None:
            problems.append(f"{name} row {i}, {field} '{r.get(field, '')}': {why}")

        for c in ("indicator_title", "area_name", "source", "publication"):
            if not r.get(c):
                bad(c, "is blank" + ("; vrhub loads no unsourced figure" if c == "source" else ""))
        for c in ("indicator_title", "area_name", "source", "publication", "definition_note"):
            if r.get(c, "").startswith(FORMULA):
                bad(c, "starts with = + - or @, which a spreadsheet would run as a formula")
        if not INDICATOR.match(r["indicator"]):
            bad("indicator", "is not an indicator id (lower-case letters, digits and hyphens)")
        kind = r["area_type"].lower()
        if kind not in AREA_TYPES:
            bad("area_type", f"is not an area type (one of {', '.join(AREA_TYPES)})")
        elif not AREA_CODE[kind].match(r["area_code"]):
            bad("area_code", f"is not a code for area type {kind} ({_code_words(kind)})")
        period = parse_period(r["period"])
        if period is None:
            bad(
                "period",
                "is not a period (2025-04 to 2026-03, year ending 2026-03, 2025/26 or 2025)",
            )
        rate = _number(r["rate"])
        if rate is None or rate < 0 or rate > MAX_RATE:
            bad("rate", f"is not a number from 0 to {MAX_RATE:,}")
        per = _per(r["rate_per"])
        if per is None:
            bad("rate_per", "is not a rate base (1000, 10000, 100000 or 1000000)")
        lower, upper = _number(r.get("lower", "")), _number(r.get("upper", ""))
        for c, v in (("lower", lower), ("upper", upper)):
            if r.get(c) and v is None:
                bad(c, "is not a number")
        limits = (lower, upper) if lower is not None and upper is not None else None
        if bool(r.get("lower")) != bool(r.get("upper")):
            bad("lower" if not r.get("lower") else "upper", "give both 95% limits or neither")
        elif limits and rate is not None and not limits[0] <= rate <= limits[1]:
            bad("rate", f"lies outside its 95% limits {limits[0]:g} to {limits[1]:g}")
        flag = r["illustrative"].lower()
        if flag not in YES | NO:
            bad("illustrative", "is not yes or no")
        if per is not None and r["indicator"]:
            first = per_of.setdefault(r["indicator"], (per, i))
            if first[0] != per:
                bad("rate_per", f"differs from row {first[1]}'s rate base for this indicator")
        if period is not None:
            key = (r["indicator"], r["area_code"], r["period"].lower())
            if key in seen:
                bad("area_code", f"duplicates row {seen[key]} (same indicator, area and period)")
            seen.setdefault(key, i)
        if len(problems) > before:
            continue
        assert period is not None and rate is not None and per is not None
        out.append(
            Benchmark(
                r["indicator"], r["indicator_title"], r["area_code"], r["area_name"], kind,
                r["period"], period[0], period[1], rate, per, lower, upper, r["source"],
                r["publication"], flag in YES, r.get("definition_note", ""),
            )
        )  # fmt: skip
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        raise ReferenceDataError(
            f"{name}: nothing loaded, {len(problems)} problem{'s' if len(problems) > 1 else ''}: "
            + "; ".join(problems[:SHOWN_PROBLEMS])
            + (f"; and {more} more" if more > 0 else "")
        )
    if not out:
        raise ReferenceDataError(f"{name}: no rates in the file")
    return out


def _code_words(kind: str) -> str:
    return {
        "england": "E92000001, or K04000001 for England and Wales",
        "region": "an E12 code, e.g. E12000003",
        "district": "a local authority district code, e.g. E08000035",
        "comparable": "a GSS code such as E08000019, for an area no smaller than a ward",
    }[kind]


def load_benchmarks(con: duckdb.DuckDBPyConnection, text: str, name: str, sha256: str) -> int:
    """Replace the stored rates of every indicator in a validated file; returns rows loaded."""
    rates = parse_benchmarks(text, name)
    indicators = sorted({b.indicator for b in rates})
    with transaction(con):
        con.execute("DELETE FROM ref_benchmarks WHERE list_contains(?, indicator)", [indicators])
        con.executemany(
            "INSERT INTO ref_benchmarks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, current_timestamp::TIMESTAMP)",
            [
                (b.indicator, b.indicator_title, b.area_code, b.area_name, b.area_type, b.period,
                 b.period_from, b.period_to, b.rate, b.rate_per, b.lower, b.upper, b.source,
                 b.publication, b.illustrative, b.definition_note, name, sha256)
                for b in rates
            ],
        )  # fmt: skip
    return len(rates)


def stored_benchmarks(con: duckdb.DuckDBPyConnection) -> list[Benchmark]:
    """Every loaded rate, by indicator, area type and area."""
    [(tables,)] = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ref_benchmarks'"
    ).fetchall()
    if not tables:
        return []
    rows = con.execute(
        "SELECT indicator, indicator_title, area_code, area_name, area_type, period, "
        "period_from, period_to, rate, rate_per, lower, upper, source, publication, "
        "illustrative, definition_note FROM ref_benchmarks "
        "ORDER BY indicator, period_to, area_type, area_name"
    ).fetchall()
    return [
        Benchmark(
            str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]),
            str(r[7]), float(r[8]), int(r[9]), None if r[10] is None else float(r[10]),
            None if r[11] is None else float(r[11]), str(r[12]), str(r[13]), bool(r[14]),
            str(r[15] or ""),
        )
        for r in rows
    ]  # fmt: skip
