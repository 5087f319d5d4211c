"""The DPO's governance report answers the questions an information request asks."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from tests.governance.conftest import add_orgs, hospital_terms, police_terms
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.governance.terms import parse_terms
from vrhub.home import Home


def test_report_lists_register_holdings_people_and_activity(
    gov_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.register.create(parse_terms(police_terms(), "t"), "t")
        gov.register.create(parse_terms(hospital_terms(status="suspended"), "t"), "t")
        gov.people.add_user("lee", "Lee", "leeds", "partner", ["E08000035"], "x" * 12, "t")
    finally:
        gov.close()
    path = tmp_path / "pc.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        for i in range(6):
            w.writerow(police_crime_row(i))
    pipeline.ingest_paths(gov_home, get_dataset("police-crime"), [path], source="wyp")

    out = tmp_path / "report.md"
    assert main(["governance", "report", "--home", str(gov_home.path), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| DSA-POLICE | 1 | active | Police recorded violence |" in text
    assert "| DSA-HOSPITAL | 1 | suspended |" in text
    assert "| OGL-3.0 | 1 | active | Open Government Licence v3.0 |" in text
    assert "| DSA-POLICE | police-crime | wyp | 1 | 6 | 2024-03 to 2024-03 | 2031-03-31 |" in text
    assert "| lee | Leeds City Council | partner | partner audience | Leeds | yes |" in text
    assert "Audit trail check: intact" in text
    assert "| ingest.loaded | batch 1 |" in text
    capsys.readouterr()
    assert main(["governance", "report", "--home", str(gov_home.path)]) == 0
    assert capsys.readouterr().out.startswith("# Governance report: West Yorkshire")
