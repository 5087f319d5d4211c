"""A dashboard over a copy of the demo home, for each test module that needs one."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
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


@pytest.fixture(scope="module")
def server(web_home: Home) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(create_app(web_home), host="127.0.0.1", port=port, log_level="error")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield f"http://localhost:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
