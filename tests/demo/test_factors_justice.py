"""The demo's justice and emergency-service feeds: loaded under their agreements, at their
calibrated volumes, with exactly the rows the standards' rules allow."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.demo import factors_justice as fj
from vrhub.store.analytical import connect

YEARS = 2  # the demo_home fixture's


def _rows(demo_home: Path, name: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((demo_home / "demo-extracts" / name).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def _good(name: str, r: dict[str, str]) -> bool:
    """The standard's rules that the demo plants defects against, written out afresh."""
    if name == "youth-justice":
        return 10 <= int(r["age"]) <= 17
    if name == "probation":
        return r["start_date"] >= r["sentence_date"]
    if name == "fire-incident":
        secondary = r["incident_type"] == "Deliberate secondary fire"
        return not (secondary and (int(r["casualties"]) > 0 or r["property_type"] == "Dwelling"))
    return r["category"] in {
        "Assault",
        "Sexual assault",
        "Stab wound",
        "Gunshot wound",
        "Other penetrating wound",
    }


BREAKDOWN = {
    "youth-justice": ("outcome_type", "outcome_type"),
    "probation": ("order_type", "order_type"),
    "fire-incident": ("incident_type", "incident_type"),
    "ambulance-incident": ("category", "category"),
}
PER_YEAR = {
    "youth-justice": fj.YOUTH_JUSTICE_OUTCOMES_PER_YEAR.value,
    "probation": fj.PROBATION_STARTS_PER_YEAR.value,
    "fire-incident": fj.FIRE_INCIDENTS_PER_YEAR.value,
    "ambulance-incident": fj.AMBULANCE_CALLS_PER_YEAR.value,
}


@pytest.mark.parametrize("name", list(fj.GENERATORS))
def test_each_feed_loads_what_its_rules_allow(demo_home: Path, name: str) -> None:
    rows = _rows(demo_home, name)
    assert abs(len(rows) / YEARS - PER_YEAR[name]) < 0.1 * PER_YEAR[name]
    good = [r for r in rows if _good(name, r)]
    assert 0 < len(rows) - len(good) < 0.01 * len(rows)  # planted, and only a few
    home = pipeline.open_partnership_home(demo_home)
    con = connect(home)
    try:
        table = name.replace("-", "_")
        field, header = BREAKDOWN[name]
        stored = dict(
            con.execute(f"SELECT {field}, count(*) FROM events_{table} GROUP BY 1").fetchall()
        )
        batches = con.execute(
            "SELECT count(*), sum(rows_rejected), min(source), max(source) FROM ingest_batches "
            "WHERE dataset = ? AND status = 'loaded'",
            [name],
        ).fetchall()
    finally:
        con.close()
    assert stored == Counter(r[header] for r in good)
    assert batches == [(12 * YEARS, len(rows) - len(good), fj.SOURCES[name], fj.SOURCES[name])]


def test_identifiers_are_pseudonymised_in_the_demo(demo_home: Path) -> None:
    children = {r["child_id"] for r in _rows(demo_home, "youth-justice")}
    people = {r["person_id"] for r in _rows(demo_home, "probation")}
    home = pipeline.open_partnership_home(demo_home)
    con = connect(home)
    try:
        held = {
            x
            for (x,) in con.execute(
                "SELECT child_id_pseudonym FROM events_youth_justice"
            ).fetchall()
        }
        held_people = {
            x for (x,) in con.execute("SELECT person_id_pseudonym FROM events_probation").fetchall()
        }
    finally:
        con.close()
    assert not held & children and not held_people & people
    assert {home.key.pseudonym(c) for c in children} >= held
    assert {home.key.pseudonym(p) for p in people} >= held_people
    # Children come back: fewer children than outcomes, as first-time entrants are a share.
    assert len(held) < len(_rows(demo_home, "youth-justice"))


def test_the_demo_agreements_cover_each_feed(demo_home: Path) -> None:
    gov = pipeline.governance(pipeline.open_partnership_home(demo_home))
    try:
        current = {a.ref: a for a in gov.register.current()}
    finally:
        gov.close()
    for spec in fj.JUSTICE_AGREEMENTS:
        assert spec["ref"] in current
