"""Benchmark: measures through the engine against hand-written DuckDB SQL for the same figure.

Builds a synthetic national-scale store (ROWS police-crime records, default 10,000,000, spread
over every LSOA of England and five years) straight into DuckDB, then for each measure times
the engine (Ibis on DuckDB, with rates and intervals) and a hand-written SQL query giving the
same counts, in the same process, as the median of repeated runs. Goals (issue 4): engine
overhead at most 1.5x the hand-written query; any dashboard tile query (one measure, year
ending, by district) under 100 ms at 10 million rows. Spark start-up and run time are
reported separately (needs `pip install 'vrhub[spark]'`).

First it times every built-in measure, by district, on each dataset that can feed it, on the
demo partnership (five years unless ``--demo-years N``; 0 skips it).

Run: .venv/bin/python benchmarks/measures.py [ROWS] [--spark] [--demo-years N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ibis

from vrhub import pipeline
from vrhub.datasets import all_datasets, get_dataset
from vrhub.demo.build import build_demo_home
from vrhub.errors import NoDataHeldError
from vrhub.measures.engine import run_measure
from vrhub.measures.registry import all_measures, get_measure
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
REPEATS = 7

#: The population by district, as a hand-written query would join it.
POP = (
    "p AS (SELECT l.district, sum(p.total) AS pop FROM ref_population p JOIN ref_lsoa l "
    "ON l.code = p.lsoa11 AND l.code = l.lsoa11 GROUP BY 1)"
)

#: (label, measure, by, filters, the same counts and populations in hand-written SQL)
CASES = [
    (
        "crime-rate by district, robbery",
        "crime-rate",
        ["district"],
        {"offence_group": "Robbery"},
        f"WITH c AS (SELECT district, count(*) AS n FROM events_police_crime WHERE "
        f"in_partnership AND offence_group = 'Robbery' GROUP BY 1), {POP} "
        "SELECT c.district, p.pop, c.n FROM c LEFT JOIN p USING (district)",
    ),
    (
        "knife-enabled serious violence by district",
        "knife-enabled-serious-violence",
        ["district"],
        {},
        "WITH c AS (SELECT district, count(*) AS n FROM events_police_crime WHERE "
        "in_partnership AND knife_flag AND offence_group IN ('Violence against the person', "
        f"'Robbery', 'Sexual offences') GROUP BY 1), {POP} "
        "SELECT c.district, p.pop, c.n FROM c LEFT JOIN p USING (district)",
    ),
    (
        "non-domestic homicide",
        "non-domestic-homicide",
        [],
        {},
        f"WITH {POP} SELECT (SELECT sum(pop) FROM p), count(*) FROM events_police_crime "
        "WHERE in_partnership AND offence_code IN ('001/01', '004/01', '004/02', '004/10') "
        "AND NOT coalesce(domestic_flag, false)",
    ),
    (
        "violence with injury by month",
        "violence-with-injury",
        ["month"],
        {},
        f"WITH {POP} SELECT month, (SELECT sum(pop) FROM p), count(*) FROM events_police_crime "
        "WHERE in_partnership AND offence_code IN ('001/01', '004/01', '002/01', '005/01', "
        "'008/01') GROUP BY 1",
    ),
]


def median_time(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def build_store(root: Path, rows: int) -> pipeline.Home:
    """A home whose partnership is all of England, with synthetic events written directly."""
    home, _ = pipeline.init_partnership_home(root / "home", "west-yorkshire")
    con = connect(home)
    try:
        lads = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT district FROM ref_lsoa WHERE district LIKE 'E0%'"
            ).fetchall()
        ]
        con.execute(f"""
            INSERT INTO events_police_crime (batch_id, source, row_number, month, offence_code,
                offence_group, victim_age, victim_sex, knife_flag, firearm_flag, domestic_flag,
                lsoa11, lsoa21, district, in_partnership, location_known)
            WITH l AS (SELECT code, district, row_number() OVER () - 1 AS i
                       FROM ref_lsoa WHERE code = lsoa11 AND district LIKE 'E0%'),
                 n AS (SELECT count(*) AS n FROM l),
                 r AS (SELECT i, hash(i) % 6 AS k, (hash(i * 11) % (SELECT n FROM n))::BIGINT AS at
                       FROM range({rows}) t(i))
            SELECT 1, 'bench', r.i, strftime(DATE '2021-10-01' + to_months(r.i % 60), '%Y-%m'),
                   ['001/01', '005/01', '008/01', '105/01', '034/02', '019/01'][1 + r.k::BIGINT],
                   ['Violence against the person', 'Violence against the person',
                    'Violence against the person', 'Violence against the person', 'Robbery',
                    'Sexual offences'][1 + r.k::BIGINT],
                   (hash(r.i * 7) % 90)::INTEGER,
                   CASE WHEN r.i % 2 = 0 THEN 'Female' ELSE 'Male' END,
                   hash(r.i * 3) % 20 = 0, false, hash(r.i * 5) % 4 = 0,
                   l.code, l.code, l.district, true, true
            FROM r JOIN l ON l.i = r.at
        """)
    finally:
        con.close()
    toml = "name = 'England'\nslug = 'england'\n" + "".join(
        f"[[districts]]\ncode = '{d}'\nname = '{d}'\n" for d in sorted(lads)
    )
    (home.path / "partnership.toml").write_text(toml, encoding="utf-8")
    return pipeline.open_partnership_home(home.path)


def demo_timings(years: int) -> None:
    """Every built-in measure by district on the demo partnership, each dataset feeding it."""
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        build_demo_home(Path(tmp) / "home", years=years, seed=2026)
        print(f"demo partnership: {years} years built in {time.perf_counter() - t:.0f} s")
        home = pipeline.open_partnership_home(Path(tmp) / "home")
        datasets = all_datasets()
        for m in all_measures():
            for name in m.fed_by(datasets):
                ds = get_dataset(name)
                try:
                    pipeline.run_measure(home, m.name, ds, ["district"])
                except NoDataHeldError:  # the demo holds no police.uk extract
                    print(f"  {m.name:34} from {name:20}    no data held")
                    continue
                took = median_time(
                    lambda m=m, ds=ds: pipeline.run_measure(home, m.name, ds, ["district"])
                )
                print(f"  {m.name:34} from {name:20} {1000 * took:7.1f} ms (with agreements)")


def main() -> None:
    rows = int(next((a for a in sys.argv[1:] if a.isdigit()), "10000000"))
    years = int(sys.argv[sys.argv.index("--demo-years") + 1]) if "--demo-years" in sys.argv else 5
    if years:
        demo_timings(years)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        home = build_store(Path(tmp), rows)
        print(
            f"synthetic store: {rows:,} police-crime records over "
            f"{len(home.partnership.district_codes)} districts ({time.perf_counter() - t:.0f} s)"
        )
        con = connect(home)
        backend = ibis.duckdb.from_connection(con)
        districts = list(home.partnership.district_codes)
        worst = 0.0
        for label, name, by, filters, sql in CASES:
            m = get_measure(name)
            engine_s = median_time(
                lambda m=m, by=by, f=filters: run_measure(backend, m, PC, districts, by, f)
            )
            hand_s = median_time(lambda sql=sql: con.execute(sql).fetchall())
            got = run_measure(backend, m, PC, districts, by, filters)
            hand = con.execute(sql).fetchall()
            assert sum(r.count for r in got.rows) == sum(int(r[-1]) for r in hand), label
            ratio = engine_s / hand_s
            worst = max(worst, ratio)
            print(
                f"{label:45} engine {1000 * engine_s:8.1f} ms  hand SQL {1000 * hand_s:7.1f} ms"
                f"  ratio {ratio:5.2f}"
            )
        tile = median_time(
            lambda: run_measure(
                backend,
                get_measure("knife-enabled-serious-violence"),
                PC,
                districts,
                ["district"],
                {},
                "2025-10",
                "2026-09",
            )
        )
        print(f"dashboard tile (year ending, by district): {1000 * tile:.1f} ms (goal < 100 ms)")
        print(f"largest engine / hand SQL ratio: {worst:.2f} (goal <= 1.5)")
        con.close()
        if "--spark" in sys.argv:
            t = time.perf_counter()
            pipeline.run_measure(home, "non-domestic-homicide", PC, [], engine="spark")
            first = time.perf_counter() - t
            t = time.perf_counter()
            pipeline.run_measure(home, "non-domestic-homicide", PC, [], engine="spark")
            print(
                f"spark: first run (with start-up) {first:.1f} s, "
                f"next run {time.perf_counter() - t:.1f} s"
            )


if __name__ == "__main__":
    main()
