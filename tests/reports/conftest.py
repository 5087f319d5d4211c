"""Reports built once for the whole reports test package (each build takes a while)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.reports.build import BuildResult

PERIOD = "year ending 2026-09"


@pytest.fixture(scope="session")
def report_home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo home (building reports writes to its audit trail)."""
    dest = tmp_path_factory.mktemp("reports") / "home"
    shutil.copytree(demo_home, dest)
    return dest


@pytest.fixture(scope="session")
def public(report_home: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    home = pipeline.open_partnership_home(report_home)
    out = tmp_path_factory.mktemp("public")
    return pipeline.build_reports(home, out, PERIOD, "public")


@pytest.fixture(scope="session")
def analyst(report_home: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    home = pipeline.open_partnership_home(report_home)
    out = tmp_path_factory.mktemp("analyst")
    return pipeline.build_reports(home, out, PERIOD, "analyst", districts=False)
