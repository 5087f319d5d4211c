"""Helpers for the justice and emergency-service dataset tests: an agreement covering the
four standards, files written from rows, and what the store then holds."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.datasets.ambulance_incident import CATEGORIES
from vrhub.datasets.police_crime import OFFENCE_GROUPS as GROUPS
from vrhub.datasets.probation import ORDER_TYPES
from vrhub.datasets.youth_justice import OUTCOME_TYPES
from vrhub.governance.terms import parse_terms
from vrhub.home import Home
from vrhub.ingest.load import IngestResult
from vrhub.store.analytical import connect

JUSTICE = ("youth-justice", "probation", "fire-incident", "ambulance-incident")
#: Leeds LSOAs: a 2011 code and a 2021 code (the ED tests' postcode LS1 1AA lies in it).
LEEDS_2011 = "E01011264"
LEEDS_2021 = "E01033008"


def grant_justice_agreement(home: Home) -> None:
    """One active agreement covering the four standards, sent by a test organisation."""
    gov = pipeline.governance(home)
    try:
        gov.people.add_organisation("test-justice", "Test justice partner", "probation", "test")
        gov.people.add_organisation("test-hub", "Test partnership", "partnership", "test")
        terms = parse_terms(
            {
                "ref": "TEST-ISA-JUSTICE",
                "title": "Test agreement for justice and emergency-service extracts",
                "parties": ["test-justice", "test-hub"],
                "covers": [{"dataset": name} for name in JUSTICE],
                "lawful_basis": {
                    "article6": "public-task",
                    "article9": "9(2)(i) public health",
                    "article10": "DPA 2018 Sch 1 para 10",
                },
                "purposes": ["testing"],
                "audiences": ["analyst", "partner", "public"],
                "retention_months": 60,
                "start_date": dt.date(2015, 1, 1),
                "status": "active",
            },
            "test agreement",
        )
        gov.register.create(terms, "test")
    finally:
        gov.close()


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    """A CSV file whose header is the first row's keys."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def ingest(home: Home, name: str, path: Path) -> IngestResult:
    [result] = pipeline.ingest_paths(home, get_dataset(name), [path], source="test-source")
    return result


def query(home: Home, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    con = connect(home)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def problems(home: Home, batch: int | None) -> set[tuple[int, str, str, str]]:
    """(row, column, rule, message) of every problem the batch recorded."""
    rows = query(
        home,
        "SELECT row_number, column_name, rule, message FROM ingest_problems WHERE batch_id = ?",
        [batch],
    )
    return {(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows if r[0] is not None}


def store_text(home: Home) -> str:
    """Everything the analytical store holds outside the reference tables, as text."""
    con = connect(home)
    try:
        parts = []
        for (table,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name NOT LIKE 'ref_%'"
        ).fetchall():
            parts.append(str(con.execute(f"SELECT * FROM {table}").fetchall()))
        return "\n".join(parts)
    finally:
        con.close()


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
