"""Governance fails closed: a failure at any step of an ingest (before or after either
store's commit, or a ``kill -9`` of a real process mid-batch) never releases data its
agreement forbids, never leaves a batch half-loaded, and a re-run ends with exactly the
right rows and lineage."""

from __future__ import annotations

import datetime as dt
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete

from tests.conftest import TEST_AGREEMENT, police_crime_row
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.errors import AudienceForbiddenError, LineageWriteError, UngovernedBatchError
from vrhub.exports import export_counts
from vrhub.governance import retention
from vrhub.governance.audit import Audit
from vrhub.governance.context import Governance, open_governance
from vrhub.governance.lineage import agreements_for_batches
from vrhub.governance.projection import Reconciled
from vrhub.home import Home
from vrhub.hub import Hub, open_hub
from vrhub.ingest import load
from vrhub.outputs.period import parse_period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.records.models import BatchLineage
from vrhub.store import batches
from vrhub.store.analytical import connect, table_exists

PC = get_dataset("police-crime")
ROWS = 40


def _analyst_only(home: Home) -> None:
    """The test agreement may go to analysts and partners only, never the public."""
    with open_hub(home) as hub:
        hub.gov.register.amend(
            TEST_AGREEMENT, {"audiences": ["analyst", "partner"]}, "no public release", "test"
        )


def _file(write: Callable[..., Path], n: int = ROWS, name: str = "march.csv") -> Path:
    return write(name, [police_crime_row(i) for i in range(1, n + 1)])


def _ingest(home: Home, path: Path) -> pipeline.IngestResult:
    [r] = pipeline.ingest_paths(
        home, PC, [path], source="wyp", agreement=TEST_AGREEMENT, organisation="test-police"
    )
    return r


def _state(home: Home) -> tuple[dict[int, int], list[dict[str, object]]]:
    """Rows per batch in the events table, and the batches the log says are held."""
    with open_hub(home) as hub:
        rows = (
            dict(
                hub.con.execute(f"SELECT batch_id, count(*) FROM {PC.table} GROUP BY 1").fetchall()
            )
            if table_exists(hub.con, PC.table)
            else {}
        )
        return rows, batches.held(hub.con)


def _assert_consistent(home: Home) -> dict[int, int]:
    """Nothing half-loaded, and every held batch tied to its agreement once the hub opens."""
    rows, held = _state(home)
    assert {b["batch_id"]: b["rows_accepted"] for b in held} == rows
    with open_hub(home) as hub:
        refs = agreements_for_batches(hub.gov.records, rows)
        assert all(b["agreement_ref"] == TEST_AGREEMENT for b in held)
    assert [r.ref for r in refs] == ([TEST_AGREEMENT] if rows else [])
    return rows


def test_a_failure_inside_the_store_transaction_keeps_nothing(
    wy_home: Home, write_police_crime: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(write_police_crime)

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr(load, "record_after", broken)
    with pytest.raises(RuntimeError):
        _ingest(wy_home, path)
    assert _state(wy_home) == ({}, [])
    monkeypatch.undo()
    assert _ingest(wy_home, path).rows_accepted == ROWS
    assert list(_assert_consistent(wy_home).values()) == [ROWS]


def test_a_failed_lineage_write_holds_the_batch_back_until_the_hub_repairs_it(
    wy_home: Home, write_police_crime: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _analyst_only(wy_home)
    path = _file(write_police_crime)

    def down(*args: object, **kwargs: object) -> None:
        raise OSError("record store unreachable")

    monkeypatch.setattr(Governance, "record_batch", down)
    with pytest.raises(LineageWriteError, match="stored as batch 1 under TEST-ISA-01 v2"):
        _ingest(wy_home, path)
    monkeypatch.undo()
    # The batch is in the analytical store, with its agreement, but has no lineage yet: an
    # output that meets it refuses, naming it, rather than releasing it with no agreement.
    home = pipeline.open_partnership_home(wy_home.path)
    con, gov = connect(home), open_governance(home)
    try:
        [held] = batches.held(con)
        assert (held["agreement_ref"], held["agreement_version"]) == (TEST_AGREEMENT, 2)
        for audience in ("public", "partner", "analyst"):
            with pytest.raises(UngovernedBatchError, match="batch 1 cannot be tied"):
                export_counts(con, gov, PC, ["month"], audience, "test")
        # Every output path refuses it: exact counts, measures, reports' reads too.
        unrepaired = Hub(home, con, gov, Reconciled())
        with pytest.raises(UngovernedBatchError, match="batch 1"):
            pipeline.counts(unrepaired, PC, ["month"])
        with pytest.raises(UngovernedBatchError, match="batch 1"):
            pipeline.run_measure(unrepaired, "crime-rate", PC)
        period = parse_period("year ending 2024-03")
        with pytest.raises(UngovernedBatchError, match="batch 1"):
            Reads(home, con, gov, "analyst", period, None, Lineage()).measure("crime-rate", PC.name)
    finally:
        con.close()
        gov.close()
    # Opening the hub repairs the lineage, audited; then the agreement's terms apply.
    with open_hub(wy_home) as opened:
        assert opened.reconciled.lineage_added == [1]
        [entry] = opened.gov.audit.show(action="lineage.repaired")
        assert entry.target == "batch 1"
        details = json.loads(entry.details)
        assert (details["file"], details["organisation"], details["rows_accepted"]) == (
            "march.csv",
            "test-police",
            ROWS,
        )
    with pytest.raises(AudienceForbiddenError, match="may not go to the public audience"):
        pipeline.export_counts(wy_home, PC, ["month"], "public")
    assert pipeline.export_counts(wy_home, PC, ["month"], "partner").rows
    # Re-sending the file changes nothing: the batch and its lineage are complete.
    assert _ingest(wy_home, path).status == "unchanged"
    assert _assert_consistent(wy_home) == {1: ROWS}


KILLER = """
import os, signal, sys
from vrhub.governance import retention
from vrhub.governance.audit import Audit
from vrhub.governance.context import Governance, open_governance
from vrhub.ingest import load

def die():
    os.kill(os.getpid(), signal.SIGKILL)

point = sys.argv[1]
if point == "before-store-commit":
    keep = load.record_after
    def record_after(*a, **k):
        out = keep(*a, **k)
        die()
    load.record_after = record_after
elif point == "after-store-commit":
    Governance.record_batch = lambda *a, **k: die()
elif point == "after-lineage-commit":
    keep_batch = Governance.record_batch
    def record_batch(*a, **k):
        keep_batch(*a, **k)
        die()
    Governance.record_batch = record_batch
from vrhub.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _cli(script: Path, point: str, home: Home, path: Path) -> subprocess.Popen[bytes]:
    args = ["ingest", "--home", str(home.path), "--dataset", "police-crime", "--source", "wyp"]
    args += ["--agreement", TEST_AGREEMENT, "--organisation", "test-police", str(path)]
    return subprocess.Popen(
        [sys.executable, str(script), point, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "point", ["before-store-commit", "after-store-commit", "after-lineage-commit"]
)
def test_kill_9_at_each_step_of_an_ingest(
    point: str, wy_home: Home, write_police_crime: Callable[..., Path], tmp_path: Path
) -> None:
    _analyst_only(wy_home)
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    path = _file(write_police_crime)
    proc = _cli(script, point, wy_home, path)
    assert proc.wait(timeout=120) == -signal.SIGKILL
    rows = _assert_consistent(wy_home)
    assert rows == ({} if point == "before-store-commit" else {1: ROWS})
    if rows:  # what was stored is never released to an audience its agreement forbids
        with pytest.raises(AudienceForbiddenError):
            pipeline.export_counts(wy_home, PC, ["month"], "public")
    # A re-run ends with exactly the file's rows, in one batch with its lineage.
    again = _ingest(wy_home, path)
    assert again.status == ("loaded" if point == "before-store-commit" else "unchanged")
    assert list(_assert_consistent(wy_home).values()) == [ROWS]


def test_kill_9_at_every_moment_of_a_large_ingest(
    wy_home: Home, write_police_crime: Callable[..., Path], tmp_path: Path
) -> None:
    """Kill a real ingest later and later (and a little at random) until one finishes."""
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    n = 30_000
    path = _file(write_police_crime, n, "large.csv")
    rng = random.Random(14)
    killed = 0
    for attempt in range(1, 30):
        proc = _cli(script, "none", wy_home, path)
        time.sleep(0.6 * attempt + rng.uniform(0, 0.3))
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL)
        if proc.wait(timeout=120) == 0:
            break  # it finished between the look and the kill
        assert proc.returncode == -signal.SIGKILL
        killed += 1
        assert set(_assert_consistent(wy_home).values()) <= {n}
    assert killed >= 3 and proc.wait() == 0
    again = _ingest(wy_home, path)
    assert again.status == "unchanged"
    assert list(_assert_consistent(wy_home).values()) == [n]


def test_retention_interrupted_between_the_stores_is_finished_when_the_hub_opens(
    wy_home: Home, write_police_crime: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(wy_home, _file(write_police_crime))
    later = dt.date(2030, 1, 1)  # past the test agreement's 60 months for March 2024

    def down(*args: object, **kwargs: object) -> None:
        raise OSError("record store unreachable")

    monkeypatch.setattr(Audit, "record", down)
    with pytest.raises(OSError):
        pipeline.apply_retention(wy_home, today=later)
    monkeypatch.undo()
    # The rows are gone and the batch log says so; the lineage still thinks the batch is held
    # until the hub next opens, which finishes the job and audits it.
    assert _state(wy_home)[0] == {}
    with open_hub(wy_home) as hub:
        assert hub.reconciled.lineage_removed == []  # _state above opened a hub already
        [entry] = hub.gov.audit.show(action="lineage.repaired")
        assert json.loads(entry.details) == {"removed": [1]}
        assert retention.due(hub.gov, later) == []


def test_a_busy_record_store_is_one_clear_line_and_the_hub_still_opens(
    wy_home: Home, write_police_crime: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """With the record store locked by another writer, reading commands still work (a batch
    without lineage is refused by name) and writing ones say so in one line: no traceback."""
    _ingest(wy_home, _file(write_police_crime))
    with open_hub(wy_home) as hub, hub.gov.records.session() as s:
        s.execute(delete(BatchLineage))
    locker = sqlite3.connect(wy_home.path / "records.sqlite", timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with open_hub(wy_home) as hub:
            assert hub.reconciled.failed and "could not be used" in hub.reconciled.failed
        assert main(["counts", "--home", str(wy_home.path), "--dataset", "police-crime",
                     "--by", "month"]) == 1  # fmt: skip
        err = capsys.readouterr().err
        assert "batch 1 cannot be tied" in err and "Traceback" not in err
    finally:
        locker.rollback()
        locker.close()
    with open_hub(wy_home) as hub:
        assert hub.reconciled.lineage_added == [1]
