"""The agreements register and ingest's refusal of data no active agreement covers.

Every test runs on SQLite and on PostgreSQL (the ``backend`` fixture behind ``gov_home``).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row, write_police_uk
from tests.governance.conftest import add_orgs, hospital_terms, police_terms
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.errors import AgreementInvalidError, AudienceForbiddenError
from vrhub.governance.lineage import agreements_for_batches, check_audience, strictest_rule
from vrhub.governance.terms import parse_terms
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.records.models import Agreement, BatchLineage
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")


def police_file(tmp_path: Path, name: str = "pc.csv", start: int = 1) -> Path:
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        for i in range(start, start + 3):
            w.writerow(police_crime_row(i))
    return path


def stored_rows(home: Home) -> int:
    con = connect(home)
    try:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = "
            "'events_police_crime'"
        ).fetchone()
        if not found or not found[0]:
            return 0
        row = con.execute("SELECT count(*) FROM events_police_crime").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def test_create_amend_suspend_keep_every_version(gov_home: Home) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        first = gov.register.create(parse_terms(police_terms(), "test"), "tester")
        second = gov.register.amend(
            "DSA-POLICE", {"end_date": dt.date(2027, 3, 31)}, "extended to 2027", "tester"
        )
        third = gov.register.set_status("DSA-POLICE", "suspended", "DPO review", "tester")
        assert (first.version, second.version, third.version) == (1, 2, 3)
        history = gov.register.history("DSA-POLICE")
        assert [a.version for a in history] == [1, 2, 3]
        assert history[0].end_date is None  # never overwritten
        assert history[1].end_date == dt.date(2027, 3, 31)
        assert [a.status for a in history] == ["active", "active", "suspended"]
        current = {a.ref: a for a in gov.register.current()}
        assert current["DSA-POLICE"].version == 3
        # The open licence is built in and permits every audience.
        ogl = current["OGL-3.0"]
        assert ogl.kind == "licence" and set(ogl.audiences) == {
            "analyst",
            "partner",
            "provider",
            "practitioner",
            "public",
        }
        with gov.records.session() as s:
            assert s.scalar(select(Agreement).where(Agreement.version == 1)) is not None
        actions = [e.action for e in gov.audit.show(limit=10)]
        assert actions[:3] == ["agreement.amend", "agreement.amend", "agreement.create"]
    finally:
        gov.close()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"lawful_basis": {"article6": "public-task"}}, "lawful_basis.article10"),
        (
            {"covers": [{"dataset": "ed-assault"}], "lawful_basis": {"article6": "public-task"}},
            "lawful_basis.article9",
        ),
        ({"covers": [{"dataset": "police-records"}]}, "unknown dataset 'police-records'"),
        ({"end_date": dt.date(2019, 1, 1)}, "end_date: is before start_date"),
        ({"audiences": ["partner"]}, "audiences: must include analyst"),
        ({"audiences": ["analyst", "press"]}, "audiences.1"),
        ({"retention_months": None}, "retention_months"),
        ({"disclosure": {"suppress_max": 3}}, "disclosure.suppress_max"),
        ({"retention": 12}, "retention: is not a term vrhub knows"),
    ],
)
def test_invalid_terms_name_the_field(change: dict[str, object], named: str) -> None:
    with pytest.raises(AgreementInvalidError) as exc:
        parse_terms(police_terms(**change), "dsa.toml")
    assert named in str(exc.value)
    assert str(exc.value).startswith("dsa.toml: ")


def test_unknown_party_and_duplicate_ref_refused(gov_home: Home) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        with pytest.raises(AgreementInvalidError, match="parties: nhs-x is not a registered"):
            gov.register.create(parse_terms(police_terms(parties=["wyp", "nhs-x"]), "t"), "t")
        gov.register.create(parse_terms(police_terms(), "t"), "t")
        with pytest.raises(AgreementInvalidError, match="already exists"):
            gov.register.create(parse_terms(police_terms(), "t"), "t")
        with pytest.raises(AgreementInvalidError, match="needs a note"):
            gov.register.amend("DSA-POLICE", {"title": "x" * 10}, " ", "t")
    finally:
        gov.close()


def test_ingest_without_agreement_is_refused_and_loads_nothing(
    gov_home: Home, tmp_path: Path
) -> None:
    [r] = pipeline.ingest_paths(gov_home, PC, [police_file(tmp_path)], source="wyp")
    assert r.status == "rejected"
    assert "no active data-sharing agreement covers the partner extract police-crime" in r.message
    assert "source 'wyp'" in r.message
    assert stored_rows(gov_home) == 0
    gov = pipeline.governance(gov_home)
    try:
        [entry] = gov.audit.show(action="ingest")
        assert entry.action == "ingest.rejected"
    finally:
        gov.close()


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"status": "suspended"}, "DSA-POLICE (version 1) is suspended"),
        ({"end_date": dt.date(2021, 12, 31)}, "DSA-POLICE (version 1) is expired"),
        ({"start_date": dt.date(2099, 1, 1)}, "is not started"),
        (
            {"covers": [{"dataset": "police-crime", "sources": ["other-force"]}]},
            "covers police-crime only from other-force, not from 'wyp'",
        ),
        ({"status": "draft"}, "is draft"),
    ],
)
def test_ingest_refused_under_an_agreement_that_does_not_apply(
    gov_home: Home, tmp_path: Path, changes: dict[str, object], says: str
) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.register.create(parse_terms(police_terms(**changes), "t"), "t")
    finally:
        gov.close()
    [r] = pipeline.ingest_paths(gov_home, PC, [police_file(tmp_path)], source="wyp")
    assert r.status == "rejected"
    assert says in r.message
    assert stored_rows(gov_home) == 0


def test_dataset_not_covered_by_the_named_agreement(gov_home: Home, tmp_path: Path) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.register.create(parse_terms(hospital_terms(), "t"), "t")
    finally:
        gov.close()
    [r] = pipeline.ingest_paths(
        gov_home, PC, [police_file(tmp_path)], source="wyp", agreement="DSA-HOSPITAL"
    )
    assert r.status == "rejected" and "DSA-HOSPITAL does not cover police-crime" in r.message


def test_lineage_audiences_and_strictest_rule(gov_home: Home, tmp_path: Path) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.register.create(parse_terms(police_terms(), "t"), "t")
        gov.register.create(parse_terms(hospital_terms(), "t"), "t")
    finally:
        gov.close()
    [loaded] = pipeline.ingest_paths(gov_home, PC, [police_file(tmp_path)], source="wyp")
    assert loaded.status == "loaded" and loaded.agreement == "DSA-POLICE v1"
    # Open data needs no signed agreement: it comes under the built-in licence.
    uk = write_police_uk(
        tmp_path / "2024-01-west-yorkshire-street.csv",
        [
            "abc1,2024-01,West Yorkshire Police,West Yorkshire Police,-1.5,53.8,On or near X,"
            "E01011264,Leeds 001A,Violence and sexual offences,Under investigation,"
        ],
    )
    [open_data] = pipeline.ingest_paths(gov_home, get_dataset("police-uk-street"), [uk])
    assert open_data.status == "loaded" and open_data.agreement == "OGL-3.0 v1"

    gov = pipeline.governance(gov_home)
    try:
        with gov.records.session() as s:
            rows = {b.batch_id: b.agreement.ref for b in s.scalars(select(BatchLineage))}
        assert rows == {loaded.batch_id: "DSA-POLICE", open_data.batch_id: "OGL-3.0"}
        drawn = agreements_for_batches(gov.records, rows)
        assert [a.label for a in drawn] == ["DSA-POLICE v1", "OGL-3.0 v1"]
        check_audience(drawn, "public")  # both permit the public
        hospital = [a for a in gov.register.current() if a.ref == "DSA-HOSPITAL"]
        from vrhub.governance.lineage import ref_of

        with pytest.raises(AudienceForbiddenError) as exc:
            check_audience([*drawn, ref_of(hospital[0])], "public")
        assert "DSA-HOSPITAL v1 permits only analyst, partner" in str(exc.value)
        assert strictest_rule([*drawn, ref_of(hospital[0])]) == (9, 10)
        assert strictest_rule(drawn) == (7, 5)
    finally:
        gov.close()


def test_a_party_that_only_receives_a_dataset_cannot_send_it(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    """An agreement may name which parties send each dataset; the others only receive it."""
    with open_hub(wy_home) as hub:
        for code in ("force", "council"):
            hub.gov.people.add_organisation(code, code.title(), "other", "test")
        terms = parse_terms(
            {
                "ref": "SEND-01",
                "title": "Police crime sent by the force to the council",
                "parties": ["force", "council"],
                "covers": [{"dataset": "police-crime", "sources": ["f"], "suppliers": ["force"]}],
                "lawful_basis": {"article6": "public-task", "article10": "DPA 2018 Sch 1"},
                "purposes": ["testing"],
                "audiences": ["analyst"],
                "retention_months": 12,
                "start_date": dt.date(2015, 1, 1),
                "status": "active",
            },
            "test",
        )
        hub.gov.register.create(terms, "test")
    path = write_police_crime("x.csv", [police_crime_row(1)])
    ds = get_dataset("police-crime")
    [refused] = pipeline.ingest_paths(
        wy_home, ds, [path], source="f", agreement="SEND-01", organisation="council"
    )
    assert refused.status == "rejected"
    assert "'council' receives police-crime but does not send it (it is sent by force)" in (
        refused.message
    )
    [sent] = pipeline.ingest_paths(
        wy_home, ds, [path], source="f", agreement="SEND-01", organisation="force"
    )
    assert sent.status == "loaded"
    # A supplier must be a party.
    with pytest.raises(AgreementInvalidError, match="outsider may send police-crime but is not a"):
        parse_terms(
            {**terms.model_dump(), "ref": "SEND-02",
             "covers": [{"dataset": "police-crime", "suppliers": ["outsider"]}]},
            "test",
        )  # fmt: skip
