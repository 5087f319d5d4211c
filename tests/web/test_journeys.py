"""Every role's journey in Debian's Chromium by keyboard alone: sign in, go to every page the
role may see from the navigation, explore a measure, upload a file and read its validation
result, download, sign out; axe-core finds no violation on any page. Screenshots are kept in
test-artefacts/. Without JavaScript the explorer and place pages still work (charts as tables)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from tests.reports.test_accessibility import ARTEFACTS, axe_violations, chromium

#: The navigation each role sees, in order.
NAVIGATION = {
    "admin": [
        "Overview",
        "Explore measures",
        "Place",
        "Data",
        "Reports",
        "Published figures",
        "Governance",
    ],
    "analyst": ["Overview", "Explore measures", "Place", "Data", "Reports", "Published figures"],
    "partner-leeds": [
        "Overview",
        "Explore measures",
        "Place",
        "Data",
        "Reports",
        "Published figures",
    ],
    "provider": ["Overview", "Explore measures", "Place", "Reports", "Published figures"],
    "practitioner": ["Overview", "Explore measures", "Place", "Reports", "Published figures"],
    "public": ["Overview", "Explore measures", "Place", "Reports", "Published figures"],
}


HREFS = {
    "Overview": "/",
    "Explore measures": "/explore",
    "Place": "/place",
    "Data": "/data",
    "Reports": "/reports",
    "Published figures": "/public",
    "Governance": "/governance",
}


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def choose_file_by_keyboard(page: Page, path: Path, tries: int = 3) -> None:
    """Open the focused file input's chooser with Space and choose ``path``.

    Playwright starts catching the chooser asynchronously; on a loaded machine the key can
    arrive first and the chooser open unseen, so the key is pressed again (the input keeps
    the focus) up to ``tries`` times."""
    for attempt in range(tries):
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            if attempt == tries - 1:
                raise
            assert page.evaluate("() => document.activeElement?.id") == "file"
            continue
        chooser.value.set_files(str(path))
        return


def sign_in_by_keyboard(page: Page, server: str, user: str, password: str) -> None:
    page.goto(f"{server}/login")
    tab_to(page, "#username")
    page.keyboard.type(user)
    tab_to(page, "#password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/")


def follow_link(page: Page, text: str) -> None:
    """Reach a navigation link by Tab from the top of the page and follow it with Enter."""
    page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
    page.focus("body")
    tab_to(page, f'.govuk-service-navigation__list a[href="{HREFS[text]}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _check(page: Page, name: str) -> None:
    assert axe_violations(page) == [], f"{name}: {page.url}"
    assert page.locator("main h1").count() == 1, name


def test_every_role_by_keyboard(server: str, passwords: dict[str, str]) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        try:
            for user, links in NAVIGATION.items():
                page = browser.new_page(bypass_csp=True, viewport={"width": 1280, "height": 900})
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                sign_in_by_keyboard(page, server, user, passwords[user])
                shown = page.locator(".govuk-service-navigation__list a").all_inner_texts()
                assert [t.strip() for t in shown] == links, user
                _check(page, f"{user} overview")
                for text in links[1:]:
                    follow_link(page, text)
                    _check(page, f"{user} {text}")
                    page.screenshot(
                        path=str(ARTEFACTS / f"journey-{user}-{text.lower().replace(' ', '-')}.png")
                    )
                tab_to(page, "button.vrhub-brand__signout")
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                assert "You have signed out" in page.inner_text("main"), user
                assert errors == [], user
                page.close()
        finally:
            browser.close()


def test_partner_explores_uploads_and_downloads_by_keyboard(
    server: str, passwords: dict[str, str], tmp_path: Path
) -> None:
    rows = [
        police_crime_row(i, occurred_from="2026-09-12 23:40", recorded_date="2026-09-13 08:00")
        for i in range(12)
    ]
    rows[2]["victim_age"] = "two hundred"
    extract = tmp_path / "wyp-extract.csv"
    with open(extract, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, POLICE_CRIME_HEADER)
        w.writeheader()
        w.writerows(rows)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        try:
            page = browser.new_page(bypass_csp=True, accept_downloads=True)
            sign_in_by_keyboard(page, server, "partner-leeds", passwords["partner-leeds"])
            # Explore: Leeds by month, chosen with the keyboard.
            follow_link(page, "Explore measures")
            tab_to(page, "#area")
            page.keyboard.type("Leeds")
            tab_to(page, "#by")
            page.keyboard.type("Month")
            tab_to(page, "form.vrhub-explore button")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "by=month" in page.url and "area=E08000035" in page.url
            assert page.locator("figure.vrhub-figure svg").count() == 1
            assert page.locator("main table tbody tr").count() == 13
            _check(page, "explore result")
            page.screenshot(path=str(ARTEFACTS / "dashboard-explore-partner.png"), full_page=True)
            tab_to(page, 'a[href^="/explore.csv"]')
            with page.expect_download() as got:
                page.keyboard.press("Enter")
            lines = list(csv.reader(io.StringIO(Path(got.value.path()).read_text())))
            # The months alone: the total is kept out of the rows (a sheet of the workbook).
            assert lines[0][0] == "Month" and lines[-1][0] != "Total" and len(lines) == 13
            # Upload a file under the council's agreement and read what the check found.
            follow_link(page, "Data")
            tab_to(page, 'a[href="/data/upload"]')
            with page.expect_navigation():
                page.keyboard.press("Enter")
            _check(page, "upload form")
            tab_to(page, "input[name=choice]")
            page.keyboard.press("Space")
            assert page.locator("input[name=choice]:checked").count() == 1
            tab_to(page, "#file")
            choose_file_by_keyboard(page, extract)
            tab_to(page, "main form button")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "/data/uploads/" in page.url
            text = page.inner_text("main")
            assert "11 of 12 rows were loaded" in text and "victim_age" in text
            _check(page, "validation result")
            page.screenshot(path=str(ARTEFACTS / "dashboard-upload-result.png"), full_page=True)
            follow_link(page, "Data")
            assert "wyp-extract.csv" in page.inner_text("main")
            page.close()
        finally:
            browser.close()


def test_explore_and_place_work_without_javascript(server: str, passwords: dict[str, str]) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            page.goto(f"{server}/login")
            page.fill("#username", "analyst")
            page.fill("#password", passwords["analyst"])
            page.get_by_role("button", name="Sign in", exact=True).click()
            page.wait_for_url(f"{server}/")
            page.goto(f"{server}/explore")
            page.select_option("#by", "district")
            page.click("form.vrhub-explore button")
            page.wait_for_url("**/explore?**by=district**")
            assert page.locator("main table tbody tr").count() == 6  # five districts and total
            page.goto(f"{server}/place?area=E08000035")
            assert page.locator("#ranked").count() == 1
            # The map's figures are there as a table: the 50 highest, then every neighbourhood
            # through the link below it.
            assert page.locator("#ranked ~ div table tbody tr").count() == 50
            page.get_by_role("link", name="Show all 481 neighbourhoods on this page").click()
            page.wait_for_url("**rows=all**")
            assert page.locator("#ranked ~ div table tbody tr").count() == 481  # see test_pages
            page.set_viewport_size({"width": 1280, "height": 1000})
            page.screenshot(path=str(ARTEFACTS / "dashboard-place-analyst.png"))
        finally:
            browser.close()
