"""An extension installed for real adds a dataset standard, a measure and a report section.

The example extension in ``tests/extension`` is built and installed by pip into a folder put on
``sys.path`` (its dist-info carries the entry points, as in any installation), then used through
vrhub's ordinary paths: ingest, measures and the report build. Nothing under ``src/`` names it.
Afterwards it is removed and the registries forget it, so other tests see the built-ins only.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import distribution, entry_points
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.datasets import DATASETS, all_datasets, get_dataset
from vrhub.governance.terms import parse_terms
from vrhub.home import Home
from vrhub.measures.registry import MEASURES, all_measures
from vrhub.reports.registry import SECTIONS, all_sections

EXTENSION = Path(__file__).resolve().parent / "extension"
PACKAGE = "vrhub_example_extension"
DIST = "vrhub-example-extension"
DATASET, MEASURE, SECTION = "ambulance-assault", "ambulance-stab-callouts", "ambulance-callouts"
GROUPS = ("vrhub.datasets", "vrhub.measures", "vrhub.report_sections")
LEEDS_LSOA, LEEDS = "E01011264", "E08000035"


def _forget_registries() -> None:
    importlib.invalidate_caches()
    for registry in (DATASETS, MEASURES, SECTIONS):
        registry.reload()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example extension, installed by pip into a folder on ``sys.path``."""
    root = tmp_path_factory.mktemp("extension")
    source = root / "source"
    # pip builds in the source folder: a copy keeps tests/extension free of build output.
    shutil.copytree(EXTENSION, source, ignore=shutil.ignore_patterns("__pycache__"))
    target = root / "site-packages"
    # The extension carries its own build backend (standard library only): no index needed.
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    done = subprocess.run(
        [*pip, "--target", str(target), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(target))
    _forget_registries()
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        _forget_registries()
    assert DATASET not in {d.name for d in all_datasets()}, "the extension was not removed"


def test_installed_like_any_package(installed: Path) -> None:
    dist = distribution(DIST)
    assert dist.version == "1.0.0"
    assert Path(str(dist.locate_file(PACKAGE))).parent == installed
    for group in GROUPS:
        ours = [ep for ep in entry_points(group=group) if ep.dist and ep.dist.name == DIST]
        assert len(ours) == 1, group


def test_registered_beside_the_built_ins(installed: Path) -> None:
    assert {"police-crime", "ed-assault", DATASET} <= {d.name for d in all_datasets()}
    assert {"serious-violence", MEASURE} <= {m.name for m in all_measures()}
    order = [s.id for s in all_sections()]
    # Its order (85) places it between the built-ins ordered 80 and 90.
    assert order.index("ed-and-police") < order.index(SECTION) < order.index("costs")
    assert all_measures()[[m.name for m in all_measures()].index(MEASURE)].fed_by(
        all_datasets()
    ) == [DATASET]


def _agreement(home: Home) -> None:
    gov = pipeline.governance(home)
    try:
        terms = parse_terms(
            {
                "ref": "TEST-ISA-AMBULANCE",
                "title": "Test agreement for ambulance call-outs",
                "parties": ["test-nhs", "test-vrp"],
                "covers": [{"dataset": DATASET}],
                "lawful_basis": {"article6": "public-task", "article9": "9(2)(i) public health"},
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


# (incident, date, injury): three stab wounds in the year ending March 2024, one outside it.
CALLS = [
    ("AMB-1", "2023-05-06", "stab wound"),
    ("AMB-2", "2023-11-05", "stab wound"),
    ("AMB-3", "2024-02-14", "blunt force"),
    ("AMB-4", "2024-03-30", "stab wound"),
    ("AMB-5", "2024-04-02", "stab wound"),
]


def test_ingested_measured_and_reported(installed: Path, wy_home: Home, tmp_path: Path) -> None:
    _agreement(wy_home)
    path = tmp_path / "ambulance.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Incident Number", "call_date", "injury", "incident_lsoa"])
        w.writerows([*row, LEEDS_LSOA] for row in CALLS)
    ds = get_dataset(DATASET)
    [loaded] = pipeline.ingest_paths(wy_home, ds, [path], source="test-ambulance")
    assert (loaded.status, loaded.rows_accepted) == ("loaded", len(CALLS)), loaded.message
    assert loaded.agreement and "TEST-ISA-AMBULANCE" in loaded.agreement

    result = pipeline.run_measure(
        wy_home, MEASURE, ds, ["district"], date_from="2023-04", date_to="2024-03"
    )
    assert {r.group: r.count for r in result.rows} == {(LEEDS,): 3}

    built = pipeline.build_reports(
        wy_home, tmp_path / "out", "year ending 2024-03", "analyst", districts=False, pdf=False
    )
    [report] = built.reports
    html = report.html.read_text(encoding="utf-8")
    assert "Ambulance call-outs for stab wounds" in html
    assert "ambulance crews were called to 3 people with a stab wound" in html
