"""Benchmark: 20 signed-in users browsing the dashboard at once.

Builds the demo partnership (five years unless ``--years N``), optionally tops its police
records up to ``--rows N`` (copies of its own records, so every figure scales and nothing else
changes), serves it with ``vrhub serve`` in its own process, and first opens every page once as
each demo account, one after another (the first visit: views not yet worked out). Then 20
simulated users (one per demo account, round robin) browse for the given number of seconds
(default 120): each signs in and keeps opening the overview, published figures, reports,
explorer and place pages, as pages and as ``.json``, and a static asset (the baseline). Prints
the 50th and 95th percentile response times for pages, JSON and the asset, and the error count.
Goals (issue 6): p95 page under 300 ms, p95 ``.json`` under 150 ms, no errors; the same against
a 10-million-row store (``--rows 10000000``).

Run: .venv/bin/python benchmarks/web.py [SECONDS] [--years N] [--rows N]
"""

from __future__ import annotations

import itertools
import multiprocessing
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

from vrhub import pipeline
from vrhub.demo.build import build_demo_home
from vrhub.store.analytical import connect

USERS = 20
PAGES = ["/", "/public", "/reports", "/explore", "/explore?by=district", "/place"]
JSON = [
    "/overview.json",
    "/public.json",
    "/reports.json",
    "/explore.json?by=month",
    "/explore.json?by=age_group",
    "/place.json",
]
ASSET = "/assets/vrhub.css"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accounts(home: Path) -> list[tuple[str, str]]:
    lines = (home / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()
    return [(p[0], p[2]) for p in (ln.split("\t") for ln in lines if not ln.startswith("#"))]


def _user(
    base: str,
    username: str,
    password: str,
    until: float,
    times: dict[str, list[float]],
    errors: list[str],
    lock: threading.Lock,
    once: bool = False,
) -> None:
    # The session cookies are Secure; a browser sends them to localhost over plain HTTP, but
    # httpx does not, so this client carries them itself.
    jar: dict[str, str] = {}

    def get(c: httpx.Client, path: str) -> httpx.Response:
        r = c.get(path, headers={"cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
        jar.update(dict(r.cookies))
        return r

    with httpx.Client(base_url=base, timeout=30) as c:
        form = get(c, "/login").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        r = c.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            headers={"cookie": "; ".join(f"{k}={v}" for k, v in jar.items())},
        )
        jar.update(dict(r.cookies))
        if r.status_code != 303:
            with lock:
                errors.append(f"{username}: sign-in {r.status_code}")
            return
        paths = [*PAGES, *JSON] if once else itertools.cycle([*PAGES, *JSON, ASSET])
        for path in paths:
            if not once and time.time() > until:
                return
            t = time.perf_counter()
            r = get(c, path)
            took = time.perf_counter() - t
            kind = "json" if path.endswith(".json") else "asset" if path == ASSET else "page"
            with lock:
                times[kind].append(took)
                times.setdefault(path, []).append(took)
                # A role an agreement does not permit is refused by design (the provider and the
                # police data); anything else but 200 is an error.
                refused = r.status_code == 403 and "may not go to the" in r.text
                if r.status_code != 200 and not refused:
                    errors.append(f"{username} {path}: {r.status_code}")


def _build(home: Path, years: int, rows: int, out: Any) -> None:
    """The demo home with its public reports, topped up to ``rows`` police records when given;
    puts how many police records it holds on ``out``."""
    t = time.perf_counter()
    build_demo_home(home, years=years, seed=2026)
    h = pipeline.open_partnership_home(home)
    pipeline.build_reports(h, home / "reports" / "public", None, "public", pdf=False)
    print(f"demo partnership: {years} years built in {time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    held = _top_up(h, rows)
    if rows:
        print(f"police records topped up to {held:,} in {time.perf_counter() - t:.0f} s")
    out.put(held)


def _top_up(home: pipeline.Home, rows: int) -> int:
    """Copy the demo's police records (each copy numbered apart) until the store holds ``rows``;
    returns how many it holds."""
    con = connect(home)
    try:
        con.execute("SET enable_progress_bar = false")
        [(held,)] = con.execute("SELECT count(*) FROM events_police_crime").fetchall()
        copies = max(0, -(-rows // held) - 1)
        if copies:
            con.execute(f"""
                INSERT INTO events_police_crime
                SELECT e.* REPLACE (e.row_number + t.c * 1000000000 AS row_number)
                FROM events_police_crime e, range(1, {copies + 1}) t(c)
                LIMIT {rows - held}
            """)
        [(now,)] = con.execute("SELECT count(*) FROM events_police_crime").fetchall()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return int(now)


def _first_visit(base: str, accounts: list[tuple[str, str]]) -> list[float]:
    """Each account opens every page and JSON once, one after another."""
    times: dict[str, list[float]] = {"page": [], "json": [], "asset": []}
    errors: list[str] = []
    lock = threading.Lock()
    for username, password in accounts:
        _user(base, username, password, 0.0, times, errors, lock, once=True)
    if errors:
        raise SystemExit(f"first visit failed: {errors[0]}")
    return times["page"] + times["json"]


def _pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    seconds = int(next((a for a in sys.argv[1:] if a.isdigit()), "120"))
    years = int(sys.argv[sys.argv.index("--years") + 1]) if "--years" in sys.argv else 5
    rows = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 0
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        # Built in a process of its own, so the simulated users' process starts small (a large
        # heap left by the build would make its garbage collection pause every user at once).
        ctx = multiprocessing.get_context("spawn")
        out = ctx.SimpleQueue()
        builder = ctx.Process(target=_build, args=(home, years, rows, out))
        builder.start()
        builder.join()
        if builder.exitcode != 0:
            raise SystemExit("building the demo partnership failed")
        held = out.get()
        port = _free_port()
        vrhub = Path(sys.executable).parent / "vrhub"
        server = subprocess.Popen(
            [str(vrhub), "serve", "--home", str(home), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://localhost:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{base}/public.json", timeout=60)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            accounts = _accounts(home)
            first = _first_visit(base, accounts)
            print(
                f"first visit ({len(first)} requests, one at a time): median "
                f"{1000 * statistics.median(first):.0f} ms, slowest {1000 * max(first):.0f} ms"
            )
            times: dict[str, list[float]] = {"page": [], "json": [], "asset": []}
            errors: list[str] = []
            lock = threading.Lock()
            until = time.time() + seconds
            users = [
                threading.Thread(
                    target=_user,
                    args=(base, *accounts[i % len(accounts)], until, times, errors, lock),
                )
                for i in range(USERS)
            ]
            for u in users:
                u.start()
            for u in users:
                u.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    store = f", {held:,} police records" if rows else ""
    print(f"{USERS} users for {seconds} s against the {years}-year demo hub{store}")
    for kind, goal in (("page", 300), ("json", 150), ("asset", None)):
        v = times[kind]
        p50, p95 = 1000 * _pct(v, 50), 1000 * _pct(v, 95)
        note = f" (goal < {goal} ms: {'met' if p95 < goal else 'NOT met'})" if goal else ""
        print(f"  {kind:5} requests {len(v):6,}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{note}")
    print("  by address (p95):")
    for path in [*PAGES, *JSON]:
        print(f"    {path:32} {1000 * _pct(times.get(path, []), 95):7.1f} ms")
    base_p95 = _pct(times["asset"], 95)
    print(f"ratio p95 page / static asset: {_pct(times['page'], 95) / base_p95:.1f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    main()
