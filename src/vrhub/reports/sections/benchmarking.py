"""Benchmarking: the area's own rates against England, its region and comparable areas.

The published rates come from a loaded reference file (:mod:`vrhub.reference.benchmarks`);
the area's own rates come from vrhub's measure of the same id, over the published period when
vrhub holds it whole (otherwise the report's year, and the section says the periods differ),
published outside the analyst tier from disclosure-controlled counts. Each rate is compared
with England's the way public-health profiles do: higher or lower when England's rate lies
outside the area's 95% interval, similar when inside it, not compared when no interval is given.

Example (runnable)::

    >>> england = 10.0
    >>> [versus(r, lo, hi, england) for r, lo, hi in
    ...  [(12.0, 11.0, 13.0), (9.5, 8.0, 11.0), (8.0, 7.5, 8.5), (11.0, None, None)]]
    ['higher', 'similar', 'lower', 'not compared (no interval)']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vrhub.datasets import get_dataset
from vrhub.errors import AudienceForbiddenError, UnknownNameError, UnsupportedFieldError
from vrhub.measures.coverage import coverage
from vrhub.measures.registry import get_measure
from vrhub.measures.spec import Measure
from vrhub.outputs.period import month_name
from vrhub.outputs.protect import protect_each, shown_rate
from vrhub.outputs.reads import Reads
from vrhub.reference.benchmarks import Benchmark, stored_benchmarks
from vrhub.reports.charts import Chart
from vrhub.reports.content import Finding, Note, Paragraph, Section, Subheading, Table
from vrhub.reports.registry import section
from vrhub.reports.sections.common import withheld

HOW_TO_LOAD = (
    "An analyst loads a CSV of published rates with `vrhub reference benchmarks load FILE` "
    "(the format is in docs/reference/benchmarks-format.md)."
)
KIND_WORDS = {
    "partnership": "this partnership (vrhub)",
    "own": "this district (vrhub)",
    "district": "district (vrhub)",
    "published": "this district (published)",
    "england": "England",
    "region": "region",
    "comparable": "comparable area",
}


def versus(rate: float | None, lower: float | None, upper: float | None, england: float) -> str:
    """An area's rate against England's: higher or lower when England's rate lies outside the
    area's 95% interval, similar when inside it."""
    if rate is None:
        return "not compared (hidden)"
    if lower is None or upper is None:
        return "not compared (no interval)"
    if england > upper:
        return "lower"
    if england < lower:
        return "higher"
    return "similar"


@dataclass(frozen=True)
class AreaRate:
    """One area's rate on the published rate base: vrhub's own (with its count as the
    audience may see it) or a published one."""

    name: str
    code: str
    kind: str  # partnership | own | district | published | england | region | comparable
    rate: float | None
    lower: float | None
    upper: float | None
    count: str = ""
    population: float | None = None
    source: str = "vrhub"


@dataclass
class Benchmarking:
    """One indicator's comparison: the area's own rates, the published ones, and notes on
    periods and definitions."""

    indicator: str
    title: str
    per: int
    period: tuple[str, str]
    period_label: str
    own_period: tuple[str, str] | None
    rates: list[AreaRate]
    notes: list[str] = field(default_factory=list)
    illustrative: bool = False

    @property
    def england(self) -> AreaRate | None:
        return next((r for r in self.rates if r.kind == "england"), None)


def _words(period: tuple[str, str]) -> str:
    return f"{month_name(period[0])} to {month_name(period[1])}"


def regions(data: Reads) -> set[str]:
    """The region codes of the area's districts (empty when the lookup is not loaded)."""
    codes = data.area
    found = data.con.execute(
        "SELECT DISTINCT region_code FROM ref_lad_codes WHERE list_contains(?, current_code) "
        "AND region_code IS NOT NULL",
        [codes],
    ).fetchall()
    return {str(r[0]) for r in found}


def benchmarking_figures(data: Reads) -> list[Benchmarking]:
    """Every loaded indicator compared for the report's area (worked out once per report)."""
    return data.once("benchmarking", lambda: _figures(data))


def _figures(data: Reads) -> list[Benchmarking]:
    rows = stored_benchmarks(data.con)
    by_indicator: dict[str, list[Benchmark]] = {}
    for b in rows:
        by_indicator.setdefault(b.indicator, []).append(b)
    wanted_regions = regions(data)
    out = []
    for indicator, held in sorted(by_indicator.items()):
        england = [b for b in held if b.area_type == "england"]
        latest = max(england or held, key=lambda b: b.period_to)
        period = (latest.period_from, latest.period_to)
        same = [b for b in held if (b.period_from, b.period_to) == period]
        rates = [_published(b, "england") for b in same if b.area_type == "england"]
        rates += [
            _published(b, "region")
            for b in same
            if b.area_type == "region" and (not wanted_regions or b.area_code in wanted_regions)
        ]
        rates += [
            _published(b, "published")
            for b in same
            if b.area_type == "district" and b.area_code in data.area
        ]
        rates += [_published(b, "comparable") for b in same if b.area_type == "comparable"]
        result = Benchmarking(
            indicator, latest.indicator_title, latest.rate_per, period, latest.period,
            None, rates, illustrative=any(b.illustrative for b in held),
        )  # fmt: skip
        notes = sorted({b.definition_note for b in same if b.definition_note})
        result.notes += [f"How the published definition differs: {n}" for n in notes]
        try:
            _own(data, result)
        except AudienceForbiddenError:
            result.notes.append(
                f"{data.area_name}'s own rate is not shown: the data-sharing agreement its data "
                f"comes under does not permit the {data.audience} audience."
            )
        except UnsupportedFieldError as exc:
            result.notes.append(f"{data.area_name}'s own rate is not shown: {exc}.")
        out.append(result)
    return out


def _published(b: Benchmark, kind: str) -> AreaRate:
    return AreaRate(b.area_name, b.area_code, kind, b.rate, b.lower, b.upper, source=b.publication)


def _own(data: Reads, result: Benchmarking) -> None:
    """The area's own rates from vrhub's measure of the same id (none if it has none)."""
    try:
        measure = get_measure(result.indicator)
    except UnknownNameError:
        result.notes.append(
            f"vrhub has no measure '{result.indicator}', so {data.area_name}'s own rate is not "
            "worked out here: only the published rates are shown."
        )
        return
    dataset = next((d for d in measure.datasets if data.has_data(d)), None)
    if dataset is None:
        names = ", ".join(get_dataset(d).title for d in measure.datasets)
        result.notes.append(
            f"{data.area_name}'s own rate is not shown: no data is loaded for it ({names})."
        )
        return
    held = coverage(data.con, get_dataset(dataset))
    if held.state(result.period) == "whole":
        months = result.period
    else:
        months = data.period.current
        result.notes.append(
            f"The periods differ: the published rates are for {_words(result.period)}, which "
            f"vrhub does not hold whole ({held.held()}), so {data.area_name}'s own rate is for "
            f"the {data.period.label}."
        )
        if held.state(months) != "whole":
            result.notes.append(
                f"{data.area_name}'s own rate is not shown: the {data.period.label} is not "
                f"held whole either ({held.held()})."
            )
            return
    result.own_period = months
    _definition(data, result, measure)
    rates = _own_rates(data, measure, dataset, months, result.per)
    result.rates = rates + result.rates


def _definition(data: Reads, result: Benchmarking, measure: Measure) -> None:
    same = measure.title.lower().startswith(result.title.lower())
    words = (
        f"{data.area_name}'s own rate is vrhub's measure '{measure.title}' "
        f"(version {measure.version})"
    )
    if same and not any(n.startswith("How the published") for n in result.notes):
        result.notes.append(f"{words}, the same indicator as the published rates.")
    else:
        result.notes.append(
            f"{words}; the published rates are '{result.title}': the definitions may differ, "
            "so read the comparison with care."
        )
    if measure.per != result.per:
        result.notes.append(
            f"vrhub's measure is per {measure.per:,}; its rates are given here per "
            f"{result.per:,} to match the published ones."
        )


def _own_rates(
    data: Reads, measure: Measure, dataset: str, months: tuple[str, str], per: int
) -> list[AreaRate]:
    whole, rule = data.measure(measure.name, dataset, [], months)
    counts: dict[str, int] = {}
    pops: dict[str, float | None] = {}
    names: dict[str, tuple[str, str]] = {}
    top = "own" if data.district else "partnership"
    key = data.district or "partnership"
    counts[key] = sum((r.count for r in whole.rows), 0)
    pops[key] = next((float(r.population) for r in whole.rows if r.population), None)
    names[key] = (data.area_name, top)
    if data.district is None:
        split, split_rule = data.measure(measure.name, dataset, ["district"], months)
        rule = rule or split_rule
        for r in split.rows:
            code = r.group[0]
            if code in data.area:
                counts[code] = r.count
                pops[code] = float(r.population) if r.population else None
                names[code] = (data.district_name(code), "district")
    shown = protect_each(counts, rule)
    scale = per / measure.per
    out = []
    for k, (name, kind) in names.items():
        s = shown_rate(shown[k], pops[k], measure.per)
        out.append(
            AreaRate(
                name,
                data.home.partnership.name if k == "partnership" else k,
                kind,
                None if s.rate is None else s.rate * scale,
                None if s.lower is None else s.lower * scale,
                None if s.upper is None else s.upper * scale,
                shown[k].text(),
                pops[k],
            )
        )
    return out


@section("benchmarking", "Benchmarking against England, the region and comparable areas", 85)
def benchmarking(data: Reads) -> Section:
    """The area's own rates (from vrhub's measures, same definition and period where it holds
    them) against published rates for England, its region and comparable areas from a loaded
    benchmark file, with 95% intervals where given; says how to load the file when none is."""
    s = Section("benchmarking", "Benchmarking against England, the region and comparable areas")
    try:
        figures = benchmarking_figures(data)
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, "police-crime", exc)
        return s
    if not figures:
        s.add(
            Paragraph(
                "Benchmarks not loaded: no published rates are held, so "
                f"{data.area_name} cannot yet be compared with England, its region or "
                f"comparable areas. {HOW_TO_LOAD}"
            )
        )
        return s
    if any(f.illustrative for f in figures):
        s.add(
            Note(
                "ILLUSTRATIVE VALUES: the published rates below are illustrative values shipped "
                "with the demonstration partnership, not published statistics. Do not quote "
                f"them. {HOW_TO_LOAD}"
            )
        )
    s.add(
        Paragraph(
            f"{data.area_name}'s rates set against England, its region and comparable areas. "
            "A rate is higher or lower than England's when England's rate lies outside its 95% "
            "interval, and similar when inside it. The comparable areas are those the benchmark "
            "file names as comparable."
        )
    )
    for f in figures:
        _add(s, data, f)
    return s


def _add(s: Section, data: Reads, f: Benchmarking) -> None:
    s.add(Subheading(f"{f.title} (per {f.per:,} residents), {f.period_label}"))
    england = f.england
    own = [r for r in f.rates if r.kind in ("partnership", "own")]
    if england is not None and own and own[0].rate is not None:
        verdict = _verdict(versus(own[0].rate, own[0].lower, own[0].upper, england.rate or 0))
        words = (
            f"{own[0].name}: {own[0].rate:,.1f} per {f.per:,} against England's "
            f"{england.rate:,.1f}, {verdict}."
        )
        s.add(Paragraph(words))
        if verdict.startswith(("higher", "lower")) and not f.illustrative:
            s.findings.append(Finding(f"{f.title}, {f.period_label}: {words}", 20.0))
    for n in f.notes:
        s.add(Note(n))
    rows = []
    values = []
    for r in f.rates:
        verdict = "" if england is None or r is england else versus(
            r.rate, r.lower, r.upper, england.rate or 0.0
        )  # fmt: skip
        interval = (
            "not given"
            if r.lower is None or r.upper is None
            else f"{r.lower:,.1f} to {r.upper:,.1f}"
        )
        rows.append(
            [
                r.name,
                KIND_WORDS[r.kind],
                "[c]" if r.rate is None else f"{r.rate:,.1f}",
                interval if r.rate is not None else "",
                verdict,
                r.source if r.source != "vrhub" else _own_source(f, r),
            ]
        )
        point: dict[str, object] = {
            "x": f"{r.name} ({KIND_WORDS[r.kind]})",
            "y": None if r.rate is None else round(r.rate, 1),
        }
        if r.lower is not None and r.upper is not None:
            point |= {"lower": round(r.lower, 1), "upper": round(r.upper, 1)}
        values.append(point)
    s.add(
        Chart(
            f"benchmark-{f.indicator}",
            "bar",
            f"{f.title} per {f.per:,} residents, {f.period_label}",
            f"Rate per {f.per:,}",
            values,
            x_title="Area",
            y_format=",.1f",
        )
    )
    s.add(
        Table(
            f"{f.title} per {f.per:,} residents: {data.area_name} and its benchmarks",
            ["Area", "Type", f"Rate per {f.per:,}", "95% interval", "Against England", "Source"],
            rows,
            [False, False, True, True, False, False],
        )
    )


def _own_source(f: Benchmarking, r: AreaRate) -> str:
    period = _words(f.own_period) if f.own_period else "the report's year"
    return f"vrhub, {r.count} records, {period}"


def _verdict(v: str) -> str:
    return {
        "higher": "higher than England",
        "lower": "lower than England",
        "similar": "similar to England",
    }.get(v, v)
