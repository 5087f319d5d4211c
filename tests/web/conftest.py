"""A dashboard over a copy of the demo home, for each test module that needs one."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vrhub import pipeline
from vrhub.home import Home
from vrhub.web.app import create_app


def accounts(home: Path) -> dict[str, str]:
    """The demo accounts' passwords by user name."""
    lines = (home / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()
    return {p[0]: p[2] for p in (line.split("\t") for line in lines if not line.startswith("#"))}


@pytest.fixture(scope="module")
def web_home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Home:
    dest = tmp_path_factory.mktemp("web") / "home"
    shutil.copytree(demo_home, dest)
    return pipeline.open_partnership_home(dest)


@pytest.fixture(scope="module")
def passwords(web_home: Home) -> dict[str, str]:
    return accounts(web_home.path)


@pytest.fixture
def client(web_home: Home) -> Iterator[TestClient]:
    with TestClient(create_app(web_home), base_url="https://testserver") as c:
        yield c


def sign_in(client: TestClient, username: str, password: str) -> None:
    form = client.get("/login")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI, name: str = "localhost") -> Iterator[str]:
    """The app served by uvicorn in a thread, as `vrhub serve` does; yields its address
    (with ``name`` for the host)."""
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    try:
        yield f"http://{name}:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def server(web_home: Home) -> Iterator[str]:
    with serve(create_app(web_home)) as address:
        yield address
