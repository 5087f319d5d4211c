"""Commands for measures: list them, show a definition, run one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vrhub import pipeline
from vrhub.cli.common import (
    FormatOpt,
    HomeOpt,
    app,
    audit_read,
    check_format,
    emit,
    err,
    hub_of,
    out,
)
from vrhub.datasets import all_datasets, get_dataset
from vrhub.errors import VrhubError
from vrhub.measures.change import financial_year as financial_year_of
from vrhub.measures.change import year_ending as year_ending_of
from vrhub.measures.registry import all_measures, get_measure
from vrhub.months import check_month

measure_app = typer.Typer(no_args_is_help=True, help="Named, versioned measures.")
app.add_typer(measure_app, name="measure")


@measure_app.command("list")
def measure_list(fmt: FormatOpt = "table") -> None:
    """Every measure, its version and the datasets that can feed it."""
    check_format(fmt)
    emit(
        ["measure", "version", "title", "per", "datasets"],
        [[m.name, m.version, m.title, m.per, ", ".join(m.fed_by(all_datasets()))]
         for m in all_measures()],
        fmt,
    )  # fmt: skip


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
    engine: Annotated[
        str | None, typer.Option(help="duckdb or spark (default: the engine setting).")
    ] = None,
    per: Annotated[
        str,
        typer.Option(
            help="Rate per everyone, children (under 18), young-adults (18-24) or under-25; "
            "an age group counts only its own records."
        ),
    ] = "everyone",
) -> None:
    """Run a measure: counts, populations, rates and 95% intervals for each group."""
    check_format(fmt)
    fields = [b.strip() for b in by.split(",") if b.strip()]
    r = pipeline.run_measure(
        hub_of(home),
        name,
        get_dataset(dataset),
        fields,
        _filters(filter_),
        date_from,
        date_to,
        engine,
        per,
    )
    audit_read(
        home,
        f"measure run {name}",
        fmt,
        {
            "dataset": dataset,
            "by": fields,
            "filter": filter_,
            "from": date_from,
            "to": date_to,
            "per": per,
        },
    )
    if not r.rows:
        # The months are held (else run_measure refused them): none matching is a true 0.
        err.print(
            f"No {name} records in the months asked for"
            + (f" with {', '.join(filter_)}" if filter_ else "")
            + ": the data for those months is held and none match, so the count is 0."
        )
    for c in r.caveats:
        err.print(c)
    header = [*r.by, "count", "population", "rate", "lower", "upper", "per"]
    rows = [
        [*row.group, row.count, row.population, row.rate, row.lower, row.upper, r.per]
        for row in r.rows
    ]
    err.print(
        f"{r.measure} v{r.version} on {r.dataset} ({r.engine}); {r.unplaced:,} records "
        f"with no location are not in the rates; population {r.population_vintage}; under "
        f"{', '.join(r.agreements) or 'no agreement'}; {r.disclosure}"
    )
    emit(header, rows, fmt)


@measure_app.command("change")
def measure_change(
    name: Annotated[str, typer.Argument(help="The measure's name.")],
    dataset: Annotated[str, typer.Option(help="The dataset to compute it from.")],
    home: HomeOpt = None,
    year_ending: Annotated[
        str | None,
        typer.Option(help="The 12 months ending this month, YYYY-MM (default: latest in data)."),
    ] = None,
    financial_year: Annotated[
        int | None, typer.Option(help="Compare the financial year starting April of this year.")
    ] = None,
    baseline_year: Annotated[
        int | None, typer.Option(help="Compare against this calendar year instead.")
    ] = None,
    by: Annotated[str, typer.Option(help="Comma-separated fields, e.g. district.")] = "",
    filter_: Annotated[
        list[str] | None, typer.Option("--filter", help="FIELD=VALUE; repeat.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Change over time: rate ratio with its 95% interval and a verdict in plain words."""
    check_format(fmt)
    h = hub_of(home)
    ds = get_dataset(dataset)
    if financial_year is not None:
        current, previous = financial_year_of(financial_year), financial_year_of(financial_year - 1)
        against = f"the financial year {financial_year - 1}/{str(financial_year)[2:]}"
        label = f"financial year {financial_year}/{str(financial_year + 1)[2:]}"
    else:
        end = check_month(year_ending, "--year-ending") if year_ending else None
        end = end or pipeline.latest_month(h, ds)
        current, previous = year_ending_of(end)
        against, label = "the previous 12 months", f"year ending {end}"
        if baseline_year is not None:
            previous = (f"{baseline_year:04d}-01", f"{baseline_year:04d}-12")
            against = f"the baseline year {baseline_year}"
    fields = [b.strip() for b in by.split(",") if b.strip()]
    found = pipeline.compare_periods(h, name, ds, current, previous, fields, _filters(filter_))
    audit_read(
        home,
        f"measure change {name}",
        fmt,
        {"dataset": dataset, "by": fields, "filter": filter_, "period": label, "against": against},
    )
    what = get_measure(name).title.lower()
    header = [*fields, "count", "previous", "percent_change", "lower", "upper", "verdict"]
    rows = []
    for group, c in found:
        lo = None if c.lower is None else 100 * (c.lower - 1)
        hi = None if c.upper is None else 100 * (c.upper - 1)
        subject = f"{what} ({', '.join(group)})" if group else what
        rows.append(
            [*group, c.count, c.previous, c.percent_change, lo, hi, c.verdict(subject, against)]
        )
    err.print(f"{label} ({current[0]} to {current[1]}) against {previous[0]} to {previous[1]}")
    emit(header, rows, fmt)


@measure_app.command("spc")
def measure_spc(
    name: Annotated[str, typer.Argument(help="The measure's name.")],
    dataset: Annotated[str, typer.Option(help="The dataset to compute it from.")],
    home: HomeOpt = None,
    by: Annotated[str, typer.Option(help="Comma-separated fields, e.g. district.")] = "",
    filter_: Annotated[
        list[str] | None, typer.Option("--filter", help="FIELD=VALUE; repeat.")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Control charts and their special-cause signals (Making Data Count rules): an XmR chart,
    a seasonally adjusted one for a seasonal series, a t chart (days between events) for rare
    events, or none; the method column says which."""
    check_format(fmt)
    fields = [b.strip() for b in by.split(",") if b.strip()]
    charts = pipeline.measure_spc(
        hub_of(home), name, get_dataset(dataset), fields, _filters(filter_), date_from, date_to
    )
    audit_read(
        home,
        f"measure spc {name}",
        fmt,
        {"dataset": dataset, "by": fields, "filter": filter_, "from": date_from, "to": date_to},
    )
    header = [
        *fields,
        "method",
        "mean",
        "lower_limit",
        "upper_limit",
        "signal",
        "kind",
        "months",
        "explanation",
        "notes",
    ]
    rows = []
    for group, chart in charts:
        head = [*group, chart.method, chart.mean, chart.lower, chart.upper]
        notes = "; ".join(chart.notes)
        if not chart.signals:
            verdict = chart.chart.summary if chart.chart else "shown as counts"
            rows.append([*head, "none", "", "", verdict, notes])
        for sgn in chart.signals:
            rows.append([*head, sgn.rule, sgn.kind, sgn.span, sgn.explanation, notes])
    emit(header, rows, fmt)


@measure_app.command("deprivation")
def measure_deprivation(
    name: Annotated[str, typer.Argument(help="The measure's name.")],
    dataset: Annotated[str, typer.Option(help="The dataset to compute it from.")],
    home: HomeOpt = None,
    domain: Annotated[str, typer.Option(help="imd or a domain, e.g. income, crime.")] = "imd",
    district: Annotated[str | None, typer.Option(help="One district (LAD code).")] = None,
    filter_: Annotated[
        list[str] | None, typer.Option("--filter", help="FIELD=VALUE; repeat.")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    iod: Annotated[
        str, typer.Option(help="Indices of Deprivation vintage: 2025 (LSOA 2021) or 2019.")
    ] = "2025",
) -> None:
    """Rates by deprivation decile, most against least deprived, and the gradient."""
    check_format(fmt)
    r = pipeline.measure_deprivation(
        hub_of(home),
        name,
        get_dataset(dataset),
        domain,
        district,
        _filters(filter_),
        date_from,
        date_to,
        iod,
    )
    audit_read(
        home,
        f"measure deprivation {name}",
        fmt,
        {
            "dataset": dataset,
            "domain": domain,
            "filter": filter_,
            "from": date_from,
            "to": date_to,
            "iod": iod,
        },
        [district] if district else None,
    )
    header = ["decile", "count", "population", "rate", "lower", "upper", "per", "iod"]
    rows = [
        [d.decile, d.count, d.population, d.rate, d.lower, d.upper, r.per, r.iod] for d in r.rows
    ]
    err.print(
        f"{r.iod}: {r.vintage()}; {r.unplaced:,} records with no location are not in the rates"
    )
    emit(header, rows, fmt)
    if r.most_vs_least and r.most_vs_least.rate_ratio is not None:
        c = r.most_vs_least
        err.print(
            f"{r.iod} most against least deprived: rate ratio {c.rate_ratio:.2f} "
            f"(95% CI {c.lower:.2f} to {c.upper:.2f}), difference {r.difference:.2f} per "
            f"{r.per:,}"
        )
    if r.gradient:
        g = r.gradient
        err.print(
            f"{r.iod} gradient: each decile less deprived multiplies the rate by "
            f"{g.ratio_per_decile:.3f} (95% CI {g.lower:.3f} to {g.upper:.3f})"
        )
    for note in r.notes:
        err.print(f"note: {note}")


costs_app = typer.Typer(no_args_is_help=True, help="Unit costs of offences (sourced).")
app.add_typer(costs_app, name="costs")


@costs_app.command("load")
def costs_load(
    from_file: Annotated[Path, typer.Option("--from", help="The unit-cost CSV file.")],
    home: HomeOpt = None,
) -> None:
    """Load unit costs: category, offence_codes, unit_cost, price_year, source."""
    n = pipeline.load_unit_costs(hub_of(home), from_file)
    out.print(f"Loaded {n} cost categories from {from_file.name}")


@measure_app.command("costs")
def measure_costs(
    dataset: Annotated[str, typer.Option(help="The dataset (with offence codes).")] = (
        "police-crime"
    ),
    home: HomeOpt = None,
    by: Annotated[str, typer.Option(help="category, district, year, month.")] = "category",
    date_from: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """The cost of violence: offences times their unit costs, with the costs' sources."""
    check_format(fmt)
    fields = [b.strip() for b in by.split(",") if b.strip()]
    r = pipeline.cost_of_violence(hub_of(home), get_dataset(dataset), fields, date_from, date_to)
    audit_read(
        home,
        "measure costs",
        fmt,
        {"dataset": dataset, "by": fields, "from": date_from, "to": date_to},
    )
    err.print(
        f"unit costs at {', '.join(r.price_years)} prices from: {'; '.join(r.sources)}; "
        f"{r.uncosted:,} records have no unit cost"
    )
    emit([*fields, "offences", "cost_gbp"], [[*x.group, x.offences, x.cost] for x in r.rows], fmt)
