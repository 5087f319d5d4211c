"""The People section (issue 17 point 2): victims and people suspected of causing harm by age,
sex and ethnicity, repeat victims and suspects counted by pseudonym, children as victims and
as suspects. Every figure is checked against a count worked out here from the rows written."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from tests.reports.scan import suspicious
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.datasets.police_crime import ETHNICITY
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.measures.cohorts import NOT_RECORDED, age_population, breakdown
from vrhub.measures.repeats import repeats
from vrhub.months import month_range
from vrhub.outputs.period import parse_period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports.content import Note, Paragraph, Section, Table
from vrhub.reports.sections.people import people

PC = get_dataset("police-crime")
LEEDS, BRADFORD = "E08000035", "E08000032"
LSOA = {LEEDS: "E01011264", BRADFORD: "E01010646"}
PERIOD = "year ending 2025-09"
NOW = month_range("2024-10", "2025-09")
BEFORE = month_range("2023-10", "2024-09")
HEADER = [*POLICE_CRIME_HEADER, "victim_ethnicity", "suspect_sex", "suspect_ethnicity"]
GROUPS = [
    ("008/01", "Violence against the person"),
    ("034/02", "Robbery"),
    ("019/07", "Sexual offences"),
    ("046/00", "Criminal damage and arson"),  # not violence: never counted
]
ETH_CODES = {"asian": ETHNICITY[0], "Black": ETHNICITY[1], "White": ETHNICITY[3]}


def _rows(seed: int = 5) -> list[dict[str, str]]:
    """Two years of offences in Leeds and Bradford: victims from a pool of 70 people and
    suspects from a pool of 40 (so both repeat), some details blank, some offences not
    violent."""
    rng = random.Random(seed)
    rows = []
    for i in range(900):
        month = rng.choice(NOW + BEFORE)
        code, group = rng.choice(GROUPS)
        district = rng.choice([LEEDS, LEEDS, BRADFORD])
        row = police_crime_row(
            i,
            ho_offence_code=code,
            ho_offence_group=group,
            occurred_from=f"{month}-11 22:00",
            recorded_date=f"{month}-12 09:00",
            lsoa_code=LSOA[district],
            victim_id=rng.choice([f"P{rng.randrange(70):03d}", ""]) if i % 9 == 0 else
            f"P{rng.randrange(70):03d}",
            victim_age=rng.choice(["", "4", "11", "13", "15", "17", "18", "24", "25", "40", "70"]),
            victim_sex=rng.choice(["F", "M", "", "u"]),
            victim_ethnicity=rng.choice(["", "asian", "Black", "White", "White", "Not stated"]),
            suspect_id=rng.choice(["", f"Q{rng.randrange(40):03d}", f"Q{rng.randrange(40):03d}"]),
            suspect_age=rng.choice(["", "12", "16", "19", "33"]),
            suspect_sex=rng.choice(["M", "M", "F", ""]),
            suspect_ethnicity=rng.choice(["", "White", "asian"]),
        )  # fmt: skip
        row["_district"] = district
        row["_month"] = month
        rows.append(row)
    return rows


def _load(home: Home, write: Callable[..., Path], rows: list[dict[str, str]], header: list[str]):
    [r] = pipeline.ingest_paths(home, PC, [write("pc.csv", rows, header)], source="wyp")
    assert r.status == "loaded", r


def _reads(home: Home, audience: str, district: str | None = None) -> Iterator[Reads]:
    with open_hub(home) as hub:
        yield Reads(hub.home, hub.con, hub.gov, audience, parse_period(PERIOD), district, Lineage())


def _violent(rows: list[dict[str, str]], months: list[str], districts: list[str]) -> list[dict]:
    keep = {"Violence against the person", "Robbery", "Sexual offences"}
    return [
        r
        for r in rows
        if r["ho_offence_group"] in keep and r["_month"] in months and r["_district"] in districts
    ]


def _band(age: str) -> str:
    if age == "":
        return NOT_RECORDED
    a = int(age)
    for key, lo, hi in (("0-9", 0, 9), ("10-13", 10, 13), ("14-17", 14, 17), ("18-24", 18, 24)):
        if lo <= a <= hi:
            return key
    return "25+"


def _has_suspect(r: dict[str, str]) -> bool:
    return any(r[k] for k in ("suspect_id", "suspect_age", "suspect_sex", "suspect_ethnicity"))


@pytest.fixture
def loaded(wy_home: Home, write_police_crime: Callable[..., Path]) -> list[dict[str, str]]:
    rows = _rows()
    _load(wy_home, write_police_crime, rows, HEADER)
    return rows


def test_breakdowns_match_counts_by_hand(wy_home: Home, loaded: list[dict[str, str]]) -> None:
    both = [LEEDS, BRADFORD]
    mine = _violent(loaded, NOW, both)
    sexes = {"F": "Female", "M": "Male"}
    for data in _reads(wy_home, "analyst"):
        got = breakdown(data.backend, PC, both, data.period.current, "victim", "age")
        want = Counter(_band(r["victim_age"]) for r in mine)
        assert {k: int(v) for k, v in got.counts.items() if v} == dict(want)
        assert int(got.total) == len(mine)
        known = len(mine) - want[NOT_RECORDED]
        assert got.share("25+") == pytest.approx(want["25+"] / known)
        sex = breakdown(data.backend, PC, both, data.period.current, "victim", "sex")
        want_sex = Counter(sexes.get(r["victim_sex"], NOT_RECORDED) for r in mine)
        assert {k: int(v) for k, v in sex.counts.items()} == dict(want_sex)
        eth = breakdown(data.backend, PC, both, data.period.current, "victim", "ethnicity")
        want_eth = Counter(ETH_CODES.get(r["victim_ethnicity"], NOT_RECORDED) for r in mine)
        assert {k: int(v) for k, v in eth.counts.items() if v} == dict(want_eth)
        # Suspects: only offences naming a suspect (by identifier or any detail).
        sus = [r for r in mine if _has_suspect(r)]
        sage = breakdown(data.backend, PC, both, data.period.current, "suspect", "age")
        assert {k: int(v) for k, v in sage.counts.items() if v} == dict(
            Counter(_band(r["suspect_age"]) for r in sus)
        )
        ssex = breakdown(data.backend, PC, both, data.period.current, "suspect", "sex")
        assert int(ssex.counts["Male"]) == sum(r["suspect_sex"] == "M" for r in sus)
        assert int(ssex.counts[NOT_RECORDED]) == sum(r["suspect_sex"] == "" for r in sus)
        # One district alone.
        leeds = breakdown(data.backend, PC, [LEEDS], data.period.previous, "victim", "age")
        assert int(leeds.total) == len(_violent(loaded, BEFORE, [LEEDS]))


def test_repeats_match_counts_by_hand(wy_home: Home, loaded: list[dict[str, str]]) -> None:
    mine = _violent(loaded, NOW, [LEEDS])
    for data in _reads(wy_home, "analyst", LEEDS):
        for role, key in (("victim", "victim_id"), ("suspect", "suspect_id")):
            r = repeats(data.backend, PC, [LEEDS], data.period.current, role)
            per = Counter(x[key] for x in mine if x[key])
            again = {p for p, n in per.items() if n >= 2}
            assert int(r.people) == len(per)
            assert int(r.repeat_people) == len(again)
            assert int(r.offences) == sum(per.values())
            assert int(r.repeat_offences) == sum(per[p] for p in again)
            assert int(r.unidentified) == sum(1 for x in mine if not x[key])
            assert r.most == max(per.values())


def test_population_by_age_matches_the_lsoa_estimates(wy_home: Home) -> None:
    for data in _reads(wy_home, "analyst"):
        pop = age_population(data.backend, [LEEDS], 2025)
        assert pop is not None
        want = dict(
            data.con.execute(
                "SELECT e.band, sum(e.population) FROM ref_population_estimates e "
                "JOIN (SELECT DISTINCT lsoa11 FROM ref_lsoa WHERE district = ?) l "
                "ON e.lsoa = l.lsoa11 WHERE e.source = ? AND e.year = ? GROUP BY e.band",
                [LEEDS, pop.source, pop.year],
            ).fetchall()
        )
        assert pop.people["all"] == want["all"]
        assert pop.count("0-9") == want["0-17"] - want["10-17"]
        assert pop.count("25+") == want["all"] - want["0-24"]
        assert pop.share("18-24") == pytest.approx(want["18-24"] / want["all"])


def _table(section: Section, start: str) -> Table:
    [t] = [b for b in section.blocks if isinstance(b, Table) and b.caption.startswith(start)]
    return t


def _text(section: Section) -> str:
    return "\n".join(b.text for b in section.blocks if isinstance(b, Paragraph | Note))


def test_the_section_for_analysts_gives_exact_figures(
    wy_home: Home, loaded: list[dict[str, str]]
) -> None:
    mine = _violent(loaded, NOW, [LEEDS])
    for data in _reads(wy_home, "analyst", LEEDS):
        s = people.build(data)
        pop = age_population(data.backend, [LEEDS], 2025)
    assert s.id == "people" and s.title.startswith("People: victims and people suspected")
    ages = _table(s, "Victims of violence by age")
    want = Counter(_band(r["victim_age"]) for r in mine)
    known = len(mine) - want[NOT_RECORDED]
    row = {r[0]: r for r in ages.rows}
    assert row["Children 14 to 17"][1] == str(want["14-17"])
    assert row["Children 14 to 17"][2] == f"{100 * want['14-17'] / known:.1f}%"
    assert row["Age not recorded"][1] == str(want[NOT_RECORDED])
    assert row["All offences"][1] == str(len(mine))
    assert pop is not None
    assert row["Adults 25 and over"][3] == f"{100 * pop.share('25+'):.1f}%"
    text = _text(s)
    # The concentration statement for victims, from counts made here.
    per = Counter(r["victim_id"] for r in mine if r["victim_id"])
    again = [p for p, n in per.items() if n >= 2]
    of = sum(per[p] for p in again)
    assert (
        f"{100 * len(again) / len(per):.1f}% of victims ({len(again)} of {len(per)}) were "
        f"victims of {100 * of / sum(per.values()):.1f}% of the offences"
    ) in text
    # Children as victims: count and rate per 1,000 children, and the change.
    kids = sum(want[b] for b in ("0-9", "10-13", "14-17"))
    children = pop.count("0-17")
    assert children
    assert (
        f"Children who were victims of violence in Leeds: {kids} offences in the year ending "
        f"September 2025, {1000 * kids / children:.2f} per 1,000 children"
    ) in text
    before = sum(
        _band(r["victim_age"]) in ("0-9", "10-13", "14-17")
        for r in _violent(loaded, BEFORE, [LEEDS])
    )
    pct = 100 * (kids - before) / before
    assert (
        f"In Leeds, no significant change in violence against children compared with the "
        f"previous 12 months ({pct:+.1f}%"
    ) in text
    # Sex and ethnicity are not compared with a population vrhub does not hold.
    assert "population estimates by age only, not by sex" in text
    assert "population by ethnicity (Census 2021), which vrhub does not hold" in text
    eth = _table(s, "Victims of violence by ethnicity")
    white = sum(r["victim_ethnicity"] == "White" for r in mine)
    assert {r[0]: r[1] for r in eth.rows}["White"] == str(white)


def test_public_hides_small_counts_and_moves_the_rest_little(
    wy_home: Home, loaded: list[dict[str, str]]
) -> None:
    mine = _violent(loaded, NOW, [LEEDS])
    for data in _reads(wy_home, "public", LEEDS):
        s = people.build(data)
    ages = _table(s, "Victims of violence by age")
    want = Counter(_band(r["victim_age"]) for r in mine)
    labels = {
        "0-9": "Children 0 to 9",
        "10-13": "Children 10 to 13",
        "14-17": "Children 14 to 17",
        "18-24": "Young adults 18 to 24",
        "25+": "Adults 25 and over",
    }
    row = {r[0]: r for r in ages.rows}
    for key, label in labels.items():
        cell = row[label][1]
        if want[key] <= 7:
            assert cell == "[c]" and row[label][2] == "[c]"
        elif cell != "[c]":
            assert abs(int(cell) - want[key]) <= 6 and int(cell) % 5 == 0
    total = int(row["All offences"][1])
    assert abs(total - len(mine)) <= 6
    # Every percentage is worked from published (rounded to 5) counts.
    for r in ages.rows[:5]:
        if r[1] != "[c]":
            assert r[2].endswith("%")
    # Exact-only details are not given; no count of 1 to 7 appears as "n offences"; every
    # number that could be a count is a published one (the public report scan's rule).
    text = _text(s)
    cells = " ".join(" ".join(r) for b in s.blocks if isinstance(b, Table) for r in b.rows)
    assert suspicious(f"{text} {cells}") == []
    assert "The most any one person" not in text
    for n in re.findall(r"(\d[\d,]*) offences", text):
        assert int(n.replace(",", "")) == 0 or int(n.replace(",", "")) > 7


def test_small_groups_are_hidden_for_partners(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    """Three child victims and two repeat victims: partners see neither, nor shares of them."""
    rows = []
    for i, m in enumerate(NOW + BEFORE):
        for j in range(4):
            rows.append(
                police_crime_row(
                    100 * i + j,
                    occurred_from=f"{m}-05 20:00",
                    recorded_date=f"{m}-05 21:00",
                    victim_age="30",
                    victim_id=f"A{i:02d}{j}",
                )
            )
    for k in range(3):
        rows.append(police_crime_row(9000 + k, victim_age="12", victim_id="KID",
                                     occurred_from="2025-01-05 20:00",
                                     recorded_date="2025-01-05 21:00"))  # fmt: skip
    _load(wy_home, write_police_crime, rows, POLICE_CRIME_HEADER)
    for data in _reads(wy_home, "partner", LEEDS):
        s = people.build(data)
    row = {r[0]: r for r in _table(s, "Victims of violence by age").rows}
    assert row["Children 10 to 13"][1:3] == ["[c]", "[c]"]
    text = _text(s)
    assert "too small to say what share of offences they account for" in text
    assert "Children who were victims of violence in Leeds: [c] offences" in text


def test_a_file_without_the_new_columns_loads_and_says_not_recorded(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    rows = _rows(7)
    for r in rows:
        r["suspect_id"] = ""
        r["suspect_age"] = ""
    # The header of a file made before the optional columns existed.
    _load(wy_home, write_police_crime, rows, POLICE_CRIME_HEADER)
    for data in _reads(wy_home, "analyst", LEEDS):
        eth = breakdown(data.backend, PC, [LEEDS], data.period.current, "victim", "ethnicity")
        assert not eth.held and int(eth.counts[NOT_RECORDED]) == len(_violent(rows, NOW, [LEEDS]))
        s = people.build(data)
    text = _text(s)
    assert "The victim's ethnicity is not recorded in the police extract held for Leeds" in text
    assert "No violent offence in Leeds in the year ending September 2025 records a suspect" in (
        text
    )
    assert "Repeat people suspected cannot be counted" in text
    # Nothing about suspects is shown as a zero.
    assert not any(isinstance(b, Table) and "suspected" in b.caption for b in s.blocks)


def test_a_store_made_before_the_new_fields_gains_their_columns(wy_home: Home) -> None:
    from vrhub.store.events import create_events_tables

    with open_hub(wy_home) as hub:
        for col in ("victim_ethnicity", "suspect_sex", "suspect_ethnicity"):
            hub.con.execute(f"ALTER TABLE {PC.table} DROP COLUMN {col}")
        create_events_tables(hub.con)
        cols = {
            r[0]
            for r in hub.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                [PC.table],
            ).fetchall()
        }
    assert {"victim_ethnicity", "suspect_sex", "suspect_ethnicity"} <= cols
