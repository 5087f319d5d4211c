"""Roles and what each may do, decided once in vrhub.governance.roles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import vrhub
from vrhub.governance import people, roles
from vrhub.governance.roles import (
    ROLE_AUDIENCE,
    ROLES,
    audience_for,
    manages_governance,
    reads_exact_figures,
    sees_every_upload,
    uploads_data,
    uploads_for_any_organisation,
)
from vrhub.governance.terms import AUDIENCES

#: Who may do what, role by role: (uploads data, sees every upload, uploads for any
#: organisation, manages governance).
MAY = {
    "administrator": (True, True, True, True),
    "analyst": (True, True, False, False),
    "partner": (True, False, False, False),
    "provider": (False, False, False, False),
    "practitioner": (False, False, False, False),
    "public": (False, False, False, False),
}


def test_the_roles_from_most_to_least_trusted_and_the_audience_each_reads() -> None:
    assert ROLES == ("administrator", "analyst", "partner", "provider", "practitioner", "public")
    assert [audience_for(r) for r in ROLES] == [
        "analyst",
        "analyst",
        "partner",
        "provider",
        "practitioner",
        "public",
    ]
    assert set(ROLE_AUDIENCE) == set(ROLES)
    assert set(ROLE_AUDIENCE.values()) <= set(AUDIENCES)


@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_may_do(role: str) -> None:
    got = (
        uploads_data(role),
        sees_every_upload(role),
        uploads_for_any_organisation(role),
        manages_governance(role),
    )
    assert got == MAY[role]


def test_an_unknown_role_may_do_nothing() -> None:
    for may in (uploads_data, sees_every_upload, uploads_for_any_organisation, manages_governance):
        assert may("boss") is False
    with pytest.raises(KeyError):
        audience_for("boss")


def test_only_the_analyst_tier_reads_exact_figures() -> None:
    assert [a for a in AUDIENCES if reads_exact_figures(a)] == ["analyst"]


def test_people_reads_the_same_roles() -> None:
    assert people.ROLES is roles.ROLES and people.ROLE_AUDIENCE is roles.ROLE_AUDIENCE


def test_no_role_is_checked_by_name_outside_roles() -> None:
    src = Path(vrhub.__file__).parent
    check = re.compile(r"\.role\s*(==|!=|in\b|not in\b)")
    found = [
        f"{path.relative_to(src)}:{n}"
        for path in sorted(src.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if check.search(line)
    ]
    assert found == []
