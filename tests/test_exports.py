"""Exports: agreements' audiences, user scope and disclosure control on every released count.

Runs on SQLite and on PostgreSQL record stores.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from tests.governance.conftest import add_orgs, police_terms
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.disclosure import DisclosureRule, Tally, publish
from vrhub.errors import AccessDeniedError, AudienceForbiddenError, UnsupportedFieldError
from vrhub.governance.terms import parse_terms
from vrhub.home import Home
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
LEEDS, BRADFORD, KIRKLEES = "E08000035", "E08000032", "E08000034"
LSOA = {LEEDS: "E01011264", BRADFORD: "E01010646", KIRKLEES: "E01011004"}


def loaded_home(gov_home: Home, tmp_path: Path, audiences: list[str]) -> Home:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.register.create(parse_terms(police_terms(audiences=audiences), "t"), "t")
        gov.people.add_user(
            "lee", "Lee", "leeds", "partner", [LEEDS], "a long test passphrase", "t"
        )
    finally:
        gov.close()
    path = tmp_path / "pc.csv"
    # Small and large counts by district and sex: Leeds 40 F / 3 M, Bradford 12 F / 30 M,
    # Kirklees 5 F / 0 M.
    spec = [
        (LEEDS, "F", 40),
        (LEEDS, "M", 3),
        (BRADFORD, "F", 12),
        (BRADFORD, "M", 30),
        (KIRKLEES, "F", 5),
    ]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        i = 0
        for district, sex, n in spec:
            for _ in range(n):
                i += 1
                w.writerow(police_crime_row(i, lsoa_code=LSOA[district], victim_sex=sex))
    [r] = pipeline.ingest_paths(gov_home, PC, [path], source="wyp")
    assert r.status == "loaded" and r.rows_accepted == 90
    return gov_home


def test_public_release_hides_every_small_count(gov_home: Home, tmp_path: Path) -> None:
    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    fields = ["district", "victim_sex", "month", "offence_code"]
    for by in [*([f] for f in fields), *(list(p) for p in itertools.combinations(fields, 2))]:
        for audience in ("partner", "public"):
            e = pipeline.export_counts(home, PC, by, audience, actor="tester")
            assert e.agreements and e.agreements[0].label == "DSA-POLICE v1"
            for row in e.rows:
                count = row[len(by)]
                assert count is None or count == 0 or count > 7, (by, row)
                assert count is None or count % 5 == 0
    e = pipeline.export_counts(home, PC, ["district", "victim_sex"], "public", actor="tester")
    cells = {tuple(r[:2]): r[2] for r in e.rows}
    assert cells[(LEEDS, "Male")] is None  # 3: a small count
    assert cells[(KIRKLEES, "Female")] is None  # 5: a small count
    # The total is published by the cell-key method from its records' keys (the true count is
    # 90: moved by at most 4, then rounded to 5), the same figure as any count of them.
    con = connect(home)
    try:
        [(n, key)] = con.execute(
            f"SELECT count(*), sum(record_key) FROM {PC.table} WHERE in_partnership IS NOT FALSE"
        ).fetchall()
    finally:
        con.close()
    assert (
        n == 90 and cells[("Total", "Total")] == publish(Tally(n, int(key)), DisclosureRule()).value
    )
    # Analysts see the true figures, labelled as not controlled.
    a = pipeline.export_counts(home, PC, ["district", "victim_sex"], "analyst", actor="tester")
    assert {tuple(r[:2]): r[2] for r in a.rows}[(LEEDS, "Male")] == 3
    gov = pipeline.governance(home)
    try:
        entry = gov.audit.show(action="export")[0]
        assert '"audience":"analyst"' in entry.details and "DSA-POLICE v1" in entry.details
    finally:
        gov.close()


def test_audience_an_agreement_forbids_is_refused(gov_home: Home, tmp_path: Path) -> None:
    home = loaded_home(gov_home, tmp_path, ["analyst", "partner"])
    with pytest.raises(AudienceForbiddenError) as exc:
        pipeline.export_counts(home, PC, ["district"], "public", actor="tester")
    assert "may not go to the public audience: DSA-POLICE v1 permits only analyst, partner" in (
        str(exc.value)
    )


def test_user_scope_holds(gov_home: Home, tmp_path: Path) -> None:
    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    mine = pipeline.export_counts(home, PC, ["district"], "analyst", as_user="lee")
    assert mine.audience == "partner"  # the user's role decides, not the request
    assert {r[0] for r in mine.rows} == {LEEDS, "Total"}
    with pytest.raises(AccessDeniedError, match=f"lee may see only {LEEDS}; {BRADFORD} is"):
        pipeline.export_counts(
            home, PC, ["district"], "partner", districts=[BRADFORD], as_user="lee"
        )


def test_too_many_fields_for_a_controlled_release(gov_home: Home, tmp_path: Path) -> None:
    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    with pytest.raises(UnsupportedFieldError, match="at most 2 fields"):
        pipeline.export_counts(home, PC, ["district", "month", "victim_sex"], "public")
