"""Key rotation re-keys every stored pseudonym; projects get pseudonyms only they can link.

Runs on SQLite and PostgreSQL record stores.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import (
    POLICE_CRIME_HEADER,
    TEST_AGREEMENT,
    grant_test_agreement,
    police_crime_row,
)
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.errors import PseudonymisationKeyError
from vrhub.home import Home
from vrhub.pseudonymise import PseudonymisationKey, read_key_file, write_key_file
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")


def police_file(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        w.writerows(rows)
    return path


def stored(home: Home, sql: str) -> list[tuple[object, ...]]:
    con = connect(home)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def home(gov_home: Home) -> Home:
    grant_test_agreement(gov_home)
    return gov_home


def test_rotation_rekeys_store_and_keeps_linking(home: Home, tmp_path: Path) -> None:
    first = police_file(
        tmp_path / "a.csv",
        [police_crime_row(1), police_crime_row(2, victim_age="200")],  # row 3 quarantined
    )
    pipeline.ingest_paths(home, PC, [first], source="wyp", agreement=TEST_AGREEMENT)
    before = stored(home, "SELECT victim_id_pseudonym FROM events_police_crime")
    assert before == [(home.key.pseudonym("VIC00001"),)]

    r = pipeline.rotate_key(home, actor="admin")
    assert r.rekeyed == 3 + 3  # three identifiers in the stored row and in the quarantined one
    rotated = pipeline.open_partnership_home(home.path)
    assert len(rotated.key.chain) == 2 and rotated.key.fingerprint == r.fingerprint_after
    new_key = rotated.key.rotations[0]
    expected = hmac.new(new_key, str(before[0][0]).encode(), hashlib.sha256).hexdigest()
    assert rotated.key.pseudonym("vic00001") == expected
    assert stored(home, "SELECT victim_id_pseudonym FROM events_police_crime") == [(expected,)]
    [(record,)] = stored(home, "SELECT record FROM quarantine")
    assert rotated.key.pseudonym("VIC00002") in str(record)
    assert home.key.pseudonym("VIC00002") not in str(record)

    # New files after the rotation link to the re-keyed records: the same victim, and a crime
    # reference already held is still caught as a duplicate.
    second = police_file(
        tmp_path / "b.csv",
        [
            police_crime_row(7, victim_id="VIC00001", recorded_date="2024-04-03 09:00"),
            police_crime_row(1, recorded_date="2024-04-04 09:00"),
        ],
    )
    [r2] = pipeline.ingest_paths(rotated, PC, [second], source="wyp")
    assert (r2.rows_accepted, r2.rows_rejected) == (1, 1)
    victims = stored(home, "SELECT DISTINCT victim_id_pseudonym FROM events_police_crime")
    assert victims == [(expected,)]
    # A session still holding the old key is refused rather than mixing two keys.
    with pytest.raises(PseudonymisationKeyError, match="the key was rotated"):
        pipeline.ingest_paths(home, PC, [police_file(tmp_path / "c.csv", [])], source="wyp")
    gov = pipeline.governance(rotated)
    try:
        [entry] = gov.audit.show(action="key")
        assert entry.action == "key.rotate" and r.fingerprint_after in entry.details
        assert gov.audit.verify().intact
    finally:
        gov.close()


def test_interrupted_rotation_is_completed_or_discarded(home: Home) -> None:
    key_file = home.settings.resolved_key_file
    pending = key_file.with_name(key_file.name + ".new")
    unused = PseudonymisationKey(home.key.secret, (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 4,))
    write_key_file(pending, unused)
    # The store never committed this rotation: the new file is discarded.
    assert pipeline.open_partnership_home(home.path).key.fingerprint == home.key.fingerprint
    assert not pending.exists()
    # The store committed but the file was not yet moved: opening the home finishes the job.
    # (The store's migrations created the rotation log when the home was made.)
    con = connect(home)
    try:
        con.execute(
            "INSERT INTO key_rotations VALUES (current_timestamp::TIMESTAMP, ?, ?, 0)",
            [home.key.fingerprint, unused.fingerprint],
        )
    finally:
        con.close()
    write_key_file(pending, unused)
    assert pipeline.open_partnership_home(home.path).key.fingerprint == unused.fingerprint
    assert read_key_file(key_file).fingerprint == unused.fingerprint and not pending.exists()


def test_projects_cannot_join_each_others_extracts(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [police_crime_row(i, victim_id="VIC00042" if i < 3 else f"VIC{i:05d}") for i in range(5)]
    pipeline.ingest_paths(home, PC, [police_file(tmp_path / "a.csv", rows)], source="wyp")
    a, b = tmp_path / "eval-a.parquet", tmp_path / "eval-b.parquet"
    assert pipeline.project_extract(home, "eval-a", PC, a, actor="analyst") == 5
    assert (
        main(
            [
                "project",
                "extract",
                "eval-b",
                "--dataset",
                "police-crime",
                "--out",
                str(b),
                "--home",
                str(home.path),
            ]
        )
        == 0
    )
    va = pq.read_table(a).column("victim_id_pseudonym").to_pylist()
    vb = pq.read_table(b).column("victim_id_pseudonym").to_pylist()
    store = [
        r[0]
        for r in stored(
            home, "SELECT victim_id_pseudonym FROM events_police_crime ORDER BY row_number"
        )
    ]
    assert va[0] == va[1] == va[2] != va[3]  # linked within a project
    assert not set(va) & set(vb) and not set(va) & set(store) and not set(vb) & set(store)
    with pytest.raises(Exception, match="use letters, digits and hyphens"):
        pipeline.project_extract(home, "eval a;", PC, a)
