"""CLI conventions a new user relies on (issue 16): readable metavars, --format on every
listing, tables drawn whole when piped, progress on slow steps only on a terminal."""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.core import TyperGroup, TyperOption

from vrhub.cli import common, main
from vrhub.home import Home

#: Every listing command, as run against a home (the home options are added).
LISTINGS = [
    ["datasets"],
    ["measure", "list"],
    ["org", "list"],
    ["user", "list"],
    ["agreement", "list"],
    ["audit", "show"],
    ["quarantine", "list"],
    ["batches"],
    ["reference", "sources"],
]
NEEDS_NO_HOME = {"datasets", "measure"}


def root() -> TyperGroup:
    for module in {m for m, _ in common.COMMANDS.values()}:
        importlib.import_module(f"vrhub.cli.{module}")
    command = typer.main.get_command(common.app)
    assert isinstance(command, TyperGroup)
    return command


def every_option(group: TyperGroup, path: str = "vrhub") -> list[tuple[str, TyperOption]]:
    found = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, TyperGroup):
            found += every_option(cmd, f"{path} {name}")
        else:
            found += [(f"{path} {name}", p) for p in cmd.params if isinstance(p, TyperOption)]
    return found


def test_every_option_has_a_readable_metavar() -> None:
    options = every_option(root())
    assert len(options) > 80
    unreadable = [
        (where, p.opts[0], p.metavar)
        for where, p in options
        if not (p.is_flag or p.count)
        and (not p.metavar or p.metavar.lower() in ("text", "str", "path", "int", "integer"))
    ]
    assert unreadable == []
    by_name = {(where, p.opts[0]): p.metavar for where, p in options}
    assert by_name[("vrhub measure change", "--year-ending")] == "YYYY-MM"
    assert by_name[("vrhub measure spc", "--from")] == "YYYY-MM"
    assert by_name[("vrhub ingest", "--home")] == "FOLDER"
    assert by_name[("vrhub ingest", "--received")] == "YYYY-MM-DD"
    assert by_name[("vrhub reference load", "--from")] == "FOLDER"
    assert by_name[("vrhub agreement create", "--from")] == "FILE"
    assert by_name[("vrhub counts", "--format")] == "table|csv|json"
    assert by_name[("vrhub batches", "--limit")] == "N"
    assert by_name[("vrhub report sna", "--out")] == "FOLDER"
    assert by_name[("vrhub report sna", "--period")] == '"year ending YYYY-MM"'


def test_help_shows_the_metavars(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measure", "change", "--help"]) == 0
    shown = capsys.readouterr().out
    options = shown[shown.index("Options") :]
    assert "YYYY-MM" in options and "FOLDER" in options
    assert "<str>" not in options and "<path>" not in options


def test_every_listing_takes_format(
    wy_home: Home, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VRHUB_HOME", str(wy_home.path))
    for listing in LISTINGS:
        assert main([*listing, "--format", "json"]) == 0, listing
        records = json.loads(capsys.readouterr().out)
        assert isinstance(records, list), listing
        assert main([*listing, "--format", "csv"]) == 0, listing
        rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
        assert rows and len(rows) == len(records) + 1, listing
        assert main([*listing, "--format", "html"]) == 1, listing
        assert "unknown format 'html': use table, csv or json" in capsys.readouterr().err
    assert main(["agreement", "list", "--format", "json"]) == 0
    [test_agreement] = [a for a in json.loads(capsys.readouterr().out) if a["ref"] == "TEST-ISA-01"]
    assert test_agreement["status"] == "active"


def test_a_table_is_drawn_whole_when_piped(wy_home: Home, tmp_path: Path) -> None:
    long_name = "The " + "Very " * 60 + "Long Partnership Board of West Yorkshire"
    env = {**os.environ, "PYTHONPATH": str(Path(common.__file__).parents[2]), "COLUMNS": "60"}
    vrhub = [str(Path(sys.executable).parent / "vrhub")]
    home = ["--home", str(wy_home.path)]
    subprocess.run(
        [*vrhub, "org", "add", "longname", "--name", long_name, "--kind", "partnership", *home],
        env=env,
        check=True,
        capture_output=True,
    )
    shown = subprocess.run(
        [*vrhub, "org", "list", *home], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert any(long_name in line for line in shown.splitlines())
    assert "…" not in shown


def test_values_in_a_table_are_shown_as_given(
    wy_home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--home", str(wy_home.path)]
    name = "[bold red]Board[/bold red] [link=http://x]y[/link]"
    assert main(["org", "add", "markup", "--name", name, "--kind", "partnership", *home]) == 0
    capsys.readouterr()
    assert main(["org", "list", *home]) == 0
    assert name in capsys.readouterr().out


def test_a_wide_console_only_when_not_a_terminal() -> None:
    piped = common._Console(file=io.StringIO())
    assert piped.width == common.PIPED_WIDTH
    terminal = common._Console(file=io.StringIO(), force_terminal=True, width=72)
    assert terminal.width == 72


def test_progress_is_shown_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(common, "err", Console(file=screen, force_terminal=True, width=80))
    with common.working("Loading reference data"):
        pass
    assert "Loading reference data" in screen.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(common, "err", Console(file=piped, width=80))
    with common.working("Loading reference data"):
        pass
    assert piped.getvalue() == ""


def test_slow_steps_show_progress_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown: list[str] = []
    real = common.working

    def watched(what: str):  # type: ignore[no-untyped-def]
        shown.append(what)
        return real(what)

    monkeypatch.setattr(common, "working", watched)
    from vrhub.cli import data, governance

    monkeypatch.setattr(data, "working", watched)
    monkeypatch.setattr(governance, "working", watched)
    home = ["--home", str(tmp_path / "h")]
    assert main(["init", *home, "--partnership", "south-yorkshire"]) == 0
    assert main(["reference", "load", *home]) == 0
    assert main(["keys", "rotate", *home]) == 0
    assert shown == [
        "Setting up the home and loading its reference data",
        "Loading reference data",
        "Re-keying every stored pseudonym",
    ]
    assert "⠋" not in capsys.readouterr().err  # not a terminal here: no spinner


def test_the_command_line_reference_lists_every_command() -> None:
    page = Path(__file__).resolve().parents[1] / "docs" / "reference" / "cli.md"
    text = page.read_text(encoding="utf-8")
    for name, (_, words) in common.COMMANDS.items():
        assert f"| `vrhub {name}` | {words} |" in text, name
    for listing in LISTINGS:
        assert f"`{' '.join(listing)}`" in text, listing


def test_every_subcommand_runs_from_a_fresh_process() -> None:
    """A command group is loaded with its subcommands: `vrhub quarantine list` and `vrhub
    reference load` answered "No such command" when their groups were defined with the root
    command but their subcommands in a module not yet imported."""
    env = {**os.environ, "PYTHONPATH": str(Path(common.__file__).parents[2])}
    check = (
        "import typer\n"
        "from typer.core import TyperGroup\n"
        "from vrhub.cli.common import app\n"
        "root = typer.main.get_command(app)\n"
        "print([n for n, c in root.commands.items() if isinstance(c, TyperGroup) "
        "and not c.commands])\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", check], env=env, check=True, capture_output=True, text=True
    )
    assert found.stdout.strip() == "[]"
    vrhub = str(Path(sys.executable).parent / "vrhub")
    for args in (["quarantine", "list", "-h"], ["reference", "load", "-h"]):
        done = subprocess.run([vrhub, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "--format" in done.stdout or "--from" in done.stdout
