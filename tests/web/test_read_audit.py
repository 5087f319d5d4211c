"""Every read of restricted data on the dashboard is in the audit trail before it is answered:
pages, downloads and report files, by whom and for which audience; the published figures and
assets are not; a read that cannot be recorded is refused; the governance page shows them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.governance.conftest import add_orgs
from tests.web.conftest import serve, sign_in
from vrhub import pipeline
from vrhub.cli import main
from vrhub.governance.context import Governance
from vrhub.home import Home
from vrhub.records.models import AuditEntry
from vrhub.web.app import create_app

LEEDS = "E08000035"
PASSWORD = "a long enough passphrase"


@pytest.fixture
def gov(client: TestClient) -> Governance:
    """The dashboard's own governance (its record store and audit trail)."""
    g: Governance = client.app.state.web.gov  # type: ignore[attr-defined]
    return g


def newest(gov: Governance) -> int:
    [entry] = gov.audit.show(limit=1) or [None]
    return entry.seq if entry else 0


def reads_since(gov: Governance, seq: int) -> list[AuditEntry]:
    return [e for e in reversed(gov.audit.show(action="read", limit=1000)) if e.seq > seq]


def test_a_page_view_is_one_read(
    client: TestClient, gov: Governance, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    start = newest(gov)
    r = client.get("/overview")
    assert r.status_code == 200
    [entry] = reads_since(gov, start)
    assert (entry.actor, entry.action, entry.target) == ("analyst", "read.page", "/overview")
    assert json.loads(entry.details) == {
        "audience": "analyst",
        "format": "html",
        "choices": {},
        "districts": "all",
    }


def test_a_download_is_one_read_with_its_choices_and_districts(
    client: TestClient, gov: Governance, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    start = newest(gov)
    r = client.get("/explore.csv?by=age_group&colour=blue")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    [entry] = reads_since(gov, start)
    assert (entry.actor, entry.action, entry.target) == (
        "partner-leeds",
        "read.download",
        "/explore.csv",
    )
    details = json.loads(entry.details)
    assert details == {
        "audience": "partner",
        "format": "csv",
        "choices": {"by": "age_group"},  # only parameters the dashboard knows
        "districts": [LEEDS],
    }
    # The figures themselves are never in the trail.
    assert r.text.splitlines()[1].split(",")[0] not in entry.details


def test_a_report_file_is_one_read(
    client: TestClient, gov: Governance, web_home: Home, passwords: dict[str, str]
) -> None:
    folder = web_home.path / "reports" / "analyst"
    (folder / "assets").mkdir(parents=True, exist_ok=True)
    (folder / "assets" / "report.css").write_text("body {}", encoding="utf-8")
    (folder / "needs-assessment.html").write_text("<h1>Needs assessment</h1>", encoding="utf-8")
    manifest = {
        "period": {"label": "year ending 2026-09"},
        "reports": [
            {"title": "Needs assessment", "district": None, "html": "needs-assessment.html"}
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    sign_in(client, "analyst", passwords["analyst"])
    start = newest(gov)
    assert client.get("/reports/analyst/assets/report.css").status_code == 200
    assert reads_since(gov, start) == []  # the report's style sheet holds no figures
    assert "Needs assessment" in client.get("/reports/analyst/needs-assessment.html").text
    [entry] = reads_since(gov, start)
    assert (entry.actor, entry.action, entry.target) == (
        "analyst",
        "read.report",
        "/reports/analyst/needs-assessment.html",
    )
    assert json.loads(entry.details)["format"] == "html"


def test_published_figures_assets_and_refusals_are_not_reads(
    client: TestClient, gov: Governance, passwords: dict[str, str]
) -> None:
    start = newest(gov)
    for path in ("/public", "/public.json", "/public.csv", "/assets/vrhub.css", "/login"):
        assert client.get(path).status_code == 200, path
    assert client.get("/reports.json").status_code == 200  # a visitor: the public set
    assert client.get("/overview", follow_redirects=False).status_code == 303
    assert reads_since(gov, start) == []
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    start = newest(gov)
    assert client.get("/public").status_code == 200  # anyone's to see, signed in or not
    assert client.get("/governance").status_code == 403  # refused: nothing was read
    assert client.get("/place?area=E08000032").status_code == 403
    assert reads_since(gov, start) == []


def rename(gov: Governance, old: str, new: str) -> None:
    with gov.records.engine.begin() as con:
        con.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def test_a_read_that_cannot_be_recorded_is_not_served(
    client: TestClient, gov: Governance, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    assert client.get("/place.json").status_code == 200
    start = newest(gov)
    rename(gov, "audit_log", "audit_log_away")
    try:
        for path in ("/place", "/place.json", "/place.csv"):
            r = client.get(path)
            assert r.status_code == 503, path
            assert "could not be" in r.text
            assert "Place:" not in r.text and "neighbourhood" not in r.text  # nothing leaked
            assert r.headers["Cache-Control"] == "no-store"
    finally:
        rename(gov, "audit_log_away", "audit_log")
    assert reads_since(gov, start) == []
    assert client.get("/place.json").status_code == 200  # recorded again once it can be
    assert len(reads_since(gov, start)) == 1
    report = gov.audit.verify()
    assert report.intact, report.problems


def test_the_governance_page_shows_who_read_what(
    client: TestClient, gov: Governance, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    assert client.get("/explore.json?by=district").status_code == 200
    sign_in(client, "admin", passwords["admin"])
    page = client.get("/governance")
    assert page.status_code == 200
    assert "Who read what" in page.text
    assert 'href="/governance?reader=analyst#reads"' in page.text
    view = client.get("/governance.json").json()
    tables = {t["id"]: t for t in view["who_read_what"]}
    readers = {row[0]: row for row in tables["readers"]["rows"]}
    assert tables["readers"]["columns"][:3] == ["Who", "Reads", "Pages"]
    assert readers["analyst"][1] >= 2 and readers["admin"][2] >= 1  # admin: the page above
    theirs = client.get("/governance.json?reader=analyst").json()
    reads = next(t for t in theirs["who_read_what"] if t["id"] == "reads")
    assert {row[2] for row in reads["rows"]} == {"analyst"}
    assert reads["rows"][0][3:9] == [
        "download",
        "/explore.json",
        "analyst",
        "json",
        "by: district",
        "all",
    ]
    # The governance page is itself a read, recorded with its filter.
    [last] = gov.audit.show(action="read.download", actor="admin", limit=1)
    assert last.target == "/governance.json"
    assert json.loads(last.details)["choices"] == {"reader": "analyst"}


# -- a real server on each record store ---------------------------------------------------
@pytest.fixture
def served(gov_home: Home) -> Iterator[tuple[str, Home]]:
    """The dashboard of a home with an administrator and a partner, served by uvicorn."""
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.people.add_user("ada", "Ada", "vrp", "administrator", [], PASSWORD, "test")
        gov.people.add_user("lee", "Lee", "leeds", "partner", [LEEDS], PASSWORD, "test")
    finally:
        gov.close()
    with serve(create_app(gov_home), "127.0.0.1") as address:
        yield address, gov_home


def signed_in(base: str, username: str) -> dict[str, str]:
    """The cookies of a session (Secure cookies: carried by hand over plain HTTP)."""
    with httpx.Client(base_url=base, timeout=30) as c:
        form = c.get("/login")
        token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        r = c.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            headers={"cookie": "; ".join(f"{k}={v}" for k, v in form.cookies.items())},
        )
        assert r.status_code == 303, r.text[:300]
        return dict(r.cookies)


def get(base: str, cookies: dict[str, str], path: str) -> Any:
    jar = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return httpx.get(f"{base}{path}", headers={"cookie": jar}, timeout=60)


def test_24_reads_at_once_are_24_entries_and_the_trail_stays_whole(
    served: tuple[str, Home], capsys: pytest.CaptureFixture[str]
) -> None:
    base, home = served
    people = {"ada": signed_in(base, "ada"), "lee": signed_in(base, "lee")}
    paths = ["/reports", "/reports.json", "/reports.csv", "/reports.xlsx"]

    def read(i: int) -> int:
        who = "ada" if i % 2 else "lee"
        return int(get(base, people[who], paths[i % 4]).status_code)

    with ThreadPoolExecutor(max_workers=24) as pool:
        assert list(pool.map(read, range(24))) == [200] * 24
    gov = pipeline.governance(home)
    try:
        reads = gov.audit.show(action="read", limit=100)
        assert len(reads) == 24
        assert sorted((e.actor, e.target) for e in reads) == sorted(
            ("ada" if i % 2 else "lee", paths[i % 4]) for i in range(24)
        )
        audiences = {e.actor: json.loads(e.details)["audience"] for e in reads}
        assert audiences == {"ada": "analyst", "lee": "partner"}
    finally:
        gov.close()
    assert main(["audit", "verify", "--home", str(home.path)]) == 0
    assert "The audit trail is intact" in capsys.readouterr().out


def test_on_each_record_store_a_read_that_cannot_be_recorded_is_refused(
    served: tuple[str, Home],
) -> None:
    base, home = served
    cookies = signed_in(base, "ada")
    gov = pipeline.governance(home)
    try:
        rename(gov, "audit_log", "audit_log_away")
        try:
            r = get(base, cookies, "/reports.json")
        finally:
            rename(gov, "audit_log_away", "audit_log")
        assert r.status_code == 503
        assert r.json()["error"]["title"] == "Not available just now"
        assert "tables" not in r.text
        assert gov.audit.show(action="read") == []
        # A control character in a query (a server database refuses NUL) is left out.
        assert get(base, cookies, "/governance.json?actor=a%00b").status_code == 200
        [read] = gov.audit.show(action="read")
        assert json.loads(read.details)["choices"] == {"actor": "ab"}
    finally:
        gov.close()
