"""The generated HTML in a real browser: axe-core finds no accessibility violation, the charts
draw interactively, and without JavaScript every chart is still there as a drawing and a table.

Runs Debian's Chromium (``apt-get install chromium``) through Playwright, and axe-core from npm
(``make test`` installs it). Screenshots are kept in ``test-artefacts/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from vrhub.reports.build import BuildResult

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / "test-artefacts"
#: WCAG 2.2 A and AA, and axe's best practices (heading order, landmarks, one h1...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is needed: apt-get install -y chromium (.ci/run does this)"
    return found


def axe_violations(page: Page) -> list[dict[str, Any]]:
    assert AXE.is_file(), "axe-core is needed: npm ci (make test does this)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def test_reports_pass_axe_in_chromium_with_interactive_charts(
    analyst: BuildResult, public: BuildResult
) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    pages = [analyst.reports[0].html, *(r.html for r in public.reports), public.out / "index.html"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for path in pages:
                page.goto(path.as_uri())
                if path.name != "index.html":
                    charts = page.locator("[data-spec]").count()
                    assert charts > 0
                    # Every chart replaced by its interactive drawing.
                    page.wait_for_function(
                        "n => document.querySelectorAll('.chart-view .vega-embed').length === n",
                        arg=charts,
                        timeout=60_000,
                    )
                    assert page.locator("details.chart-data[open]").count() == 0
                assert axe_violations(page) == [], path.name
                assert errors == [], path.name
            page.goto(analyst.reports[0].html.as_uri())
            page.screenshot(path=str(ARTEFACTS / "report-analyst.png"), full_page=False)
        finally:
            browser.close()


def test_without_javascript_charts_are_drawings_and_tables(public: BuildResult) -> None:
    report = public.reports[0].html
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            page.goto(report.as_uri())
            charts = page.locator("figure.chart")
            assert charts.count() >= 6
            for i in range(charts.count()):
                fig = charts.nth(i)
                assert fig.locator(".chart-view svg").count() == 1
                assert fig.locator("details.chart-data[open] table").count() == 1
                assert fig.locator("details.chart-data table").is_visible()
            assert page.locator("h1").count() == 1
            page.screenshot(path=str(ARTEFACTS / "report-no-javascript.png"))
        finally:
            browser.close()


def test_keyboard_reaches_the_contents_and_every_chart_table(public: BuildResult) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium())
        try:
            page = browser.new_page()
            page.goto(public.reports[0].html.as_uri())
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip-link"
            page.keyboard.press("Enter")
            assert page.evaluate("location.hash") == "#main"
            summaries = page.locator("details.chart-data summary").count()
            seen = 0
            for _ in range(400):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.tagName") == "SUMMARY":
                    seen += 1
                    if seen == 1:
                        page.keyboard.press("Enter")
                        assert page.locator("details.chart-data[open]").count() >= 1
                if seen == summaries:
                    break
            assert seen == summaries
        finally:
            browser.close()
