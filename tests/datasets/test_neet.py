"""The NEET standard: monthly snapshots load, the age and SEND rule is named, young people's
identifiers are pseudonymised and one young person is one pseudonym across months."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.datasets.care import (
    LEEDS_2011,
    grant_care_agreement,
    ingest,
    problems,
    query,
    store_text,
    write_rows,
)
from vrhub.home import Home


def row(n: int, **changes: str) -> dict[str, str]:
    base = {
        "person_id": f"YP-{n:05d}",
        "snapshot_month": "2024-01",
        "activity": "NEET",
        "age": "16",
        "send": "N",
        "sex": "Female",
        "residence_lsoa": LEEDS_2011,
    }
    return base | changes


def test_snapshots_load_and_count_young_people_per_month(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [
        row(1),
        row(2, activity="EET", age="17", sex="M"),
        row(3, activity="not known"),
        row(4, age="22", send="Y", activity="Not in education, employment or training"),
        row(1, snapshot_month="Feb-24"),
        row(2, snapshot_month="2024-02", activity="NEET", age="17", sex="M"),
        row(5, snapshot_month="2024-02", activity="In education, employment or training"),
    ]
    r = ingest(wy_home, "neet", write_rows(tmp_path / "neet.csv", rows))
    assert (r.status, r.rows_read, r.rows_accepted, r.rows_rejected) == ("loaded", 7, 7, 0)
    assert r.months == ["2024-01", "2024-02"]
    got = query(
        wy_home,
        "SELECT month, activity, count(DISTINCT person_id_pseudonym) FROM events_neet "
        "GROUP BY 1, 2 ORDER BY 1, 2",
    )
    words = {
        "NEET": "NEET",
        "Not in education, employment or training": "NEET",
        "not known": "Activity not known",
        "EET": "In education, employment or training",
        "In education, employment or training": "In education, employment or training",
    }
    months = {"Feb-24": "2024-02"}
    expected = Counter(
        (months.get(x["snapshot_month"], x["snapshot_month"]), words[x["activity"]]) for x in rows
    )
    assert [(m, a, n) for m, a, n in got] == sorted((m, a, n) for (m, a), n in expected.items())
    # Young person 1 was NEET in both months: one pseudonym, two rows.
    [(people, records)] = query(
        wy_home, "SELECT count(DISTINCT person_id_pseudonym), count(*) FROM events_neet"
    )
    assert (people, records) == (5, 7)
    [(send_age, send)] = query(wy_home, "SELECT age, send FROM events_neet WHERE age > 17")
    assert (send_age, send) == (22, True)


def test_bad_rows_are_refused_naming_field_and_row(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [
        row(1),
        row(2, snapshot_month="01/02/24"),
        row(3, activity="Apprentice"),
        row(4, age="15"),
        row(5, age="19", send="N"),
        row(6, person_id=""),
        row(7, send=""),
        row(8, snapshot_month="2024-13"),
        row(9, age="26", send="Y"),
    ]
    r = ingest(wy_home, "neet", write_rows(tmp_path / "neet.csv", rows))
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (9, 1, 8)
    found = problems(wy_home, r.batch_id)
    assert {(p[0], p[1], p[2]) for p in found} == {
        (3, "snapshot_month", "month-ambiguous"),
        (4, "activity", "allowed-values"),
        (5, "age", "range"),
        (6, "age, send", "over-17-without-send"),
        (7, "person_id", "required"),
        (8, "send", "required"),
        (9, "snapshot_month", "month"),
        (10, "age", "range"),
    }
    messages = {(p[0], p[2]): p[3] for p in found}
    assert messages[(5, "range")] == "age must be between 16 and 24"
    assert messages[(6, "over-17-without-send")].startswith("age is over 17 but send is N")
    assert messages[(4, "allowed-values")] == (
        "activity must be one of: NEET, Activity not known, In education, employment or training"
    )
    assert messages[(7, "required")] == "person_id is blank but must be filled in"


def test_young_people_are_never_stored_in_the_clear(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [row(1, person_id="CCIS-88410"), row(2, person_id="CCIS-88411", age="12")]
    r = ingest(wy_home, "neet", write_rows(tmp_path / "neet.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (1, 1)
    text = store_text(wy_home)
    assert "CCIS-88410" not in text and "CCIS-88411" not in text
    [(person,)] = query(wy_home, "SELECT person_id_pseudonym FROM events_neet")
    assert person == wy_home.key.pseudonym("CCIS-88410")
    [(record,)] = query(wy_home, "SELECT record FROM quarantine")
    assert wy_home.key.pseudonym("CCIS-88411") in record
