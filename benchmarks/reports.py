"""Benchmark: the needs assessment and the five district profiles, HTML and PDF, end to end.

Builds the demo partnership (five years by default), then times ``vrhub report sna`` for the
analyst audience and prints the time of each stage (figures per report; HTML and PDF per
report, drawn two at a time in worker processes while the next report's figures are computed)
and the total. Goal (issue 5): all six reports, HTML and PDF, in under 60 seconds on a 2-core
machine. The baseline, run in the same process, is the partnership report alone without PDFs.

Run: .venv/bin/python benchmarks/reports.py [YEARS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from vrhub import pipeline
from vrhub.demo.build import build_demo_home


def main() -> None:
    years = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        build_demo_home(root / "home", years=years, seed=2026)
        print(f"demo partnership: {years} years built in {time.perf_counter() - t:.0f} s")
        home = pipeline.open_partnership_home(root / "home")
        t = time.perf_counter()
        pipeline.build_reports(home, root / "baseline", None, "analyst", districts=False, pdf=False)
        baseline = time.perf_counter() - t
        t = time.perf_counter()
        result = pipeline.build_reports(home, root / "full", None, "analyst")
        total = time.perf_counter() - t
        for stage, took in result.timings.items():
            print(f"  {stage:40} {took:6.2f} s")
        pages = sum(1 for r in result.reports if r.pdf.exists())
        print(f"baseline (partnership report, HTML only): {baseline:.1f} s")
        print(
            f"full set ({len(result.reports)} reports, {pages} PDFs): {total:.1f} s (goal < 60 s)"
        )
        print(f"ratio full / baseline: {total / baseline:.1f}")
        print(f"goal under 60 s: {'met' if total < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
