"""Nothing is ever lost by an upload: a revised month replaces only what the same supplying
organisation sent before; a replacement is said, audited and can be undone by re-sending;
rows outside the uploader's districts are refused by row number."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_AGREEMENT, police_crime_row
from vrhub import pipeline
from vrhub.cli import main
from vrhub.cli.common import out as cli_out
from vrhub.datasets import get_dataset
from vrhub.errors import UnknownPersonError
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.ingest.replace import Uploader
from vrhub.pipeline import ingest_governed
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
BRADFORD_LSOA = "E01010801"  # Bradford 036E
DISTRICTS = {"E08000032": "Bradford", "E08000035": "Leeds"}


def _march(first: int, last: int, **kw: str) -> list[dict[str, str]]:
    return [police_crime_row(i, **kw) for i in range(first, last)]


def _per_batch(home: Home) -> dict[int, int]:
    con = connect(home)
    try:
        return dict(con.execute(f"SELECT batch_id, count(*) FROM {PC.table} GROUP BY 1").fetchall())
    finally:
        con.close()


def _ingest(home: Home, path: Path, org: str | None) -> pipeline.IngestResult:
    [r] = pipeline.ingest_paths(
        home, PC, [path], source="wyp", agreement=TEST_AGREEMENT, organisation=org
    )
    return r


def test_another_organisations_upload_never_removes_data(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    police = _ingest(wy_home, write_police_crime("police.csv", _march(1, 6)), "test-police")
    assert police.status == "loaded" and police.rows_accepted == 5
    # Another party sends one new row for the same dataset, source and month.
    other = _ingest(wy_home, write_police_crime("vrp.csv", _march(500, 501)), "test-vrp")
    assert other.status == "loaded" and other.replaced == [] and other.replacements == []
    assert _per_batch(wy_home) == {police.batch_id: 5, other.batch_id: 1}
    # A row it repeats from the police's file is kept aside, so the record is counted once.
    again = _ingest(wy_home, write_police_crime("vrp-2.csv", _march(3, 4)), "test-vrp")
    assert again.rows_rejected == 0 and again.replaced == []
    [row] = pipeline.quarantine_rows(wy_home, "police-crime", again.batch_id, 10)
    assert row["row_number"] == 2 and "already held from another organisation" in row["reasons"]
    assert _per_batch(wy_home)[police.batch_id] == 5 and again.batch_id not in _per_batch(wy_home)
    # The hub's own command-line loads are a supplier of their own too.
    hub = _ingest(wy_home, write_police_crime("hub.csv", _march(700, 702)), None)
    assert hub.replaced == [] and _per_batch(wy_home)[police.batch_id] == 5
    log = {b["batch_id"]: b for b in pipeline.batch_log(wy_home)}
    assert log[police.batch_id]["status"] == "loaded"
    assert log[police.batch_id]["organisation"] == "test-police"
    assert log[hub.batch_id]["organisation"] is None


def test_a_revision_replaces_the_same_organisations_month_says_so_and_can_be_undone(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    original = write_police_crime("march.csv", _march(1, 6))
    first = _ingest(wy_home, original, "test-police")
    revised = _ingest(wy_home, write_police_crime("march-v2.csv", _march(1, 4)), "test-police")
    assert revised.replaced == [(first.batch_id, "2024-03", 5)]
    [x] = revised.replacements
    assert (x.rows_before, x.rows_after) == (5, 3)
    assert x.words == f"replaced 2024-03 from batch {first.batch_id}: 5 rows before, 3 after"
    assert _per_batch(wy_home) == {revised.batch_id: 3}
    log = {b["batch_id"]: b for b in pipeline.batch_log(wy_home)}
    assert log[first.batch_id]["status"] == "superseded"
    assert log[revised.batch_id]["replacements"] == [
        {
            "batch_id": revised.batch_id,
            "replaced_batch_id": first.batch_id,
            "month": "2024-03",
            "rows_removed": 5,
            "rows_added": 3,
        }
    ]
    # The replacement is in the audit trail with its counts.
    with open_hub(wy_home) as hub:
        entry = next(
            e
            for e in hub.gov.audit.show(action="ingest.loaded")
            if e.target == f"batch {revised.batch_id}"
        )
    assert json.loads(entry.details)["replaced"] == [
        {"batch": first.batch_id, "month": "2024-03", "rows_before": 5, "rows_after": 3}
    ]
    # Re-sending the earlier file restores it (it is no longer "identical to a loaded batch").
    restored = _ingest(wy_home, original, "test-police")
    assert restored.status == "loaded" and restored.rows_accepted == 5
    assert _per_batch(wy_home) == {restored.batch_id: 5}
    log = {b["batch_id"]: b for b in pipeline.batch_log(wy_home)}
    assert log[revised.batch_id]["status"] == "superseded"
    # Re-sending it once more changes nothing.
    assert _ingest(wy_home, original, "test-police").status == "unchanged"


def test_the_cli_says_what_a_file_replaced_and_batches_shows_it_superseded(
    wy_home: Home,
    write_police_crime: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_out, "width", 250)  # the batch log is a wide table
    base = ["--home", str(wy_home.path), "--dataset", "police-crime", "--source", "wyp"]
    first = write_police_crime("m.csv", _march(1, 6))
    second = write_police_crime("m2.csv", _march(1, 3))
    assert main(["ingest", *base, "--organisation", "test-police", str(first)]) == 0
    assert main(["ingest", *base, "--organisation", "test-police", str(second)]) == 0
    assert "replaced 2024-03 from batch 1: 5 rows before, 2 after" in capsys.readouterr().out
    assert main(["batches", "--home", str(wy_home.path)]) == 0
    out = capsys.readouterr().out
    assert "superseded" in out and "test-police" in out
    assert "batch 2 replaced 2024-03 of batch 1: 5 rows before, 2 after" in out
    # Readable when piped too: the log as CSV.
    assert main(["batches", "--home", str(wy_home.path), "--format", "csv"]) == 0
    log = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(b["batch"], b["status"], b["sent by"]) for b in log] == [
        ("2", "loaded", "test-police"),
        ("1", "superseded", "test-police"),
    ]
    # An organisation that is not registered, or not a party to the agreement, is refused.
    assert main(["ingest", *base, "--organisation", "nobody", str(first)]) == 1
    assert "no organisation has the code 'nobody'" in capsys.readouterr().err
    with open_hub(wy_home) as hub:
        hub.gov.people.add_organisation("outsider", "Not a party", "other", "test")
    assert main(["ingest", *base, "--organisation", "outsider", str(second)]) == 1
    assert "not a party to TEST-ISA-01" in capsys.readouterr().out.replace("\n", " ")
    assert _per_batch(wy_home) == {2: 2}


def test_rows_outside_the_uploaders_districts_are_refused_by_row(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    rows = _march(1, 4)
    rows[1]["lsoa_code"] = BRADFORD_LSOA
    rows[2]["lsoa_code"] = ""
    path = write_police_crime("leeds.csv", rows)
    leeds = Uploader("leeds-user", "test-vrp", ("E08000035",), DISTRICTS)
    with open_hub(wy_home) as hub:
        r = ingest_governed(hub, PC, path, "wyp", agreement=TEST_AGREEMENT, uploader=leeds)
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (3, 1, 2)
    quarantined = {
        q["row_number"]: q["reasons"]
        for q in pipeline.quarantine_rows(wy_home, "police-crime", r.batch_id, 10)
    }
    assert "the row is in Bradford, outside your districts (Leeds)" in quarantined[3]
    assert "cannot be shown to be in your districts (Leeds)" in quarantined[4]
    assert _per_batch(wy_home) == {r.batch_id: 1}


def test_an_unknown_organisation_is_refused_before_anything_is_read(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    with pytest.raises(UnknownPersonError, match="no organisation has the code 'typo'"):
        _ingest(wy_home, write_police_crime("x.csv", _march(1, 2)), "typo")
    assert pipeline.batch_log(wy_home) == []


def test_a_user_scoped_to_one_district_replaces_only_that_districts_rows(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    """A force's Leeds-only user revising March replaces the force's Leeds rows for March and
    nothing of its Bradford rows (nor learns how many there are)."""
    rows = _march(1, 7)
    for r in rows[3:]:
        r["lsoa_code"] = BRADFORD_LSOA
    force = _ingest(wy_home, write_police_crime("force.csv", rows), "test-police")
    assert force.rows_accepted == 6
    leeds_only = Uploader("police-leeds", "test-police", ("E08000035",), DISTRICTS)
    path = write_police_crime("leeds-revision.csv", _march(1, 2))
    with open_hub(wy_home) as hub:
        r = ingest_governed(hub, PC, path, "wyp", agreement=TEST_AGREEMENT, uploader=leeds_only)
    [x] = r.replacements
    assert (x.batch_id, x.month, x.rows_before, x.rows_after) == (force.batch_id, "2024-03", 3, 1)
    assert _per_batch(wy_home) == {force.batch_id: 3, r.batch_id: 1}
    log = {b["batch_id"]: b["status"] for b in pipeline.batch_log(wy_home)}
    assert log[force.batch_id] == "partly superseded"
    # Re-sending a Bradford row it may not send changes nothing of Bradford's either.
    bradford = write_police_crime("bradford.csv", _march(4, 5, lsoa_code=BRADFORD_LSOA))
    with open_hub(wy_home) as hub:
        refused = ingest_governed(
            hub, PC, bradford, "wyp", agreement=TEST_AGREEMENT, uploader=leeds_only
        )
    assert refused.rows_accepted == 0 and refused.replacements == []
    assert _per_batch(wy_home)[force.batch_id] == 3


def test_an_upload_cannot_tell_whether_another_organisation_holds_a_record(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    """The identifier oracle (issue 15, finding 10): a file repeating a record another
    organisation sent gets the same answer as a file of new records; the record is counted once
    and kept aside for analysts, never shown to the uploader."""
    _ingest(wy_home, write_police_crime("police.csv", _march(1, 3)), "test-police")
    known = _ingest(wy_home, write_police_crime("vrp.csv", _march(2, 3)), "test-vrp")
    fresh = _ingest(wy_home, write_police_crime("vrp-new.csv", _march(900, 901)), "test-vrp")

    def seen(r: pipeline.IngestResult) -> tuple[object, ...]:
        problems = r.problems_csv.read_text(encoding="utf-8") if r.problems_csv else ""
        return (
            r.status, r.rows_read, r.rows_accepted, r.rows_rejected, r.warnings,
            r.message.split(":", 1)[1], problems.count("\n"),
        )  # fmt: skip

    assert seen(known) == seen(fresh)
    assert known.rows_accepted == 1 and known.rows_rejected == 0
    # Counted once: only the police's copy is in the store.
    assert known.batch_id not in _per_batch(wy_home)
    # Analysts find the copy kept aside, with why, but not where the other copy came from.
    [row] = pipeline.quarantine_rows(wy_home, "police-crime", known.batch_id, 10)
    assert "already held from another organisation's data" in row["reasons"]
    assert "police.csv" not in row["reasons"] and "batch" not in row["reasons"]


def test_retention_counts_only_the_rows_a_batch_still_holds(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    first = _ingest(wy_home, write_police_crime("m.csv", _march(1, 6)), "test-police")
    second = _ingest(wy_home, write_police_crime("m2.csv", _march(1, 4)), "test-police")
    expired = pipeline.apply_retention(wy_home, dry_run=True, today=dt.date(2035, 1, 1))
    assert {e.batch_id: e.rows for e in expired} == {first.batch_id: 0, second.batch_id: 3}


def test_a_file_none_of_whose_rows_can_be_kept_is_rejected_and_counts_in_its_feeds_score(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    _ingest(wy_home, write_police_crime("good.csv", _march(1, 5)), "test-police")
    bad = _march(10, 14, lsoa_code="X0000000")
    r = _ingest(wy_home, write_police_crime("bad.csv", bad), "test-police")
    assert (r.status, r.rows_accepted, r.rows_rejected) == ("rejected", 0, 4)
    assert len(pipeline.quarantine_rows(wy_home, "police-crime", r.batch_id, 10)) == 4
    [feed] = pipeline.quality(wy_home, "wyp")
    rejected = next(m for m in feed.measures if m.name == "rejected_share")
    assert rejected.value == pytest.approx(4 / 8)
