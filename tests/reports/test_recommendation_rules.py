"""Each recommendation rule proposes on a case built in code and not on a contrary one; its
evidence is checked against figures worked out here, and outside the analyst tier it shows
published figures only and names no area smaller than a ward."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from scipy.stats import binomtest

from tests.reports.recs_data import (
    CURRENT,
    LEEDS,
    PREVIOUS,
    A,
    B,
    C,
    load,
    reads,
    rows,
)
from vrhub.home import Home
from vrhub.reports.recommendations.builtin import (
    over_represented_cohort,
    persistent_hotspot,
    rising_success_measure,
)
from vrhub.reports.recommendations.rules import all_rules

Write = Callable[..., Path]


def test_the_rules_are_registered_and_say_what_they_do() -> None:
    ids = [r.id for r in all_rules()]
    assert ids == ["over-represented-cohort", "persistent-hotspot", "rising-success-measure"]
    for r in all_rules():
        assert len(r.condition) > 60 and len(r.cites) > 30 and r.title
        assert r.describe().startswith(f"{r.title} ({r.id}): proposed when ")


def test_a_significant_rise_in_a_success_measure_is_proposed(
    wy_home: Home, write_police_crime: Write
) -> None:
    # Knife robberies: 1 a month the year before (12), 4 a month this year (48).
    load(
        wy_home, write_police_crime, rows([(PREVIOUS, A, 1, "Y", "30"), (CURRENT, A, 4, "Y", "30")])
    )
    for data in reads(wy_home):
        found = rising_success_measure.find(data)
    # Independently: with equal populations the change is significant when the exact binomial
    # interval of 48 of the 60 records falling in this year excludes a half.
    ci = binomtest(48, 60, 0.5).proportion_ci(0.95)
    assert ci.low > 0.5
    assert [p.subject for p in found] == ["knife-enabled-serious-violence"]
    [p] = found
    assert "knife-enabled serious violence in West Yorkshire" in p.text
    assert "rose significantly in the year ending September 2025" in p.text
    assert "(48 in the year ending September 2025)" in p.evidence
    assert not any(ch.isdigit() for ch in p.text.replace("2025", ""))  # no figure in the text
    for data in reads(wy_home, district=LEEDS):
        assert [p.subject for p in rising_success_measure.find(data)] == [
            "knife-enabled-serious-violence"
        ]


def test_no_rise_no_proposal(wy_home: Home, write_police_crime: Write) -> None:
    load(
        wy_home, write_police_crime, rows([(PREVIOUS, A, 2, "Y", "30"), (CURRENT, A, 2, "Y", "30")])
    )
    for data in reads(wy_home):
        assert rising_success_measure.find(data) == []


def _ward_and_rate(home: Home, code: str, records: int) -> tuple[str, float]:
    import duckdb

    con = duckdb.connect(str(home.path / "analytical.duckdb"), read_only=True)
    try:
        [(ward,)] = con.execute(
            "SELECT ward_name FROM ref_lsoa_ward WHERE lsoa21 = ?", [code]
        ).fetchall()
        [(pop,)] = con.execute(
            "SELECT population FROM ref_population_estimates WHERE lsoa = ? AND band = 'all' "
            "AND geography = 'LSOA 2021'",
            [code],
        ).fetchall()
    finally:
        con.close()
    return str(ward), 1000 * records / float(pop)


def test_a_persistent_hotspot_is_proposed_naming_its_ward(
    wy_home: Home, write_police_crime: Write
) -> None:
    # A: 2 a month in both years; B only this year; C only the year before.
    load(
        wy_home,
        write_police_crime,
        rows(
            [
                (PREVIOUS, A, 2, "N", "30"),
                (CURRENT, A, 2, "N", "30"),
                (CURRENT, B, 2, "N", "30"),
                (PREVIOUS, C, 2, "N", "30"),
            ]
        ),
    )
    for data in reads(wy_home, district=LEEDS):
        found = persistent_hotspot.find(data)
    ward, rate = _ward_and_rate(wy_home, A, 24)
    assert [p.subject for p in found] == [A]
    [p] = found
    assert f"in {ward} ward (Leeds)" in p.text and "Leeds 011A" not in p.text
    assert p.evidence.startswith(f"Leeds 011A ({A}, {ward} ward (Leeds)): {rate:.1f} serious")
    assert "(24 records, ranked 1 in Leeds)" in p.evidence
    for data in reads(wy_home, "public", LEEDS):
        public = persistent_hotspot.evidence(data, A)
    assert A not in public and "011A" not in public and f"{ward} ward" in public
    assert "among the ten highest rates" in public


def test_too_few_records_the_year_before_is_no_persistent_hotspot(
    wy_home: Home, write_police_crime: Write
) -> None:
    # 9 records the year before: under the 10 a rate is ranked on.
    load(
        wy_home,
        write_police_crime,
        rows([(PREVIOUS[:9], A, 1, "N", "30"), (CURRENT, A, 2, "N", "30")]),
    )
    for data in reads(wy_home, district=LEEDS):
        assert persistent_hotspot.find(data) == []


def _shares(home: Home, band: str, source_year: int) -> float:
    import duckdb

    con = duckdb.connect(str(home.path / "analytical.duckdb"), read_only=True)
    try:
        [(part, whole)] = con.execute(
            "SELECT sum(population) FILTER (WHERE band = ?), "
            "sum(population) FILTER (WHERE band = 'all') FROM ref_district_population_estimates "
            "WHERE district = ? AND year = ?",
            [band, LEEDS, source_year],
        ).fetchall()
    finally:
        con.close()
    return 100 * float(part) / float(whole)


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def test_children_over_represented_among_victims_are_proposed(
    wy_home: Home, write_police_crime: Write
) -> None:
    # This year: 36 victims aged 15 and 12 aged 40 (75% children).
    load(
        wy_home,
        write_police_crime,
        rows([(CURRENT, A, 3, "N", "15"), (CURRENT, A, 1, "N", "40")]),
    )
    for data in reads(wy_home, district=LEEDS):
        found = {p.subject: p for p in over_represented_cohort.find(data)}
    assert sorted(found) == ["children", "under-25"]
    # Children: the ONS mid-2020 estimates are the only ones with an under-18 band.
    children = _shares(wy_home, "0-17", 2020)
    lo, hi = _wilson(36, 48)
    assert lo > children
    assert found["children"].evidence.startswith(
        "In Leeds in the year ending September 2025, 36 of 48 victims of violence of known age "
        f"were children (under 18): 75.0% (95% CI {lo:.1f}% to {hi:.1f}%, Wilson), against "
        f"{children:.1f}% of residents (ONS mid-2020"
    )
    # Under 25: Census 2021 is nearer 2025 than mid-2020.
    assert f"against {_shares(wy_home, '0-24', 2021):.1f}% of residents (Census 2021" in (
        found["under-25"].evidence
    )
    assert "reach children (under 18)" in found["children"].text


def test_a_cohort_in_line_with_its_population_is_not_proposed(
    wy_home: Home, write_police_crime: Write
) -> None:
    load(wy_home, write_police_crime, rows([(CURRENT, A, 4, "N", "40")]))
    for data in reads(wy_home, district=LEEDS):
        assert over_represented_cohort.find(data) == []


def test_cohort_evidence_outside_the_analyst_tier_uses_published_counts(
    wy_home: Home, write_police_crime: Write
) -> None:
    # 5 child victims (hidden when published) and 48 adults.
    load(
        wy_home,
        write_police_crime,
        rows([(CURRENT[:5], A, 1, "N", "15"), (CURRENT, A, 4, "N", "40")]),
    )
    for data in reads(wy_home, "partner", LEEDS):
        said = over_represented_cohort.evidence(data, "children")
    assert said.startswith("Victims who are children (under 18) in Leeds")
    assert "[c] of " in said and "too few to give a share" in said
    published = int(said.split("[c] of ")[1].split(" ")[0].replace(",", ""))
    assert abs(published - 53) <= 6 and published % 5 == 0


def test_young_adults_are_counted_by_single_year_of_age(
    wy_home: Home, write_police_crime: Write
) -> None:
    # 36 victims aged 20, 12 aged 25 (not a young adult here, nor under 25) and 12 aged 40.
    load(
        wy_home,
        write_police_crime,
        rows([(CURRENT, A, 3, "N", "20"), (CURRENT, A, 1, "N", "25"), (CURRENT, A, 1, "N", "40")]),
    )
    for data in reads(wy_home, district=LEEDS):
        found = {p.subject: p for p in over_represented_cohort.find(data)}
    assert sorted(found) == ["under-25", "young-adults"]
    share = _shares(wy_home, "18-24", 2020)  # only the mid-2020 estimates band 18 to 24
    lo, hi = _wilson(36, 60)
    assert lo > share
    assert (
        "36 of 60 victims of violence of known age were young adults aged 18 to 24: 60.0% "
        f"(95% CI {lo:.1f}% to {hi:.1f}%, Wilson), against {share:.1f}% of residents"
    ) in found["young-adults"].evidence
