"""Benchmark: end-to-end ingest of a 1,000,000-row police-crime extract.

Prints rows per second for vrhub's ingest (validate, pseudonymise, load), the same file read
by DuckDB's own read_csv in the same process as the baseline, their ratio, and peak memory.
Goals (issue 2): at least 300,000 rows/s, at least a quarter of the raw read rate, peak
memory under 2 GB.

Run: .venv/bin/python benchmarks/ingest.py [ROWS]
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.demo.governance import setup_demo_governance
from vrhub.ingest import rules


def make_extract(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    base = np.datetime64("2024-01-01T00:00", "m")
    occurred = base + rng.integers(0, 60 * 24 * 28, rows).astype("timedelta64[m]")
    recorded = occurred + rng.integers(0, 600, rows).astype("timedelta64[m]")
    lsoas = ["E01011264", "E01033008", "E01010646", "E01011701", "E01012005"]
    table = pa.table(
        {
            "crime_reference": [f"13/{i:08d}/24" for i in range(rows)],
            "ho_offence_code": rng.choice(["008/01", "105/01", "034/02", "010/01"], rows),
            "ho_offence_group": rng.choice(["Violence against the person", "Robbery"], rows),
            "offence_description": ["Assault with injury"] * rows,
            "occurred_from": np.datetime_as_string(occurred).astype(str),
            "occurred_to": pa.nulls(rows, pa.string()),
            "recorded_date": np.datetime_as_string(recorded).astype(str),
            "lsoa_code": rng.choice(lsoas, rows),
            "victim_id": [f"V{v:08d}" for v in rng.integers(0, 10**8, rows)],
            "victim_age": rng.integers(0, 90, rows),
            "victim_sex": rng.choice(["F", "M"], rows),
            "suspect_id": [f"S{v:07d}" for v in rng.integers(0, 10**7, rows)],
            "suspect_age": rng.integers(10, 80, rows),
            "knife_or_sharp_instrument": rng.choice(["Y", "N"], rows),
            "firearm": rng.choice(["Y", "N"], rows),
            "domestic_abuse": rng.choice(["Y", "N"], rows),
            "outcome": rng.choice(["Charged", "Under investigation"], rows),
        }
    )
    pacsv.write_csv(table, path)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        extract = root / "police-crime-2024-01.csv"
        # Written by a child process, so this process's peak memory is ingest's alone.
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            pool.apply(make_extract, (extract, rows))
        size_mb = extract.stat().st_size / 1e6

        home, _ = pipeline.init_partnership_home(root / "home", "west-yorkshire")
        # The demo's agreements: the police extract is shared under its police agreement.
        gov = pipeline.governance(home)
        try:
            setup_demo_governance(gov)
        finally:
            gov.close()
        t1 = time.perf_counter()
        [result] = pipeline.ingest_paths(
            home, get_dataset("police-crime"), [extract], source="west-yorkshire-police"
        )
        ingest_s = time.perf_counter() - t1
        assert result.rows_accepted == rows, result.message
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        con = duckdb.connect()
        t0 = time.perf_counter()
        # The baseline materialises every row as text, as ingest does, in one read.
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{extract}', all_varchar=true)")
        raw_s = time.perf_counter() - t0
        n = con.execute("SELECT count(*) FROM raw").fetchone()
        assert n and n[0] == rows
        # The keyed HMAC-SHA256 of the three identifier columns alone, for the record.
        ids = ", ".join(
            f"count({rules.pseudonym(c)})" for c in ("crime_reference", "victim_id", "suspect_id")
        )
        t2 = time.perf_counter()
        con.execute(f"SELECT {ids} FROM raw", home.key.sql_params()).fetchall()
        hmac_s = time.perf_counter() - t2
        con.close()

    raw_rate = rows / raw_s
    rate = rows / ingest_s
    print(f"rows: {rows:,} ({size_mb:.0f} MB CSV)")
    print(f"duckdb read_csv (baseline): {raw_s:.2f} s = {raw_rate:,.0f} rows/s")
    print(f"vrhub ingest (validate, pseudonymise, load): {ingest_s:.2f} s = {rate:,.0f} rows/s")
    print(f"  of which HMAC-SHA256 of 3 identifier columns alone: about {hmac_s:.2f} s")
    print(f"ratio ingest / baseline: {rate / raw_rate:.2f} (goal >= 0.25)")
    print(f"peak memory during ingest (process max RSS): {peak_mb:,.0f} MB (goal < 2,048)")
    print(f"goal 300,000 rows/s: {'met' if rate >= 300_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
