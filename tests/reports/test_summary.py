"""The executive summary: findings ranked by the strength of their evidence, each linked to a
section that exists in the rendered report, and recommendations shown as each audience may see
them."""

from __future__ import annotations

import doctest
import re
from collections.abc import Callable
from pathlib import Path

from tests.reports.recs_data import CURRENT, LEEDS, PREVIOUS, A, load, period, reads, rows
from vrhub import pipeline
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.reports import render
from vrhub.reports import summary as summary_module
from vrhub.reports.content import (
    DESCRIPTIVE,
    HOTSPOT,
    NOT_SIGNIFICANT,
    SIGNAL,
    SIGNIFICANT,
    Finding,
    Note,
    Paragraph,
    Section,
)
from vrhub.reports.recommendations import review, rules
from vrhub.reports.render import Page, render_html
from vrhub.reports.summary import ranked, summary

Write = Callable[..., Path]


def test_docstring_examples_run() -> None:
    for module in (summary_module, rules, render):
        assert doctest.testmod(module).failed == 0, module.__name__


def _sections() -> list[Section]:
    return [
        Section("timing", "When violence happens", findings=[Finding("Nights.", 40)]),
        Section(
            "place",
            "Where violence happens",
            findings=[Finding("Hotspots.", 25, HOTSPOT), Finding("Concentrated.", 35)],
        ),
        Section(
            "success-measures",
            "The Home Office success measures",
            findings=[
                Finding("Knife crime: no significant change.", 10, NOT_SIGNIFICANT),
                Finding("Admissions signal.", 60, SIGNAL),
                Finding("Knife crime rose.", 130, SIGNIFICANT),
            ],
        ),
    ]


def test_findings_are_ranked_by_strength_of_evidence_then_weight() -> None:
    order = [(f.text, s.id) for f, s in ranked(_sections())]
    assert order == [
        ("Knife crime rose.", "success-measures"),
        ("Admissions signal.", "success-measures"),
        ("Hotspots.", "place"),
        ("Knife crime: no significant change.", "success-measures"),
        ("Nights.", "timing"),
        ("Concentrated.", "place"),
    ]
    assert SIGNIFICANT.rank > SIGNAL.rank > HOTSPOT.rank > NOT_SIGNIFICANT.rank > DESCRIPTIVE.rank


def _analyst(home: Home) -> None:
    gov = pipeline.governance(home)
    try:
        gov.people.add_organisation("vrp", "The VRP", "partnership", "test")
        gov.people.add_user("asha", "Asha Patel", "vrp", "analyst", [], "pw-" * 5, "test")
    finally:
        gov.close()


def _texts(s: Section) -> str:
    return "\n".join(b.text for b in s.blocks if isinstance(b, Paragraph | Note))


def test_each_finding_links_to_a_section_of_the_rendered_report(wy_home: Home) -> None:
    body = _sections()
    for data in reads(wy_home):
        s = summary(body, data)
    text = _texts(s)
    # Strongest first, each with its reason and a link to its section.
    assert text.index("Knife crime rose.") < text.index("Hotspots.") < text.index("Nights.")
    assert "Knife crime rose. See [The Home Office success measures](#success-measures)." in text
    assert "Hotspot: a cluster or ranking of high rates" in text
    page = Page("T", "West Yorkshire", "p", "p", "analyst", "stamp")
    html = render_html(page, [s, *body], "html")
    start = html.index('<section id="summary"')
    within = html[start : html.index("</section>", start)]
    links = set(re.findall(r'<a href="#([a-z0-9-]+)">', within))
    assert links == {"success-measures", "place", "timing"}
    for anchor in links:
        assert f'<section id="{anchor}"' in html


def test_recommendations_per_audience(wy_home: Home, write_police_crime: Write) -> None:
    _analyst(wy_home)
    load(
        wy_home, write_police_crime, rows([(PREVIOUS, A, 2, "N", "15"), (CURRENT, A, 2, "N", "15")])
    )
    # None reviewed yet: every audience is told so; the analyst how to review them.
    for data in reads(wy_home, "public", LEEDS):
        before = _texts(summary([], data))
    assert (
        "No recommendation has been accepted yet for Leeds in the year ending September 2025"
        in before
    )
    # A public reader is told analysts review them, not given commands to run.
    assert "`vrhub" not in before and "analysts review the recommendations" in before
    for data in reads(wy_home, "analyst", LEEDS):
        assert "`vrhub recommendations propose`" in _texts(summary([], data))
    with open_hub(wy_home) as hub:
        added = review.propose(hub, period(), "cli:tester").added
        gov = hub.gov
        leeds = [r for r in added if r.area == LEEDS]
        hot = next(r for r in leeds if r.rule == "persistent-hotspot")
        child = next(r for r in leeds if r.subject == "children")
        young = next(r for r in leeds if r.subject == "under-25")
        review.edit(gov, hot.id, "asha", "Fund a problem-solving plan for the area.", "Concrete")
        accepted = review.decide(gov, hot.id, "asha", True)
        review.decide(gov, child.id, "asha", False, "Covered by the youth strategy")
    day = f"{accepted.decided_at:%Y-%m-%d}"

    for data in reads(wy_home, "analyst", LEEDS):
        analyst = _texts(summary([], data))
    assert "Fund a problem-solving plan for the area." in analyst
    assert f"Accepted by Asha Patel on {day}." in analyst
    assert f"Recommendation {young.id} (proposed, not yet reviewed): {young.text}" in analyst
    assert f"rejected by Asha Patel on {day} (Covered by the youth strategy)" in analyst
    assert "Leeds 011A" in analyst  # exact evidence, analyst tier
    assert "Rule: A cohort over-represented among victims (over-represented-cohort): " in analyst

    for audience in ("partner", "public"):
        for data in reads(wy_home, audience, LEEDS):
            shown = _texts(summary([], data))
        assert "Fund a problem-solving plan for the area." in shown
        assert f"Accepted by Asha Patel on {day}." in shown
        assert young.text not in shown and "not yet reviewed" not in shown
        assert child.text not in shown and "youth strategy" not in shown
        assert "Leeds 011A" not in shown and A not in shown  # no area below ward
        assert "among the ten highest rates" in shown
    # Another district's report shows none of Leeds's.
    for data in reads(wy_home, "public", "E08000032"):
        assert "problem-solving" not in _texts(summary([], data))


def test_the_summary_comes_right_after_the_key_findings(
    wy_home: Home, write_police_crime: Write
) -> None:
    from vrhub.reports.build import _sections

    load(
        wy_home, write_police_crime, rows([(PREVIOUS, A, 1, "Y", "30"), (CURRENT, A, 4, "Y", "30")])
    )
    for data in reads(wy_home):
        built = _sections(data)
    ids = [s.id for s in built]
    assert ids[:3] == ["key-findings", "summary", "success-measures"]
    [s] = [s for s in built if s.id == "summary"]
    text = _texts(s)
    # The knife rise (significant) comes before the concentration (descriptive), both linked.
    rise = text.index("knife-enabled serious violence rose")
    assert rise < text.index("Violence is concentrated")
    assert "See [The Home Office success measures](#success-measures)." in text[rise:]
    for anchor in re.findall(r"\]\(#([a-z0-9-]+)\)", text):
        assert anchor in ids
