"""Synthetic education and children's social care extracts for the demo partnership.

Each of the five councils sends, each month, its school suspensions and permanent exclusions,
its NEET tracking snapshot and its children's social care events, for the demo's last
:data:`SHARED_MONTHS` months (the councils' agreement is newer than the police and health
feeds, so the factors section has a year to show without making the demo slow). Volumes
are West Yorkshire-sized round numbers (see :mod:`vrhub.demo.calibration`); where children
live follows the same deprivation-weighted LSOAs as the police and health extracts. A few
bad rows are planted in each file so the quarantine has something true to show. Nothing here
describes a real child.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from vrhub.datasets.childrens_social_care import ASSESSMENT_FACTORS, EVENT_TYPES
from vrhub.datasets.neet import ACTIVITIES
from vrhub.datasets.school_exclusion import REASONS
from vrhub.demo.calibration import ON_TIME_DAYS, Figure
from vrhub.demo.generate import Area, _table, _write
from vrhub.months import month_end

#: A column of text values, None where blank.
Column = list[str | None]
#: How many of the demo's newest months the councils share.
SHARED_MONTHS = 12
SUSPENSIONS_PER_YEAR = Figure(
    30_000, "assumption: near England's rate of about 9 suspensions per 100 pupils (2022/23)"
)
PERMANENT_EXCLUSIONS_PER_YEAR = Figure(
    400, "assumption: near England's rate of about 1 permanent exclusion per 1,000 pupils"
)
NEET_TRACKED_PER_MONTH = Figure(
    3_000,
    "assumption: about 3% of West Yorkshire's 58,000 16 and 17 year olds NEET and 1.5% not "
    "known, with those who left NEET lately",
)
CARE_CONTACTS_PER_YEAR = Figure(
    12_000, "assumption: the contacts the councils share (far more are screened out)"
)
CARE_REFERRALS_PER_YEAR = Figure(
    26_000, "assumption: near England's rate of about 50 referrals per 1,000 children"
)
CHILD_IN_NEED_STARTS_PER_YEAR = Figure(14_000, "assumption")
CHILD_PROTECTION_PLANS_PER_YEAR = Figure(
    3_000, "assumption: near England's rate of about 5 plans started per 1,000 children"
)
STARTED_IN_CARE_PER_YEAR = Figure(
    1_500, "assumption: near England's rate of about 3 children per 1,000 starting care"
)
#: The demo's councils by district code, each the organisation that sends its own files.
COUNCILS = {
    "E08000032": "bradford",
    "E08000033": "calderdale",
    "E08000034": "kirklees",
    "E08000035": "leeds",
    "E08000036": "wakefield",
}
#: Share of a school year's suspensions falling in each calendar month (none in August).
SCHOOL_MONTHS = np.array([0.09, 0.11, 0.11, 0.07, 0.10, 0.09, 0.07, 0.0, 0.07, 0.12, 0.11, 0.06])
#: Reasons in the order of REASONS, weighted roughly as suspensions are in England.
REASON_P = np.array([0.12, 0.05, 0.08, 0.12, 0.02, 0.02, 0.02, 0.01, 0.005, 0.015, 0.04,
                     0.03, 0.01, 0.015, 0.45])  # fmt: skip
#: Chance that a child's assessment records each factor, in ASSESSMENT_FACTORS order
#: (criminal and sexual exploitation and gangs only for children aged 10 and over).
FACTOR_P = np.array([0.06, 0.04, 0.03, 0.08, 0.01, 0.30, 0.08, 0.25])
OLDER_ONLY = {"factor_criminal_exploitation", "factor_sexual_exploitation", "factor_gangs"}
#: Events of each type a month, in EVENT_TYPES order, for the whole partnership.
EVENT_VOLUMES = (
    CARE_CONTACTS_PER_YEAR.value / 12,
    CARE_REFERRALS_PER_YEAR.value / 12,
    CHILD_IN_NEED_STARTS_PER_YEAR.value / 12,
    CHILD_PROTECTION_PLANS_PER_YEAR.value / 12,
    STARTED_IN_CARE_PER_YEAR.value / 12,
)


def shared_months(months: list[str]) -> list[str]:
    """The months the councils share: the newest :data:`SHARED_MONTHS` of the demo."""
    return months[-SHARED_MONTHS:]


def _district_share(area: Area) -> dict[str, np.ndarray]:
    """Each council's LSOAs, as indices into the area."""
    return {d: np.flatnonzero(area.district == d) for d in COUNCILS}


def _places(area: Area, idx: np.ndarray, n: int, month: str, rng: np.random.Generator) -> Column:
    w = area.weight[idx] / area.weight[idx].sum()
    loc = idx[rng.choice(len(idx), n, p=w)]
    codes = (area.lsoa21 if month >= "2024-01" else area.lsoa11)[loc].astype(object)
    codes[rng.random(n) < 0.02] = None
    return list(codes.tolist())


def _school_days(month: str, n: int, rng: np.random.Generator) -> list[str]:
    y, m = map(int, month.split("-"))
    first = dt.date(y, m, 1)
    days = [first + dt.timedelta(d) for d in range(31) if (first + dt.timedelta(d)).month == m]
    weekdays = [d for d in days if d.weekday() < 5]
    return [weekdays[i].isoformat() for i in rng.integers(0, len(weekdays), n)]


def _district_split(area: Area, total: float, rng: np.random.Generator) -> dict[str, int]:
    """A Poisson count for each council, in proportion to where children live (weighted)."""
    share = {d: float(area.weight[area.district == d].sum()) for d in COUNCILS}
    return {d: int(rng.poisson(total * s)) for d, s in share.items()}


def school_exclusions(
    area: Area, months: list[str], rng: np.random.Generator
) -> dict[tuple[str, str], pa.Table]:
    """One table per (council, month) of suspensions and permanent exclusions."""
    out: dict[tuple[str, str], pa.Table] = {}
    reasons = [words for _, words in REASONS]
    idx = _district_share(area)
    counter = 0
    for month in shared_months(months):
        share = SCHOOL_MONTHS[int(month[5:]) - 1]
        total = (SUSPENSIONS_PER_YEAR.value + PERMANENT_EXCLUSIONS_PER_YEAR.value) * share
        for district, n in _district_split(area, total, rng).items():
            if n == 0:
                continue
            permanent = rng.random(n) < PERMANENT_EXCLUSIONS_PER_YEAR.value / (
                SUSPENSIONS_PER_YEAR.value + PERMANENT_EXCLUSIONS_PER_YEAR.value
            )
            secondary = rng.random(n) < 0.85
            year = np.where(secondary, rng.integers(7, 12, n), rng.integers(1, 7, n))
            age = year + 5 + (rng.random(n) < 0.04)
            length = np.clip(rng.geometric(0.45, n), 1, 30)
            sessions = [None if p else str(x) for p, x in zip(permanent, length, strict=True)]
            # Repeat suspensions: a child is drawn from a pool about half the size.
            pupils = rng.integers(0, max(1, n // 2), n)
            code = COUNCILS[district][:3].upper()
            t = {
                "exclusion_id": [f"{code}-EX{counter + i:07d}" for i in range(n)],
                "pupil_id": [f"{code}{month[:4]}{p:06d}" for p in pupils],
                "exclusion_date": _school_days(month, n, rng),
                "category": np.where(permanent, "Permanent exclusion", "Suspension").tolist(),
                "reason": rng.choice(reasons, n, p=REASON_P / REASON_P.sum()).tolist(),
                "sessions": sessions,
                "school_phase": np.where(secondary, "Secondary", "Primary").tolist(),
                "nc_year_group": [str(y) for y in year],
                "age": [str(a) for a in age],
                "sex": np.where(rng.random(n) < 0.72, "Male", "Female").tolist(),
                "residence_lsoa": _places(area, idx[district], n, month, rng),
            }
            counter += n
            _plant(t, rng, {"reason": "Fighting", "age": "3", "pupil_id": None})
            out[(COUNCILS[district], month)] = _table(t)
    return out


def neet_snapshots(
    area: Area, months: list[str], rng: np.random.Generator
) -> dict[tuple[str, str], pa.Table]:
    """One table per (council, snapshot month) of the young people the council tracks: most
    NEET or activity not known, some in education, employment or training. Each council has a
    pool of young people with a fixed age, sex, SEND and home, so a young person recurs across
    months with one identifier."""
    out: dict[tuple[str, str], pa.Table] = {}
    idx = _district_share(area)
    shared = shared_months(months)
    tracked = NEET_TRACKED_PER_MONTH.value
    for district, n_pool in _district_split(area, tracked * 1.6, rng).items():
        # Each council's pool of young people with fixed age, sex, SEND and home.
        send = rng.random(n_pool) < 0.12
        age = np.where(send, rng.integers(16, 25, n_pool), rng.integers(16, 18, n_pool))
        sex = np.where(rng.random(n_pool) < 0.55, "Male", "Female")
        home = _places(area, idx[district], n_pool, shared[-1], rng)
        code = COUNCILS[district][:3].upper()
        for month in shared:
            n = min(n_pool, int(rng.poisson(n_pool / 1.6)))
            who = np.sort(rng.choice(n_pool, n, replace=False))
            # "Not known" is higher at the start of the academic year, before tracking.
            unknown = 0.45 if month[5:] in ("09", "10") else 0.3
            status = rng.choice(ACTIVITIES, n, p=[0.6 - unknown / 2, unknown, 0.4 - unknown / 2])
            t = {
                "person_id": [f"{code}-YP{p:06d}" for p in who],
                "snapshot_month": [month] * n,
                "activity": status.tolist(),
                "age": [str(a) for a in age[who]],
                "send": np.where(send[who], "Y", "N").tolist(),
                "sex": sex[who].tolist(),
                "residence_lsoa": [home[p] for p in who],
            }
            _plant(t, rng, {"age": "15", "activity": "Apprentice", "send": None})
            out[(COUNCILS[district], month)] = _table(t)
    return out


def care_events(
    area: Area, months: list[str], rng: np.random.Generator
) -> dict[tuple[str, str], pa.Table]:
    """One table per (council, month) of children's social care events."""
    out: dict[tuple[str, str], pa.Table] = {}
    idx = _district_share(area)
    counter = 0
    for month in shared_months(months):
        for district in COUNCILS:
            parts: list[dict[str, list[Any]]] = []
            code = COUNCILS[district][:3].upper()
            for event, volume in zip(EVENT_TYPES, EVENT_VOLUMES, strict=True):
                share = float(area.weight[area.district == district].sum())
                n = int(rng.poisson(volume * share))
                if n == 0:
                    continue
                age = rng.integers(0, 18, n)
                flags: dict[str, Column] = {}
                assessed = (event != "Contact") & (rng.random(n) < 0.8)
                for (name, _), p in zip(ASSESSMENT_FACTORS, FACTOR_P, strict=True):
                    chance = np.where((age < 10) & (name in OLDER_ONLY), 0.0, p)
                    yes = np.where(rng.random(n) < chance, "Y", "N").astype(object)
                    yes[~assessed] = None
                    flags[name] = yes.tolist()
                children = rng.integers(0, 60_000, n)
                parts.append(
                    {
                        "event_id": [f"{code}-CSC{counter + i:08d}" for i in range(n)],
                        "child_id": [f"{code}-C{c:06d}" for c in children],
                        "event_date": _calendar_days(month, n, rng),
                        "event_type": [event] * n,
                        **flags,
                        "age": [str(a) for a in age],
                        "sex": np.where(rng.random(n) < 0.52, "Male", "Female").tolist(),
                        "residence_lsoa": _places(area, idx[district], n, month, rng),
                    }
                )
                counter += n
            t = {k: [v for p in parts for v in p[k]] for k in parts[0]}
            _plant(t, rng, {"event_type": "Assessment", "age": "18", "child_id": None})
            columns: dict[str, object] = dict(t)
            out[(COUNCILS[district], month)] = _table(columns)
    return out


def _calendar_days(month: str, n: int, rng: np.random.Generator) -> list[str]:
    y, m = map(int, month.split("-"))
    first = dt.date(y, m, 1)
    days = [first + dt.timedelta(d) for d in range(31) if (first + dt.timedelta(d)).month == m]
    return [days[i].isoformat() for i in rng.integers(0, len(days), n)]


def _plant(
    columns: dict[str, Column], rng: np.random.Generator, bad: dict[str, str | None]
) -> None:
    """Spoil one row per fault (a bad code, an age out of range, a missing identifier), at
    random rows, so each file shows ingest refusing rows and saying why."""
    n = len(next(iter(columns.values())))
    if n < 2 * len(bad):
        return
    rows = rng.choice(n, len(bad), replace=False)
    for row, (field, value) in zip(rows, bad.items(), strict=True):
        columns[field][int(row)] = value


#: The files each generator writes, by dataset name.
GENERATORS = (
    ("school-exclusion", school_exclusions),
    ("neet", neet_snapshots),
    ("childrens-social-care", care_events),
)


def write_education_and_care(
    area: Area, months: list[str], seed: int, extracts: Path
) -> list[tuple[str, Path, str, dt.date]]:
    """Write each council's extracts, one file a quarter (three months) per dataset, and
    return what to ingest: (dataset, file, source, day received). The source is the council's
    organisation code, which sends the file. Seeded apart from the other extracts, so adding
    these changes none of them."""
    rng = np.random.default_rng(seed + 17)
    plan = []
    for name, generate in GENERATORS:
        tables = generate(area, months, rng)
        shared = shared_months(months)
        for council in COUNCILS.values():
            for q in range(0, len(shared), 3):
                quarter = shared[q : q + 3]
                parts = [tables[(council, m)] for m in quarter if (council, m) in tables]
                if not parts:
                    continue
                path = extracts / name / council / f"{name}-{council}-{quarter[0]}.csv"
                _write(pa.concat_tables(parts), path)
                received = month_end(quarter[-1]) + dt.timedelta(days=int(ON_TIME_DAYS.value))
                plan.append((name, path, council, received))
    return plan
