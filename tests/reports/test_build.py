"""The needs assessment and district profiles, built from the demo partnership.

The public set is scanned number by number (HTML text, chart data and PDF text) for anything
that could be an unprotected count; the analyst set is checked against the measures directly;
two builds are compared byte for byte; generated text is checked for child-first language.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pypdf
import pytest

from tests.reports.conftest import PERIOD
from tests.reports.scan import html_text, suspicious, suspicious_data
from vrhub import pipeline
from vrhub.cli import main
from vrhub.outputs.period import ReportInputError
from vrhub.reports.build import STAMP, BuildResult

#: Words the partnership's child-first rule keeps out of every output.
FORBIDDEN = re.compile(
    r"\b(?:offenders?|juveniles?|young offenders?|perpetrators?|delinquen\w*|youths)\b",
    re.IGNORECASE,
)


def _pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def test_the_full_public_set_is_written(public: BuildResult) -> None:
    names = sorted(p.name for p in public.out.iterdir())
    assert "west-yorkshire-needs-assessment.html" in names
    assert "west-yorkshire-needs-assessment.pdf" in names
    for district in ("bradford", "calderdale", "kirklees", "leeds", "wakefield"):
        assert f"district-{district}.html" in names and f"district-{district}.pdf" in names
    assert {"index.html", "manifest.json", "assets"} <= set(names)
    manifest = json.loads(public.manifest.read_text())
    assert manifest["audience"] == "public"
    assert manifest["definitions"] == ["wy-sv-1"]
    assert manifest["batches"] and len(manifest["reports"]) == 6
    # Hospital data is shared for analysts and partners only: withheld, and said so.
    assert "hospital-admission" in manifest["withheld"]
    assert "WY-ISA-03 v1" not in manifest["agreements"]


def test_no_public_number_could_be_an_unprotected_count(public: BuildResult) -> None:
    for r in public.reports:
        text, rows = html_text(r.html.read_text(encoding="utf-8"))
        assert suspicious(text) == [], r.html.name
        assert suspicious_data(rows) == [], r.html.name
        assert suspicious(_pdf_text(r.pdf)) == [], r.pdf.name
        assert "does not permit the public audience" in text


def test_the_scan_finds_exact_counts_in_the_analyst_report(analyst: BuildResult) -> None:
    """The scan above can fail: the analyst report's exact counts trip it."""
    text, rows = html_text(analyst.reports[0].html.read_text(encoding="utf-8"))
    assert len(suspicious(text)) > 20
    assert suspicious_data(rows)


def test_analyst_figures_are_the_measures_figures(analyst: BuildResult, report_home: Path) -> None:
    home = pipeline.open_partnership_home(report_home)
    ds = pipeline.get_dataset("police-crime")
    now = pipeline.run_measure(home, "serious-violence", ds, [], None, "2025-10", "2026-09")
    before = pipeline.run_measure(home, "serious-violence", ds, [], None, "2024-10", "2025-09")
    n, m = now.rows[0].count, before.rows[0].count
    text, _ = html_text(analyst.reports[0].html.read_text(encoding="utf-8"))
    change = 100 * (n / m - 1)
    word = "rose" if change > 0 else "fell"
    assert f"({n:,} in the year ending September 2026)" in text
    assert f"serious violence {word} by {abs(change):.1f}%" in text or (
        "no significant change in Serious violence" in text
    )
    pdf = _pdf_text(analyst.reports[0].pdf)
    assert f"{n:,}" in pdf


def test_reports_are_reproducible_apart_from_the_build_stamp(
    report_home: Path, tmp_path: Path
) -> None:
    home = pipeline.open_partnership_home(report_home)
    from vrhub.outputs.period import parse_period
    from vrhub.reports.build import build_sna

    period = parse_period(PERIOD)
    first = build_sna(
        home,
        tmp_path / "a",
        period,
        "partner",
        pdf=False,
        now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    second = build_sna(
        home,
        tmp_path / "b",
        period,
        "partner",
        pdf=False,
        now=dt.datetime(2026, 2, 2, tzinfo=dt.UTC),
    )
    for a, b in zip(first.reports, second.reports, strict=True):
        ta, tb = a.html.read_text(encoding="utf-8"), b.html.read_text(encoding="utf-8")
        assert ta != tb
        assert len(STAMP.findall(ta)) == 1
        assert STAMP.sub("", ta) == STAMP.sub("", tb), a.html.name
    assert (tmp_path / "a/assets/report.js").read_bytes() == (
        tmp_path / "b/assets/report.js"
    ).read_bytes()


def test_pdf_has_real_text_bookmarks_and_page_numbers(analyst: BuildResult) -> None:
    reader = pypdf.PdfReader(analyst.reports[0].pdf)
    pages = len(reader.pages)
    assert pages > 8
    first = reader.pages[0].extract_text()
    assert "Strategic Needs" in first and f"Page 1 of {pages}" in first
    titles = [o["/Title"] for o in reader.outline if isinstance(o, dict)]
    assert "Key findings" in " ".join(str(t) for t in _flatten(reader.outline))
    assert titles and "West Yorkshire: Strategic Needs Assessment" in titles[0]
    for section in ("The Home Office success measures", "Where violence happens"):
        assert section in " ".join(str(t) for t in _flatten(reader.outline))


def _flatten(outline: list[object]) -> list[str]:
    out: list[str] = []
    for item in outline:
        if isinstance(item, list):
            out += _flatten(item)
        else:
            out.append(str(item["/Title"]))  # type: ignore[index]
    return out


def test_child_first_language_in_every_report(public: BuildResult, analyst: BuildResult) -> None:
    for r in [*public.reports, *analyst.reports]:
        text, _ = html_text(r.html.read_text(encoding="utf-8"))
        assert FORBIDDEN.findall(text) == [], r.html.name
        assert FORBIDDEN.findall(_pdf_text(r.pdf)) == [], r.pdf.name
    text, _ = html_text(analyst.reports[0].html.read_text(encoding="utf-8"))
    assert "Children 14 to 17" in text and "Young adults 18 to 24" in text


def test_maps_where_boundaries_exist_and_a_table_where_they_do_not(
    public: BuildResult, analyst: BuildResult
) -> None:
    [needs] = [r for r in analyst.reports if r.html.name.endswith("needs-assessment.html")]
    page = needs.html.read_text(encoding="utf-8")
    assert 'id="figure-place-map"' in page and 'id="figure-place-ward-map"' in page
    assert "The 10 neighbourhoods with the highest rates" in page
    by_name = {r.html.name: r.html.read_text(encoding="utf-8") for r in public.reports}
    wakefield = by_name["district-wakefield.html"]  # every West Yorkshire district ships one
    assert "The hotspot analysis covers Wakefield." in wakefield
    # The public is shown wards: a ward map in every report, no neighbourhood map or table.
    for name, page in by_name.items():
        assert 'id="figure-place-ward-map"' in page, name
        assert 'id="figure-place-map"' not in page, name
        assert "The 10 neighbourhoods with the highest rates" not in page, name


def test_the_public_reports_name_no_area_smaller_than_a_ward(public: BuildResult) -> None:
    for r in public.reports:
        page = r.html.read_text(encoding="utf-8")
        assert not re.search(r"\b[EW]0[12]\d{6}\b", page), r.html.name  # no LSOA or MSOA code
        assert not re.search(r"\b(Bradford|Calderdale|Kirklees|Leeds|Wakefield) \d{3}[A-Z]\b", page)
        text = _pdf_text(r.pdf)
        assert not re.search(r"\b[EW]0[12]\d{6}\b", text), r.pdf.name


def test_every_chart_has_a_text_alternative_and_a_table(analyst: BuildResult) -> None:
    page = analyst.reports[0].html.read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="chart" id="figure-([^"]+)">', page)
    assert len(figures) >= 8
    for fig in figures:
        block = page.split(f'id="figure-{fig}"', 1)[1].split("</figure>", 1)[0]
        label = re.search(r'role="img" aria-label="([^"]+)"', block)
        assert label and len(label.group(1)) > 40, fig
        assert "<table>" in block and f'id="spec-{fig}"' in block


def test_bad_requests_are_refused_clearly(report_home: Path, tmp_path: Path) -> None:
    home = pipeline.open_partnership_home(report_home)
    with pytest.raises(ReportInputError, match='write it as "year ending YYYY-MM"'):
        pipeline.build_reports(home, tmp_path, "2026-09")
    with pytest.raises(ReportInputError, match="not a report audience"):
        pipeline.build_reports(home, tmp_path, PERIOD, "everyone")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ReportInputError, match="is a file"):
        pipeline.build_reports(home, tmp_path / "file", PERIOD)


def test_cli_report_sna(
    report_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "report", "sna", "--home", str(report_home), "--out", str(tmp_path / "r"),
            "--audience", "partner", "--no-districts", "--no-pdf",
        ]
    )  # fmt: skip
    assert code == 0
    assert "1 report for the partner audience, year ending" in capsys.readouterr().out
    assert main(["report", "sna", "--home", str(report_home), "--out", str(tmp_path / "x"),
                 "--period", "year ending 2026-13"]) == 1  # fmt: skip
    assert "is not understood" in capsys.readouterr().err
