"""Build the Strategic Needs Assessment and one profile per district, as HTML and PDF.

For each report (the partnership's, then each district's) every registered section runs over
the report's area and audience; key findings are gathered from the sections; the appendices
record what was drawn on. Each report is written as HTML (with its shared assets) and as an A4
PDF. ``manifest.json`` records the vrhub version, the period, the audience, the definition and
measure versions, the agreements and the data batches used. Two builds from the same data give
byte-identical HTML except for the single build stamp in each page's footer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing as mp
import re
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from vrhub import __version__
from vrhub.governance.audit import cli_actor
from vrhub.home import Home
from vrhub.hub import Hub, opened
from vrhub.outputs.period import Period, ReportInputError, check_held, latest_year, month_name
from vrhub.outputs.reads import AUDIENCES, Lineage, Reads
from vrhub.reports.appendix import appendix, key_findings
from vrhub.reports.content import Section
from vrhub.reports.registry import all_sections
from vrhub.reports.render import Page, render_html, write_assets, write_pdf
from vrhub.reports.summary import summary

WORKERS = 2
STAMP = re.compile(r"Built by vrhub [^<]* on \d{4}-\d{2}-\d{2} at \d{2}:\d{2} UTC\.")


@dataclass
class BuiltReport:
    title: str
    district: str | None
    html: Path
    pdf: Path
    batches: list[int]
    agreements: list[str]


@dataclass
class BuildResult:
    out: Path
    period: Period
    audience: str
    reports: list[BuiltReport]
    manifest: Path
    timings: dict[str, float] = field(default_factory=dict)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build_sna(
    where: Home | Hub,
    out: Path,
    period: Period | None = None,
    audience: str = "analyst",
    districts: bool = True,
    pdf: bool = True,
    actor: str | None = None,
    progress: Callable[[str], None] | None = None,
    now: dt.datetime | None = None,
) -> BuildResult:
    """Write the partnership assessment and (unless ``districts`` is False) each district's
    profile into ``out``, for one audience."""
    if audience not in AUDIENCES:
        raise ReportInputError(
            f"--audience '{audience}' is not a report audience (choose from {', '.join(AUDIENCES)})"
        )
    if out.exists() and not out.is_dir():
        raise ReportInputError(f"--out {out} is a file; give a folder for the reports")
    with opened(where) as hub:
        return _build(hub, out, period, audience, districts, pdf, actor, progress, now)


def _build(
    hub: Hub,
    out: Path,
    period: Period | None,
    audience: str,
    districts: bool,
    pdf: bool,
    actor: str | None,
    progress: Callable[[str], None] | None,
    now: dt.datetime | None,
) -> BuildResult:
    home, con, gov = hub.home, hub.con, hub.gov
    period = period or latest_year(con)
    check_held(con, period)
    out.mkdir(parents=True, exist_ok=True)
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    stamp = f"Built by vrhub {__version__} on {moment:%Y-%m-%d} at {moment:%H:%M} UTC."
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    write_assets(out / "assets")
    timings["assets"] = time.perf_counter() - t0
    areas: list[str | None] = [None]
    if districts:
        areas += [d.code for d in home.partnership.districts]
    built: list[BuiltReport] = []
    lineage_all = Lineage()
    # Figures are computed here, one report after another (they share the store connection);
    # each report's HTML and PDF are drawn in a worker process meanwhile, two at a time.
    pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=mp.get_context("spawn"))
    jobs: list[tuple[str, Future[dict[str, float]]]] = []
    try:
        for area in areas:
            data = Reads(home, con, gov, audience, period, area, Lineage())
            name = data.area_name
            if progress:
                progress(f"{name}: figures")
            t = time.perf_counter()
            sections = _sections(data)
            timings[f"{name}: figures"] = time.perf_counter() - t
            title = (
                f"{home.partnership.name}: Strategic Needs Assessment for serious violence"
                if area is None
                else f"{name}: serious violence district profile"
            )
            base = (
                f"{_slug(home.partnership.slug or home.partnership.name)}-needs-assessment"
                if area is None
                else f"district-{_slug(name)}"
            )
            page = Page(
                title,
                home.partnership.name,
                period.label,
                _period_sentence(period, audience),
                audience,
                stamp,
            )
            html_path, pdf_path = out / f"{base}.html", out / f"{base}.pdf"
            jobs.append((name, pool.submit(render_files, page, sections, html_path, pdf_path, pdf)))
            built.append(
                BuiltReport(
                    title,
                    area,
                    html_path,
                    pdf_path,
                    sorted(data.lineage.batches),
                    sorted(data.lineage.agreements),
                )
            )
            _merge(lineage_all, data.lineage)
        for name, job in jobs:
            if progress:
                progress(f"{name}: HTML and PDF")
            for stage, took in job.result().items():
                timings[f"{name}: {stage}"] = took
        manifest = _write_manifest(out, period, audience, stamp, built, lineage_all)
        _write_index(out, home, period, audience, built, stamp)
        gov.audit.write(
            actor or cli_actor(),
            "report.sna",
            str(out),
            {
                "audience": audience,
                "period": period.label,
                "reports": len(built),
                "agreements": sorted(lineage_all.agreements),
            },
        )
    finally:
        pool.shutdown(cancel_futures=True)
    return BuildResult(out, period, audience, built, manifest, timings)


def render_files(
    page: Page, sections: list[Section], html_path: Path, pdf_path: Path, pdf: bool
) -> dict[str, float]:
    """Write one report's HTML and PDF (runs in a worker process); returns the time of each."""
    took = {}
    t = time.perf_counter()
    html_path.write_text(render_html(page, sections, "html"), encoding="utf-8")
    took["HTML"] = time.perf_counter() - t
    if pdf:
        t = time.perf_counter()
        write_pdf(render_html(page, sections, "pdf"), pdf_path)
        took["PDF"] = time.perf_counter() - t
    return took


def _sections(data: Reads) -> list[Section]:
    body = [spec.build(data) for spec in all_sections()]
    return [key_findings(body, data), summary(body, data), *body, *appendix(data)]


def _period_sentence(period: Period, audience: str) -> str:
    return (
        f"The {period.label} ({month_name(period.current[0])} to "
        f"{month_name(period.current[1])}), compared with the previous 12 months. "
        f"Prepared for the {audience} audience."
    )


def _merge(into: Lineage, part: Lineage) -> None:
    into.batches |= part.batches
    into.agreements |= part.agreements
    into.measures |= part.measures
    into.definitions |= part.definitions
    into.withheld |= part.withheld


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_manifest(
    out: Path,
    period: Period,
    audience: str,
    stamp: str,
    built: list[BuiltReport],
    lineage: Lineage,
) -> Path:
    manifest = {
        "vrhub_version": __version__,
        "build_stamp": stamp,
        "period": {"label": period.label, "from": period.current[0], "to": period.current[1]},
        "audience": audience,
        "definitions": sorted(lineage.definitions),
        "measures": dict(sorted(lineage.measures.items())),
        "agreements": sorted(lineage.agreements),
        "batches": sorted(lineage.batches),
        "withheld": dict(sorted(lineage.withheld.items())),
        "reports": [
            {
                "title": r.title,
                "district": r.district,
                "html": r.html.name,
                "pdf": r.pdf.name if r.pdf.exists() else None,
                "batches": r.batches,
                "agreements": r.agreements,
            }
            for r in built
        ],
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return path


def _write_index(
    out: Path, home: Home, period: Period, audience: str, built: list[BuiltReport], stamp: str
) -> None:
    from vrhub.reports.render import index_html

    (out / "index.html").write_text(
        index_html(home.partnership.name, period.label, audience, built, stamp), encoding="utf-8"
    )
