"""The reports page: each viewer gets their audience's set, profiles only for districts in their
scope, and no file by any other name or path."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.reports.conftest import PERIOD
from tests.web.conftest import sign_in
from vrhub import pipeline
from vrhub.home import Home


@pytest.fixture(scope="module")
def built(web_home: Home) -> Home:
    for audience, districts in (("public", False), ("partner", True)):
        out = web_home.path / "reports" / audience
        pipeline.build_reports(web_home, out, PERIOD, audience, districts=districts, pdf=False)
    return web_home


def test_public_viewers_get_the_public_set(built: Home, client: TestClient) -> None:
    listing = client.get("/reports.json").json()
    assert listing["audience"] == "public" and len(listing["reports"]) == 1
    html = listing["reports"][0]["html"]
    r = client.get(html)
    assert r.status_code == 200 and "Strategic Needs Assessment" in r.text
    assert client.get("/reports/public/assets/report.css").status_code == 200
    assert "Reports" in client.get("/reports").text


def test_a_partner_gets_only_their_districts_profile(
    built: Home, client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    listing = client.get("/reports.json").json()
    assert listing["audience"] == "partner"
    assert [r["district"] for r in listing["reports"]] == [None, "E08000035"]
    assert client.get("/reports/partner/district-leeds.html").status_code == 200
    r = client.get("/reports/partner/district-bradford.html.json")
    assert r.status_code == 404
    assert client.get("/reports/partner/district-bradford.html").status_code == 404
    assert client.get("/reports/public/west-yorkshire-needs-assessment.html").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/reports/public/manifest.json",
        "/reports/public/..%2F..%2Fsecrets%2Fweb.key",
        "/reports/public/%2e%2e%2fmanifest.json",
        "/reports/public/assets/..%2F..%2F..%2Fsecrets%2Fweb.key",
        "/reports/public/assets/other.js",
        "/reports/public/../../secrets/web.key",
    ],
)
def test_no_other_file_can_be_reached(built: Home, client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404, path
    assert "web.key" not in r.text and "hex" not in r.text
