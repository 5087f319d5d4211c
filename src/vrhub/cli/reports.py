"""Commands for the generated reports: the needs assessment and district profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vrhub import pipeline
from vrhub.cli.common import HomeOpt, app, err, hub_of, out

report_app = typer.Typer(no_args_is_help=True, help="Generated reports (needs assessment).")
app.add_typer(report_app, name="report")


@report_app.command("sna")
def sna(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the reports into.")],
    home: HomeOpt = None,
    period: Annotated[
        str | None,
        typer.Option(
            help='"year ending YYYY-MM"; by default the latest year in the police-recorded crime.'
        ),
    ] = None,
    audience: Annotated[
        str, typer.Option(help="analyst (exact), partner or public (disclosure-controlled).")
    ] = "analyst",
    districts: Annotated[bool, typer.Option(help="Also write one profile per district.")] = True,
    pdf: Annotated[bool, typer.Option(help="Also write each report as an A4 PDF.")] = True,
) -> None:
    """Write the Strategic Needs Assessment and district profiles as HTML and PDF."""
    result = pipeline.build_reports(
        hub_of(home),
        out_dir,
        period,
        audience,
        districts,
        pdf,
        progress=lambda step: err.print(f"  {step}", highlight=False),
    )
    out.print(
        f"{len(result.reports)} report{'s' if len(result.reports) != 1 else ''} for the "
        f"{result.audience} audience, "
        f"{result.period.label}, in {result.out}:"
    )
    for r in result.reports:
        files = r.html.name + (f", {r.pdf.name}" if pdf else "")
        out.print(f"  {r.title}: {files}")
    out.print(f"  manifest: {result.manifest.name}; start at index.html")
