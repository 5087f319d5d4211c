"""Partner-facing and public pages speak plainly (issue 16): no command-line options, field
names or statistical shorthand; the overview's Signal column is explained; a breakdown says
whose records and which districts it covers; a breakdown's CSV holds its groups alone."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook

from tests.reports.scan import html_text
from tests.web.conftest import sign_in
from vrhub.datasets import all_datasets

#: Shorthand a partner or member of the public should never meet unexplained.
JARGON = ("--", "sv_category", "XmR", "z-score", "p-value", "special-cause", "Gi*")
#: A field name as the store spells it (two or more lower-case words joined by "_").
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
#: Explorer pages besides those linked: each breakdown the form offers.
EXPLORE = [
    "/explore?by=sv_category",
    "/explore?by=district",
    "/explore?by=month",
    "/explore?by=age_group&dataset=ed-assault&measure=ed-assault-attendances",
]


def _crawl(client: TestClient, start: list[str]) -> dict[str, str]:
    """Every HTML page reachable from ``start`` on this site (not downloads or report
    files), with its visible text."""
    seen: dict[str, str] = {}
    todo = list(start)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        r = client.get(path)
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            seen[path] = ""
            continue
        seen[path] = html_text(r.text)[0]
        for href in re.findall(r'href="(/[^"#]*)"', r.text):
            u = urlparse(href.replace("&amp;", "&"))
            if u.path.startswith(("/assets", "/reports/")) or u.path.endswith(
                (".csv", ".xlsx", ".json", ".pdf")
            ):
                continue
            todo.append(href.replace("&amp;", "&"))
    return seen


#: The columns of partner files: a partner's own upload report names the columns of the file
#: it sent, as its header spells them, so it can find and mend the row.
HEADERS = {f.header for d in all_datasets() for f in d.fields}


def _jargon(pages: dict[str, str]) -> list[tuple[str, str, str]]:
    found = []
    for path, text in pages.items():
        for term in JARGON:
            at = text.find(term)
            if at >= 0:
                found.append((path, term, text[max(0, at - 60) : at + 60]))
        for m in SNAKE.finditer(text):
            if path.startswith("/data/uploads/") and m.group(0) in HEADERS:
                continue
            found.append((path, m.group(0), text[max(0, m.start() - 60) : m.end() + 60]))
    return found


@pytest.mark.parametrize("user", ["partner-leeds", "provider", "public", None])
def test_pages_for_partners_and_the_public_use_no_jargon(
    user: str | None, client: TestClient, passwords: dict[str, str]
) -> None:
    if user is not None:
        sign_in(client, user, passwords[user])
    start = ["/", "/public", "/reports"] + (EXPLORE if user else [])
    pages = _crawl(client, start)
    assert len([t for t in pages.values() if t]) >= (6 if user else 3), sorted(pages)
    assert _jargon(pages) == []


def test_the_analysts_pages_may_name_the_command(
    client: TestClient, passwords: dict[str, str]
) -> None:
    # The crawl's check itself finds what it looks for (so a clean result means something).
    sign_in(client, "analyst", passwords["analyst"])
    pages = _crawl(client, ["/reports"])
    text = pages["/reports"]
    assert ("vrhub report sna" in text) == ("No reports have been built" in text)
    assert _jargon({"/x": "run it --by sv_category, see the XmR chart"}) == [
        ("/x", "--", "run it --by sv_category, see the XmR chart"),
        ("/x", "sv_category", "run it --by sv_category, see the XmR chart"),
        ("/x", "XmR", "run it --by sv_category, see the XmR chart"),
        ("/x", "sv_category", "run it --by sv_category, see the XmR chart"),
    ]


@pytest.mark.parametrize("where", ["/overview", "/public"])
def test_the_signal_column_is_explained(
    where: str, client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    r = client.get(where)
    text = html_text(r.text)[0]
    assert 'href="#signal-note"' in r.text and 'id="signal-note"' in r.text
    for words in ("Signal says whether the latest month is unusual", '"Concern" means',
                  '"improvement" means', '"no signal" means', '"not judged" means'):  # fmt: skip
        assert words in text, words
    # The column's words are those explained.
    signals = {row[-1] for row in csv.reader(io.StringIO(client.get(f"{where}.csv").text))}
    explained = {"Concern", "Improvement", "No signal", "Not judged (too few records or months)"}
    assert signals - {"Signal", ""} <= explained, signals
    # Non-domestic homicide is rare (under two a month): published counts get no chart, so
    # it is "not judged", never a "no signal" no chart was drawn to give.
    rows = list(csv.DictReader(io.StringIO(client.get(f"{where}.csv").text)))
    rare = {r["Signal"] for r in rows if r["Measure"] == "Non-domestic homicide" and r["Signal"]}
    assert rare == {"Not judged (too few records or months)"}, rare


def test_a_breakdown_says_whose_records_and_which_districts(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    mine = client.get("/explore.json?by=district").json()
    assert "not only your organisation's" in mine["scope"]
    assert "for the districts you may see: Leeds." in mine["scope"]
    assert mine["scope"] in html_text(client.get("/explore?by=district").text)[0]
    client.cookies.clear()
    sign_in(client, "analyst", passwords["analyst"])
    every = client.get("/explore.json?by=district").json()
    assert "for all the partnership's districts" in every["scope"]


@pytest.mark.parametrize("user", ["partner-leeds", "analyst"])
def test_a_breakdowns_csv_holds_its_groups_and_the_total_apart(
    user: str, client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, user, passwords[user])
    rows = list(csv.reader(io.StringIO(client.get("/explore.csv?by=month").text)))
    assert rows[0][0] == "Month" and len(rows) == 1 + 12
    assert not [r for r in rows if r[0] == "Total"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/explore.xlsx?by=month").content))
    assert len(book.sheet_names) == 2
    total = book.get_sheet_by_name(book.sheet_names[1]).to_python()
    assert [r[0] for r in total[2:]] == ["Total"]
    # Without a breakdown the one row is the area's figure.
    whole = list(csv.reader(io.StringIO(client.get("/explore.csv").text)))
    assert len(whole) == 2
