"""The hub shares the analytical store (issue 16): held for reading only, it takes the store
for writing just for a block (as an upload through the dashboard does), waiting for other
processes' reads, and a write to a store held for reading is refused in one line."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from vrhub import pipeline
from vrhub.errors import StoreInUseError
from vrhub.hub import open_hub
from vrhub.store.analytical import transaction


@pytest.fixture(scope="module")
def home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("hub") / "home"
    shutil.copytree(demo_home, dest)
    return dest


def _reader(home: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process reading the store for ``seconds``, once it says it has it open."""
    reader = subprocess.Popen(
        [
            sys.executable, "-c",
            "import sys, time; from vrhub import pipeline; from vrhub.store.analytical import "
            "connect; con = connect(pipeline.open_partnership_home(sys.argv[1]), read_only=True);"
            " print('open', flush=True); time.sleep(float(sys.argv[2])); con.close()",
            str(home), str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
    return reader


def test_a_write_waits_for_readers_in_other_processes(home: Path) -> None:
    """Hub.writing (as an upload through the dashboard) waits while another process reads,
    then shares the store again."""
    hub = open_hub(pipeline.open_partnership_home(home), read_only=True)
    reader = _reader(home, 1.5)
    try:
        began = time.monotonic()
        with hub.writing() as con:
            waited = time.monotonic() - began
            assert not hub.read_only or con is hub.con
            with transaction(con):
                con.execute("SELECT 1").fetchall()
        assert waited > 0.5  # it waited for the reader, then wrote
        assert hub.read_only  # and shares the store again
        with pytest.raises(StoreInUseError, match="opened for reading only"), transaction(hub.con):
            pass
    finally:
        reader.wait(timeout=30)
        hub.close()


def test_a_write_gives_up_in_one_line_when_readers_stay(home: Path) -> None:
    hub = open_hub(pipeline.open_partnership_home(home), read_only=True)
    reader = _reader(home, 20)
    try:
        began = time.monotonic()
        with (
            pytest.raises(StoreInUseError, match="in use by another vrhub process"),
            hub.writing(wait=0.5),
        ):
            pass
        assert time.monotonic() - began < 15
        # Still open for reading.
        assert hub.read_only and hub.con.execute("SELECT 1").fetchall() == [(1,)]
    finally:
        reader.kill()
        reader.wait(timeout=30)
        hub.close()


def test_a_shared_hub_waits_to_read_again_when_a_writer_slips_in(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between a write and reading again, another process may take the store for writing (a
    command that found it free): the hub waits for it rather than being left without a store.
    The other process is played by refusing the hub's first attempts to read again."""
    from vrhub import hub as hub_module
    from vrhub.store import analytical

    real = analytical.connect
    refusals = {"left": 0}

    def busy_then_free(h: Any, read_only: bool = False) -> Any:
        if read_only and refusals["left"]:
            refusals["left"] -= 1
            raise StoreInUseError("in use by another vrhub process (a writer)")
        return real(h, read_only=read_only)

    monkeypatch.setattr(hub_module, "connect", busy_then_free)
    hub = open_hub(pipeline.open_partnership_home(home), read_only=True)
    try:
        with hub.writing() as con:
            con.execute("SELECT 1").fetchall()
            refusals["left"] = 3  # a writer holds the store for three tries
        assert refusals["left"] == 0 and hub.read_only
        assert hub.con.execute("SELECT count(*) FROM ingest_batches").fetchall()[0][0] > 0
    finally:
        hub.close()
