"""Helpers for the justice and emergency-service dataset tests: an agreement covering the
four standards, files written from rows, and what the store then holds."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from tests.datasets.shared import grant_agreement, problems, query, store_text, write_rows
from tests.datasets.shared import ingest as shared_ingest
from vrhub.datasets.ambulance_incident import CATEGORIES
from vrhub.datasets.police_crime import OFFENCE_GROUPS as GROUPS
from vrhub.datasets.probation import ORDER_TYPES
from vrhub.datasets.youth_justice import OUTCOME_TYPES
from vrhub.home import Home
from vrhub.ingest.load import IngestResult

JUSTICE = ("youth-justice", "probation", "fire-incident", "ambulance-incident")
#: Leeds LSOAs: a 2011 code and a 2021 code (the ED tests' postcode LS1 1AA lies in it).
LEEDS_2011 = "E01011264"
LEEDS_2021 = "E01033008"


def grant_justice_agreement(home: Home) -> None:
    """One active agreement covering the four standards, sent by a test organisation."""
    grant_agreement(
        home,
        "TEST-ISA-JUSTICE",
        "Test agreement for justice and emergency-service extracts",
        ("test-justice", "Test justice partner", "probation"),
        JUSTICE,
        {"article9": "9(2)(i) public health", "article10": "DPA 2018 Sch 1 para 10"},
    )


def ingest(home: Home, name: str, path: Path) -> IngestResult:
    return shared_ingest(home, name, path, "test-source")


def justice_files(folder: Path, months: list[str], lsoas: list[str], seed: int) -> dict[str, Path]:
    """Small files of the four feeds: 0 to 4 records of each in each LSOA and month, all good,
    for tests that need every dataset held (such as the differencing attack)."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in JUSTICE}
    for month in months:
        for lsoa in lsoas:
            for name in JUSTICE:
                for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
                    rows[name].append(_good_row(name, rng, month, lsoa, len(rows[name])))
    return {name: write_rows(folder / f"{name}.csv", rows[name]) for name in JUSTICE}


def _good_row(name: str, rng: random.Random, month: str, lsoa: str, n: int) -> dict[str, str]:
    day = dt.date.fromisoformat(f"{month}-01") + dt.timedelta(rng.randrange(26))
    at = f"{day} {rng.randrange(24):02d}:{rng.randrange(60):02d}"
    sex = rng.choice(["Female", "Male", "Male", "Unknown"])
    if name == "youth-justice":
        return {
            "outcome_id": f"O{n}",
            "child_id": f"C{rng.randrange(10**6)}",
            "outcome_date": str(day),
            "outcome_type": rng.choice(OUTCOME_TYPES),
            "first_time_entrant": rng.choice("YN"),
            "ho_offence_group": rng.choice(GROUPS),
            "age": str(rng.randrange(12, 18)),
            "sex": sex,
            "residence_lsoa": lsoa,
        }
    if name == "probation":
        return {
            "supervision_id": f"S{n}",
            "person_id": f"P{rng.randrange(10**6)}",
            "start_date": str(day),
            "order_type": rng.choice(ORDER_TYPES),
            "ho_offence_group": rng.choice(GROUPS),
            "age": str(rng.randrange(18, 70)),
            "sex": sex,
            "residence_lsoa": lsoa,
        }
    if name == "fire-incident":
        return {
            "incident_id": f"F{n}",
            "incident_datetime": at,
            "incident_type": rng.choice(["Deliberate primary fire", "Attack on crew"]),
            "property_type": rng.choice(["Dwelling", "Road vehicle", "Outdoor"]),
            "casualties": "0",
            "lsoa_code": lsoa,
        }
    return {
        "incident_id": f"A{n}",
        "call_datetime": at,
        "category": rng.choice(CATEGORIES),
        "age_band": rng.choice(["15-17", "18-24", "30-39"]),
        "sex": sex,
        "incident_lsoa": lsoa,
    }


__all__ = ["problems", "query", "store_text", "write_rows"]
