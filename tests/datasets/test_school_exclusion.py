"""The school exclusion standard: good rows load with DfE codes read, bad rows are named by
field and row, and pupils' identifiers never reach the store in the clear."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.datasets.care import (
    BRADFORD_2011,
    LEEDS_2011,
    LEEDS_2021,
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
        "exclusion_id": f"EXC-{n:05d}",
        "pupil_id": f"A{n:012d}",
        "exclusion_date": f"2024-02-{n % 27 + 1:02d}",
        "category": "Suspension",
        "reason": "Persistent disruptive behaviour",
        "sessions": "2",
        "school_phase": "Secondary",
        "nc_year_group": "9",
        "age": "13",
        "sex": "Male",
        "residence_lsoa": LEEDS_2011,
    }
    return base | changes


def test_good_rows_load_with_dfe_codes_read_as_their_words(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [
        row(1),
        row(2, category="PERM", reason="WP", sessions="", residence_lsoa=LEEDS_2021),
        row(3, category="fixed-period exclusion", reason="pp", sex="F", sessions="10"),
        row(
            4, category="LUNC", reason="VA", nc_year_group="Year 5", age="9", school_phase="Primary"
        ),
        row(5, pupil_id="A000000000001", reason="PA", nc_year_group="", age="15"),
        row(6, school_phase="PRU", nc_year_group="R", age="4", residence_lsoa=BRADFORD_2011),
        row(7, residence_lsoa="", exclusion_date="03/03/2024"),
    ]
    r = ingest(wy_home, "school-exclusion", write_rows(tmp_path / "ex.csv", rows))
    assert (r.status, r.rows_read, r.rows_accepted, r.rows_rejected) == ("loaded", 7, 7, 0)
    assert r.months == ["2024-02", "2024-03"]
    got = query(
        wy_home,
        "SELECT category, reason, sessions, school_phase, nc_year_group, age, sex, district "
        "FROM events_school_exclusion ORDER BY row_number",
    )
    assert got == [
        (
            "Suspension",
            "Persistent disruptive behaviour",
            2,
            "Secondary",
            "9",
            13,
            "Male",
            "E08000035",
        ),
        (
            "Permanent exclusion",
            "Use or threat of use of an offensive weapon or prohibited item",
            None,
            "Secondary",
            "9",
            13,
            "Male",
            "E08000035",
        ),
        (
            "Suspension",
            "Physical assault against a pupil",
            10,
            "Secondary",
            "9",
            13,
            "Female",
            "E08000035",
        ),
        (
            "Lunchtime suspension",
            "Verbal abuse or threatening behaviour against an adult",
            2,
            "Primary",
            "5",
            9,
            "Male",
            "E08000035",
        ),
        (
            "Suspension",
            "Physical assault against an adult",
            2,
            "Secondary",
            None,
            15,
            "Male",
            "E08000035",
        ),
        (
            "Suspension",
            "Persistent disruptive behaviour",
            2,
            "Alternative provision",
            "R",
            4,
            "Male",
            "E08000032",
        ),
        ("Suspension", "Persistent disruptive behaviour", 2, "Secondary", "9", 13, "Male", None),
    ]
    # Two rows are the same child: six children, seven suspensions or exclusions.
    [(children, records)] = query(
        wy_home,
        "SELECT count(DISTINCT pupil_id_pseudonym), count(*) FROM events_school_exclusion",
    )
    assert (children, records) == (len({x["pupil_id"] for x in rows}), len(rows))
    by_month = dict(
        query(wy_home, "SELECT month, count(*) FROM events_school_exclusion GROUP BY 1")
    )
    assert by_month == Counter(
        "2024-03" if "/" in x["exclusion_date"] else x["exclusion_date"][:7] for x in rows
    )


def test_bad_rows_are_refused_naming_field_and_row(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [
        row(1),
        row(2, exclusion_date="2024-02-30"),
        row(3, reason="Fighting"),
        row(4, age="21"),
        row(5, pupil_id=""),
        row(6, category="Permanent exclusion", sessions="4"),
        row(7, nc_year_group="11", age="8"),
        row(8, sessions=""),
        row(9, sessions="91"),
    ]
    r = ingest(wy_home, "school-exclusion", write_rows(tmp_path / "ex.csv", rows))
    assert (r.rows_read, r.rows_accepted, r.rows_rejected, r.warnings) == (9, 2, 7, 1)
    found = problems(wy_home, r.batch_id)
    # File rows count the header as row 1, as a spreadsheet does.
    assert {(p[0], p[1], p[2]) for p in found} == {
        (3, "exclusion_date", "date"),
        (4, "reason", "allowed-values"),
        (5, "age", "range"),
        (5, "age, nc_year_group", "age-and-year-group"),
        (6, "pupil_id", "required"),
        (7, "sessions, category", "permanent-has-no-length"),
        (8, "age, nc_year_group", "age-and-year-group"),
        (9, "sessions, category", "suspension-without-length"),
        (10, "sessions", "range"),
    }
    messages = {(p[0], p[2]): p[3] for p in found}
    assert messages[(3, "date")].startswith("exclusion_date is not a real date")
    assert messages[(4, "allowed-values")].startswith(
        "reason must be one of: Physical assault against a pupil"
    )
    assert messages[(5, "range")] == "age must be between 4 and 19"
    assert messages[(6, "required")] == "pupil_id is blank but must be filled in"
    assert messages[(7, "permanent-has-no-length")].startswith("sessions must be blank for a")
    assert messages[(8, "age-and-year-group")].startswith("age does not fit the year group")
    assert "kept" in messages[(9, "suspension-without-length")]
    [(n,)] = query(wy_home, "SELECT count(*) FROM quarantine WHERE batch_id = ?", [r.batch_id])
    assert n == 7


def test_pupils_are_never_stored_in_the_clear(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [row(1, pupil_id="K123456789012"), row(2, pupil_id="K123456789013", age="40")]
    r = ingest(wy_home, "school-exclusion", write_rows(tmp_path / "ex.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (1, 1)
    text = store_text(wy_home)
    for clear in ("K123456789012", "K123456789013", "EXC-00001", "EXC-00002"):
        assert clear not in text
    [(pupil, exclusion)] = query(
        wy_home, "SELECT pupil_id_pseudonym, exclusion_id_pseudonym FROM events_school_exclusion"
    )
    assert pupil == wy_home.key.pseudonym("K123456789012")
    assert exclusion == wy_home.key.pseudonym("EXC-00001")
    [(record,)] = query(wy_home, "SELECT record FROM quarantine")
    assert wy_home.key.pseudonym("K123456789013") in record
