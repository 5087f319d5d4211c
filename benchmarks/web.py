"""Benchmark: 20 signed-in users browsing the dashboard at once.

Builds the demo partnership (five years unless ``--years N``), serves it with ``vrhub serve`` in
its own process, and runs 20 simulated users (one per demo account, round robin) for the given
number of seconds (default 120). Each signs in, then keeps opening the overview, the published
figures and the reports list, as pages and as ``.json``. Prints the 50th and 95th percentile
response times for pages and for JSON, the error count, and the same for a static asset fetched
under the same load (the baseline). Goals (issue 6): p95 page under 300 ms, p95 ``.json`` under
150 ms, no errors.

Run: .venv/bin/python benchmarks/web.py [SECONDS] [--years N]
"""

from __future__ import annotations

import itertools
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx

from vrhub import pipeline

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
        for path in itertools.cycle([*PAGES, *JSON, ASSET]):
            if time.time() > until:
                return
            t = time.perf_counter()
            r = get(c, path)
            took = time.perf_counter() - t
            kind = "json" if path.endswith(".json") else "asset" if path == ASSET else "page"
            with lock:
                times[kind].append(took)
                # A role an agreement does not permit is refused by design (the provider and the
                # police data); anything else but 200 is an error.
                refused = r.status_code == 403 and "may not go to the" in r.text
                if r.status_code != 200 and not refused:
                    errors.append(f"{username} {path}: {r.status_code}")


def _pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    seconds = int(next((a for a in sys.argv[1:] if a.isdigit()), "120"))
    years = int(sys.argv[sys.argv.index("--years") + 1]) if "--years" in sys.argv else 5
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        t = time.perf_counter()
        pipeline.build_demo(home, years=years, seed=2026)
        h = pipeline.open_partnership_home(home)
        pipeline.build_reports(h, home / "reports" / "public", None, "public", pdf=False)
        print(f"demo partnership: {years} years built in {time.perf_counter() - t:.0f} s")
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
    print(f"{USERS} users for {seconds} s against the {years}-year demo hub")
    for kind, goal in (("page", 300), ("json", 150), ("asset", None)):
        v = times[kind]
        p50, p95 = 1000 * _pct(v, 50), 1000 * _pct(v, 95)
        note = f" (goal < {goal} ms: {'met' if p95 < goal else 'NOT met'})" if goal else ""
        print(f"  {kind:5} requests {len(v):6,}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{note}")
    base_p95 = _pct(times["asset"], 95)
    print(f"ratio p95 page / static asset: {_pct(times['page'], 95) / base_p95:.1f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    main()
