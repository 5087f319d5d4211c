"""The analytical store's schema is changed only by numbered migrations run on open: a home
built by the release before migrations (kept as a fixture) opens, is upgraded, keeps its data
and lineage, and works as a new one."""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.conftest import DATA, TEST_AGREEMENT, police_crime_row
from tests.store.test_ownership import REFERENCE_SCHEMA
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.errors import ConfigurationError
from vrhub.hub import open_hub
from vrhub.store import batches
from vrhub.store.analytical import connect
from vrhub.store.migrations import LATEST, MIGRATIONS, applied_version

PC = get_dataset("police-crime")
#: Built by vrhub 0.1.0 (commit 3d1bdfb): a West Yorkshire home with the test agreement and
#: one police-crime batch of 12 rows for 2024-03, its reference tables left out to keep it small.
OLD_HOME = DATA / "homes" / "before-store-migrations.tar.gz"


def _old_home(tmp_path: Path) -> Path:
    with tarfile.open(OLD_HOME) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "home"


def test_a_home_from_the_previous_release_opens_and_is_upgraded(
    tmp_path: Path, write_police_crime: Callable[..., Path]
) -> None:
    root = _old_home(tmp_path)
    raw = duckdb.connect(str(root / "analytical.duckdb"))
    assert applied_version(raw) == 0
    raw.close()
    home = pipeline.open_partnership_home(root)
    # Migration 3 gives it the reference tables its builder left out, and the rotation log,
    # empty until reference data is loaded.
    con = connect(home)
    try:
        assert applied_version(con) == LATEST >= 3
        for table in REFERENCE_SCHEMA:
            [(rows,)] = con.execute(f"SELECT count(*) FROM {table}").fetchall()
            assert rows == 0, table
    finally:
        con.close()
    pipeline.load_reference_data(home)
    with open_hub(home) as hub:
        assert applied_version(hub.con) == LATEST
        [(lsoas,)] = hub.con.execute("SELECT count(*) FROM ref_lsoa").fetchall()
        assert lsoas > 30_000
        [old] = batches.held(hub.con)
        # The batch's agreement and uploader are filled from the record store's lineage
        # and audit trail; nothing was lost.
        assert (old["agreement_ref"], old["agreement_version"]) == (TEST_AGREEMENT, 1)
        assert old["uploaded_by"].startswith("cli:") and old["organisation"] is None
        [(n,)] = hub.con.execute(f"SELECT count(*) FROM {PC.table}").fetchall()
        assert n == 12
    # It loads a revision of its month like a new home, replacing the hub's own rows.
    revised = write_police_crime("revised.csv", [police_crime_row(i) for i in range(20)])
    [r] = pipeline.ingest_paths(home, PC, [revised], source="test-police")
    assert r.replaced == [(1, "2024-03", 12)] and r.rows_accepted == 20
    assert pipeline.counts(home, PC, ["month"]).rows == [("2024-03", 20)]
    log = {b["batch_id"]: b["status"] for b in pipeline.batch_log(home)}
    assert log == {1: "superseded", r.batch_id: "loaded"}
    # Opening again applies nothing more.
    con = connect(home)
    try:
        [(migrations,)] = con.execute("SELECT count(*) FROM store_migrations").fetchall()
    finally:
        con.close()
    assert migrations == len(MIGRATIONS)  # every migration once (numbers may skip)


def test_a_home_newer_than_this_release_is_refused(tmp_path: Path) -> None:
    root = _old_home(tmp_path)
    home = pipeline.open_partnership_home(root)
    con = connect(home)
    con.execute("INSERT INTO store_migrations VALUES (99, 'from the future', now(), '9.9')")
    con.close()
    with pytest.raises(ConfigurationError, match="schema version 99, newer than this release"):
        connect(home)


def test_an_older_events_table_gains_a_new_optional_field_as_not_recorded(tmp_path: Path) -> None:
    root = _old_home(tmp_path)
    raw = duckdb.connect(str(root / "analytical.duckdb"))
    before = {r[0] for r in raw.execute(f"DESCRIBE {PC.table}").fetchall()}
    raw.close()
    assert "location_type" not in before  # made before police-crime had a location type
    home = pipeline.open_partnership_home(root)
    con = connect(home)
    try:
        after = {r[0] for r in con.execute(f"DESCRIBE {PC.table}").fetchall()}
        # Record keys came later too, as did the people columns (ethnicity, suspect's sex).
        assert after - before == {
            "location_type",
            "record_key",
            "victim_ethnicity",
            "suspect_sex",
            "suspect_ethnicity",
        }
        [(n, held)] = con.execute(
            f"SELECT count(*), count(location_type) FROM {PC.table}"
        ).fetchall()
        assert (n, held) == (12, 0)  # its rows say nothing of the type of place
    finally:
        con.close()
