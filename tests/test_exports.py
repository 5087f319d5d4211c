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
from vrhub.errors import (
    AccessDeniedError,
    AudienceForbiddenError,
    NoDataHeldError,
    UnsupportedFieldError,
)
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
    totals = {tuple(r[:2]): r[2] for r in e.totals}
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
    grand = publish(Tally(n, int(key)), DisclosureRule()).value
    assert n == 90 and totals[("Total", "Total")] == grand
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
    assert {r[0] for r in mine.rows} == {LEEDS}
    assert [t[0] for t in mine.totals] == ["Total"]
    with pytest.raises(AccessDeniedError, match=f"lee may see only {LEEDS}; {BRADFORD} is"):
        pipeline.export_counts(
            home, PC, ["district"], "partner", districts=[BRADFORD], as_user="lee"
        )


def test_too_many_fields_for_a_controlled_release(gov_home: Home, tmp_path: Path) -> None:
    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    with pytest.raises(UnsupportedFieldError, match="at most 2 fields"):
        pipeline.export_counts(home, PC, ["district", "month", "victim_sex"], "public")


def test_released_rows_have_the_analysts_shape_with_totals_apart(
    gov_home: Home, tmp_path: Path
) -> None:
    """Issue 16: a partner or public table has the analyst's columns and groups only (a
    "Total" row would be read as one more group); the totals are kept apart."""
    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    by = ["district", "victim_sex"]
    analyst = pipeline.export_counts(home, PC, by, "analyst", actor="tester")
    assert analyst.totals == []
    for audience in ("partner", "public"):
        e = pipeline.export_counts(home, PC, by, audience, actor="tester")
        assert e.fields == analyst.fields
        assert all(len(r) == len(by) + 1 for r in e.rows)
        assert not [r for r in e.rows if "Total" in r[:-1]]
        # Every group the analyst sees is a row (with the groups holding none, so a listed
        # group does not tell that it holds any).
        assert {tuple(r[:2]) for r in analyst.rows} <= {tuple(r[:2]) for r in e.rows}
        # The margins: each district over both sexes, each sex over the districts, the total.
        assert len(e.totals) == len(home.partnership.districts) + 2 + 1
        assert all("Total" in t[:-1] for t in e.totals)


def test_cli_counts_csv_is_the_same_shape_for_every_audience(
    gov_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vrhub.cli import main

    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    h = ["--home", str(home.path), "--format", "csv"]
    by = ["--dataset", "police-crime", "--by", "district,victim_sex"]
    assert main(["counts", *by, *h]) == 0
    analyst = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert main(["counts", *by, "--audience", "public", *h]) == 0
    captured = capsys.readouterr()
    public = list(csv.reader(captured.out.splitlines()))
    assert analyst[0] == public[0] == ["district", "victim_sex", "count"]
    assert not [r for r in public[1:] if "Total" in r]
    assert "total" in captured.err and "need not add up" in captured.err


def test_cli_counts_districts_by_name_or_refused_naming_them(
    gov_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vrhub.cli import main

    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    h = ["--home", str(home.path), "--format", "csv", "--dataset", "police-crime"]
    assert main(["counts", *h, "--by", "district", "--district", "leeds"]) == 0
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert rows == [["district", "count"], [LEEDS, "43"]]
    assert main(["counts", *h, "--by", "district", "--district", "Narnia"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--district 'Narnia' is not a district" in err
    assert "Leeds (E08000035)" in err and "Bradford (E08000032)" in err


def test_filters_are_answered_by_name_or_refused_naming_the_values(
    gov_home: Home, tmp_path: Path
) -> None:
    from vrhub.counts import check_filters

    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    districts = home.partnership.districts
    con = connect(home, read_only=True)
    try:
        assert check_filters(con, PC, {"district": "LEEDS"}, districts) == {"district": LEEDS}
        assert check_filters(con, PC, {"district": LEEDS}, districts) == {"district": LEEDS}
        # A value held, in any case, is the stored spelling.
        assert check_filters(con, PC, {"victim_sex": "male"}, districts) == {"victim_sex": "Male"}
        with pytest.raises(UnsupportedFieldError, match="--filter district='York' is not a"):
            check_filters(con, PC, {"district": "York"}, districts)
        with pytest.raises(
            UnsupportedFieldError,
            match="--filter victim_sex='Nonsense': no police-crime record has that victim_sex; "
            "the values held are: Female, Male",
        ):
            check_filters(con, PC, {"victim_sex": "Nonsense"}, districts)
    finally:
        con.close()


def test_measures_take_a_district_by_name_and_refuse_an_unknown_one(
    gov_home: Home, tmp_path: Path
) -> None:
    """Issue 16: `--filter district=Leeds` is answered (the name mapped to its code), and a
    district outside the partnership or a value no record holds is refused, not an empty
    table."""
    home = loaded_home(gov_home, tmp_path, ["analyst", "partner", "public"])
    by_code = pipeline.run_measure(home, "crime-rate", PC, [], {"district": LEEDS})
    by_name = pipeline.run_measure(home, "crime-rate", PC, [], {"district": "leeds"})
    assert [r.count for r in by_name.rows] == [r.count for r in by_code.rows] == [43]
    with pytest.raises(UnsupportedFieldError, match="give one of Bradford"):
        pipeline.run_measure(home, "crime-rate", PC, [], {"district": "York"})
    with pytest.raises(UnsupportedFieldError, match="the values held are: Female, Male"):
        pipeline.run_measure(home, "crime-rate", PC, [], {"victim_sex": "unknown"})


def test_counts_of_a_dataset_with_no_data_held_say_so(tmp_path: Path) -> None:
    """An empty home's counts are refused with what is held, never an empty table (issue 16)."""
    home, _ = pipeline.init_partnership_home(tmp_path / "empty", "west-yorkshire")
    uk = get_dataset("police-uk-street")
    with pytest.raises(NoDataHeldError, match="no police-uk-street data is held yet"):
        pipeline.counts(home, uk, ["district"])
    with pytest.raises(NoDataHeldError, match="no police-uk-street data is held yet"):
        pipeline.export_counts(home, uk, ["district"], "public")
