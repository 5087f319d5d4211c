"""Data gaps and quality on a home built here with a partner not yet sharing, a late feed and a
field no row holds, each listed; services setting need (worked out here) against a register
not yet held; community voice saying 'not yet'. None of them reads a gap as zero."""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import police_crime_row
from vrhub import pipeline
from vrhub.datasets import all_datasets, get_dataset
from vrhub.datasets.spec import Factor
from vrhub.governance.terms import parse_terms
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.outputs.period import parse_period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports.content import Note, Paragraph, Subheading, Table
from vrhub.reports.sections import gaps as gaps_module
from vrhub.reports.sections import response as response_module
from vrhub.reports.sections.gaps import data_gaps
from vrhub.reports.sections.response import community_voice, services

PC = get_dataset("police-crime")
ED = get_dataset("ed-assault")
LEEDS, WAKEFIELD = "E08000035", "E08000036"
MONTHS = [f"2024-{m:02d}" for m in (10, 11, 12)] + [f"2025-{m:02d}" for m in range(1, 7)]
PERIOD = "year ending 2025-09"


def _agreement_for_ed(home: Home) -> None:
    """An agreement under which the test health organisation is to send ED attendances."""
    gov = pipeline.governance(home)
    try:
        terms = parse_terms(
            {
                "ref": "TEST-ED-01",
                "title": "Emergency-department assaults from the test health partner",
                "parties": ["test-nhs", "test-vrp"],
                "covers": [{"dataset": "ed-assault", "suppliers": ["test-nhs"]}],
                "lawful_basis": {"article6": "public-task", "article9": "9(2)(i) public health"},
                "purposes": ["testing"],
                "audiences": ["analyst", "partner", "public"],
                "retention_months": 60,
                "start_date": dt.date(2015, 1, 1),
                "status": "active",
            },
            "test",
        )
        gov.register.create(terms, "test")
    finally:
        gov.close()


def _wakefield_lsoa(home: Home) -> str:
    with open_hub(home) as hub:
        [(code,)] = hub.con.execute(
            "SELECT min(code) FROM ref_lsoa WHERE district = ? AND code = lsoa11", [WAKEFIELD]
        ).fetchall()
    return str(code)


def _rows(home: Home) -> list[dict[str, str]]:
    """Police records to June 2025 only (the period ends in September), never a suspect's age:
    in Leeds two knife crimes a month and one other assault on a man; in Wakefield three knife
    crimes in all."""
    rows = []
    for i, m in enumerate(MONTHS):
        for j in range(3):
            rows.append(
                police_crime_row(
                    10 * i + j,
                    occurred_from=f"{m}-1{j} 21:00",
                    recorded_date=f"{m}-1{j} 23:00",
                    knife_or_sharp_instrument="Y" if j < 2 else "N",
                    victim_sex="M",
                    suspect_age="",
                )
            )
    wake = _wakefield_lsoa(home)
    rows += [
        police_crime_row(
            900 + k,
            lsoa_code=wake,
            occurred_from=f"2025-0{k + 1}-07 20:00",
            recorded_date=f"2025-0{k + 1}-07 22:00",
            knife_or_sharp_instrument="Y",
            victim_sex="M",
            suspect_age="",
        )
        for k in range(3)
    ]
    return rows


@pytest.fixture
def home(wy_home: Home, write_police_crime: Callable[..., Path]) -> Home:
    _agreement_for_ed(wy_home)
    [r] = pipeline.ingest_paths(
        wy_home, PC, [write_police_crime("pc.csv", _rows(wy_home))], organisation="test-police"
    )
    assert r.status == "loaded"
    return wy_home


def _reads(home: Home, audience: str, district: str | None = None) -> Iterator[Reads]:
    with open_hub(home) as hub:
        yield Reads(hub.home, hub.con, hub.gov, audience, parse_period(PERIOD), district, Lineage())


def _under(section: Any, heading: str) -> list[str]:
    """The paragraphs under a subheading."""
    out: list[str] = []
    inside = False
    for b in section.blocks:
        if isinstance(b, Subheading):
            inside = b.text == heading
        elif inside and isinstance(b, Paragraph):
            out.append(b.text)
    return out


def test_docstring_examples_run() -> None:
    assert doctest.testmod(gaps_module).failed == 0
    assert doctest.testmod(response_module).failed == 0


def test_data_gaps_lists_each_gap_built_here(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    # A dataset standard that feeds the influential factors (hospital admissions standing in
    # for one, as none is loaded here).
    factor = Factor("Health", "admissions", why="test")
    patched = [
        dataclasses.replace(d, factor=factor) if d.name == "hospital-admission" else d
        for d in all_datasets()
    ]
    monkeypatch.setattr(gaps_module, "all_datasets", lambda: patched)
    for data in _reads(home, "analyst"):
        section = data_gaps.build(data)
    assert section.id == "data-gaps"
    assert _under(section, "Partners not yet sharing") == [
        f"Test health has not yet shared {ED.title} under agreement TEST-ED-01."
    ]
    [fields] = _under(section, "Fields not held")
    assert fields.startswith(f"{PC.title}: ") and "suspect_age (suspect's age in years)" in fields
    assert "victim_age" not in fields  # held in every row
    late = _under(section, "Feeds late or incomplete")
    assert any(
        t.startswith(f"{PC.title} from test-police: the latest month held is 2025-06, 3 months")
        for t in late
    ), late
    assert any("2025-07 to 2025-09 not held from every source" in t for t in late), late
    unshared = _under(section, "Influential factors not yet shared")
    assert (
        f"{get_dataset('hospital-admission').title} (Health): not yet shared, so its "
        "admissions are not counted in the influential factors."
    ) in unshared
    # Every factor standard is listed once, none of them being loaded here.
    factors = [d for d in patched if d.factor is not None]
    assert len(unshared) == len(factors) >= 8
    for d in factors:
        assert d.factor is not None
        assert sum(t.startswith(f"{d.title} ({d.factor.theme}):") for t in unshared) == 1, d.name
    scores = _under(section, "Data-quality scorecard")
    assert any(t.startswith(f"{PC.title} from ") for t in scores), scores
    text = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph | Note))
    assert " 0 " not in text and "zero" in text  # says gaps are never counted as zero


def test_data_gaps_in_a_district_profile_reads_only_its_district(home: Home) -> None:
    for data in _reads(home, "public", WAKEFIELD):
        section = data_gaps.build(data)
    [fields] = _under(section, "Fields not held")
    assert "for Wakefield" in fields and "suspect_age" in fields
    # The public sees no scorecard figure, only the ratings.
    scores = " ".join(_under(section, "Data-quality scorecard"))
    assert "%" not in scores


def test_services_says_the_register_is_not_held_and_shows_need(home: Home) -> None:
    for data in _reads(home, "analyst"):
        section = services.build(data)
        pops = {
            r.group[0]: r.population
            for r in data.measure("crime-rate", "police-crime", ["district"])[0].rows
        }
    first = next(b for b in section.blocks if isinstance(b, Paragraph))
    assert first.text.startswith("No interventions register is held yet")
    table = next(b for b in section.blocks if isinstance(b, Table))
    # Knife crimes in the year (to June, all the data held): Leeds 2 a month, Wakefield 3.
    leeds_n = 2 * sum(m >= "2024-10" for m in MONTHS)
    expected = {"Leeds": (leeds_n, pops[LEEDS]), "Wakefield": (3, pops[WAKEFIELD])}
    got = {row[0]: row for row in table.rows}
    for name, (n, pop) in expected.items():
        assert pop
        assert got[name][1] == str(n)
        assert got[name][2] == f"{1000 * n / pop:,.2f}"
        assert got[name][3] == "register not yet held"
    assert [row[0] for row in table.rows][:2] == sorted(
        expected, key=lambda k: -expected[k][0] / (expected[k][1] or 1)
    )
    for row in table.rows:
        if row[0] not in expected:  # no record: a rate of 0 is a real 0, not a gap
            assert row[3] == "register not yet held"


@pytest.mark.parametrize("audience", ["analyst", "public"])
def test_community_voice_says_not_yet_and_never_zero(home: Home, audience: str) -> None:
    for data in _reads(home, audience):
        section = community_voice.build(data)
    [text] = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert text.startswith("No consultation or feedback results are held yet")
    assert "will show" in text
    assert not any(isinstance(b, Table) for b in section.blocks)
    assert not any(ch.isdigit() for b in section.blocks for ch in getattr(b, "text", ""))
