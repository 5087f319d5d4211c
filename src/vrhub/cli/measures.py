"""Commands for measures: list them, show a definition, run one."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from vrhub import pipeline
from vrhub.cli.common import HomeOpt, app, err, home_of, out
from vrhub.datasets import all_datasets, get_dataset
from vrhub.errors import VrhubError
from vrhub.measures.registry import all_measures, get_measure

measure_app = typer.Typer(no_args_is_help=True, help="Named, versioned measures.")
app.add_typer(measure_app, name="measure")


@measure_app.command("list")
def measure_list() -> None:
    """Every measure, its version and the datasets that can feed it."""
    t = Table("measure", "version", "title", "per", "datasets")
    for m in all_measures():
        feeds = [
            d.name
            for d in all_datasets()
            if m.supports(d) and all(n in {f.name for f in d.fields} for n in m.needs)
        ]
        t.add_row(m.name, m.version, m.title, f"{m.per:,}", ", ".join(feeds))
    out.print(t)


@measure_app.command("show")
def measure_show(name: Annotated[str, typer.Argument(help="The measure's name.")]) -> None:
    """Print a measure's definition."""
    m = get_measure(name)
    out.print(f"[bold]{m.name}[/bold] version {m.version}: {m.title}")
    for label, text in (
        ("What", m.description),
        ("Numerator", m.numerator),
        ("Denominator", m.denominator),
        ("Rate per", f"{m.per:,}"),
        ("Datasets", ", ".join(m.datasets) or "any"),
        ("Needs fields", ", ".join(m.needs) or "none beyond the standard"),
        ("Method", m.method),
    ):
        out.print(f"{label}: {text}", markup=False)
    for c in m.caveats:
        out.print(f"Caveat: {c}", markup=False)


def _filters(items: list[str] | None) -> dict[str, str]:
    found = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise VrhubError(f"--filter '{item}': write FIELD=VALUE")
        found[key.strip()] = value.strip()
    return found


@measure_app.command("run")
def measure_run(
    name: Annotated[str, typer.Argument(help="The measure's name.")],
    dataset: Annotated[str, typer.Option(help="The dataset to compute it from.")],
    home: HomeOpt = None,
    filter_: Annotated[
        list[str] | None, typer.Option("--filter", help="FIELD=VALUE; repeat.")
    ] = None,
    by: Annotated[str, typer.Option(help="Comma-separated fields, e.g. district.")] = "",
    date_from: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run a measure: counts, populations, rates and 95% intervals for each group."""
    if fmt not in ("table", "csv", "json"):
        raise VrhubError(f"unknown format '{fmt}': use table, csv or json")
    fields = [b.strip() for b in by.split(",") if b.strip()]
    r = pipeline.run_measure(
        home_of(home),
        name,
        get_dataset(dataset),
        fields,
        _filters(filter_),
        date_from,
        date_to,
    )
    header = [*r.by, "count", "population", "rate", "lower", "upper", "per"]
    rows = [
        [*row.group, row.count, row.population, row.rate, row.lower, row.upper, r.per]
        for row in r.rows
    ]
    err.print(
        f"{r.measure} v{r.version} on {r.dataset}; {r.unplaced:,} records with no location are "
        f"not in the rates; population {r.population_vintage}; under "
        f"{', '.join(r.agreements) or 'no agreement'}; {r.disclosure}"
    )
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(header)
        w.writerows(["" if v is None else v for v in row] for row in rows)
    elif fmt == "json":
        sys.stdout.write(json.dumps([dict(zip(header, row, strict=True)) for row in rows]) + "\n")
    else:
        t = Table(*header)
        for row in rows:
            t.add_row(
                *[
                    ""
                    if v is None
                    else f"{v:,.2f}"
                    if isinstance(v, float)
                    else f"{v:,}"
                    if isinstance(v, int)
                    else str(v)
                    for v in row
                ]
            )
        out.print(t)
