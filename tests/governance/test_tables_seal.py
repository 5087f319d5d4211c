"""The seal over the governed tables: users, organisations, agreements and batch lineage
changed behind vrhub's back are found by `vrhub audit verify`; vrhub's own changes are not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.governance.conftest import add_orgs, police_terms
from vrhub import pipeline
from vrhub.errors import GovernanceError
from vrhub.governance.context import Governance
from vrhub.governance.terms import AgreementTerms
from vrhub.home import Home


@pytest.fixture
def gov(gov_home: Home) -> Iterator[Governance]:
    g = pipeline.governance(gov_home)
    add_orgs(g)
    g.people.add_user("lee", "Lee", "wyp", "partner", ["E08000035"], "a long pass phrase 1", "t")
    g.register.create(AgreementTerms(**police_terms()), "tester")
    yield g
    g.close()


def sql(gov: Governance, statement: str) -> None:
    with gov.records.engine.begin() as con:
        con.execute(text(statement))


def test_vrhubs_own_changes_keep_the_tables_sealed(gov: Governance) -> None:
    gov.people.change("lee", "tester", role="analyst", districts=[])
    gov.people.end_sessions("lee")
    # Failed sign-ins change the user's row, but not what the seal covers.
    for _ in range(3):
        with pytest.raises(GovernanceError):
            gov.people.authenticate("lee", "wrong password", source="203.0.113.9")
    assert gov.audit.verify().problems == []


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("UPDATE users SET role = 'analyst' WHERE username = 'lee'", "users"),
        ("UPDATE users SET districts = '[]' WHERE username = 'lee'", "users"),
        ("DELETE FROM users WHERE username = 'lee'", "users"),
        ("UPDATE organisations SET name = 'Someone else' WHERE code = 'wyp'", "organisations"),
        ("UPDATE agreements SET audiences = '[\"public\"]' WHERE ref = 'DSA-POLICE'", "agreements"),
        ("UPDATE agreements SET suppress_max = 0 WHERE ref = 'DSA-POLICE'", "agreements"),
    ],
)
def test_a_governed_table_changed_outside_vrhub_is_named(
    gov: Governance, statement: str, table: str
) -> None:
    sql(gov, statement)
    assert gov.audit.verify().problems == [
        f"the {table} table was changed outside vrhub: its contents no longer match the seal "
        "vrhub keeps of it"
    ]


def test_lineage_pointed_at_another_agreement_is_found(gov: Governance) -> None:
    [agreement] = gov.register.history("DSA-POLICE")
    gov.record_batch(
        "tester", 1, "police-crime", "wyp", "0" * 64, agreement.id, 10, ["2025-01"],
        dt.datetime(2025, 2, 1), {},
    )  # fmt: skip
    assert gov.audit.verify().problems == []
    sql(gov, "UPDATE batch_lineage SET rows_accepted = 99")
    assert gov.audit.verify().problems == [
        "the batch lineage table was changed outside vrhub: its contents no longer match the "
        "seal vrhub keeps of it"
    ]


def test_a_store_sealed_before_the_seal_existed_is_sealed_when_opened(gov_home: Home) -> None:
    g = pipeline.governance(gov_home)
    add_orgs(g)
    sql(g, "UPDATE audit_head SET state_seal = NULL")
    g.close()
    again = pipeline.governance(gov_home)
    try:
        assert again.audit.verify().problems == []
        sql(again, "UPDATE users SET active = false")  # no users yet: nothing changes
        sql(again, "UPDATE organisations SET kind = 'provider'")
        assert len(again.audit.verify().problems) == 1
    finally:
        again.close()
