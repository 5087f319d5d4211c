"""Identifiers never reach the store in the clear; revised months replace; the log is complete."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path

from tests.conftest import police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
ED = get_dataset("ed-assault")


def _all_text(home: Home) -> str:
    con = connect(home)
    try:
        parts = []
        for (table,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name NOT LIKE 'ref_%'"
        ).fetchall():
            parts.append(str(con.execute(f"SELECT * FROM {table}").fetchall()))
        return "\n".join(parts)
    finally:
        con.close()


def test_identifiers_are_hmac_pseudonyms_everywhere(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    rows = [police_crime_row(1), police_crime_row(2, victim_age="200")]
    [r] = pipeline.ingest_paths(wy_home, PC, [write_police_crime("p.csv", rows)], source="wyp")
    assert (r.rows_accepted, r.rows_rejected) == (1, 1)
    text = _all_text(wy_home) + "".join(p.read_text() for p in wy_home.reports_dir.glob("*.csv"))
    for clear in ("VIC00001", "VIC00002", "SUS00001", "13/000001/24", "13/000002/24"):
        assert clear not in text
    expected = hmac.new(wy_home.key.secret, b"VIC00001", hashlib.sha256).hexdigest()
    assert expected == wy_home.key.pseudonym("vic 00001")
    con = connect(wy_home)
    got = con.execute("SELECT victim_id_pseudonym FROM events_police_crime").fetchone()
    quarantined = con.execute("SELECT record FROM quarantine").fetchone()
    con.close()
    assert got == (expected,)
    assert quarantined is not None
    assert wy_home.key.pseudonym("VIC00002") in quarantined[0]


def test_postcode_becomes_lsoa_and_is_never_stored(wy_home: Home, tmp_path: Path) -> None:
    path = tmp_path / "ed.csv"
    path.write_text(
        "attendance_id,site_code,arrival_datetime,assault_datetime,assault_method,"
        "assault_location_type,age_band,sex,residence_lsoa,residence_postcode\n"
        "A1,DEMO01,2024-03-02 23:50,2024-03-02 23:10,Knife or sharp object,"
        "Licensed premises,15-17,M,,LS1 1AA\n"
        "A2,DEMO01,2024-03-03 01:10,,Hit kicked or punched,Home,18-24,F,,\n"
        "A3,DEMO01,2024-03-03 02:10,,Hit, kicked or punched,Home,18-24,F,,ZZ9 9ZZ\n",
        encoding="utf-8",
    )
    # Row 3 has an unquoted comma in the method, so it has too many values.
    [r] = pipeline.ingest_paths(wy_home, ED, [path])
    assert r.source == "demo01"
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (3, 1, 2)
    con = connect(wy_home)
    row = con.execute(
        "SELECT lsoa21, district, in_partnership, location_known FROM events_ed_assault"
    ).fetchone()
    con.close()
    assert row == ("E01033008", "E08000035", True, True)
    assert "1AA" not in _all_text(wy_home)


def test_revised_month_replaces_and_is_recorded(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    march = [police_crime_row(i) for i in range(1, 6)]
    april = [police_crime_row(i, recorded_date="2024-04-02 10:00") for i in range(10, 13)]
    [first] = pipeline.ingest_paths(
        wy_home, PC, [write_police_crime("m1.csv", march + april)], source="wyp"
    )
    revised = [police_crime_row(i) for i in range(1, 4)] + [police_crime_row(99)]
    [second] = pipeline.ingest_paths(
        wy_home, PC, [write_police_crime("m1-revised.csv", revised)], source="wyp"
    )
    assert second.replaced == [(first.batch_id, "2024-03", 5)]
    table = pipeline.counts(wy_home, PC, ["month"])
    assert table.rows == [("2024-03", 4), ("2024-04", 3)]
    # Another source's March is untouched by this source's revision.
    [other] = pipeline.ingest_paths(
        wy_home, PC, [write_police_crime("btp.csv", [police_crime_row(500)])], source="btp"
    )
    assert other.replaced == []
    log = pipeline.batch_log(wy_home)
    # The first batch lost its March to the revision but keeps its April.
    assert [b["status"] for b in log] == ["loaded", "loaded", "partly superseded"]
    assert log[-1]["months"] == ["2024-03", "2024-04"]
    assert log[-1]["file_sha256"] and log[-1]["rows_read"] == 8
