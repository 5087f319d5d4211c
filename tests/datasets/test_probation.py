"""The probation standard: good starts load, bad rows are named, people's ids are hidden."""

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
        "supervision_id": f"X{n:06d}/1",
        "person_id": f"X{n:06d}",
        "start_date": "2024-05-0" + str(n % 9 + 1),
        "sentence_date": "2024-04-20",
        "order_type": "Community order",
        "ho_offence_group": "Violence against the person",
        "age": "27",
        "sex": "Male",
        "residence_lsoa": LEEDS_2011,
    }
    return base | changes


def test_good_starts_load(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [
        row(1),
        row(2, order_type="SSO", age="19", sex="f", residence_lsoa=LEEDS_2021),
        row(3, order_type="Post-release licence", sentence_date="2021-06-01", age="44"),
        row(
            4,
            order_type="Licence",
            sentence_date="",
            residence_lsoa="",
            ho_offence_group="Possession of weapons offences",
        ),
        row(5, supervision_id="X000001/2", person_id="X000001", start_date="2024-06-02"),
    ]
    r = ingest(wy_home, "probation", write_rows(tmp_path / "probation.csv", rows))
    assert (r.status, r.rows_accepted, r.rows_rejected) == ("loaded", 5, 0)
    assert r.months == ["2024-05", "2024-06"]
    got = query(
        wy_home,
        "SELECT order_type, age, sex, district, month FROM events_probation ORDER BY row_number",
    )
    assert got == [
        ("Community order", 27, "Male", "E08000035", "2024-05"),
        ("Suspended sentence order", 19, "Female", "E08000035", "2024-05"),
        ("Licence", 44, "Male", "E08000035", "2024-05"),
        ("Licence", 27, "Male", None, "2024-05"),
        ("Community order", 27, "Male", "E08000035", "2024-06"),
    ]
    groups = query(wy_home, "SELECT offence_group, count(*) FROM events_probation GROUP BY 1")
    assert dict(groups) == Counter(x["ho_offence_group"] for x in rows)
    [(people,)] = query(wy_home, "SELECT count(DISTINCT person_id_pseudonym) FROM events_probation")
    assert people == len({x["person_id"] for x in rows})


def test_bad_rows_are_refused_naming_field_and_row(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [
        row(1),
        row(2, age="16"),
        row(3, start_date="2024-04-01", sentence_date="2024-04-20"),
        row(4, order_type="Caution"),
        row(5, ho_offence_group="Knife crime"),
        row(6, person_id=""),
        row(7, residence_lsoa="E01999999"),
    ]
    r = ingest(wy_home, "probation", write_rows(tmp_path / "probation.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (1, 6)
    found = problems(wy_home, r.batch_id)
    assert {(p[0], p[1], p[2]) for p in found} == {
        (3, "age", "range"),
        (4, "start_date, sentence_date", "start-before-sentence"),
        (5, "order_type", "allowed-values"),
        (6, "ho_offence_group", "allowed-values"),
        (7, "person_id", "required"),
        (8, "residence_lsoa", "lsoa-unknown"),
    }
    messages = {p[0]: p[3] for p in found}
    assert messages[3] == "age must be between 18 and 100"
    assert messages[4].startswith("start_date is earlier than sentence_date")
    assert "Community order, Suspended sentence order, Licence" in messages[5]


def test_people_on_probation_are_never_stored_in_the_clear(wy_home: Home, tmp_path: Path) -> None:
    grant_justice_agreement(wy_home)
    rows = [row(1, person_id="CRN-A123456"), row(2, person_id="CRN-B654321")]
    r = ingest(wy_home, "probation", write_rows(tmp_path / "probation.csv", rows))
    assert r.rows_accepted == 2
    text = store_text(wy_home)
    for clear in ("CRN-A123456", "CRN-B654321", "X000001/1", "X000002/1"):
        assert clear not in text
    got = query(
        wy_home,
        "SELECT person_id_pseudonym, supervision_id_pseudonym FROM events_probation "
        "ORDER BY row_number",
    )
    key = wy_home.key
    assert got == [
        (key.pseudonym("CRN-A123456"), key.pseudonym("X000001/1")),
        (key.pseudonym("CRN-B654321"), key.pseudonym("X000002/1")),
    ]
