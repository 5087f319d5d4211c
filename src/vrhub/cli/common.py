"""What every command shares: the Typer apps, the consoles and the --home option.

The command line starts quickly: ``vrhub --help`` and ``vrhub version`` import none of the
heavy libraries (DuckDB, Ibis, SciPy, SQLAlchemy, WeasyPrint). The root group knows each
command's name, the module that defines it and its one-line help (:data:`COMMANDS`), and
imports that module only when the command is run or asked for its own help.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, ConsoleDimensions
from typer import _click as click  # Typer 0.29 (pinned) runs its own copy of Click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from vrhub import __version__
from vrhub.errors import ConfigurationError, StoreInUseError, VrhubError

if TYPE_CHECKING:
    from vrhub.governance.context import Governance
    from vrhub.home import Home
    from vrhub.hub import Hub

#: Every top-level command, in the order ``vrhub --help`` lists them: the module of
#: ``vrhub.cli`` that defines it and its one-line help (a test keeps these as the modules say).
COMMANDS: dict[str, tuple[str, str]] = {
    "version": ("common", "Print vrhub's version."),
    "init": (
        "data",
        "Create a home folder for a partnership, with its pseudonymisation key and reference data.",
    ),
    "datasets": ("data", "List the dataset standards vrhub can ingest."),
    "ingest": (
        "data",
        "Validate, pseudonymise and load partner files under their agreement; report problems.",
    ),
    "counts": (
        "data",
        "Count records grouped by fields (in-partnership and unknown-location by default).",
    ),
    "batches": (
        "data",
        "The ingest log: every file, who sent it, under which agreement, and what became of it "
        "(loaded, rejected, superseded or partly superseded by a later file from the same "
        "organisation, or removed at the end of retention).",
    ),
    "demo": ("data", "Build the West Yorkshire demo partnership from synthetic partner extracts."),
    "quality": (
        "governance",
        "The data-quality scorecard of each partner feed: timeliness, accuracy, relevance.",
    ),
    "serve": (
        "web",
        "Serve the dashboard for a home (sign in with an account from the record store).",
    ),
    "reference": ("data", "Reference data (geography, deprivation)."),
    "quarantine": ("data", "Rows refused at ingest, with reasons."),
    "org": ("governance", "Organisations that share data."),
    "user": ("governance", "Users, their roles and district scopes."),
    "agreement": ("governance", "The register of data-sharing agreements."),
    "audit": ("governance", "The tamper-evident audit trail."),
    "retention": ("governance", "Remove data kept past its retention."),
    "governance": ("governance", "Reports for the Data Protection Officer."),
    "keys": ("governance", "The pseudonymisation key."),
    "project": ("governance", "Extracts for a project, under its own key."),
    "measure": ("measures", "Named, versioned measures."),
    "costs": ("measures", "Unit costs of offences (sourced)."),
    "report": ("reports", "Generated reports (needs assessment)."),
    "recommendations": (
        "recommendations",
        "Recommendations: proposed by rules, reviewed by an analyst.",
    ),
}


class _NotYetLoaded(TyperCommand):
    """A command whose module has not been imported yet: its name and help, for listing."""

    def __init__(self, name: str, module: str, text: str) -> None:
        super().__init__(name, help=text, short_help=text)
        self.module = module

    def load(self) -> click.Command:
        """The command itself, its module imported."""
        importlib.import_module(f"vrhub.cli.{self.module}")
        loaded = typer.main.get_command(app)
        assert isinstance(loaded, TyperGroup) and self.name is not None
        real = loaded.commands[self.name]
        if isinstance(real, _NotYetLoaded):
            raise AssertionError(f"vrhub.cli.{self.module} defines no command '{self.name}'")
        return real


class LazyGroup(TyperGroup):
    """The root command: lists every command (from :data:`COMMANDS`) and imports a command's
    module only when that command is run or asked for its own help."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for command in self.commands.values():
            readable_metavars(command)
        for name, (module, text) in COMMANDS.items():
            self.commands.setdefault(name, _NotYetLoaded(name, module, text))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(cmd, _NotYetLoaded):
            cmd = self.commands[name] = readable_metavars(cmd.load())
        return name, cmd, rest


#: What each option's value is, as its help shows it (instead of TEXT, PATH or INTEGER).
METAVARS = {
    "--home": "FOLDER",
    "--format": "table|csv|json",
    "--dataset": "DATASET",
    "--district": "LAD-CODE",
    "--audience": "AUDIENCE",
    "--as": "USERNAME",
    "--org": "ORG-CODE",
    "--organisation": "ORG-CODE",
    "--agreement": "REF",
    "--role": "ROLE",
    "--note": "WORDS",
    "--reason": "WORDS",
    "--name": "NAME",
    "--out": "FILE",
    "--set": "TERM=VALUE",
    "--filter": "FIELD=VALUE",
    "--by": "FIELDS",
    "--measure": "MEASURE",
    "--user": "USERNAME",
    "--period": '"year ending YYYY-MM"',
}


def _metavar(param: click.Parameter) -> str | None:
    """A readable name for what an option or argument takes: a month YYYY-MM, a date YYYY-MM-DD, a
    FOLDER or FILE, a number N, or a word naming it (never str, path or int)."""
    if not isinstance(param, TyperOption | TyperArgument):
        return None
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return ""  # a switch takes no value
    words = (param.help or "").lower()
    names = [o for o in param.opts if o.startswith("--")] or [param.name or "value"]
    long = names[0]
    kind = param.bare_type().removeprefix("list[").removesuffix("]")
    if kind == "Path":
        if "files or folders" in words:
            return "FILE|FOLDER"
        return "FOLDER" if "folder" in words or long == "--home" else "FILE"
    if long in METAVARS:
        return METAVARS[long]
    if "yyyy-mm-dd" in words:
        return "YYYY-MM-DD"
    if "yyyy-mm" in words:
        return "YYYY-MM"
    if kind == "int":
        return "N"
    if kind == "float":
        return "NUMBER"
    if kind == "str":
        return long.lstrip("-").upper()
    return None


def readable_metavars(command: click.Command) -> click.Command:
    """Give every option of the command (and of its subcommands) a readable metavar."""
    for param in command.params:
        if param.metavar is None and (name := _metavar(param)) is not None:
            param.metavar = name
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            if not isinstance(sub, _NotYetLoaded):
                readable_metavars(sub)
    return command


app = typer.Typer(
    cls=LazyGroup,
    add_completion=False,
    no_args_is_help=True,
    help="vrhub: the Violence Reduction Knowledge Hub.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: The width of a table written to a file or a pipe: wide enough that no value is cut.
PIPED_WIDTH = 100_000


class _Console(Console):
    """A console that, when its output is not a terminal (piped or redirected), is wide
    enough that a table is drawn whole: no value is cut or ended with an ellipsis."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The width taken from the COLUMNS variable, which describes a terminal: not used
        #: when the output is not one.
        self._from_environment = self._width if kwargs.get("width") is None else None

    @property
    def size(self) -> ConsoleDimensions:
        dims = Console.size.fget(self)  # type: ignore[attr-defined]
        chosen = self._width is not None and self._width != self._from_environment
        if self.is_terminal or chosen:
            return dims  # type: ignore[no-any-return]
        return ConsoleDimensions(PIPED_WIDTH, dims.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


out: Console = _Console(soft_wrap=True)
err: Console = _Console(stderr=True, soft_wrap=True)


def _print_version(value: bool) -> None:
    if value:
        out.print(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print vrhub's version.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """vrhub: the Violence Reduction Knowledge Hub."""


@app.command()
def version() -> None:
    """Print vrhub's version."""
    out.print(__version__)


#: The hubs the running command opened, by home folder.
_OPEN: dict[Path, Hub] = {}


def _home_given(ctx: typer.Context, value: Path | None) -> Path | None:
    """Refuse an option taken as the folder (``--home --help``): help, or a one-line error."""
    if value is None or not str(value).startswith("-"):
        return value
    if str(value) in ctx.help_option_names:
        typer.echo(ctx.get_help(), color=ctx.color)
        raise typer.Exit()
    raise ConfigurationError(
        f"--home needs a folder, but was followed by the option '{value}': give the home "
        "folder after --home (or set VRHUB_HOME; a folder whose name starts with '-' as ./NAME)"
    )


HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="VRHUB_HOME",
        help="The home folder (or set VRHUB_HOME).",
        callback=_home_given,
    ),
]


def home_of(home: Path | None) -> Home:
    from vrhub import pipeline

    return pipeline.open_partnership_home(home)


def hub_of(home: Path | None) -> Hub:
    """The home's hub, opened once for the command that is running (its steps share it) and
    closed by :func:`close_hubs` when the command ends."""
    from vrhub.hub import open_hub

    h = home_of(home)
    hub = _OPEN.get(h.path)
    if hub is None:
        try:
            hub = open_hub(h)
        except StoreInUseError:
            # Held by another process (such as `vrhub serve`): read it alongside; a command
            # that then writes is refused, saying why (see vrhub.hub).
            hub = open_hub(h, read_only=True)
        _OPEN[h.path] = hub
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
    from vrhub import pipeline

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
    from vrhub.governance.audit import cli_actor
    from vrhub.governance.reads import CLI, Read, read_details, record_read
    from vrhub.governance.roles import ANALYST, audience_for

    given = {k: v for k, v in choices.items() if v not in (None, "", [], {}, False)}
    details = read_details(audience_for(ANALYST), fmt, given, districts or ())
    record_read(hub_of(home).gov.audit, Read(cli_actor(), CLI, f"vrhub {command}", details))


FORMATS = ("table", "csv", "json")

#: The --format option of every listing.
FormatOpt = Annotated[
    str, typer.Option("--format", metavar="table|csv|json", help="Print as table, csv or json.")
]


@contextmanager
def working(what: str) -> Iterator[None]:
    """Show ``what`` with a spinner and the time taken on standard error while a step that
    may take more than a couple of seconds runs; only on a terminal (never in a pipe or log)."""
    if not err.is_terminal:
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=err, transient=True,
    ) as bar:  # fmt: skip
        bar.add_task(what, total=None)
        yield


def table(*columns: str) -> Any:
    """A rich table with these column headings (drawn whole when piped: see :data:`out`)."""
    from rich.table import Table

    return Table(*columns)


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
        from rich.text import Text

        t = table(*header)
        for row in rows:
            t.add_row(*[Text(_cell(v, missing)) for v in row])  # as given: never markup
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
