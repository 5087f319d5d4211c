"""The fire and rescue standard: incidents load with their place, bad rows are named."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.datasets.justice import (
    LEEDS_2011,
    grant_justice_agreement,
    ingest,
    problems,
    query,
    write_rows,
)
from vrhub.datasets import get_dataset
from vrhub.home import Home


def row(n: int, **changes: str) -> dict[str, str]:
    base = {
        "incident_id": f"WY24{n:06d}",
        "incident_datetime": f"2024-10-{n % 28 + 1:02d} 21:15",
        "incident_type": "Deliberate secondary fire",
        "property_type": "Refuse",
        "casualties": "0",
        "lsoa_code": LEEDS_2011,
        "easting": "430150",
        "northing": "433620",
    }
    return base | changes


def test_good_incidents_load_with_their_place(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [
        row(1),
        row(2, incident_type="Primary fire", property_type="Dwelling", casualties="2"),
        row(3, incident_type="Attack on firefighters", property_type="Outdoor", casualties=""),
        row(
            4,
            incident_type="Malicious false alarm",
            property_type="Other building",
            easting="",
            northing="",
            lsoa_code="",
        ),
        row(5, incident_type="secondary fire", property_type="Derelict building"),
    ]
    r = ingest(wy_home, "fire-incident", write_rows(tmp_path / "fire.csv", rows))
    assert (r.status, r.rows_accepted, r.rows_rejected) == ("loaded", 5, 0)
    got = query(
        wy_home,
        "SELECT incident_id, incident_type, casualties, easting, district FROM "
        "events_fire_incident ORDER BY row_number",
    )
    assert got == [
        ("WY24000001", "Deliberate secondary fire", 0, 430150.0, "E08000035"),
        ("WY24000002", "Deliberate primary fire", 2, 430150.0, "E08000035"),
        ("WY24000003", "Attack on crew", None, 430150.0, "E08000035"),
        ("WY24000004", "Malicious false alarm", 0, None, None),
        ("WY24000005", "Deliberate secondary fire", 0, 430150.0, "E08000035"),
    ]
    types = query(wy_home, "SELECT property_type, count(*) FROM events_fire_incident GROUP BY 1")
    assert dict(types) == Counter(x["property_type"] for x in rows)


def test_bad_rows_are_refused_naming_field_and_row(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [
        row(1),
        row(2, casualties="1"),
        row(3, property_type="Dwelling"),
        row(4, easting=""),
        row(5, incident_type="Chip pan fire"),
        row(6, incident_datetime="31/10/2024 25:00"),
        row(7, incident_id="WY24000001"),
    ]
    r = ingest(wy_home, "fire-incident", write_rows(tmp_path / "fire.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (1, 6)
    found = problems(wy_home, r.batch_id)
    assert {(p[0], p[1], p[2]) for p in found} == {
        (3, "incident_type, casualties", "secondary-fire-casualties"),
        (4, "incident_type, property_type", "secondary-fire-home"),
        (5, "easting, northing", "grid-pair"),
        (6, "incident_type", "allowed-values"),
        (7, "incident_datetime", "date-time"),
        (8, "incident_id", "duplicate-in-file"),
    }
    messages = {p[0]: p[3] for p in found}
    assert messages[3].startswith("incident_type is Deliberate secondary fire but casualties")
    assert messages[4].endswith("(a derelict one is Derelict building)")
    assert messages[8] == "incident_id repeats row 2 of this file"


def test_no_field_identifies_a_person_and_the_standard_says_so() -> None:
    fire = get_dataset("fire-incident")
    assert not any(f.identifies_person for f in fire.fields)
    assert not fire.special_category and not fire.criminal_offence_data
    assert "no field identifies a person" in fire.description
