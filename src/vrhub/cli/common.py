"""What every command shares: the Typer apps, the consoles and the --home option."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from vrhub import pipeline
from vrhub.errors import VrhubError
from vrhub.governance.audit import cli_actor
from vrhub.governance.context import Governance
from vrhub.governance.reads import CLI, Read, read_details, record_read
from vrhub.governance.roles import ANALYST, audience_for
from vrhub.home import Home
from vrhub.hub import Hub, open_hub

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="vrhub: the Violence Reduction Knowledge Hub."
)
reference_app = typer.Typer(no_args_is_help=True, help="Reference data (geography, deprivation).")
quarantine_app = typer.Typer(no_args_is_help=True, help="Rows refused at ingest, with reasons.")
app.add_typer(reference_app, name="reference")
app.add_typer(quarantine_app, name="quarantine")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

#: The hubs the running command opened, by home folder.
_OPEN: dict[Path, Hub] = {}

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", envvar="VRHUB_HOME", help="The home folder (or set VRHUB_HOME)."),
]


def home_of(home: Path | None) -> Home:
    return pipeline.open_partnership_home(home)


def hub_of(home: Path | None) -> Hub:
    """The home's hub, opened once for the command that is running (its steps share it) and
    closed by :func:`close_hubs` when the command ends."""
    h = home_of(home)
    hub = _OPEN.get(h.path)
    if hub is None:
        hub = _OPEN[h.path] = open_hub(h)
    return hub


def close_hubs() -> None:
    """Close every hub the command opened."""
    while _OPEN:
        _, hub = _OPEN.popitem()
        hub.close()


@contextmanager
def governance_of(home: Path | None) -> Iterator[Governance]:
    """The home's governance (record store, audit, register, people) alone, closed afterwards:
    commands that manage people and agreements do not need the analytical store, so they work
    while `vrhub serve` holds it."""
    gov = pipeline.governance(home_of(home))
    try:
        yield gov
    finally:
        gov.close()


def audit_read(
    home: Path | None,
    command: str,
    fmt: str,
    choices: dict[str, Any],
    districts: Sequence[str] | None = None,
) -> None:
    """Record that the running command read exact figures (analyst tier), before it prints them:
    an audit entry ``read.cli`` naming the command, its format and options (those given) and the
    districts (none: all). If it cannot be recorded the command fails and prints nothing."""
    given = {k: v for k, v in choices.items() if v not in (None, "", [], {}, False)}
    details = read_details(audience_for(ANALYST), fmt, given, districts or ())
    record_read(hub_of(home).gov.audit, Read(cli_actor(), CLI, f"vrhub {command}", details))


FORMATS = ("table", "csv", "json")


def check_format(fmt: str) -> None:
    """Refuse an output format before any work is done."""
    if fmt not in FORMATS:
        raise VrhubError(f"unknown format '{fmt}': use table, csv or json")


def emit(header: list[str], rows: Sequence[Sequence[object]], fmt: str, missing: str = "") -> None:
    """Rows as a table on screen, or as CSV or JSON on standard output.

    A missing value (None) is blank in CSV, null in JSON and ``missing`` in the table.
    """
    check_format(fmt)
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(header)
        w.writerows(["" if v is None else v for v in row] for row in rows)
    elif fmt == "json":
        records = [dict(zip(header, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, indent=1) + "\n")
    else:
        t = Table(*header)
        for row in rows:
            t.add_row(*[_cell(v, missing) for v in row])
        out.print(t)


def _cell(value: object, missing: str) -> str:
    if value is None:
        return missing
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def parse_date(text: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option's date, or a one-line error naming the option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise VrhubError(f"{option} '{text}' is not a date (use YYYY-MM-DD)") from None
