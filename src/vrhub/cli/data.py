"""Commands for the home, reference data, ingest, counts, the quarantine, batches and demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

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
    parse_date,
    table,
    working,
)
from vrhub.datasets import all_datasets, get_dataset
from vrhub.ingest.load import IngestResult
from vrhub.ingest.replace import rows as row_count
from vrhub.partnership import resolve_partnership

# Defined here, not with the root command, so that they are loaded with their subcommands.
reference_app = typer.Typer(no_args_is_help=True, help="Reference data (geography, deprivation).")
quarantine_app = typer.Typer(no_args_is_help=True, help="Rows refused at ingest, with reasons.")
app.add_typer(reference_app, name="reference")
app.add_typer(quarantine_app, name="quarantine")


@app.command()
def init(
    home: HomeOpt = None,
    partnership: Annotated[
        str,
        typer.Option(
            help="A built-in partnership (west-yorkshire, south-yorkshire) or a .toml file."
        ),
    ] = "west-yorkshire",
) -> None:
    """Create a home folder for a partnership, with its pseudonymisation key and reference data."""
    for line in resolve_partnership(partnership).recoded:  # an older district code given
        out.print(line, markup=False)
    with working("Setting up the home and loading its reference data"):
        h, created = pipeline.init_partnership_home(home, partnership)
    word = "Created" if created else "Already set up:"
    out.print(f"{word} home for {h.partnership.name} at {h.path}", markup=False)
    out.print(f"Districts: {', '.join(f'{d.name} ({d.code})' for d in h.partnership.districts)}")


@reference_app.command("load")
def reference_load(
    home: HomeOpt = None,
    from_dir: Annotated[
        Path | None,
        typer.Option("--from", help="A folder of newer reference files of the same kinds."),
    ] = None,
) -> None:
    """Load the shipped reference data, or newer files of the same kinds from a folder."""
    with working("Loading reference data"):
        loaded = pipeline.load_reference_data(hub_of(home), from_dir)
    for s in loaded:
        out.print(f"{s.kind}: {s.file} ({s.origin})", markup=False)


@reference_app.command("boundaries")
def reference_boundaries(
    files: Annotated[list[Path], typer.Argument(help="GeoJSON files of LSOA polygons (WGS84).")],
    home: HomeOpt = None,
) -> None:
    """Load LSOA boundary polygons for maps and hotspots (each file is checked whole first)."""
    with working("Checking and loading the boundaries"):
        loaded = pipeline.load_boundary_files(hub_of(home), files)
    for f in loaded:
        out.print(f"{f.file}: {f.features:,} LSOA boundaries loaded", markup=False)


benchmarks_app = typer.Typer(
    no_args_is_help=True, help="Published rates to benchmark against (England, region, peers)."
)
reference_app.add_typer(benchmarks_app, name="benchmarks")


@benchmarks_app.command("load")
def benchmarks_load(
    file: Annotated[Path, typer.Argument(help="The CSV of published rates.")],
    home: HomeOpt = None,
) -> None:
    """Load published rates (checked whole first; nothing is loaded if any row is refused).
    The file replaces the rates of the indicators it holds."""
    n = pipeline.load_benchmarks(hub_of(home), file)
    out.print(f"Loaded {n:,} published rates from {file.name}", markup=False)


@benchmarks_app.command("list")
def benchmarks_list(home: HomeOpt = None, fmt: FormatOpt = "table") -> None:
    """The published rates the home holds, with their sources."""
    check_format(fmt)
    rows = pipeline.stored_benchmarks(hub_of(home))
    if not rows:
        err.print(
            "No published rates are loaded in this home yet: "
            "`vrhub reference benchmarks load FILE` loads them."
        )
    emit(
        ["indicator", "area", "area type", "period", "rate", "per", "95% interval", "source",
         "illustrative"],
        [[b.indicator, f"{b.area_name} ({b.area_code})", b.area_type, b.period, b.rate,
          b.rate_per, b.interval, b.source, "yes" if b.illustrative else "no"] for b in rows],
        fmt,
    )  # fmt: skip


@reference_app.command("sources")
def reference_sources(home: HomeOpt = None, fmt: FormatOpt = "table") -> None:
    """The reference data the home holds: each source, its publisher, licence and vintage."""
    from vrhub.reference.held import COLUMNS, sources_held

    check_format(fmt)
    rows = sources_held(hub_of(home).con)
    if not rows:
        err.print("No reference data is loaded in this home yet: `vrhub reference load` loads it.")
    emit(COLUMNS, rows, fmt)


@app.command()
def datasets(fmt: FormatOpt = "table") -> None:
    """List the dataset standards vrhub can ingest."""
    check_format(fmt)
    emit(
        ["dataset", "title", "partner extract"],
        [[d.name, d.title, "yes" if d.partner_extract else "no (open data)"]
         for d in all_datasets()],
        fmt,
    )  # fmt: skip


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    dataset: Annotated[str, typer.Option(help="The dataset standard the files follow.")],
    home: HomeOpt = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Who supplied the files (default: from the file, e.g. the force or site)."
        ),
    ] = None,
    received: Annotated[
        str | None,
        typer.Option(help="Date the partner supplied the files, YYYY-MM-DD (default today)."),
    ] = None,
    agreement: Annotated[
        str | None,
        typer.Option(help="The agreement the files come under, when several could apply."),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            help="The organisation that supplied the files (its code, a party to the "
            "agreement). A revised month replaces only what the same organisation sent "
            "before; without it the files are the hub's own loads."
        ),
    ] = None,
) -> None:
    """Validate, pseudonymise and load partner files under their agreement; report problems."""
    h = hub_of(home)
    ds = get_dataset(dataset)
    when = parse_date(received, "--received")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("ingesting", total=None)

        def on_file(path: Path, i: int, n: int) -> None:
            bar.update(task, description=f"{path.name}", completed=i, total=n)

        results = pipeline.ingest_paths(
            h,
            ds,
            paths,
            source=source,
            received=when,
            on_file=on_file,
            agreement=agreement,
            organisation=organisation,
        )
    _print_results(results)
    if results and all(r.status == "skipped" for r in results):
        # Only outcomes or stop-and-search files (or the like): nothing was loaded.
        err.print(
            f"nothing loaded: every file given was skipped; give {ds.name} files "
            "(for police.uk, the '-street.csv' files of a download)",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1)
    if any(r.status == "rejected" for r in results):
        raise typer.Exit(1)


def _print_results(results: list[IngestResult]) -> None:
    """The table of files read, a line for each file with something to say, each file
    skipped, and (for several files) a totals line."""
    read = [r for r in results if r.status != "skipped"]
    if read:
        t = table("file", "status", "read", "loaded", "quarantined", "warnings", "months", "under")
        for r in read:
            months = f"{r.months[0]}…{r.months[-1]}" if len(r.months) > 1 else "".join(r.months)
            t.add_row(
                Text(r.file),  # a file's name as it is, never read as markup
                r.status,
                f"{r.rows_read:,}",
                f"{r.rows_accepted:,}",
                f"{r.rows_rejected:,}",
                f"{r.warnings:,}",
                months,
                r.agreement or "",
            )
        out.print(t)
    for r in results:
        if r.status != "loaded" or r.rows_rejected or r.warnings or r.replaced:
            out.print(r.message, markup=False, highlight=False)
        for x in r.replacements:
            out.print(f"  {x.words}", markup=False, highlight=False)
        if r.problems_csv and (r.rows_rejected or r.warnings or r.status == "rejected"):
            out.print(f"  problems listed in {r.problems_csv}", markup=False, highlight=False)
    if len(results) > 1:
        out.print(totals_line(results), markup=False, highlight=False)


def totals_line(results: list[IngestResult]) -> str:
    """One line for a run over several files, e.g. '3 files: 45,123 rows loaded, 12 rejected,
    2 skipped' (files unchanged or refused whole are counted when there are any)."""
    loaded = sum(r.rows_accepted for r in results if r.status == "loaded")
    rejected = sum(r.rows_rejected for r in results)
    parts = [f"{loaded:,} rows loaded", f"{rejected:,} rejected"]
    for status, words in (
        ("rejected", "not loaded"),
        ("unchanged", "unchanged"),
        ("skipped", "skipped"),
    ):
        n = sum(r.status == status for r in results)
        if n or status == "skipped":
            parts.append(f"{n} {words}" if status == "skipped" else f"{n} {_files(n)} {words}")
    return f"{len(results)} {_files(len(results))}: {', '.join(parts)}"


def _files(n: int) -> str:
    return "file" if n == 1 else "files"


@app.command()
def counts(
    dataset: Annotated[str, typer.Option(help="The dataset to count.")],
    by: Annotated[str, typer.Option(help="Comma-separated fields, e.g. month,district.")],
    home: HomeOpt = None,
    all_areas: Annotated[
        bool,
        typer.Option("--all-areas", help="Count every accepted row, not only the partnership's."),
    ] = False,
    fmt: FormatOpt = "table",
    audience: Annotated[
        str | None,
        typer.Option(
            help="Release for an audience (partner, provider, practitioner, public): "
            "checked against the data's agreements and disclosure-controlled."
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Release for this user: their role's audience and districts."),
    ] = None,
    district: Annotated[
        list[str] | None,
        typer.Option(help="Only this district (its name or LAD code, e.g. Leeds); repeat."),
    ] = None,
) -> None:
    """Count records grouped by fields (in-partnership and unknown-location by default)."""
    fields = [b.strip() for b in by.split(",") if b.strip()]
    check_format(fmt)
    if district:  # by name or code, any case; anything else refused naming the districts
        from vrhub.counts import district_codes

        district = district_codes(district, hub_of(home).home.partnership.districts)
    if audience is None and as_user is None:
        table = pipeline.counts(hub_of(home), get_dataset(dataset), fields, all_areas, district)
        audit_read(
            home,
            "counts",
            fmt,
            {"dataset": dataset, "by": fields, "all_areas": all_areas},
            district,
        )
        header = [*table.fields, "count"]
        rows: list[tuple[object, ...]] = list(table.rows)
    else:  # an export: audited as such (export.counts)
        exported = pipeline.export_counts(
            hub_of(home),
            get_dataset(dataset),
            fields,
            audience or "analyst",
            all_areas=all_areas,
            districts=district,
            as_user=as_user,
        )
        # The same columns as the analyst's counts, groups only: totals are kept apart.
        header = [*exported.fields, "count"]
        rows = exported.rows
        grand = next((t[-1] for t in exported.totals if all(v == "Total" for v in t[:-1])), None)
        err.print(
            f"For the {exported.audience} audience under "
            f"{', '.join(a.label for a in exported.agreements) or 'no agreement'}; "
            f"rule: {exported.rule}"
            + (
                f"; total {grand:,} (protected on its own, so the rows need not add up to it)"
                if isinstance(grand, int)
                else ""
            )
        )
    emit(header, rows, fmt, missing="suppressed")


@quarantine_app.command("list")
def quarantine_list(
    home: HomeOpt = None,
    dataset: Annotated[str | None, typer.Option(help="Only this dataset.")] = None,
    batch: Annotated[int | None, typer.Option(help="Only this batch.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    fmt: FormatOpt = "table",
) -> None:
    """Rows refused at ingest, with the values refused and the reasons (identifiers hidden,
    shown only as pseudonyms)."""
    from vrhub.ingest.report import rejected_values

    check_format(fmt)
    rows = pipeline.quarantine_rows(hub_of(home), dataset, batch, limit)
    values = rejected_values(
        hub_of(home).con, [(int(r["batch_id"]), int(r["row_number"])) for r in rows]
    )
    emit(
        ["batch", "dataset", "file", "row", "rejected values", "reasons"],
        [
            [
                r["batch_id"],
                r["dataset"],
                r["file_name"],
                r["row_number"],
                values.get((int(r["batch_id"]), int(r["row_number"])), ""),
                r["reasons"],
            ]
            for r in rows
        ],
        fmt,
    )
    if fmt == "table":
        out.print(f"{len(rows)} row(s) shown")


@app.command()
def batches(
    home: HomeOpt = None,
    limit: Annotated[int, typer.Option(help="At most this many batches.")] = 50,
    fmt: FormatOpt = "table",
) -> None:
    """The ingest log: every file, who sent it, under which agreement, and what became of it
    (loaded, rejected, superseded or partly superseded by a later file from the same
    organisation, or removed at the end of retention)."""
    check_format(fmt)
    log = pipeline.batch_log(hub_of(home), limit)
    audit_read(home, "batches", fmt, {"limit": limit})
    header = ["batch", "dataset", "source", "sent by", "file", "status", "read", "loaded",
              "rejected", "under", "received"]  # fmt: skip
    table = [
        [
            r["batch_id"],
            r["dataset"],
            r["source"] or "",
            r["organisation"] or ("the hub" if r["status"] != "rejected" else ""),
            r["file_name"],
            r["status"],
            r["rows_read"],
            r["rows_accepted"],
            r["rows_rejected"],
            f"{r['agreement_ref']} v{r['agreement_version']}" if r["agreement_ref"] else "",
            str(r["received_on"] or ""),
        ]
        for r in log
    ]
    if not log:
        err.print("No file has been loaded into this home yet: `vrhub ingest` loads one.")
    emit(header, table, fmt)
    if fmt != "table":
        return
    for r in log:
        for x in r["replacements"]:
            if x["batch_id"] == r["batch_id"]:
                out.print(
                    f"batch {r['batch_id']} replaced {x['month']} of batch "
                    f"{x['replaced_batch_id']}: {row_count(x['rows_removed'])} before, "
                    f"{x['rows_added'] or 0:,} after"
                )


@app.command()
def demo(
    home: HomeOpt = None,
    years: Annotated[int, typer.Option(help="Years of synthetic data.", min=1, max=10)] = 5,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 2026,
) -> None:
    """Build the West Yorkshire demo partnership from synthetic partner extracts."""
    from vrhub.demo.build import build_demo_home

    summary = build_demo_home(home, years=years, seed=seed, console=err)
    out.print(summary)
