"""Audiences are ordered (issue 16): whatever may go to the public may go to every signed-in
role at public disclosure, so no signed-in role sees less than a visitor, and no page in a
role's navigation answers 403."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import sign_in
from vrhub.errors import AudienceForbiddenError
from vrhub.governance.lineage import AgreementRef, check_audience
from vrhub.governance.roles import PUBLIC, ROLE_AUDIENCE, ROLES, permits
from vrhub.home import Home

NAV_LINK = re.compile(r'class="govuk-service-navigation__link" href="([^"]+)"')
#: The demo's account for each role.
ACCOUNTS = {
    "administrator": "admin",
    "analyst": "analyst",
    "partner": "partner-leeds",
    "provider": "provider",
    "practitioner": "practitioner",
    "public": "public",
}


def _ref(*audiences: str) -> AgreementRef:
    return AgreementRef("TEST-01", 1, audiences, 7, 5)


def test_an_agreement_naming_the_public_permits_every_protected_audience() -> None:
    public_only = _ref("analyst", "partner", "public")
    for role in ROLES:
        audience = ROLE_AUDIENCE[role]
        assert permits(public_only.audiences, audience)
        check_audience([public_only], audience)  # no refusal


def test_the_analyst_tier_is_not_opened_by_a_public_permission() -> None:
    # Exact figures are a different thing from the public's protected ones: naming the public
    # does not let exact figures go to analysts.
    assert not permits(("public",), "analyst")
    with pytest.raises(AudienceForbiddenError, match="analyst audience"):
        check_audience([_ref("public")], "analyst")


def test_an_agreement_without_the_public_still_refuses_audiences_it_does_not_name() -> None:
    assert not permits(("analyst", "partner"), "provider")
    with pytest.raises(AudienceForbiddenError, match="TEST-01 v1 permits only analyst, partner"):
        check_audience([_ref("analyst", "partner")], "provider")
    assert permits(("analyst", "partner"), "partner")
    assert PUBLIC in ROLES


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_page_in_a_roles_navigation_answers(
    role: str, client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, ACCOUNTS[role], passwords[ACCOUNTS[role]])
    links = NAV_LINK.findall(client.get("/").text)
    assert "/explore" in links and "/reports" in links, links
    for href in links:
        r = client.get(href)
        assert r.status_code == 200, (role, href, r.text[:300])
        # Each page's other formats too, where it has them.
        for fmt in (".json", ".csv"):
            if href not in ("/", "/login"):
                assert client.get(href + fmt).status_code == 200, (role, href + fmt)


def _withheld(view: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (str(a["code"]), str(m["measure"]))
        for a in view["areas"]
        for m in a["measures"]
        if "withheld" in m
    }


@pytest.mark.parametrize("role", ["partner", "provider", "practitioner", "public"])
def test_a_signed_in_role_sees_at_least_what_the_public_sees(
    role: str, client: TestClient, passwords: dict[str, str], web_home: Home
) -> None:
    public = client.get("/public.json").json()
    public_shown = {m["measure"] for m in public["areas"][0]["measures"] if "withheld" not in m}
    assert public_shown, "the published figures show something"
    sign_in(client, ACCOUNTS[role], passwords[ACCOUNTS[role]])
    mine = client.get("/overview.json").json()
    # Whatever the public sees for the partnership, this role sees for every area it may see.
    shown = {(a["code"], m["measure"]) for a in mine["areas"] for m in a["measures"]}
    assert not {(c, m) for c, m in _withheld(mine) if m in public_shown}, (role, shown)
    # And the explorer (refused to providers before audiences were ordered) answers with figures.
    explore = client.get("/explore.json")
    assert explore.status_code == 200, explore.text[:300]
