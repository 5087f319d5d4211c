"""The dashboard in Debian's Chromium, served by uvicorn on a real port: sign in, look, sign out,
with axe-core finding no accessibility violation on any page on the way."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
from playwright.sync_api import sync_playwright

from tests.reports.test_accessibility import ARTEFACTS, axe_violations, chromium
from tests.web.conftest import free_port


def test_sign_in_look_and_sign_out_in_chromium(server: str, passwords: dict[str, str]) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        try:
            # axe is injected as a script, which the site's policy would block: this context
            # sets the policy aside; the test below checks the pages under it.
            page = browser.new_page(bypass_csp=True)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "console",
                lambda m: (
                    errors.append(m.text)
                    if m.type == "error" and "Failed to load resource" not in m.text
                    else None
                ),
            )
            page.goto(f"{server}/public")
            assert axe_violations(page) == []
            page.goto(f"{server}/")
            assert page.url.endswith("/login")
            assert axe_violations(page) == []
            page.fill("#username", "partner-leeds")
            page.fill("#password", "wrong password")
            page.get_by_role("button", name="Sign in", exact=True).click()
            assert "The user name or password is not right" in page.inner_text(
                ".govuk-error-summary"
            )
            assert axe_violations(page) == []
            page.fill("#username", "partner-leeds")
            page.fill("#password", passwords["partner-leeds"])
            page.keyboard.press("Enter")
            page.wait_for_url(f"{server}/")
            assert page.locator("h2", has_text="Leeds").count() == 1
            assert page.locator("h2", has_text="Bradford").count() == 0
            assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
            assert axe_violations(page) == []
            page.screenshot(path=str(ARTEFACTS / "dashboard-overview-partner.png"), full_page=True)
            page.click("text=Sign out")
            page.wait_for_url(f"{server}/login?signed_out=1")
            assert "You have signed out" in page.inner_text("main")
            page.goto(f"{server}/")
            assert page.url.endswith("/login")
            assert errors == []
        finally:
            browser.close()


def test_pages_run_under_their_content_security_policy(
    server: str, passwords: dict[str, str]
) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            for path in ("/public", "/login"):
                page.goto(f"{server}{path}")
                page.wait_for_function(
                    "document.body.classList.contains('govuk-frontend-supported')"
                )
            page.fill("#username", "analyst")
            page.fill("#password", passwords["analyst"])
            page.get_by_role("button", name="Sign in", exact=True).click()
            page.wait_for_url(f"{server}/")
            assert page.locator("main h2.govuk-heading-m").count() == 6
            assert problems == []
        finally:
            browser.close()


def test_vrhub_serve_serves_the_dashboard(demo_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)  # another process: its own copy of the store
    port = free_port()
    vrhub = Path(sys.executable).parent / "vrhub"
    proc = subprocess.Popen(
        [str(vrhub), "serve", "--home", str(home), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/public.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["audience"] == "public"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
