"""Retention removes batches past their agreement's period, records what went, keeps the rest.

Runs on SQLite and PostgreSQL record stores.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from tests.governance.conftest import add_orgs, police_terms
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.governance.retention import keep_until
from vrhub.governance.terms import parse_terms
from vrhub.home import Home
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("month", "months", "until"),
    [
        ("2024-03", 12, dt.date(2025, 3, 31)),
        ("2024-01", 1, dt.date(2024, 2, 29)),
        ("2024-12", 1, dt.date(2025, 1, 31)),
        ("2019-03", 84, dt.date(2026, 3, 31)),
    ],
)
def test_keep_until_by_hand(month: str, months: int, until: dt.date) -> None:
    assert keep_until(month, months) == until


def month_file(tmp_path: Path, month: str, start: int, bad: bool = False) -> Path:
    path = tmp_path / f"pc-{month}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        for i in range(start, start + 4):
            w.writerow(police_crime_row(i, recorded_date=f"{month}-03 09:00"))
        if bad:
            w.writerow(police_crime_row(start + 99, recorded_date="not a date"))
    return path


def counts(home: Home) -> tuple[int, int, int]:
    con = connect(home)
    try:
        q = [
            "SELECT count(*) FROM events_police_crime",
            "SELECT count(*) FROM quarantine",
            "SELECT count(*) FROM ingest_problems",
        ]
        return tuple(int(con.execute(s).fetchone()[0]) for s in q)  # type: ignore[return-value,index]
    finally:
        con.close()


def test_retention_removes_only_expired_batches(
    gov_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.register.create(parse_terms(police_terms(retention_months=24), "t"), "t")
    finally:
        gov.close()
    [old] = pipeline.ingest_paths(
        gov_home, PC, [month_file(tmp_path, "2024-03", 1, bad=True)], source="wyp"
    )
    [recent] = pipeline.ingest_paths(
        gov_home, PC, [month_file(tmp_path, "2025-06", 100)], source="wyp"
    )
    assert counts(gov_home) == (8, 1, 1)

    # 2024-03 + 24 months = kept until 2026-03-31, so it is due on 2026-11-22.
    due = pipeline.apply_retention(gov_home, dry_run=True, actor="dpo", today=TODAY)
    assert [(e.batch_id, e.keep_until) for e in due] == [(old.batch_id, dt.date(2026, 3, 31))]
    assert counts(gov_home) == (8, 1, 1)  # a dry run changes nothing

    gone = pipeline.apply_retention(gov_home, actor="dpo", today=TODAY)
    assert [e.batch_id for e in gone] == [old.batch_id]
    assert counts(gov_home) == (4, 0, 0)
    con = connect(gov_home)
    try:
        assert con.execute("SELECT batch_id, status FROM ingest_batches ORDER BY 1").fetchall() == [
            (old.batch_id, "removed"),
            (recent.batch_id, "loaded"),
        ]
    finally:
        con.close()
    gov = pipeline.governance(gov_home)
    try:
        entries = gov.audit.show(action="retention")
        assert [e.action for e in entries] == ["retention.apply", "retention.dry-run"]
        assert '"rows":4' in entries[0].details
        assert gov.audit.verify().intact
    finally:
        gov.close()
    # Nothing more is due; a shortened retention (amendment) applies to data already held.
    assert pipeline.apply_retention(gov_home, today=TODAY) == []
    gov = pipeline.governance(gov_home)
    try:
        gov.register.amend("DSA-POLICE", {"retention_months": 12}, "DPO: shorter", "dpo")
    finally:
        gov.close()
    assert main(["retention", "apply", "--home", str(gov_home.path), "--dry-run"]) == 0
    assert "1 batch(es), 4 rows would be removed" in capsys.readouterr().out
