"""The differencing attacker against the measure explorer (issue 15, finding 1).

A home is built in code with a rare measure (non-domestic homicide: 0 to 3 records in most
district-months, one busier district so that some totals and breakdowns are shown), and a few
emergency-department attendances and hospital admissions a month. For a ``public`` viewer
(every district) and a ``partner`` viewer (two districts) every answer the explorer gives is
gathered (:mod:`vrhub.web.harvest`: every area, year and breakdown) and the hidden counts are
solved for as an integer programme (:mod:`vrhub.disclosure.attack`). The tests fail if any
hidden count is pinned to one value, for every measure from every dataset that feeds it.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from tests.datasets.care import care_files, grant_care_agreement
from tests.datasets.justice import grant_justice_agreement, justice_files
from vrhub import pipeline
from vrhub.datasets import all_datasets, get_dataset
from vrhub.disclosure.attack import Atom, attack, possible, violated
from vrhub.disclosure.engine import DisclosureRule
from vrhub.home import Home
from vrhub.hub import Hub, open_hub
from vrhub.measures.registry import all_measures
from vrhub.months import month_add, month_range
from vrhub.web.explore import breakdowns, explore, query_of
from vrhub.web.harvest import Harvest, harvest

PC = get_dataset("police-crime")
LEEDS, BRADFORD, KIRKLEES, WAKEFIELD = "E08000035", "E08000032", "E08000034", "E08000036"
LSOA = {LEEDS: "E01011264", BRADFORD: "E01010646", KIRKLEES: "E01011004", WAKEFIELD: "E01011740"}
QUIET = (BRADFORD, KIRKLEES, WAKEFIELD)
MONTHS = month_range("2023-07", "2024-12")  # 18 months: seven years ending a month held
VAP, ROB = "Violence against the person", "Robbery"
#: (offence code, offence group, knife, firearm, domestic) of the records made.
HOMICIDE = ("001/01", VAP, "N", "N", "N")
KINDS = {
    "homicide": HOMICIDE,
    "knife homicide": ("004/01", VAP, "Y", "N", "N"),
    "gun homicide": ("001/01", VAP, "N", "Y", "N"),
    "domestic homicide": ("001/01", VAP, "N", "N", "Y"),
    "knife assault": ("008/01", VAP, "Y", "N", "N"),
    "knife robbery": ("034/02", ROB, "Y", "N", "N"),
}


@dataclass(frozen=True)
class Made:
    """One record as written, with what the explorer groups it by."""

    district: str
    month: str
    kind: str
    when: dt.datetime
    timed: bool
    age: int | None
    sex: str


def _records(seed: int = 15) -> list[Made]:
    rng = random.Random(seed)
    made = []
    for month in MONTHS:
        for district in (LEEDS, *QUIET):
            busy = district == LEEDS
            homicides = rng.choice([2, 3, 3, 4, 5]) if busy else rng.choice([0, 0, 0, 1, 1, 2, 3])
            others = rng.choice([1, 2, 3]) if busy else rng.choice([0, 0, 1, 2])
            kinds = [
                *(rng.choice(["homicide"] * 4 + ["knife homicide", "gun homicide"])
                  for _ in range(homicides)),
                *(rng.choice(["domestic homicide", "knife assault", "knife robbery"])
                  for _ in range(others)),
            ]  # fmt: skip
            for kind in kinds:
                day = dt.date.fromisoformat(f"{month}-01") + dt.timedelta(days=rng.randrange(26))
                when = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)))
                age = rng.choice([None, 9, 15, 16, 17, 19, 22, 25, 31, 44, 67])
                made.append(
                    Made(district, month, kind, when, rng.random() > 0.1, age,
                         rng.choice(["Female", "Male", "Male", "Unknown", ""]))
                )  # fmt: skip
    return made


RECORDS = _records()


def _write(path: Path, records: list[Made]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        for i, r in enumerate(records, start=1):
            code, group, knife, gun, domestic = KINDS[r.kind]
            w.writerow(
                police_crime_row(
                    i,
                    ho_offence_code=code,
                    ho_offence_group=group,
                    offence_description=r.kind,
                    occurred_from=r.when.strftime("%Y-%m-%d %H:%M" if r.timed else "%Y-%m-%d"),
                    recorded_date=(r.when + dt.timedelta(days=1)).strftime("%Y-%m-%d 09:00"),
                    lsoa_code=LSOA[r.district],
                    victim_age="" if r.age is None else str(r.age),
                    victim_sex=r.sex,
                    knife_or_sharp_instrument=knife,
                    firearm=gun,
                    domestic_abuse=domestic,
                )
            )
    return path


@pytest.fixture(scope="module")
def hub(_wy_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A West Yorkshire home (as ``wy_home``) holding the records above, open."""
    dest = tmp_path_factory.mktemp("differencing") / "home"
    shutil.copytree(_wy_template, dest)
    home = pipeline.open_partnership_home(dest)
    path = _write(dest.parent / "pc.csv", RECORDS)
    [r] = pipeline.ingest_paths(home, PC, [path], source="wyp")
    assert r.status == "loaded" and r.rows_accepted == len(RECORDS), r.message
    ed, hospital = _health_files(dest.parent)
    for name, file in (("ed-assault", ed), ("hospital-admission", hospital)):
        [r] = pipeline.ingest_paths(home, get_dataset(name), [file], source="nhs")
        assert r.status == "loaded" and r.rows_rejected == 0, r.message
    grant_justice_agreement(home)
    grant_care_agreement(home)
    lsoas = list(LSOA.values())
    files = justice_files(dest.parent, MONTHS, lsoas, 17) | care_files(
        dest.parent, MONTHS, lsoas, 18
    )
    for name, file in files.items():
        [r] = pipeline.ingest_paths(home, get_dataset(name), [file], source="test")
        assert r.status == "loaded" and r.rows_rejected == 0, r.message
    with open_hub(home) as opened:
        yield opened


def _in_measure(measure: str, r: Made) -> bool:
    code, _, knife, _, domestic = KINDS[r.kind]
    if measure == "non-domestic-homicide":
        return code in ("001/01", "004/01") and domestic == "N"
    assert measure == "knife-enabled-serious-violence"
    return knife == "Y"


def _categories(r: Made) -> list[str]:
    code, group, knife, gun, domestic = KINDS[r.kind]
    found = {
        "homicide": code in ("001/01", "004/01"),
        "knife-crime": knife == "Y",
        "personal-robbery": code == "034/02",
        "gun-crime": gun == "Y",
        "violence-against-women-and-girls": group == VAP and r.sex == "Female",
        "domestic-abuse": domestic == "Y",
    }
    return [c for c, yes in found.items() if yes]


def _true_atoms(measure: str) -> Counter[Atom]:
    """Every atom's true count, worked out from the records as written (not by vrhub)."""
    atoms: Counter[Atom] = Counter()
    for r in RECORDS:
        if not _in_measure(measure, r):
            continue
        d, m = r.district, r.month
        if r.age is None:
            age, under = "unknown", "unknown"
        else:
            age = "child (under 18)" if r.age < 18 else "young adult (18 to 25)"
            age = "adult (26 and over)" if r.age > 25 else age
            under = "under 25" if r.age < 25 else "25 and over"
        groups = {
            "age_group": age,
            "under_25": under,
            "victim_sex": r.sex or "None",  # left blank: the engine's group "None"
            "weekday": r.when.strftime("%A"),
            "hour": r.when.strftime("%H") if r.timed else "unknown",
        }
        atoms[("t", d, m)] += 1
        for by, g in groups.items():
            atoms[(by, d, m, g)] += 1
        for c in _categories(r):
            atoms[("sv_category", d, m, c)] += 1
    return atoms


def _gathered(hub: Hub, measure: str, audience: str, scope: list[str]) -> Harvest:
    h = harvest(hub.home, hub.con, hub.gov, measure, "police-crime", audience, scope)
    # The model is right: the true counts satisfy every answer and every relation.
    assert violated(h.answers, h.relations, _true_atoms(measure)) == []
    rule = DisclosureRule()
    for a, true in zip(h.answers, h.truth, strict=True):
        lo, hi = possible(a.published, rule, nonempty=a.nonempty)
        assert lo <= true <= hi, a
    return h


VIEWERS = {
    "public": ("public", [LEEDS, BRADFORD, KIRKLEES, WAKEFIELD, "E08000033"]),
    "partner": ("partner", [LEEDS, BRADFORD]),
}


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_no_hidden_homicide_count_is_pinned(hub: Hub, viewer: str) -> None:
    audience, scope = VIEWERS[viewer]
    h = _gathered(hub, "non-domestic-homicide", audience, scope)
    # Seven years ending a month held, for every area in scope, whole and broken down.
    assert h.pages == (1 + len(scope)) * 7 * len(breakdowns(PC))
    shown = [a for a in h.answers if not a.hidden]
    assert h.hidden >= 300 and len(shown) >= 30, (h.hidden, len(shown))
    # Breakdowns were shown somewhere (the partnership, and Leeds) and withheld elsewhere.
    assert any(" by hour: " in a.name for a in h.answers)
    assert any(a.name.startswith(f"{LEEDS} ") and " by " in a.name for a in h.answers)
    assert not any(a.name.startswith(f"{BRADFORD} ") and " by " in a.name for a in h.answers)
    # Every breakdown lists the same groups whatever the area or year (blank sexes included):
    # no group is listed only when it holds records.
    assert [a.name for a in h.answers if a.nonempty] == []
    result = attack(h.answers, h.relations, truth=h.truth, seed=15)
    pins = [f"{p.answer.name} = {p.value}" for p in result.pinned]
    assert pins == [] and result.undecided == (), result.summary()
    assert result.hidden == h.hidden
    if viewer == "partner":
        # The attack has teeth: had the totals (years, months, districts) been published the
        # old way (0 to 7 hidden, every other count exact), it would pin hidden ones from
        # those alone.
        told = [
            (a if t <= 7 else replace(a, published=t), t)
            for a, t in zip(h.answers, h.truth, strict=True)
            if all(x[0] == "t" for x in a.atoms)
        ]
        weak = [a for a, _ in told]
        exact = attack(weak, (), DisclosureRule(round_to=1), 0, [t for _, t in told], seed=15)
        assert len(exact.pinned) >= 1, exact.summary()


def test_no_hidden_knife_count_is_pinned(hub: Hub) -> None:
    # A second rare measure, whose categories overlap, for a partner in two quiet districts
    # (only the partnership's breakdowns are shown, which keeps the test quick).
    audience, scope = "partner", [BRADFORD, KIRKLEES]
    h = _gathered(hub, "knife-enabled-serious-violence", audience, scope)
    assert h.hidden >= 250 and any(" by sv_category: " in a.name for a in h.answers)
    result = attack(h.answers, h.relations, truth=h.truth, seed=15)
    assert result.pinned == () and result.undecided == (), result.summary()


def test_months_and_windows_are_what_the_test_says() -> None:
    # 0 to 3 non-domestic homicides in each quiet district-month; Leeds busier.
    per = Counter((r.district, r.month) for r in RECORDS if _in_measure("non-domestic-homicide", r))
    assert max(per[(d, m)] for d in QUIET for m in MONTHS) <= 3
    assert sum(per[(LEEDS, m)] for m in MONTHS[-12:]) >= 35
    assert month_add(MONTHS[0], 17) == MONTHS[-1]
    ages = {r.age for r in RECORDS}
    assert {9, 15, 16, 17} <= ages and None in ages  # children, and ages not recorded


def test_a_breakdown_lists_every_group_even_when_none_of_its_records_are_in_it(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    """Thirty homicides in Leeds in one month, every victim's sex recorded as male: the
    breakdown by victim's sex still lists female, other, unknown and not recorded (hidden), so
    a listed group never tells that it holds a record."""
    when = {"occurred_from": "2024-03-02 23:15", "recorded_date": "2024-03-03 09:00"}
    rows = [
        police_crime_row(i, ho_offence_code="001/01", victim_sex="Male", **when) for i in range(30)
    ]
    [r] = pipeline.ingest_paths(wy_home, PC, [write_police_crime("m.csv", rows)], source="wyp")
    assert r.rows_accepted == 30
    with open_hub(wy_home) as hub:
        q = query_of(
            {"measure": "non-domestic-homicide", "area": LEEDS, "by": "victim_sex"}, [LEEDS]
        )
        view = explore(hub.home, hub.con, hub.gov, "public", q, [LEEDS])
    shown = {row["label"]: row["records"] for row in view["rows"]}
    assert view["withheld"] is None
    assert set(shown) == {"Female", "Male", "Other", "Unknown", "not recorded", "Total"}
    assert shown["Female"] == shown["Other"] == shown["Unknown"] == shown["not recorded"] == "[c]"
    assert shown["Male"] == shown["Total"] != "[c]"


#: Every measure a non-analyst can ask the explorer for, with each dataset that feeds it.
EVERY = sorted(
    (m.name, d) for m in all_measures() for d in m.fed_by(all_datasets()) if d != "police-uk-street"
)
ED_METHODS = ("Hit, kicked or punched", "Knife or sharp object", "Glass or bottle", "Not known")
ED_AGES = ("10-14", "15-17", "18-24", "25-29", "30-39", "Unknown")
SEXES = ("Female", "Male", "Male", "Unknown")
#: Assault (ICD-10 external cause): by a sharp object (knife) or by bodily force.
CAUSES = ("X99", "X99", "Y04")


def _health_files(folder: Path, seed: int = 16) -> tuple[Path, Path]:
    """Emergency-department attendances for assault and hospital admissions: 0 to 4 and 0 to 2
    in each district-month, by residents of one small area of each district."""
    rng = random.Random(seed)
    ed, hospital = folder / "ed.csv", folder / "hospital.csv"
    with (
        open(ed, "w", newline="", encoding="utf-8") as fe,
        open(hospital, "w", newline="", encoding="utf-8") as fh,
    ):
        e = csv.writer(fe)
        e.writerow(["attendance_id", "site_code", "arrival_datetime", "assault_datetime",
                    "assault_method", "assault_location_type", "age_band", "sex",
                    "residence_lsoa"])  # fmt: skip
        h = csv.writer(fh)
        h.writerow(["admission_id", "admission_date", "icd10_external_cause", "age", "sex",
                    "residence_lsoa"])  # fmt: skip
        for month in MONTHS:
            for lsoa in LSOA.values():
                for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
                    day = dt.date.fromisoformat(f"{month}-01") + dt.timedelta(rng.randrange(26))
                    at = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)))
                    e.writerow([f"A{rng.randrange(10**9)}", "DEMO01", f"{at:%Y-%m-%d %H:%M}",
                                "", rng.choice(ED_METHODS), "Street or public place",
                                rng.choice(ED_AGES), rng.choice(SEXES), lsoa])  # fmt: skip
                for _ in range(rng.choice([0, 0, 1, 2])):
                    day = dt.date.fromisoformat(f"{month}-01") + dt.timedelta(rng.randrange(26))
                    h.writerow([f"H{rng.randrange(10**9)}", f"{day}", rng.choice(CAUSES),
                                rng.choice([11, 16, 19, 23, 34, 58]), rng.choice(SEXES),
                                lsoa])  # fmt: skip
    return ed, hospital


@pytest.mark.parametrize(("measure", "dataset"), EVERY)
def test_no_hidden_count_of_any_measure_is_pinned(hub: Hub, measure: str, dataset: str) -> None:
    """The attack for every measure from every dataset that feeds it (police.uk's open data
    aside), by a partner viewer of two districts; the true counts come from the analyst's view
    of the same questions."""
    h = harvest(hub.home, hub.con, hub.gov, measure, dataset, "partner", [BRADFORD, KIRKLEES])
    assert h.hidden > 0 and sum(h.truth) > 0, (measure, dataset)
    result = attack(h.answers, h.relations, truth=h.truth, seed=15)
    assert result.pinned == () and result.undecided == (), result.summary()
