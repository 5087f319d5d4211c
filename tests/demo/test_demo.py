"""The demo partnership: deterministic, realistic, and ingested through the normal path."""

from __future__ import annotations

import hashlib
from pathlib import Path

from vrhub import pipeline
from vrhub.demo import calibration as cal
from vrhub.demo.build import build_demo_home
from vrhub.store.analytical import connect


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.csv"))
    }


def test_same_seed_same_files(demo_home: Path, tmp_path: Path) -> None:
    other = tmp_path / "again"
    build_demo_home(other, years=2, seed=11)
    assert _digest(demo_home / "demo-extracts") == _digest(other / "demo-extracts")


def test_demo_is_realistic(demo_home: Path) -> None:
    home = pipeline.open_partnership_home(demo_home)
    con = connect(home)
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    per_year = q("SELECT count(*) / 2 FROM events_police_crime")[0][0]
    assert 60_000 < per_year < 90_000  # about a fifth of ~300,000 crimes, plus sexual/robbery
    homicides = q(
        "SELECT count(*) / 2 FROM events_police_crime WHERE offence_code IN ('001/01', '004/01')"
    )[0][0]
    assert 12 <= homicides <= 40  # around two dozen a year (seeds 000, 001)
    dom = q(
        "SELECT avg(domestic_flag::INT) FROM events_police_crime "
        "WHERE offence_group = 'Violence against the person'"
    )[0][0]
    assert abs(dom - 0.36) < 0.05
    # Deprivation gradient: most deprived decile has well over twice the least deprived rate.
    rates = dict(
        q("""
        WITH pop AS (
            SELECT i.imd_decile, sum(p.total) AS pop FROM ref_imd i
            JOIN ref_population p USING (lsoa11) JOIN ref_lsoa11 l ON l.code = i.lsoa11
            WHERE l.district LIKE 'E0800003%' GROUP BY 1),
        n AS (
            SELECT i.imd_decile, count(*) AS n FROM events_police_crime e
            JOIN ref_imd i ON i.lsoa11 = e.lsoa11 GROUP BY 1)
        SELECT pop.imd_decile, n.n / pop.pop FROM pop JOIN n USING (imd_decile)
    """)
    )
    assert rates[1] > 2 * rates[10]
    # Planted defects are found at about their planted rates.
    missing = q("SELECT avg((NOT location_known)::INT) FROM events_police_crime")[0][0]
    assert abs(missing - cal.MISSING_LOCATION_RATE.value) < 0.01
    bad_codes = q("SELECT count(*) FROM ingest_problems WHERE rule = 'offence-code'")[0][0]
    assert bad_codes > 0
    assert q("SELECT count(*) FROM batch_replacements")[0][0] >= 1
    late = q(
        "SELECT max(received_on - last_day(strptime(months[1] || '-01', '%Y-%m-%d')::DATE))"
        " FROM ingest_batches WHERE dataset = 'police-crime'"
    )[0][0]
    assert late == cal.LATE_DAYS.value
    assert (
        q("SELECT count(*) FROM events_ed_assault WHERE lsoa21 IS NOT NULL AND location_known")[0][
            0
        ]
        > 0
    )
    con.close()
