"""Each benchmark script still runs end to end (on a small input, so no timing is judged here).

Benchmarks live outside the test suite, so without this a change to the library could break one
unnoticed until the next measurement.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    ("script", "size", "expect"),
    [
        ("ingest.py", "5000", "vrhub ingest (validate, pseudonymise, load)"),
        ("measures.py", "20000 --demo-years 1", "dashboard tile (year ending, by district)"),
        ("reports.py", "1", "full set (6 reports, 6 PDFs)"),
        ("web.py", "5 --years 1", "20 users for 5 s against the 1-year demo hub"),
    ],
)
def test_benchmark_runs(script: str, size: str, expect: str) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *size.split()],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert expect in done.stdout
