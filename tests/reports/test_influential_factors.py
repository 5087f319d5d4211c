"""The influential factors section: a factor dataset registered as an extension registers it,
counted by district as a rate per children when loaded (exact for the analyst, protected
outside), its breakdown's groups listed, and one "not yet shared" line where it is not."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.reports.scan import suspicious
from vrhub import pipeline
from vrhub.datasets import DATASETS, register
from vrhub.datasets.spec import Dataset, Factor, Field, Kind
from vrhub.governance.terms import parse_terms
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.outputs.period import parse_period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports.content import Paragraph, Section, Table
from vrhub.reports.sections import partner_factors
from vrhub.reports.sections.factors import influential_factors
from vrhub.reports.sections.partner_factors import factor_datasets

NAME = "test-exclusions"
THEME, COUNTED = "Education (test)", "suspensions and permanent exclusions"
LEEDS, BRADFORD = "E08000035", "E08000032"
LEEDS_LSOAS = ["E01011264", "E01011265", "E01011266"]
BRADFORD_LSOAS = ["E01010568", "E01010569"]
PERIOD = "year ending 2025-09"

EXCLUSIONS = Dataset(
    name=NAME,
    title="School suspensions and exclusions (test standard)",
    description="One row per suspension or permanent exclusion of a pupil, with where they live.",
    month_field="exclusion_date",
    partner_extract=True,
    lsoa_field="pupil_lsoa",
    factor=Factor(
        theme=THEME,
        counted=COUNTED,
        per="children",
        breakdown="exclusion_type",
        why="Exclusion from school is a risk factor for involvement in violence (test text).",
    ),
    fields=(
        Field("exclusion_id", "exclusion_id", Kind.IDENTIFIER, "The school's reference.",
              required=True, column_required=True, identifies_person=True, record_id=True),
        Field("exclusion_date", "exclusion_date", Kind.DATE, "Date of the exclusion.",
              required=True, column_required=True),
        Field("exclusion_type", "exclusion_type", Kind.CODE, "Type of exclusion.",
              required=True, column_required=True,
              allowed=("suspension", "permanent exclusion")),
        Field("pupil_lsoa", "pupil_lsoa", Kind.LSOA, "LSOA where the pupil lives.",
              column_required=True),
    ),
)  # fmt: skip

# (LSOA, type, how many) in the year ending September 2025: Leeds 40 suspensions and
# 3 permanent exclusions, Bradford 5 suspensions; Calderdale, Kirklees and Wakefield none.
IN_PERIOD = [
    (LEEDS_LSOAS[0], "suspension", 25),
    (LEEDS_LSOAS[1], "suspension", 15),
    (LEEDS_LSOAS[2], "permanent exclusion", 3),
    (BRADFORD_LSOAS[0], "suspension", 5),
]
# Outside the period: must not be counted.
BEFORE = [(LEEDS_LSOAS[0], "suspension", 9), (BRADFORD_LSOAS[1], "suspension", 30)]


@pytest.fixture
def registered() -> Iterator[Dataset]:
    register(EXCLUSIONS)
    try:
        yield EXCLUSIONS
    finally:
        DATASETS.reload()


def _agreement(home: Home, name: str = NAME) -> None:
    gov = pipeline.governance(home)
    try:
        terms = parse_terms(
            {
                "ref": f"TEST-ISA-{name.upper()}",
                "title": "Test agreement for school exclusions",
                "parties": ["test-vrp"],
                "covers": [{"dataset": name}],
                "lawful_basis": {"article6": "public-task"},
                "purposes": ["testing"],
                "audiences": ["analyst", "partner", "public"],
                "retention_months": 60,
                "start_date": dt.date(2015, 1, 1),
                "status": "active",
            },
            "test agreement",
        )
        gov.register.create(terms, "test")
    finally:
        gov.close()


def _write(path: Path) -> Path:
    rows = []
    for when, spec in (("2025-03-10", IN_PERIOD), ("2024-05-10", BEFORE)):
        for lsoa, kind, n in spec:
            rows += [(f"X{len(rows) + i}", when, kind, lsoa) for i in range(n)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["exclusion_id", "exclusion_date", "exclusion_type", "pupil_lsoa"])
        w.writerows(rows)
    return path


def _sections(home: Home, audiences: tuple[str, ...]) -> dict[str, Section]:
    out = {}
    with open_hub(home) as hub:
        for audience in audiences:
            data = Reads(
                hub.home, hub.con, hub.gov, audience, parse_period(PERIOD), None, Lineage()
            )
            out[audience] = influential_factors.build(data)
    return out


def _children(home: Home, district: str) -> float:
    """Children (0-17) of the district from the LSOA estimates (the source holding that band)."""
    with open_hub(home) as hub:
        [(n,)] = hub.con.execute(
            "SELECT sum(p.population) FROM ref_population_estimates p "
            "JOIN ref_lsoa l ON l.code = p.lsoa AND l.code = l.lsoa11 "
            "WHERE p.band = '0-17' AND p.source = 'ONS mid-2020 small-area population "
            "estimates' AND l.district = ?",
            [district],
        ).fetchall()
    return float(n)


def _table(s: Section, start: str) -> Table:
    return next(b for b in s.blocks if isinstance(b, Table) and b.caption.startswith(start))


def _all_text(s: Section) -> str:
    """Every word the section publishes, as the report scan reads it."""
    parts: list[str] = [s.title]
    for b in s.blocks:
        if isinstance(b, Table):
            parts += [b.caption, *b.columns, *(c for row in b.rows for c in row)]
        elif hasattr(b, "text"):
            parts.append(b.text)
    return " | ".join(parts + [f.text for f in s.findings])


def _texts(s: Section) -> list[str]:
    return [b.text for b in s.blocks if isinstance(b, Paragraph)]


def test_docstring_examples_run() -> None:
    r = doctest.testmod(partner_factors)
    assert r.failed == 0 and r.attempted >= 4


def test_the_factor_dataset_is_found_through_the_registry(registered: Dataset) -> None:
    assert registered in factor_datasets()


def test_not_loaded_says_not_yet_shared_never_zero(registered: Dataset, wy_home: Home) -> None:
    for s in _sections(wy_home, ("analyst", "public")).values():
        line = f"{THEME}: {COUNTED} — not yet shared by any partner."
        assert line in _texts(s)
        assert not any(b.caption.startswith(THEME) for b in s.blocks if isinstance(b, Table))


def test_loaded_counts_by_district_as_a_rate_per_children(
    registered: Dataset, wy_home: Home, tmp_path: Path
) -> None:
    _agreement(wy_home)
    [r] = pipeline.ingest_paths(wy_home, registered, [_write(tmp_path / "ex.csv")], source="lcc")
    assert r.status == "loaded", r.message
    secs = _sections(wy_home, ("analyst", "partner", "public"))
    analyst = secs["analyst"]
    assert not any(THEME in t and "not yet shared" in t for t in _texts(analyst))
    table = _table(analyst, f"{THEME}: {COUNTED} in the")
    assert "children (under 18)" in table.caption
    rows = {row[0]: row for row in table.rows}
    # Independent: the records written in the period, and children summed over the LSOAs.
    leeds = sum(n for lsoa, _, n in IN_PERIOD if lsoa in LEEDS_LSOAS)
    bradford = sum(n for lsoa, _, n in IN_PERIOD if lsoa in BRADFORD_LSOAS)
    assert (leeds, bradford) == (43, 5)
    assert rows["Leeds"][1] == "43" and rows["Bradford"][1] == "5"
    assert rows["Leeds"][2] == f"{1000 * leeds / _children(wy_home, LEEDS):.2f}"
    assert rows["Bradford"][2] == f"{1000 * bradford / _children(wy_home, BRADFORD):.2f}"
    # Districts with no records are not zero: nobody has shared for them.
    assert rows["Wakefield"][1:3] == ["no data", "not shown"]
    assert rows["West Yorkshire"][1] == "48"
    groups = {row[0]: row[1] for row in _table(analyst, f"{THEME}: {COUNTED} in West").rows}
    assert groups == {"suspension": "45", "permanent exclusion": "3"}

    for audience in ("partner", "public"):
        s = secs[audience]
        rows = {row[0]: row for row in _table(s, f"{THEME}: {COUNTED} in the").rows}
        assert rows["Bradford"][1] == "[c]" and rows["Bradford"][2] == "not shown"
        shown = int(rows["Leeds"][1].replace(",", ""))
        assert abs(shown - leeds) <= 6 and shown % 5 == 0
        rate = 1000 * shown / _children(wy_home, LEEDS)
        assert rows["Leeds"][2] == f"{rate:.2f}"  # worked out from the published count
        groups = {row[0]: row[1] for row in _table(s, f"{THEME}: {COUNTED} in West").rows}
        assert groups["permanent exclusion"] == "[c]"
        assert abs(int(groups["suspension"]) - 45) <= 6
        assert suspicious(_all_text(s)) == [], audience


def test_a_district_profile_shows_its_district_only(
    registered: Dataset, wy_home: Home, tmp_path: Path
) -> None:
    _agreement(wy_home)
    pipeline.ingest_paths(wy_home, registered, [_write(tmp_path / "ex.csv")], source="lcc")
    with open_hub(wy_home) as hub:
        data = Reads(hub.home, hub.con, hub.gov, "analyst", parse_period(PERIOD), BRADFORD,
                     Lineage())  # fmt: skip
        s = influential_factors.build(data)
    rows = _table(s, f"{THEME}: {COUNTED} in the").rows
    assert [r[:2] for r in rows] == [["Bradford", "5"]]
    iod = _table(s, "Deprivation by district").rows
    assert [r[0] for r in iod] == ["Bradford"]
    assert iod[0][1] == "13 of 312 neighbourhoods (4.2%)"  # six or more domains (IoD 2025)


def test_no_population_for_the_factor_says_so_and_still_counts(
    registered: Dataset, wy_home: Home, tmp_path: Path
) -> None:
    _agreement(wy_home)
    pipeline.ingest_paths(wy_home, registered, [_write(tmp_path / "ex.csv")], source="lcc")
    with open_hub(wy_home) as hub:
        hub.con.execute("DELETE FROM ref_district_population_estimates WHERE band = '0-17'")
    s = _sections(wy_home, ("analyst",))["analyst"]
    table = _table(s, f"{THEME}: {COUNTED} in the")
    assert "no rate is given" in table.caption and "children (under 18)" in table.caption
    rows = {row[0]: row for row in table.rows}
    assert rows["Leeds"][1:3] == ["43", "no population held"]


def test_a_breakdown_by_small_area_is_not_published(wy_home: Home, tmp_path: Path) -> None:
    by_lsoa = replace(
        EXCLUSIONS,
        name="test-exclusions-by-lsoa",
        factor=replace(EXCLUSIONS.factor, breakdown="pupil_lsoa") if EXCLUSIONS.factor else None,
    )
    register(by_lsoa)
    try:
        _agreement(wy_home, by_lsoa.name)
        [r] = pipeline.ingest_paths(wy_home, by_lsoa, [_write(tmp_path / "ex.csv")], source="lcc")
        assert r.status == "loaded", r.message
        secs = _sections(wy_home, ("analyst", "public"))
    finally:
        DATASETS.reload()
    analyst = {row[0] for row in _table(secs["analyst"], f"{THEME}: {COUNTED} in West").rows}
    assert set(LEEDS_LSOAS) <= analyst  # the analyst sees the groups
    public = secs["public"]
    assert not any(
        isinstance(b, Table) and b.caption.startswith(f"{THEME}: {COUNTED} in West")
        for b in public.blocks
    )
    assert "smaller than a ward" in _all_text(public)
    assert not any(code in _all_text(public) for code in LEEDS_LSOAS + BRADFORD_LSOAS)
    _table(public, f"{THEME}: {COUNTED} in the")  # the districts are still shown


def test_a_snapshot_factor_counts_the_last_month_and_only_its_own_records(
    wy_home: Home, tmp_path: Path
) -> None:
    """Monthly snapshots (one a month per young person, as NEET data is) are counted in the
    period's last month only, and ``only`` narrows the headline to NEET while the breakdown
    lists every activity: Leeds has 12 NEET and 30 in education, employment or training in
    September 2025 and (not counted) 20 NEET in August."""
    snap = Dataset(
        name="test-neet",
        title="NEET snapshots (test standard)",
        description="One row per young person per month.",
        month_field="snapshot_month",
        partner_extract=True,
        lsoa_field="lsoa",
        factor=Factor("Employment (test)", "young people NEET", per="young-adults",
                      breakdown="activity", only=("activity", "NEET"), snapshot=True),
        fields=(
            Field("person_id", "person_id", Kind.IDENTIFIER, "Person.", required=True,
                  column_required=True, identifies_person=True),
            Field("snapshot_month", "snapshot_month", Kind.MONTH, "Month.", required=True,
                  column_required=True),
            Field("activity", "activity", Kind.CODE, "Activity.", required=True,
                  column_required=True, allowed=("NEET", "EET")),
            Field("lsoa", "lsoa", Kind.LSOA, "LSOA.", column_required=True),
        ),
    )  # fmt: skip
    rows = [(f"P{i}", "2025-09", "NEET", LEEDS_LSOAS[0]) for i in range(12)]
    rows += [(f"Q{i}", "2025-09", "EET", LEEDS_LSOAS[1]) for i in range(30)]
    rows += [(f"P{i}", "2025-08", "NEET", LEEDS_LSOAS[0]) for i in range(20)]
    path = tmp_path / "neet.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["person_id", "snapshot_month", "activity", "lsoa"])
        w.writerows(rows)
    register(snap)
    try:
        _agreement(wy_home, snap.name)
        [r] = pipeline.ingest_paths(wy_home, snap, [path], source="lcc")
        assert r.status == "loaded" and r.rows_accepted == 62, r.message
        s = _sections(wy_home, ("analyst",))["analyst"]
    finally:
        DATASETS.reload()
    table = _table(s, "Employment (test): young people NEET in September 2025")
    cells = {row[0]: row[1] for row in table.rows}
    assert cells["Leeds"] == "12"
    by = _table(s, "Employment (test): all records (activity of every kind) in West")
    assert {row[0]: row[1] for row in by.rows} == {"EET": "30", "NEET": "12"}
