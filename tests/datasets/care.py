"""Helpers for the education and care dataset tests: an agreement covering the three
standards, files written from rows, and what the analytical store then holds."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from tests.datasets.shared import grant_agreement, problems, query, store_text, write_rows
from tests.datasets.shared import ingest as shared_ingest
from vrhub.datasets.childrens_social_care import ASSESSMENT_FACTORS, EVENT_TYPES
from vrhub.datasets.neet import ACTIVITIES
from vrhub.home import Home
from vrhub.ingest.load import IngestResult

EDUCATION_AND_CARE = ("school-exclusion", "neet", "childrens-social-care")
#: A Leeds LSOA by its 2011 code and a Leeds LSOA by its 2021 code.
LEEDS_2011 = "E01011264"
LEEDS_2021 = "E01033008"
#: A Bradford LSOA (2011 code).
BRADFORD_2011 = "E01010568"


def grant_care_agreement(home: Home) -> None:
    """One active agreement covering the three standards, sent by a test council."""
    grant_agreement(
        home,
        "TEST-ISA-CARE",
        "Test agreement for education and children's social care extracts",
        ("test-council", "Test council", "council"),
        EDUCATION_AND_CARE,
        {"article9": "9(2)(g) substantial public interest; DPA 2018 Sch 1 para 18"},
    )


def ingest(home: Home, name: str, path: Path) -> IngestResult:
    return shared_ingest(home, name, path, "test-council")


def care_files(folder: Path, months: list[str], lsoas: list[str], seed: int) -> dict[str, Path]:
    """Small files of the three feeds: 0 to 4 records of each in each LSOA and month, all good,
    for tests that need every dataset held (such as the differencing attack)."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in EDUCATION_AND_CARE}
    for month in months:
        for lsoa in lsoas:
            for name in EDUCATION_AND_CARE:
                for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
                    rows[name].append(_good_row(name, rng, month, lsoa, len(rows[name])))
    return {name: write_rows(folder / f"{name}.csv", rows[name]) for name in EDUCATION_AND_CARE}


def _good_row(name: str, rng: random.Random, month: str, lsoa: str, n: int) -> dict[str, str]:
    day = dt.date.fromisoformat(f"{month}-01") + dt.timedelta(rng.randrange(26))
    sex = rng.choice(["Female", "Male", "Male", "Unknown"])
    if name == "school-exclusion":
        year = rng.randrange(7, 12)
        return {
            "exclusion_id": f"E{n}",
            "pupil_id": f"U{rng.randrange(10**6)}",
            "exclusion_date": str(day),
            "category": "Suspension",
            "reason": "Persistent disruptive behaviour",
            "sessions": str(rng.randrange(1, 10)),
            "school_phase": "Secondary",
            "nc_year_group": str(year),
            "age": str(year + 5),
            "sex": sex,
            "residence_lsoa": lsoa,
        }
    if name == "neet":
        return {
            "person_id": f"Y{n}",
            "snapshot_month": month,
            "activity": rng.choice(ACTIVITIES),
            "age": str(rng.randrange(16, 18)),
            "send": "N",
            "sex": sex,
            "residence_lsoa": lsoa,
        }
    return {
        "event_id": f"S{n}",
        "child_id": f"K{rng.randrange(10**6)}",
        "event_date": str(day),
        "event_type": rng.choice(EVENT_TYPES[1:]),
        **{h: "" for h, _ in ASSESSMENT_FACTORS},
        "age": str(rng.randrange(0, 18)),
        "sex": sex,
        "residence_lsoa": lsoa,
    }


__all__ = ["problems", "query", "store_text", "write_rows"]
