"""Shared fixtures, all built in code: homes for real partnerships with real reference data."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vrhub import pipeline
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
    pipeline.init_partnership_home(root, partnership)
    return root


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
