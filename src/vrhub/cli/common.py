"""What every command shares: the Typer apps, the consoles and the --home option."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from vrhub import pipeline
from vrhub.governance.context import Governance
from vrhub.home import Home

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="vrhub: the Violence Reduction Knowledge Hub."
)
reference_app = typer.Typer(no_args_is_help=True, help="Reference data (geography, deprivation).")
quarantine_app = typer.Typer(no_args_is_help=True, help="Rows refused at ingest, with reasons.")
app.add_typer(reference_app, name="reference")
app.add_typer(quarantine_app, name="quarantine")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", envvar="VRHUB_HOME", help="The home folder (or set VRHUB_HOME)."),
]


def home_of(home: Path | None) -> Home:
    return pipeline.open_partnership_home(home)


@contextmanager
def governance_of(home: Path | None) -> Iterator[Governance]:
    """The home's governance (record store, audit, register, people), closed afterwards."""
    gov = pipeline.governance(home_of(home))
    try:
        yield gov
    finally:
        gov.close()
