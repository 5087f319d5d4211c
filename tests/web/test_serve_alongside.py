"""An analyst can work while the dashboard serves (issue 16): a running `vrhub serve` holds the
analytical store for reading only, so `vrhub measure run` and `vrhub counts` on the same home
work; a command that changes the store is refused in one line (nothing changed); an upload
through the dashboard takes the store for writing just while it loads, waiting for readers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.conftest import free_port

VRHUB = [sys.executable, "-c", "import sys; from vrhub.cli import main; sys.exit(main())"]


def _vrhub(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"COLUMNS": "200"}
    return subprocess.run(
        [*VRHUB, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


@pytest.fixture(scope="module")
def home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("alongside") / "home"
    shutil.copytree(demo_home, dest)
    return dest


@pytest.fixture(scope="module")
def serving(home: Path) -> Iterator[str]:
    """`vrhub serve` on the home, in a process of its own."""
    port = free_port()
    server = subprocess.Popen(
        [*VRHUB, "serve", "--home", str(home), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{address}/public.json", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(server.stderr.read() if server.stderr else "") from None
                time.sleep(0.2)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_measures_run_while_the_dashboard_serves(home: Path, serving: str) -> None:
    run = _vrhub(
        "measure", "run", "serious-violence", "--dataset", "police-crime", "--by", "district",
        "--home", str(home),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "E08000035" in run.stdout  # Leeds, by district
    # The dashboard went on serving meanwhile.
    with urllib.request.urlopen(f"{serving}/public.json", timeout=60) as r:
        assert r.status == 200


def test_counts_run_while_the_dashboard_serves(home: Path, serving: str) -> None:
    run = _vrhub("counts", "--dataset", "police-crime", "--by", "district", "--home", str(home))
    assert run.returncode == 0, run.stderr
    assert "E08000035" in run.stdout or "Leeds" in run.stdout


def test_a_write_while_the_dashboard_serves_is_refused_in_one_line(
    home: Path, serving: str
) -> None:
    extract = sorted((home / "demo-extracts" / "ed-assault").rglob("*.csv"))[0]
    before = _vrhub("batches", "--home", str(home), "--format", "csv")
    run = _vrhub("ingest", str(extract), "--dataset", "ed-assault", "--home", str(home))
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert "holds" in run.stderr and "nothing was changed" in run.stderr
    assert "Traceback" not in run.stderr
    after = _vrhub("batches", "--home", str(home), "--format", "csv")
    assert after.returncode == 0 and after.stdout == before.stdout


def test_the_dashboard_starts_while_a_command_reads_the_store(
    demo_home: Path, tmp_path: Path
) -> None:
    """`vrhub serve` started while an analyst's command reads the store reads alongside it."""
    from fastapi.testclient import TestClient

    from vrhub import pipeline
    from vrhub.web.app import create_app

    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    reader = subprocess.Popen(
        [
            sys.executable, "-c",
            "import sys, time; from vrhub import pipeline; from vrhub.store.analytical import "
            "connect; con = connect(pipeline.open_partnership_home(sys.argv[1]), read_only=True);"
            " print('open', flush=True); time.sleep(30); con.close()",
            str(home),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        app = create_app(pipeline.open_partnership_home(home))
        with TestClient(app, base_url="https://testserver") as c:
            assert app.state.web.hub.read_only
            assert c.get("/public.json").status_code == 200
    finally:
        reader.kill()
        reader.wait(timeout=30)
