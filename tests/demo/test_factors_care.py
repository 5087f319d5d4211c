"""The demo's education and children's social care extracts: written per council, loaded
under the demo agreements through the normal ingest path, bad rows refused and named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from vrhub import pipeline
from vrhub.datasets.childrens_social_care import EVENT_TYPES
from vrhub.datasets.neet import ACTIVITIES
from vrhub.datasets.school_exclusion import REASONS
from vrhub.demo.factors_care import COUNCILS, SHARED_MONTHS
from vrhub.store.analytical import connect


def _extract(demo_home: Path, name: str) -> pd.DataFrame:
    files = sorted((demo_home / "demo-extracts" / name).rglob("*.csv"))
    assert {f.parent.name for f in files} == set(COUNCILS.values())
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files])


def _counts(demo_home: Path, sql: str) -> dict[object, int]:
    con = connect(pipeline.open_partnership_home(demo_home))
    try:
        return {k: int(n) for k, n in con.execute(sql).fetchall()}
    finally:
        con.close()


def _ok_age(ages: pd.Series, lo: int, hi: int) -> pd.Series:
    n = pd.to_numeric(ages, errors="coerce")
    return (n >= lo) & (n <= hi)


def test_school_exclusions_load_all_good_rows(demo_home: Path) -> None:
    x = _extract(demo_home, "school-exclusion")
    year = x["nc_year_group"].replace("R", "0").astype(int)
    age = pd.to_numeric(x["age"])
    good = (
        (x["pupil_id"] != "")
        & x["reason"].isin([w for _, w in REASONS])
        & _ok_age(x["age"], 4, 19)
        & ((age - 5 - year).abs() <= 2)
    )
    assert 0 < (~good).sum() < 0.01 * len(x)  # a few planted faults, no more
    expected = x[good].groupby("category").size().to_dict()
    got = _counts(demo_home, "SELECT category, count(*) FROM events_school_exclusion GROUP BY 1")
    assert got == expected
    assert x["exclusion_date"].str[:7].nunique() <= SHARED_MONTHS


def test_neet_snapshots_load_all_good_rows(demo_home: Path) -> None:
    x = _extract(demo_home, "neet")
    good = (
        x["activity"].isin(ACTIVITIES)
        & _ok_age(x["age"], 16, 24)
        & x["send"].isin(["Y", "N"])
        & ((pd.to_numeric(x["age"], errors="coerce") <= 17) | (x["send"] == "Y"))
    )
    assert 0 < (~good).sum() < 0.01 * len(x)
    expected = x[good].groupby("snapshot_month").size().to_dict()
    got = _counts(demo_home, "SELECT month, count(*) FROM events_neet GROUP BY 1")
    assert got == expected
    assert len(expected) == SHARED_MONTHS


def test_childrens_social_care_loads_all_good_rows(demo_home: Path) -> None:
    x = _extract(demo_home, "childrens-social-care")
    good = x["event_type"].isin(EVENT_TYPES) & _ok_age(x["age"], 0, 17) & (x["child_id"] != "")
    assert 0 < (~good).sum() < 0.01 * len(x)
    expected = x[good].groupby("event_type").size().to_dict()
    got = _counts(
        demo_home, "SELECT event_type, count(*) FROM events_childrens_social_care GROUP BY 1"
    )
    assert got == expected
    # Contacts are not assessed, so no factor is recorded against one.
    contacts = x[x["event_type"] == "Contact"]
    assert (contacts["factor_gangs"] == "").all()


def test_refused_rows_are_named_and_identifiers_never_stored(demo_home: Path) -> None:
    got = _counts(
        demo_home,
        "SELECT b.dataset || ': ' || p.column_name || ' ' || p.rule, count(*) "
        "FROM ingest_problems p JOIN ingest_batches b USING (batch_id) "
        "WHERE b.dataset IN ('school-exclusion', 'neet', 'childrens-social-care') GROUP BY 1",
    )
    for problem in (
        "school-exclusion: reason allowed-values",
        "school-exclusion: pupil_id required",
        "neet: age range",
        "childrens-social-care: event_type allowed-values",
    ):
        assert got.get(problem, 0) > 0, problem
    pupils = set(_extract(demo_home, "school-exclusion")["pupil_id"]) - {""}
    children = set(_extract(demo_home, "childrens-social-care")["child_id"]) - {""}
    held = _counts(
        demo_home,
        "SELECT pupil_id_pseudonym, 1 FROM events_school_exclusion UNION ALL "
        "SELECT child_id_pseudonym, 1 FROM events_childrens_social_care",
    )
    assert held and not (set(held) & (pupils | children))
    agreements = _counts(
        demo_home,
        "SELECT dataset || ' ' || agreement_ref, 1 FROM ingest_batches "
        "WHERE dataset IN ('school-exclusion', 'neet', 'childrens-social-care')",
    )
    assert set(agreements) == {
        "school-exclusion WY-ISA-04",
        "neet WY-ISA-04",
        "childrens-social-care WY-ISA-05",
    }
