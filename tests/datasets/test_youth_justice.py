"""The youth justice standard: good outcomes load, bad rows are named, children's ids hidden."""

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
from vrhub.home import Home


def row(n: int, **changes: str) -> dict[str, str]:
    base = {
        "outcome_id": f"YJO-{n:05d}",
        "child_id": f"CHILD-{n:04d}",
        "outcome_date": "2024-03-1" + str(n % 10),
        "offence_date": "2024-01-05",
        "outcome_type": "Referral order",
        "first_time_entrant": "Y",
        "ho_offence_group": "Violence against the person",
        "age": "15",
        "sex": "Male",
        "residence_lsoa": LEEDS_2011,
    }
    return base | changes


def test_good_outcomes_load_with_codes_read_as_written(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [
        row(1),
        row(2, outcome_type="YRO", first_time_entrant="N", sex="F", residence_lsoa=LEEDS_2021),
        row(3, outcome_type="youth caution", age="10", ho_offence_group="Robbery"),
        row(4, outcome_type="Custody", age="17", offence_date="", residence_lsoa=""),
        row(5, outcome_type="YCC", child_id="CHILD-0001"),
    ]
    r = ingest(wy_home, "youth-justice", write_rows(tmp_path / "yj.csv", rows))
    assert (r.status, r.rows_read, r.rows_accepted, r.rows_rejected) == ("loaded", 5, 5, 0)
    assert r.months == ["2024-03"]
    got = query(
        wy_home,
        "SELECT outcome_type, first_time_entrant, age, sex, district, location_known "
        "FROM events_youth_justice ORDER BY row_number",
    )
    assert got == [
        ("Referral order", True, 15, "Male", "E08000035", True),
        ("Youth rehabilitation order", False, 15, "Female", "E08000035", True),
        ("Youth caution", True, 10, "Male", "E08000035", True),
        ("Custody", True, 17, "Male", None, False),
        ("Youth conditional caution", True, 15, "Male", "E08000035", True),
    ]
    # The same child twice is one pseudonym: four children, five outcomes.
    [(children, outcomes)] = query(
        wy_home, "SELECT count(DISTINCT child_id_pseudonym), count(*) FROM events_youth_justice"
    )
    assert (children, outcomes) == (len({x["child_id"] for x in rows}), len(rows))
    by_group = query(wy_home, "SELECT offence_group, count(*) FROM events_youth_justice GROUP BY 1")
    assert dict(by_group) == Counter(x["ho_offence_group"] for x in rows)


def test_bad_rows_are_refused_naming_field_and_row(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [
        row(1),
        row(2, age="9"),
        row(3, offence_date="2024-03-20", outcome_date="2024-03-13"),
        row(4, outcome_type="Fine"),
        row(5, first_time_entrant=""),
        row(6, outcome_type="Custody", age="11"),
    ]
    r = ingest(wy_home, "youth-justice", write_rows(tmp_path / "yj.csv", rows))
    assert (r.rows_accepted, r.rows_rejected, r.warnings) == (2, 4, 1)
    found = problems(wy_home, r.batch_id)
    assert (3, "age", "range", "age must be between 10 and 17") in found
    assert {(p[0], p[2]) for p in found} == {
        (3, "range"),
        (4, "offence-after-outcome"),
        (5, "allowed-values"),
        (6, "required"),
        (7, "custody-under-12"),
    }
    messages = {p[0]: p[3] for p in found}
    assert messages[4].startswith("offence_date is later than outcome_date")
    assert messages[5].startswith("outcome_type must be one of: Youth caution")
    assert messages[6] == "first_time_entrant is blank but must be filled in"
    assert "kept; check with the service" in messages[7]
    [(n,)] = query(wy_home, "SELECT count(*) FROM quarantine WHERE batch_id = ?", [r.batch_id])
    assert n == 4


def test_children_and_outcomes_are_never_stored_in_the_clear(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [row(1, child_id="YJ-CHILD-7731"), row(2, child_id="YJ-CHILD-7732", age="30")]
    r = ingest(wy_home, "youth-justice", write_rows(tmp_path / "yj.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (1, 1)
    text = store_text(wy_home)
    for clear in ("YJ-CHILD-7731", "YJ-CHILD-7732", "YJO-00001", "YJO-00002"):
        assert clear not in text
    [(child, outcome)] = query(
        wy_home, "SELECT child_id_pseudonym, outcome_id_pseudonym FROM events_youth_justice"
    )
    assert child == wy_home.key.pseudonym("YJ-CHILD-7731")
    assert outcome == wy_home.key.pseudonym("YJO-00001")
    # The refused row is kept aside with its identifiers already pseudonymised.
    [(record,)] = query(wy_home, "SELECT record FROM quarantine")
    assert wy_home.key.pseudonym("YJ-CHILD-7732") in record
