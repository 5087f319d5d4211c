"""Synthetic extracts from the justice and emergency services for the demo partnership.

Four partners the needs assessment counts among the influential factors send monthly files:
the youth justice services (outcomes for children), the Probation Service (people starting
supervision), the fire and rescue service (deliberate fires, attacks on crews, malicious false
alarms) and the ambulance service (calls for assaults, stabbings and shootings). Nothing here
describes a real person or incident. Yearly volumes are our own round numbers for an area of
West Yorkshire's size (each :class:`~vrhub.demo.calibration.Figure` says so); places follow
the demo's deprivation-weighted LSOAs; a few rows in each feed are planted wrong so the
quarantine has something true to show. The same seed always writes the same files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa

from vrhub.datasets.ambulance_incident import CATEGORIES
from vrhub.datasets.ed_assault import AGE_BANDS
from vrhub.datasets.fire_incident import INCIDENT_TYPES
from vrhub.datasets.police_crime import OFFENCE_GROUPS
from vrhub.datasets.probation import ORDER_TYPES
from vrhub.datasets.youth_justice import OUTCOME_TYPES
from vrhub.demo import calibration as cal
from vrhub.demo.calibration import Figure
from vrhub.demo.generate import NTE_HOURS, SEASON, Area, _fmt, _table, _times, _write
from vrhub.months import month_end

YOUTH_JUSTICE_OUTCOMES_PER_YEAR = Figure(
    600,
    "assumption: about 230 cautions and sentences a year per 100,000 children aged 10 to 17, "
    "near the England and Wales rate, for West Yorkshire's quarter of a million",
)
PROBATION_STARTS_PER_YEAR = Figure(5_000, "assumption")
FIRE_INCIDENTS_PER_YEAR = Figure(5_500, "assumption: mostly deliberate secondary fires")
AMBULANCE_CALLS_PER_YEAR = Figure(7_000, "assumption")
#: Share of rows in each feed planted wrong, besides one fixed bad row in every feed.
PLANTED_ERROR_RATE = Figure(0.002, "assumption (defect planted for quality checks)")

#: Each feed's source name as its organisation sends it, and the organisation.
SOURCES = {
    "youth-justice": "west-yorkshire-youth-justice",
    "probation": "probation-yorkshire-and-humber",
    "fire-incident": "west-yorkshire-fire",
    "ambulance-incident": "yorkshire-ambulance-service",
}
SUPPLIERS = {
    "youth-justice": "wy-yjs",
    "probation": "probation-yh",
    "fire-incident": "wyfrs",
    "ambulance-incident": "yas",
}

COUNCILS = ["bradford", "calderdale", "kirklees", "leeds", "wakefield"]
#: The demo's agreements for the four feeds (dates are set on the day the demo is built, see
#: :func:`vrhub.demo.governance.agreement_dates`); references and DPIA numbers are made up.
JUSTICE_AGREEMENTS: tuple[dict[str, object], ...] = (
    {
        "ref": "WY-ISA-YJS",
        "title": "Youth justice outcomes for children",
        "parties": ["wy-yjs", "wyvrp", *COUNCILS],
        "covers": [
            {
                "dataset": "youth-justice",
                "sources": [SOURCES["youth-justice"]],
                "suppliers": [SUPPLIERS["youth-justice"]],
            }
        ],
        "lawful_basis": {
            "article6": "public-task",
            "article10": "DPA 2018 Sch 1 para 10 (preventing or detecting unlawful acts)",
        },
        "purposes": [
            "understand which children come into the youth justice system, and where "
            "(Serious Violence Duty needs assessment)",
            "target prevention and diversion for children",
        ],
        "audiences": ["analyst", "partner", "public"],
        "disclosure": {"suppress_max": 9, "round_to": 5},
        "retention_months": 60,
        "review_date": dt.date(2027, 4, 1),
        "dpia_ref": "WYVRP-DPIA-2026-04",
    },
    {
        "ref": "WY-ISA-PROBATION",
        "title": "People starting probation supervision",
        "parties": ["probation-yh", "wyvrp", "wyp", *COUNCILS],
        "covers": [
            {
                "dataset": "probation",
                "sources": [SOURCES["probation"]],
                "suppliers": [SUPPLIERS["probation"]],
            }
        ],
        "lawful_basis": {
            "article6": "public-task",
            "article10": "DPA 2018 Sch 1 para 10 (preventing or detecting unlawful acts)",
        },
        "purposes": ["understand reoffending as a factor in serious violence"],
        "audiences": ["analyst", "partner", "public"],
        "retention_months": 60,
        "review_date": dt.date(2027, 4, 1),
        "dpia_ref": "WYVRP-DPIA-2026-05",
    },
    {
        "ref": "WY-ISA-FIRE",
        "title": "Fire and rescue incidents linked to violence",
        "parties": ["wyfrs", "wyvrp", "wyp", *COUNCILS],
        "covers": [
            {
                "dataset": "fire-incident",
                "sources": [SOURCES["fire-incident"]],
                "suppliers": [SUPPLIERS["fire-incident"]],
            }
        ],
        "lawful_basis": {"article6": "public-task"},
        "purposes": ["find places where deliberate fires and violence come together"],
        "audiences": ["analyst", "partner", "public"],
        "retention_months": 84,
        "review_date": dt.date(2027, 4, 1),
        "dpia_ref": "WYVRP-DPIA-2026-06",
    },
    {
        "ref": "WY-ISA-AMBULANCE",
        "title": "Ambulance calls for assaults, stabbings and shootings",
        "parties": ["yas", "wyvrp", "wy-icb", *COUNCILS],
        "covers": [
            {
                "dataset": "ambulance-incident",
                "sources": [SOURCES["ambulance-incident"]],
                "suppliers": [SUPPLIERS["ambulance-incident"]],
            }
        ],
        "lawful_basis": {
            "article6": "public-task",
            "article9": "9(2)(i) public health; DPA 2018 Sch 1 para 3",
        },
        "purposes": ["information sharing to tackle violence (ambulance call-outs)"],
        "audiences": ["analyst", "partner", "public"],
        "retention_months": 60,
        "review_date": dt.date(2027, 4, 1),
        "dpia_ref": "WYVRP-DPIA-2026-07",
    },
)

#: Shares of each outcome for children, and the chance it is the child's first (a first-time
#: entrant): cautions and referral orders are mostly first outcomes, custody rarely.
OUTCOME_P = np.array([0.22, 0.12, 0.33, 0.26, 0.07])
FIRST_TIME_P = np.array([0.9, 0.6, 0.7, 0.2, 0.05])
CHILD_AGE_P = np.array([0.01, 0.02, 0.05, 0.09, 0.14, 0.20, 0.23, 0.26])  # ages 10 to 17
CHILD_OFFENCE_P = np.array([0.35, 0.04, 0.08, 0.15, 0.08, 0.10, 0.08, 0.07, 0.05])
ADULT_OFFENCE_P = np.array([0.30, 0.04, 0.03, 0.22, 0.05, 0.12, 0.06, 0.08, 0.10])
ORDER_P = np.array([0.45, 0.25, 0.30])
FIRE_TYPE_P = np.array([0.20, 0.72, 0.01, 0.07])
#: Property types by incident type (dwelling, other building, derelict building, road
#: vehicle, outdoor, refuse, other).
FIRE_PROPERTY_P = {
    "Deliberate primary fire": [0.30, 0.15, 0.0, 0.45, 0.0, 0.0, 0.10],
    "Deliberate secondary fire": [0.0, 0.0, 0.10, 0.0, 0.40, 0.45, 0.05],
    "Attack on crew": [0.0, 0.0, 0.0, 0.0, 0.60, 0.0, 0.40],
    "Malicious false alarm": [0.30, 0.50, 0.0, 0.0, 0.20, 0.0, 0.0],
}
#: Secondary fires peak in spring and around bonfire night.
FIRE_SEASON = np.array([0.7, 0.8, 1.1, 1.4, 1.3, 1.0, 1.0, 1.0, 0.9, 1.1, 1.3, 0.7])
FIRE_HOURS = np.array(
    [4, 3, 2, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 9, 10, 10, 9, 8, 7, 5], dtype=float
)
AMBULANCE_P = np.array([0.82, 0.06, 0.10, 0.003, 0.017])
PATIENT_BAND_P = np.array([0.01, 0.03, 0.07, 0.24, 0.16, 0.22, 0.14, 0.08, 0.03, 0.02])

Plan = list[tuple[str, Path, str, dt.date]]


def _places(area: Area, month: str, rng: np.random.Generator, n: int, blank: float) -> list[object]:
    """LSOAs drawn by the demo's weights, in 2021 codes from 2024, some left blank."""
    loc = rng.choice(len(area.lsoa11), n, p=area.weight)
    codes = (area.lsoa21 if month >= "2024-01" else area.lsoa11)[loc].astype(object)
    codes[rng.random(n) < blank] = None
    return list(codes.tolist())


def _dates(rng: np.random.Generator, month: str, n: int) -> list[str]:
    return [str(d) for d in _times(rng, month, n, NTE_HOURS, False).astype("datetime64[D]")]


def _count(rng: np.random.Generator, per_year: float, month: str, season: np.ndarray) -> int:
    return int(rng.poisson(per_year / 12 * season[int(month[5:]) - 1]))


def _plant(rng: np.random.Generator, n: int, first_file: bool) -> np.ndarray:
    """Rows to plant a defect in: a few at random, and the first row of the feed's first
    file, so every feed shows its quarantine."""
    bad: np.ndarray = rng.random(n) < PLANTED_ERROR_RATE.value
    if first_file and n:
        bad[0] = True
    return bad


def youth_justice(area: Area, months: list[str], rng: np.random.Generator) -> dict[str, pa.Table]:
    """One table per month of outcomes for children from the youth justice services."""
    out: dict[str, pa.Table] = {}
    seen: list[str] = []
    for month in months:
        n = _count(rng, YOUTH_JUSTICE_OUTCOMES_PER_YEAR.value, month, SEASON)
        kind = rng.choice(len(OUTCOME_TYPES), n, p=OUTCOME_P)
        first = rng.random(n) < FIRST_TIME_P[kind]
        children = []
        for is_first in first:
            if is_first or not seen:
                seen.append(f"YJ{len(seen):06d}")
                children.append(seen[-1])
            else:
                children.append(seen[int(rng.integers(len(seen)))])
        outcome = _dates(rng, month, n)
        offence = [
            str(dt.date.fromisoformat(d) - dt.timedelta(days=int(g)))
            for d, g in zip(outcome, rng.gamma(2.0, 45.0, n), strict=True)
        ]
        age = rng.choice(np.arange(10, 18), n, p=CHILD_AGE_P).astype(object)
        age[_plant(rng, n, month == months[0])] = 9
        out[month] = _table(
            {
                "outcome_id": [f"YJO-{month.replace('-', '')}-{i:04d}" for i in range(n)],
                "child_id": children,
                "outcome_date": outcome,
                "offence_date": offence,
                "outcome_type": [OUTCOME_TYPES[k] for k in kind],
                "first_time_entrant": np.where(first, "Y", "N").tolist(),
                "ho_offence_group": rng.choice(OFFENCE_GROUPS, n, p=CHILD_OFFENCE_P).tolist(),
                "age": pa.array(age.tolist(), pa.int64()),
                "sex": np.where(rng.random(n) < 0.85, "Male", "Female").tolist(),
                "residence_lsoa": _places(area, month, rng, n, 0.02),
            }
        ).sort_by("outcome_date")
    return out


def probation(area: Area, months: list[str], rng: np.random.Generator) -> dict[str, pa.Table]:
    """One table per month of people starting probation supervision."""
    out: dict[str, pa.Table] = {}
    people = int(PROBATION_STARTS_PER_YEAR.value * len(months) / 12 * 0.8)
    for month in months:
        n = _count(rng, PROBATION_STARTS_PER_YEAR.value, month, np.ones(12))
        order = rng.choice(len(ORDER_TYPES), n, p=ORDER_P)
        start = _dates(rng, month, n)
        licence = order == ORDER_TYPES.index("Licence")
        before = np.where(licence, rng.integers(180, 1800, n), rng.integers(0, 28, n))
        sentence = np.array(
            [
                str(dt.date.fromisoformat(s) - dt.timedelta(days=int(b)))
                for s, b in zip(start, before, strict=True)
            ],
            dtype=object,
        )
        bad = _plant(rng, n, month == months[0])
        sentence[bad] = [
            str(dt.date.fromisoformat(start[i]) + dt.timedelta(days=30))
            for i in np.flatnonzero(bad)
        ]
        u = rng.random(n)
        age = np.where(
            u < 0.2, rng.integers(18, 25, n), np.clip(rng.gamma(3.0, 6.0, n) + 25, 25, 80)
        )
        ids = rng.integers(0, people, n)
        out[month] = _table(
            {
                "supervision_id": [
                    f"P{p:06d}/{month.replace('-', '')}{i:03d}" for i, p in enumerate(ids)
                ],
                "person_id": [f"P{p:06d}" for p in ids],
                "start_date": start,
                "sentence_date": sentence.tolist(),
                "order_type": [ORDER_TYPES[k] for k in order],
                "ho_offence_group": rng.choice(OFFENCE_GROUPS, n, p=ADULT_OFFENCE_P).tolist(),
                "age": pa.array(age.astype(int).tolist(), pa.int64()),
                "sex": np.where(rng.random(n) < 0.86, "Male", "Female").tolist(),
                "residence_lsoa": _places(area, month, rng, n, 0.04),
            }
        ).sort_by("start_date")
    return out


def fire_incidents(area: Area, months: list[str], rng: np.random.Generator) -> dict[str, pa.Table]:
    """One table per month of the fire and rescue service's violence-related incidents."""
    out: dict[str, pa.Table] = {}
    properties = (
        "Dwelling",
        "Other building",
        "Derelict building",
        "Road vehicle",
        "Outdoor",
        "Refuse",
        "Other",
    )
    counter = 0
    for month in months:
        n = _count(rng, FIRE_INCIDENTS_PER_YEAR.value, month, FIRE_SEASON)
        when = _times(rng, month, n, FIRE_HOURS, bonfire_boost=True)
        kind = [INCIDENT_TYPES[k] for k in rng.choice(len(INCIDENT_TYPES), n, p=FIRE_TYPE_P)]
        prop = [str(rng.choice(properties, p=FIRE_PROPERTY_P[k])) for k in kind]
        hurt = np.where(
            np.array(kind) == "Deliberate primary fire", rng.random(n) < 0.04, False
        ).astype(int)
        for i in np.flatnonzero(_plant(rng, n, month == months[0])):
            kind[i], hurt[i] = "Deliberate secondary fire", 1
        out[month] = _table(
            {
                "incident_id": [f"WYFRS{counter + i:07d}" for i in range(n)],
                "incident_datetime": _fmt(when),
                "incident_type": kind,
                "property_type": prop,
                "casualties": pa.array(hurt.tolist(), pa.int64()),
                "lsoa_code": _places(area, month, rng, n, 0.01),
                "easting": [None] * n,
                "northing": [None] * n,
            }
        ).sort_by("incident_datetime")
        counter += n
    return out


def ambulance_incidents(
    area: Area, months: list[str], rng: np.random.Generator
) -> dict[str, pa.Table]:
    """One table per month of ambulance calls for assaults, stabbings and shootings."""
    out: dict[str, pa.Table] = {}
    counter = 0
    bands = [b for b in AGE_BANDS if b != "Unknown"]
    for month in months:
        n = _count(rng, AMBULANCE_CALLS_PER_YEAR.value, month, SEASON)
        call = _times(rng, month, n, NTE_HOURS, bonfire_boost=True)
        cat = rng.choice(len(CATEGORIES), n, p=AMBULANCE_P / AMBULANCE_P.sum())
        wound = cat >= CATEGORIES.index("Stab wound")
        urgent = np.where(wound, rng.random(n) < 0.4, rng.random(n) < 0.05)
        second = np.where(wound, True, rng.random(n) < 0.58)
        response = np.where(urgent, 1, np.where(second, 2, rng.choice([3, 4], n, p=[0.87, 0.13])))
        wait = rng.exponential(np.where(response <= 2, 14.0, 55.0)).astype(int) + 3
        scene = np.array(_fmt(call + wait.astype("timedelta64[m]")), dtype=object)
        scene[rng.random(n) < 0.05] = None
        bad = _plant(rng, n, month == months[0])
        category = np.array([CATEGORIES[k] for k in cat], dtype=object)
        category[bad] = "Fall"
        out[month] = _table(
            {
                "incident_id": [f"YAS{counter + i:08d}" for i in range(n)],
                "call_datetime": _fmt(call),
                "category": category.tolist(),
                "response_category": [f"Category {r}" for r in response],
                "on_scene_datetime": scene.tolist(),
                "conveyed_to_hospital": np.where(
                    rng.random(n) < np.where(wound, 0.9, 0.55), "Y", "N"
                ).tolist(),
                "age_band": rng.choice(bands, n, p=PATIENT_BAND_P / PATIENT_BAND_P.sum()).tolist(),
                "sex": np.where(rng.random(n) < 0.72, "Male", "Female").tolist(),
                "incident_lsoa": _places(area, month, rng, n, 0.03),
            }
        ).sort_by("call_datetime")
        counter += n
    return out


GENERATORS = {
    "youth-justice": youth_justice,
    "probation": probation,
    "fire-incident": fire_incidents,
    "ambulance-incident": ambulance_incidents,
}


def justice_extracts(area: Area, months: list[str], seed: int, folder: Path) -> Plan:
    """Write every month of the four feeds under ``folder``; return what to ingest, as
    (dataset, file, source, day received). Each feed arrives ten days after its month, like
    the health feeds. The feeds draw from their own random stream, so adding them changed
    none of the demo's other extracts."""
    rng = np.random.default_rng([seed, 17])
    plan: Plan = []
    for name, make in GENERATORS.items():
        for month, table in make(area, months, rng).items():
            path = folder / name / f"{name}-{month}.csv"
            _write(table, path)
            received = month_end(month) + dt.timedelta(days=int(cal.ON_TIME_DAYS.value))
            plan.append((name, path, SOURCES[name], received))
    return plan
