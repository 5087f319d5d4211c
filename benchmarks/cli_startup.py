"""Benchmark: how long the command line takes to start and answer at once.

Times, as fresh processes, ``vrhub --help``, ``vrhub version`` and ``vrhub --version``, and as
baselines a bare interpreter (``python -c pass``) and an interpreter importing the whole
library (``import vrhub.pipeline``, what every command that opens a home needs). Prints the
median and slowest of RUNS runs of each and the ratio of each median to the bare interpreter's,
measured in the same process one after the other. Goal (issue 16): ``vrhub --help`` and
``vrhub version`` under a second.

Run: .venv/bin/python benchmarks/cli_startup.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

#: Run the command line as the installed ``vrhub`` script does.
RUN = "import sys; from vrhub.cli import entry; sys.argv[0] = 'vrhub'; entry()"
VRHUB = [sys.executable, "-c", RUN]

CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "vrhub --help": [*VRHUB, "--help"],
    "vrhub version": [*VRHUB, "version"],
    "vrhub --version": [*VRHUB, "--version"],
    "import vrhub.pipeline (whole library)": [sys.executable, "-c", "import vrhub.pipeline"],
}

GOAL = 1.0  # seconds


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def main(runs: int) -> int:
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(runs):  # interleaved, so a change in the machine's load touches every case
        for name, argv in CASES.items():
            times[name].append(timed(argv))
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"{runs} runs each, fresh processes; ratio = median / bare interpreter's median")
    print(f"{'case':40s} {'median':>9s} {'slowest':>9s} {'ratio':>7s}")
    for name, got in times.items():
        median = statistics.median(got)
        print(f"{name:40s} {median * 1000:7.0f} ms {max(got) * 1000:7.0f} ms {median / base:7.1f}")
    slow = [n for n in ("vrhub --help", "vrhub version") if statistics.median(times[n]) >= GOAL]
    print(
        f"goal: vrhub --help and vrhub version under {GOAL:.0f} s: {'not met' if slow else 'met'}"
    )
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
