"""The children's social care standard: events load with factors at assessment, contacts
carry no factors, children's identifiers are pseudonymised, and its agreement needs an
Article 9 condition because it is special-category data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.datasets.care import (
    LEEDS_2011,
    LEEDS_2021,
    grant_care_agreement,
    ingest,
    problems,
    query,
    store_text,
    write_rows,
)
from vrhub.datasets import get_dataset
from vrhub.datasets.childrens_social_care import ASSESSMENT_FACTORS
from vrhub.errors import VrhubError
from vrhub.governance.terms import parse_terms
from vrhub.home import Home

FACTOR_HEADERS = [name for name, _ in ASSESSMENT_FACTORS]


def row(n: int, **changes: str) -> dict[str, str]:
    base = {
        "event_id": f"CSC-{n:06d}",
        "child_id": f"LCS{n:07d}",
        "event_date": "2024-05-14",
        "event_type": "Referral",
        **{h: "" for h in FACTOR_HEADERS},
        "age": "14",
        "sex": "Male",
        "residence_lsoa": LEEDS_2011,
    }
    return base | changes


def test_events_load_with_factors_at_assessment(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [
        row(1, event_type="Contact"),
        row(2, factor_criminal_exploitation="Y", factor_going_missing="Y", factor_gangs="N"),
        row(3, event_type="CPP", factor_domestic_abuse="Y", age="0", sex="F"),
        row(4, event_type="CLA", child_id="LCS0000002", residence_lsoa=LEEDS_2021),
        row(5, event_type="child in need", factor_gangs="yes", age="17", residence_lsoa=""),
    ]
    r = ingest(wy_home, "childrens-social-care", write_rows(tmp_path / "csc.csv", rows))
    assert (r.status, r.rows_read, r.rows_accepted, r.rows_rejected) == ("loaded", 5, 5, 0)
    got = query(
        wy_home,
        "SELECT event_type, factor_criminal_exploitation, factor_going_missing, factor_gangs, "
        "factor_domestic_abuse, age, "
        "sex, district FROM events_childrens_social_care ORDER BY row_number",
    )
    assert got == [
        ("Contact", None, None, None, None, 14, "Male", "E08000035"),
        ("Referral", True, True, False, None, 14, "Male", "E08000035"),
        ("Child protection plan", None, None, None, True, 0, "Female", "E08000035"),
        ("Started to be looked after", None, None, None, None, 14, "Male", "E08000035"),
        ("Child in need", None, None, True, None, 17, "Male", None),
    ]
    # The child referred in row 2 later started to be looked after: four children.
    [(children,)] = query(
        wy_home, "SELECT count(DISTINCT child_id_pseudonym) FROM events_childrens_social_care"
    )
    assert children == len({x["child_id"] for x in rows})
    # Children with criminal exploitation or gangs recorded at assessment, as a partner asks.
    [(exploited,)] = query(
        wy_home,
        "SELECT count(*) FROM events_childrens_social_care "
        "WHERE factor_criminal_exploitation OR factor_gangs",
    )
    assert exploited == sum(
        1
        for x in rows
        if x["factor_criminal_exploitation"] == "Y" or x["factor_gangs"] in ("Y", "yes")
    )


def test_bad_rows_are_refused_naming_field_and_row(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [
        row(1),
        row(2, event_type="Contact", factor_going_missing="Y"),
        row(3, age="18"),
        row(4, event_type="Assessment"),
        row(5, child_id=""),
        row(6, event_date="14/13/2024"),
        row(7, factor_gangs="maybe"),
        row(8, event_date=(dt.date.today() + dt.timedelta(days=3)).isoformat()),
    ]
    r = ingest(wy_home, "childrens-social-care", write_rows(tmp_path / "csc.csv", rows))
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (8, 1, 7)
    found = problems(wy_home, r.batch_id)
    factors_and_type = ", ".join([name for name, _ in ASSESSMENT_FACTORS] + ["event_type"])
    assert {(p[0], p[1], p[2]) for p in found} == {
        (3, factors_and_type, "no-factors-at-contact"),
        (4, "age", "range"),
        (5, "event_type", "allowed-values"),
        (6, "child_id", "required"),
        (7, "event_date", "date"),
        (8, "factor_gangs", "flag"),
        (9, "event_date", "future"),
    }
    messages = {(p[0], p[2]): p[3] for p in found}
    assert messages[(3, "no-factors-at-contact")].startswith(
        "factors at assessment must be blank for a contact"
    )
    assert messages[(4, "range")] == "age must be between 0 and 17"
    assert messages[(5, "allowed-values")].startswith("event_type must be one of: Contact,")
    assert messages[(8, "flag")] == "factor_gangs must be Y or N"


def test_children_are_never_stored_in_the_clear(wy_home: Home, tmp_path: Path) -> None:
    grant_care_agreement(wy_home)
    rows = [row(1, child_id="CHILD-55120"), row(2, child_id="CHILD-55121", event_type="?")]
    r = ingest(wy_home, "childrens-social-care", write_rows(tmp_path / "csc.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (1, 1)
    text = store_text(wy_home)
    for clear in ("CHILD-55120", "CHILD-55121", "CSC-000001", "CSC-000002"):
        assert clear not in text
    [(child, event)] = query(
        wy_home, "SELECT child_id_pseudonym, event_id_pseudonym FROM events_childrens_social_care"
    )
    assert child == wy_home.key.pseudonym("CHILD-55120")
    assert event == wy_home.key.pseudonym("CSC-000001")


def test_special_category_needs_an_article_9_condition() -> None:
    dataset = get_dataset("childrens-social-care")
    assert dataset.special_category and not dataset.criminal_offence_data
    with pytest.raises(VrhubError, match="childrens-social-care"):
        parse_terms(
            {
                "ref": "NO-ART9",
                "title": "Missing its Article 9 condition",
                "parties": ["a", "b"],
                "covers": [{"dataset": "childrens-social-care"}],
                "lawful_basis": {"article6": "public-task"},
                "purposes": ["testing"],
                "audiences": ["analyst"],
                "retention_months": 12,
                "start_date": dt.date(2020, 1, 1),
                "status": "active",
            },
            "test",
        )
