"""Shared fixtures, all built in code: homes for real partnerships with real reference data."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from vrhub import pipeline
from vrhub.demo.build import build_demo_home
from vrhub.governance.terms import parse_terms
from vrhub.home import Home

RAW = next(
    (
        p
        for p in (
            Path(os.environ.get("VRHUB_RAW_DATA", "/nonexistent")),
            Path(__file__).resolve().parents[2] / "shared" / "data" / "raw",
            Path("/work/shared/data/raw"),
        )
        if p.is_dir()
    ),
    Path("/nonexistent"),
)
DATA = Path(__file__).resolve().parent / "data"


def _template(tmp_path_factory: pytest.TempPathFactory, partnership: str) -> Path:
    root = tmp_path_factory.mktemp(f"template-{partnership}") / "home"
    home, _ = pipeline.init_partnership_home(root, partnership)
    if partnership == "west-yorkshire":
        grant_test_agreement(home)
    return root


TEST_AGREEMENT = "TEST-ISA-01"


def grant_test_agreement(home: Home) -> None:
    """Test organisations and one active agreement covering every partner extract."""
    gov = pipeline.governance(home)
    try:
        for code, kind in (
            ("test-police", "police"),
            ("test-nhs", "health"),
            ("test-vrp", "partnership"),
        ):
            gov.people.add_organisation(code, f"Test {kind}", kind, "test")
        terms = parse_terms(
            {
                "ref": TEST_AGREEMENT,
                "title": "Test agreement for partner extracts",
                "parties": ["test-police", "test-nhs", "test-vrp"],
                "covers": [
                    {"dataset": "police-crime"},
                    {"dataset": "ed-assault"},
                    {"dataset": "hospital-admission"},
                ],
                "lawful_basis": {
                    "article6": "public-task",
                    "article9": "9(2)(i) public health",
                    "article10": "DPA 2018 Sch 1 para 10",
                },
                "purposes": ["testing"],
                "audiences": ["analyst", "partner", "provider", "practitioner", "public"],
                "retention_months": 60,
                "start_date": dt.date(2015, 1, 1),
                "status": "active",
            },
            "test agreement",
        )
        gov.register.create(terms, "test")
    finally:
        gov.close()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two years of the demo partnership (seed 11), built once per session; do not modify."""
    home = tmp_path_factory.mktemp("demo") / "home"
    build_demo_home(home, years=2, seed=11)
    return home


# -- PostgreSQL ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A PostgreSQL server for record-store tests: CI's, or a throwaway one started here.

    Never skipped: without a server the record-store tests fail, saying why.
    """
    given = os.environ.get("VRHUB_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    script = Path(__file__).resolve().parents[1] / "scripts" / "pg-throwaway.sh"
    root = Path(tempfile.mkdtemp(prefix="vrhub-pg-"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = subprocess.run(
        ["bash", str(script), "start", str(root / "pg"), str(port)],
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        pytest.fail(
            "record-store tests need PostgreSQL: set VRHUB_TEST_POSTGRES_URL or install the "
            f"PostgreSQL server ({started.stderr.strip()})"
        )
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(script), "stop", str(root / "pg")], check=False)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    name = f"vrhub_test_{uuid.uuid4().hex[:12]}"
    admin = postgres_admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    yield postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a record-store test on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("VRHUB_DATABASE_URL", url)
    else:
        monkeypatch.delenv("VRHUB_DATABASE_URL", raising=False)
    return str(request.param)


@pytest.fixture
def gov_home(backend: str, _wy_template: Path, tmp_path: Path) -> Iterator[Home]:
    """A West Yorkshire home whose record store (SQLite or PostgreSQL) starts empty."""
    dest = tmp_path / "gov-home"
    shutil.copytree(_wy_template, dest)
    for name in ("records.sqlite", "records.sqlite-wal", "records.sqlite-shm"):
        (dest / name).unlink(missing_ok=True)
    (dest / "secrets" / "audit.key").unlink(missing_ok=True)
    (dest / "audit-checkpoint.json").unlink(missing_ok=True)  # belongs to the old record store
    yield pipeline.open_partnership_home(dest)


@pytest.fixture(scope="session")
def _sy_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "south-yorkshire")


@pytest.fixture(scope="session")
def _wy_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "west-yorkshire")


@pytest.fixture
def sy_home(_sy_template: Path, tmp_path: Path) -> Iterator[Home]:
    """A fresh South Yorkshire home with reference data loaded."""
    dest = tmp_path / "sy-home"
    shutil.copytree(_sy_template, dest)
    yield pipeline.open_partnership_home(dest)


@pytest.fixture
def wy_home(_wy_template: Path, tmp_path: Path) -> Iterator[Home]:
    """A fresh West Yorkshire home with reference data loaded."""
    dest = tmp_path / "wy-home"
    shutil.copytree(_wy_template, dest)
    yield pipeline.open_partnership_home(dest)


POLICE_UK_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context\n"
)


def write_police_uk(path: Path, lines: list[str]) -> Path:
    """Write a police.uk street-level file: the published header, then the given data lines."""
    path.write_text(POLICE_UK_HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


POLICE_CRIME_HEADER = [
    "crime_reference",
    "ho_offence_code",
    "ho_offence_group",
    "offence_description",
    "occurred_from",
    "occurred_to",
    "recorded_date",
    "lsoa_code",
    "easting",
    "northing",
    "victim_id",
    "victim_age",
    "victim_sex",
    "suspect_id",
    "suspect_age",
    "knife_or_sharp_instrument",
    "firearm",
    "domestic_abuse",
    "outcome",
]


#: Six homicides in two years: a rare series (for t charts).
HOMICIDES = ["2024-01-10", "2024-03-02", "2024-06-20", "2024-08-05", "2024-11-30", "2025-02-14"]


def rare_homicide_rows(months: list[str]) -> list[dict[str, str]]:
    """An assault on the 20th of every month given (so every month is held) and the six
    ``HOMICIDES``."""
    rows = [
        police_crime_row(i, occurred_from=f"{m}-20 21:00", recorded_date=f"{m}-20 23:00")
        for i, m in enumerate(months)
    ]
    rows += [
        police_crime_row(
            1000 + i,
            ho_offence_code="001/01",
            occurred_from=f"{d} 02:00",
            recorded_date=f"{d} 05:00",
        )
        for i, d in enumerate(HOMICIDES)
    ]
    return rows


def police_crime_row(i: int, **overrides: str) -> dict[str, str]:
    """A valid police-crime row in Leeds (E01011264 is a Leeds LSOA)."""
    row = {
        "crime_reference": f"13/{i:06d}/24",
        "ho_offence_code": "008/01",
        "ho_offence_group": "Violence against the person",
        "offence_description": "Assault with injury",
        "occurred_from": "2024-03-02 23:15",
        "occurred_to": "",
        "recorded_date": "2024-03-03 09:00",
        "lsoa_code": "E01011264",
        "easting": "",
        "northing": "",
        "victim_id": f"VIC{i:05d}",
        "victim_age": "17",
        "victim_sex": "F",
        "suspect_id": f"SUS{i:05d}",
        "suspect_age": "19",
        "knife_or_sharp_instrument": "N",
        "firearm": "N",
        "domestic_abuse": "N",
        "outcome": "Under investigation",
    }
    row.update(overrides)
    return row


@pytest.fixture
def write_police_crime(tmp_path: Path) -> Callable[..., Path]:
    """Write police-crime rows to a CSV file and return its path."""

    def write(
        name: str,
        rows: list[dict[str, str]],
        header: list[str] | None = None,
        encoding: str = "utf-8",
        delimiter: str = ",",
    ) -> Path:
        path = tmp_path / name
        cols = header or POLICE_CRIME_HEADER
        with open(path, "w", newline="", encoding=encoding) as fh:
            w = csv.DictWriter(fh, fieldnames=cols, delimiter=delimiter, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        return path

    return write
