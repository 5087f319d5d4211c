"""ILLUSTRATIVE benchmark rates for the demo partnership (not published figures).

No open file of published rates for vrhub's own measures can be shipped with the demo, so the
demo loads round numbers of a plausible order for England, Yorkshire and The Humber and five
comparable districts, for the demo's latest year. Every row is flagged ``illustrative`` and its
source says so; the benchmarking section says so prominently. A deployment loads real published
rates with ``vrhub reference benchmarks load FILE`` (docs/how-to/benchmarks.md).

Example (runnable)::

    >>> text = illustrative_benchmarks("2026-09")
    >>> text.splitlines()[1].split(",")[:7]
    ['violence-with-injury', 'Violence with injury', 'E92000001', 'England', 'england', \
'year ending 2026-09', '10.1']
"""

from __future__ import annotations

from vrhub.home import Home
from vrhub.pipeline import load_benchmarks
from vrhub.reference.benchmarks import HEADER

SOURCE = "ILLUSTRATIVE demo value - not a published figure"
PUBLICATION = "vrhub demonstration partnership (illustrative values)"
#: (indicator, title, rate base, England, region, comparators in the order of AREAS).
INDICATORS = (
    ("violence-with-injury", "Violence with injury", 1000,
     10.1, 12.6, (14.8, 13.9, 12.1, 13.4, 12.9)),
    ("knife-enabled-serious-violence", "Knife-enabled serious violence", 100_000,
     80.5, 84.0, (121.0, 135.5, 88.0, 102.5, 79.0)),
    ("hospital-knife-admissions",
     "Hospital admissions for assault with a knife or sharp object", 100_000,
     7.2, 7.9, (11.5, 12.0, 8.1, 9.6, 7.4)),
)  # fmt: skip
AREAS = (
    ("E08000003", "Manchester"),
    ("E08000025", "Birmingham"),
    ("E08000039", "Sheffield"),
    ("E08000012", "Liverpool"),
    ("E08000021", "Newcastle upon Tyne"),
)


def illustrative_benchmarks(end_month: str) -> str:
    """The demo's benchmark file for the year ending ``end_month`` (every row illustrative)."""
    period = f"year ending {end_month}"
    lines = [HEADER]
    for indicator, title, per, england, region, peers in INDICATORS:
        rows = [("E92000001", "England", "england", england, 0.01)]
        rows.append(("E12000003", "Yorkshire and The Humber", "region", region, 0.03))
        rows += [(c, n, "comparable", r, 0.06) for (c, n), r in zip(AREAS, peers, strict=True)]
        for code, name, kind, rate, spread in rows:
            low, high = round(rate * (1 - spread), 1), round(rate * (1 + spread), 1)
            lines.append(
                f"{indicator},{title},{code},{name},{kind},{period},{rate},{per},{low},{high},"
                f"{SOURCE},{PUBLICATION},yes"
            )
    return "\n".join(lines) + "\n"


def load_illustrative_benchmarks(home: Home, end_month: str) -> int:
    """Write the demo's illustrative benchmark file into the home and load it."""
    path = home.path / "demo-benchmarks-ILLUSTRATIVE.csv"
    path.write_text(illustrative_benchmarks(end_month), encoding="utf-8")
    return load_benchmarks(home, path, actor="demo")
