"""The dashboard's foundation: sign-in, sessions, CSRF, headers, scoping and the error shape."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook

from tests.reports.scan import html_text, suspicious
from tests.web.conftest import sign_in
from vrhub import errors
from vrhub.governance.audit import home_secret
from vrhub.home import Home
from vrhub.web.downloads import neutralise
from vrhub.web.session import COOKIE, Session, Sessions


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_published_figures_need_no_sign_in_and_are_protected(client: TestClient) -> None:
    page = client.get("/public")
    assert page.status_code == 200
    text, _ = html_text(page.text)
    assert "Published figures" in text and "West Yorkshire" in text
    assert suspicious(text) == []
    assert "does not permit the public audience" in text  # hospital admissions
    data = client.get("/public.json").json()
    assert data["audience"] == "public"
    assert [a["name"] for a in data["areas"]][:2] == ["West Yorkshire", "Bradford"]
    for area in data["areas"]:
        for m in area["measures"]:
            for key in ("now_count", "before_count"):
                n = m.get(key)
                assert n is None or n % 5 == 0, (area["name"], m)
            assert all(v is None or v % 5 == 0 for v in m.get("series", []))


def test_every_other_page_needs_a_sign_in(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = client.get("/overview.json")
    assert r.status_code == 401
    assert r.json() == {
        "error": {"status": 401, "title": "Sign in needed", "message": "sign in to see this page"}
    }


def test_the_one_error_shape_and_page(client: TestClient) -> None:
    r = client.get("/no-such-page.json")
    assert r.status_code == 404
    assert r.json() == {"error": {"status": 404, "title": "Not found", "message": "Not Found"}}
    page = client.get("/no-such-page")
    assert page.status_code == 404 and '<h1 class="govuk-heading-l">Not found</h1>' in page.text


#: Each error class the dashboard answers for, with the status and title it answers with.
ANSWERS = [
    (errors.VrhubError, 400, "There is a problem"),
    (errors.UnsupportedFieldError, 400, "There is a problem"),
    (errors.SignInNeededError, 401, "Sign in needed"),
    (errors.AccessDeniedError, 403, "Not allowed"),
    (errors.AudienceForbiddenError, 403, "Not allowed"),
    (errors.UnknownPersonError, 404, "Not found"),
    (errors.UnknownDatasetError, 400, "There is a problem"),
    (errors.StoreInUseError, 409, "Not possible just now"),
    (errors.FileTooLargeError, 413, "File too large"),
    (errors.ConfigurationError, 500, "Something went wrong"),
]


@pytest.mark.parametrize(("error", "status", "title"), ANSWERS)
def test_an_error_is_answered_with_its_class_status(
    client: TestClient, error: type[errors.VrhubError], status: int, title: str
) -> None:
    def fails() -> None:
        raise error("what went wrong, in plain words")

    client.app.add_api_route("/fails", fails)  # type: ignore[attr-defined]
    client.app.add_api_route("/fails.json", fails)  # type: ignore[attr-defined]
    r = client.get("/fails.json")
    assert r.status_code == status
    assert r.json() == {
        "error": {"status": status, "title": title, "message": "what went wrong, in plain words"}
    }
    page = client.get("/fails", follow_redirects=False)
    if status == 401:  # a browser is sent to sign in
        assert page.status_code == 303 and page.headers["location"] == "/login"
        return
    assert page.status_code == status
    assert f'<h1 class="govuk-heading-l">{title}</h1>' in page.text
    assert "what went wrong, in plain words" in page.text


def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: TestClient, passwords: dict[str, str]
) -> None:
    for username, password in (("analyst", "not-the-password"), ("nobody", "whatever-it-is")):
        form = client.get("/login")
        r = client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": _token(form.text)},
        )
        assert r.status_code == 400
        assert "The user name or password is not right" in r.text
        assert COOKIE not in r.cookies


def test_missing_or_forged_csrf_tokens_are_refused(
    client: TestClient, passwords: dict[str, str]
) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "analyst", "password": passwords["analyst"]})
    assert r.status_code == 403 and "did not come from this site" in r.text
    r = client.post(
        "/login",
        data={"username": "analyst", "password": passwords["analyst"], "csrf_token": "forged"},
    )
    assert r.status_code == 403
    sign_in(client, "analyst", passwords["analyst"])
    r = client.post("/logout", data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert client.get("/overview.json").status_code == 200  # still signed in


def test_lockout_after_repeated_failures(client: TestClient, passwords: dict[str, str]) -> None:
    for _ in range(5):
        form = client.get("/login")
        client.post(
            "/login",
            data={"username": "practitioner", "password": "wrong", "csrf_token": _token(form.text)},
        )
    form = client.get("/login")
    r = client.post(
        "/login",
        data={
            "username": "practitioner",
            "password": passwords["practitioner"],
            "csrf_token": _token(form.text),
        },
    )
    # The same answer as any failed sign-in: nothing says the account exists or is paused.
    assert r.status_code == 400 and "cannot sign in just now" in r.text


def test_a_partner_sees_only_their_district(client: TestClient, passwords: dict[str, str]) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    data = client.get("/overview.json").json()
    assert data["audience"] == "partner"
    assert [a["name"] for a in data["areas"]] == ["West Yorkshire", "Leeds"]
    page = client.get("/")
    assert "Bradford" not in page.text and "Demo partner (Leeds) (partner)" in page.text
    text, _ = html_text(page.text)
    assert suspicious(text) == []


def test_an_analyst_sees_exact_figures_for_every_district(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    data = client.get("/overview.json").json()
    assert data["audience"] == "analyst" and len(data["areas"]) == 6
    sv = data["areas"][0]["measures"][0]
    assert sv["measure"] == "serious-violence" and sv["now_count"] > 0
    hospital = data["areas"][0]["measures"][1]
    assert "withheld" not in hospital


def test_sign_out_and_expired_or_forged_sessions(
    client: TestClient, web_home: Home, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    page = client.get("/")
    r = client.post("/logout", data={"csrf_token": _token(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?signed_out=1"
    assert client.get("/overview.json").status_code == 401
    # An expired session (signed correctly, last used long ago) must sign in again.
    sessions = Sessions(home_secret(web_home.path, "web"), web_home.settings.session_minutes)
    old = sessions.new("analyst")
    stale = sessions.dump(type(old)(old.username, old.csrf, time.time() - 3600))
    client.cookies.clear()
    sent = {"cookie": f"{COOKIE}={stale}"}
    r = client.get("/", headers=sent, follow_redirects=False)
    assert r.headers["location"] == "/login?expired=1"
    message = client.get("/overview.json", headers=sent).json()["error"]["message"]
    assert message.startswith("your session has expired")
    forged = {"cookie": f"{COOKIE}=forged.value"}
    assert client.get("/overview.json", headers=forged).status_code == 401


def test_security_headers_and_no_inline_script(client: TestClient) -> None:
    for path in ("/public", "/login", "/no-such-page"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
        for tag in re.findall(r"<script[^>]*>", r.text):
            assert "src=" in tag, tag
        assert "style=" not in r.text
        assert "GDS Transport" not in client.get("/assets/vrhub.css").text


def test_session_cookie_flags(client: TestClient, passwords: dict[str, str]) -> None:
    form = client.get("/login")
    r = client.post(
        "/login",
        data={"username": "admin", "password": passwords["admin"], "csrf_token": _token(form.text)},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie


def test_downloads_come_from_the_same_view_with_the_same_scope(
    client: TestClient, passwords: dict[str, str]
) -> None:
    r = client.get("/public.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert (
        'attachment; filename="west-yorkshire-published-figures-'
        in r.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:3] == ["Area", "Area code", "Measure"]
    view = client.get("/public.json").json()
    assert len(rows) - 1 == sum(len(a["measures"]) for a in view["areas"])
    for row in rows[1:]:
        for cell in row[3:5]:
            assert cell == "" or cell == "[c]" or int(cell) % 5 == 0, row
        # Text that a spreadsheet would run as a formula is neutralised.
        assert not row[5].startswith(("-", "+", "=", "@")), row
    assert any(row[5].startswith("'-") or row[5].startswith("'+") for row in rows[1:])
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    book = client.get("/overview.xlsx")
    assert book.status_code == 200
    path = io.BytesIO(book.content)
    sheet = CalamineWorkbook.from_filelike(path).get_sheet_by_index(0).to_python()
    assert sheet[1][:3] == ["Area", "Area code", "Measure"]
    assert {r[0] for r in sheet[2:]} == {"West Yorkshire", "Leeds"}


def test_formula_neutralising() -> None:
    for bad in ("=1+1", "+44", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("Leeds") == "Leeds" and neutralise(-5) == -5


def test_sessions_end_at_sign_out_on_any_change_and_after_their_lifetime(
    client: TestClient, web_home: Home
) -> None:
    """A copied cookie is of no use after sign-out, a password, role or status change, or
    twelve hours after sign-in however active (issue 15, finding 6)."""
    web = client.app.state.web  # type: ignore[attr-defined]
    people = web.gov.people
    people.add_user("sess", "Session test", "wyvrp", "analyst", [], "a-long-test-password", "t")

    def signed_in_cookie(password: str) -> str:
        client.cookies.clear()
        sign_in(client, "sess", password)
        return next(c.value for c in client.cookies.jar if c.name == COOKIE and c.value)

    def works(cookie: str) -> bool:
        client.cookies.clear()
        client.cookies.set(COOKIE, cookie)
        return client.get("/overview.json").status_code == 200

    cookie = signed_in_cookie("a-long-test-password")
    assert works(cookie)
    page = client.get("/")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert not works(cookie)
    password = "a-long-test-password"
    for change in ({"password": "another-long-password"}, {"role": "partner"}, {"active": False}):
        time.sleep(0.01)
        cookie = signed_in_cookie(password)
        assert works(cookie)
        time.sleep(0.01)
        people.change("sess", "t", **change)
        password = str(change.get("password", password))
        assert not works(cookie), change
    people.change("sess", "t", active=True)
    assert not works(cookie)  # switched off and on again: that session stays ended
    # However active, a session ends twelve hours after it began.
    old = time.time() - 13 * 3600
    stale = web.sessions.dump(Session("analyst", "x" * 43, time.time(), old))
    client.cookies.clear()
    client.cookies.set(COOKIE, stale)
    r = client.get("/overview.json")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_transport_unexpected_errors_hsts_no_host_redirect_and_a_signed_sign_in_token(
    client: TestClient, web_home: Home
) -> None:
    """Issue 15, finding 11."""
    app = client.app

    def broken() -> None:
        raise RuntimeError("a bug that names nothing")

    for path in ("/test-broken.json", "/test-broken"):
        app.add_api_route(path, broken)  # type: ignore[attr-defined]
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        r = c.get("/test-broken.json")
        assert r.status_code == 500
        assert r.json()["error"]["title"] == "Something went wrong"
        assert "a bug that names nothing" not in r.text
        assert "default-src" in r.headers["content-security-policy"]
        page = c.get("/test-broken", headers={"accept": "text/html"})
        assert page.status_code == 500 and "<html" in page.text.lower()
    r = client.get("/login")
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    # No redirect is built from the Host header.
    r = client.get("/overview/", headers={"host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 404 and "evil.example" not in r.headers.get("location", "")
    # A sign-in token someone planted (with its cookie) is refused: it is not signed.
    client.cookies.clear()
    client.cookies.set("vrhub_login", "chosen-by-someone-else")
    r = client.post(
        "/login",
        data={"username": "analyst", "password": "x" * 12, "csrf_token": "chosen-by-someone-else"},
        follow_redirects=False,
    )
    assert r.status_code == 403


@pytest.mark.parametrize("name", ["cli:root", "vrhub", "unknown:x", "Demo", "-lead", "sp ace"])
def test_user_names_cannot_pass_for_the_trails_own_actors(web_home: Home, name: str) -> None:
    from vrhub import pipeline

    gov = pipeline.governance(web_home)
    try:
        with pytest.raises(errors.GovernanceError, match="cannot be a user name"):
            gov.people.add_user(name, "X", "wyvrp", "analyst", [], "a-long-test-password", "t")
    finally:
        gov.close()
