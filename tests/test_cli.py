"""The CLI is a thin layer: errors are one clear line and a non-zero exit."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from tests.conftest import DATA, police_crime_row
from vrhub import __version__, pipeline
from vrhub.cli import common, main
from vrhub.governance.audit import cli_actor
from vrhub.home import Home

LEEDS = "E08000035"


def test_cli_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(tmp_path / "h")
    assert main(["init", "--home", home, "--partnership", "south-yorkshire"]) == 0
    files = str(DATA / "police_uk_sy_extract")
    assert main(["ingest", "--home", home, "--dataset", "police-uk-street", files]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "counts",
                "--home",
                home,
                "--dataset",
                "police-uk-street",
                "--by",
                "month,district,crime_type",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "month,district,crime_type,count"
    assert out[1].startswith("2022-01,E080000")
    assert main(["quarantine", "list", "--home", home]) == 0
    assert main(["batches", "--home", home]) == 0
    assert main(["ingest", "--home", home, "--dataset", "police-uk-street", files]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["counts", "--home", str(tmp_path), "--dataset", "police-uk-street", "--by", "month"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("error: ") and "is not a vrhub home" in err
    assert "Traceback" not in err
    home = str(tmp_path / "h2")
    main(["init", "--home", home])
    capsys.readouterr()
    assert main(["ingest", "--home", home, "--dataset", "nope", str(tmp_path)]) == 1
    assert "unknown dataset 'nope'" in capsys.readouterr().err


def test_a_store_held_by_another_process_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "h"
    assert main(["init", "--home", str(home), "--partnership", "south-yorkshire"]) == 0
    # Another process holds the store, as `vrhub serve` does while it runs.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "sys.stdin.read()",
            str(home / "analytical.duckdb"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        capsys.readouterr()
        files = str(DATA / "police_uk_sy_extract")
        assert main(["ingest", "--home", str(home), "--dataset", "police-uk-street", files]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: the analytical store of ") and "\n" not in err
        assert f"in use by another vrhub process (process {holder.pid})" in err
        assert "vrhub serve" in err and "Data page" in err
    finally:
        holder.communicate("", timeout=30)
    # Once it is let go, the same command works.
    assert main(["ingest", "--home", str(home), "--dataset", "police-uk-street", files]) == 0


def test_serve_refuses_other_addresses_without_a_tls_proxy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15, finding 11: no sign-in or partner data crosses a network in the clear."""
    home = str(tmp_path / "h")
    assert main(["init", "--home", home, "--partnership", "south-yorkshire"]) == 0
    capsys.readouterr()
    assert main(["serve", "--home", home, "--host", "0.0.0.0", "--port", "1"]) == 1
    err = capsys.readouterr().err
    assert "only behind a reverse proxy that provides HTTPS" in err
    assert "docs/how-to/deploy.md" in err and "--behind-proxy" in err


def test_the_audit_names_who_ran_counts_as_another_user(
    wy_home: Home, write_police_crime: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 16: the audit trail names the person who ran the command and whom it was for."""
    gov = pipeline.governance(wy_home)
    try:
        gov.people.add_user(
            "partner-leeds", "A Leeds partner", "test-vrp", "partner", [LEEDS], "a long passphrase",
            "test",
        )  # fmt: skip
    finally:
        gov.close()
    rows = [police_crime_row(i) for i in range(1, 41)]  # forty offences in Leeds
    data = write_police_crime("pc.csv", rows)
    home = ["--home", str(wy_home.path)]
    ingest = ["ingest", "--dataset", "police-crime", "--source", "test-police", str(data)]
    assert main([*ingest, *home]) == 0
    capsys.readouterr()
    count = ["counts", "--dataset", "police-crime", "--by", "district", "--format", "csv"]
    code = main([*count, "--as", "partner-leeds", *home])
    assert code == 0, capsys.readouterr().err
    assert LEEDS in capsys.readouterr().out
    gov = pipeline.governance(wy_home)
    try:
        [entry] = gov.audit.show(action="export.counts")
    finally:
        gov.close()
    assert entry.actor == f"{cli_actor()} as partner-leeds"


def test_init_creates_every_file_and_folder_private(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 16: home files are created private (600, folders 700), not only the key."""
    home = tmp_path / "h"
    before = os.umask(0o022)  # a usual umask, which would leave files readable by all
    try:
        assert main(["init", "--home", str(home), "--partnership", "south-yorkshire"]) == 0
        assert main(["audit", "verify", "--home", str(home)]) == 0
        assert os.umask(0o022) == 0o022  # the command's umask does not outlive it
    finally:
        os.umask(before)
    capsys.readouterr()
    made = [home, *home.rglob("*")]
    assert {p.name for p in made} >= {
        "analytical.duckdb", "records.sqlite", "vrhub.toml", "partnership.toml", "tmp",
        "ingest-reports", "secrets", "audit-checkpoint.json",
    }  # fmt: skip
    shared = {str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o777) for p in made}
    assert {p: mode for p, mode in shared.items() if int(mode, 8) & 0o077} == {}


def test_help_and_version_follow_the_usual_conventions(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: -h works as --help everywhere; --version and version print the version."""
    assert main(["-h"]) == 0
    listed = capsys.readouterr().out
    assert "counts" in listed and "measure" in listed and "--version" in listed
    for command in (["measure", "run"], ["org", "add"], ["counts"], ["report", "sna"]):
        assert main([*command, "-h"]) == 0, command
        assert f"Usage: vrhub {' '.join(command)}" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == __version__
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == __version__


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """Issue 16: `vrhub --help` and `vrhub version` import no heavy library (their speed is
    measured by benchmarks/cli_startup.py, not here)."""
    heavy = ("duckdb", "ibis", "weasyprint", "pandas", "pyarrow", "altair", "scipy", "sqlalchemy")
    script = (
        "import sys, contextlib, io\n"
        "import vrhub.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert vrhub.cli.main(['--help']) == 0 and vrhub.cli.main(['version']) == 0\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_the_list_of_commands_matches_the_commands() -> None:
    """The root lists each command from a table so as not to import every module: the table
    names every command, the module that defines it and its help as that module gives it."""
    for module, _ in common.COMMANDS.values():
        importlib.import_module(f"vrhub.cli.{module}")
    defined: dict[str, str] = {}  # each command's name and the module that first defines it
    for info in common.app.registered_commands:
        assert info.callback is not None
        defined.setdefault(info.name or info.callback.__name__, info.callback.__module__)
    for group in common.app.registered_groups:
        assert group.name is not None and group.typer_instance is not None
        first = group.typer_instance.registered_commands[0].callback
        defined.setdefault(group.name, first.__module__ if first else "")
    assert {name: f"vrhub.cli.{module}" for name, (module, _) in common.COMMANDS.items()} == (
        defined
    )
    root = typer.main.get_command(common.app)
    assert isinstance(root, common.LazyGroup)
    helps = {name: cmd.get_short_help_str(limit=1000) for name, cmd in root.commands.items()}
    assert {name: text for name, (_, text) in common.COMMANDS.items()} == helps


def test_home_followed_by_an_option_is_not_taken_as_the_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 16: `--home --help` shows the help; `--home` before another option says that
    --home needs a folder, in one line."""
    assert main(["measure", "run", "--home", "--help"]) == 0
    assert "Usage: vrhub measure run" in capsys.readouterr().out
    assert main(["counts", "--home", "-h"]) == 0
    assert "Usage: vrhub counts" in capsys.readouterr().out
    assert main(["counts", "--home", "--dataset", "police-crime", "--by", "month"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --home needs a folder") and "'--dataset'" in err
    assert "\n" not in err
