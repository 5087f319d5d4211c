"""Dashboard links and rates for a new user (issue 16): an ``area`` may be any district code
since 2011 (an old bookmark means today's district, a code in lower case is read, an unknown
code is refused with one clear answer, not "outside what you may see"); the explorer states the
population its rates use."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import sign_in
from vrhub.errors import UnknownDistrictError
from vrhub.web.explore import area_param


def test_an_old_code_in_a_link_means_todays_district() -> None:
    assert area_param("E08000016") == "E08000038"  # Barnsley, recoded in April 2025
    assert area_param(" e08000019 ") == "E08000039"  # Sheffield
    assert area_param("All") == "all"
    assert area_param(None) is None and area_param("") == ""
    with pytest.raises(UnknownDistrictError, match="E08000099"):
        area_param("E08000099")


def test_the_pages_read_and_refuse_area_codes(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    for page in ("/explore.json", "/place.json"):
        r = client.get(f"{page}?area=e08000035")
        assert r.status_code == 200, page
        assert r.json()["area"]["code"] == "E08000035"
        bad = client.get(f"{page}?area=E08000099")
        assert bad.status_code == 400, page
        message = bad.json()["error"]["message"]
        assert "E08000099" in message and "outside what you may see" not in message


def test_the_explorer_says_which_population_its_rates_use(
    client: TestClient, passwords: dict[str, str]
) -> None:
    """Every rate states its population (source and year): the explorer too (issue 16)."""
    sign_in(client, "analyst", passwords["analyst"])
    view = client.get("/explore.json?area=E08000035").json()
    assert view["population"].startswith("Census 2021")  # the newest held for the demo's years
    page = client.get("/explore?area=E08000035").text
    assert f"Rates are per resident of the population: {view['population']}." in page
