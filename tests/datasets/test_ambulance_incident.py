"""The ambulance standard: calls load, bad rows are named, incident numbers are hidden."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.datasets.justice import (
    LEEDS_2011,
    LEEDS_2021,
    grant_justice_agreement,
    ingest,
    problems,
    query,
    store_text,
    write_rows,
)
from vrhub.datasets import get_dataset
from vrhub.home import Home


def row(n: int, **changes: str) -> dict[str, str]:
    base = {
        "incident_id": f"YAS-{n:07d}",
        "call_datetime": f"2024-07-{n % 28 + 1:02d} 23:40",
        "category": "Assault",
        "response_category": "Category 2",
        "on_scene_datetime": f"2024-07-{n % 28 + 1:02d} 23:52",
        "conveyed_to_hospital": "Y",
        "age_band": "18-24",
        "sex": "Male",
        "incident_lsoa": LEEDS_2011,
    }
    return base | changes


def test_good_calls_load(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [
        row(1),
        row(2, category="Stab", response_category="C1", age_band="15-17", sex="M"),
        row(3, category="GSW", response_category="Category 1", incident_lsoa=LEEDS_2021),
        row(4, category="Sexual assault", sex="Female", conveyed_to_hospital="N"),
        row(
            5,
            category="Assault",
            response_category="",
            on_scene_datetime="",
            conveyed_to_hospital="",
            incident_lsoa="",
        ),
    ]
    r = ingest(wy_home, "ambulance-incident", write_rows(tmp_path / "amb.csv", rows))
    assert (r.status, r.rows_accepted, r.rows_rejected) == ("loaded", 5, 0)
    got = query(
        wy_home,
        "SELECT category, response_category, conveyed, age_band, district "
        "FROM events_ambulance_incident ORDER BY row_number",
    )
    assert got == [
        ("Assault", "Category 2", True, "18-24", "E08000035"),
        ("Stab wound", "Category 1", True, "15-17", "E08000035"),
        ("Gunshot wound", "Category 1", True, "18-24", "E08000035"),
        ("Sexual assault", "Category 2", False, "18-24", "E08000035"),
        ("Assault", None, None, "18-24", None),
    ]
    sexes = query(wy_home, "SELECT sex, count(*) FROM events_ambulance_incident GROUP BY 1")
    expected = Counter({"M": "Male", "Male": "Male", "Female": "Female"}[x["sex"]] for x in rows)
    assert dict(sexes) == expected


def test_bad_rows_are_refused_naming_field_and_row(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [
        row(1),
        row(2, on_scene_datetime="2024-07-03 23:00"),
        row(3, category="Fall"),
        row(4, age_band="25-34"),
        row(5, category="Stab wound", response_category="Category 4"),
        row(6, sex=""),
    ]
    r = ingest(wy_home, "ambulance-incident", write_rows(tmp_path / "amb.csv", rows))
    assert (r.rows_accepted, r.rows_rejected, r.warnings) == (2, 4, 1)
    found = problems(wy_home, r.batch_id)
    assert {(p[0], p[1], p[2]) for p in found} == {
        (3, "on_scene_datetime, call_datetime", "on-scene-before-call"),
        (4, "category", "allowed-values"),
        (5, "age_band", "allowed-values"),
        (6, "category, response_category", "wound-low-priority"),
        (7, "sex", "required"),
    }
    messages = {p[0]: p[3] for p in found}
    assert messages[3].startswith("on_scene_datetime is earlier than call_datetime")
    assert messages[4].startswith("category must be one of: Assault, Sexual assault, Stab wound")
    assert messages[7] == "sex is blank but must be filled in"


def test_incident_numbers_are_never_stored_in_the_clear(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [row(1), row(2)]
    r = ingest(wy_home, "ambulance-incident", write_rows(tmp_path / "amb.csv", rows))
    assert r.rows_accepted == 2
    text = store_text(wy_home)
    assert "YAS-0000001" not in text and "YAS-0000002" not in text
    got = query(
        wy_home, "SELECT incident_id_pseudonym FROM events_ambulance_incident ORDER BY row_number"
    )
    assert got == [(wy_home.key.pseudonym("YAS-0000001"),), (wy_home.key.pseudonym("YAS-0000002"),)]
    assert get_dataset("ambulance-incident").special_category
