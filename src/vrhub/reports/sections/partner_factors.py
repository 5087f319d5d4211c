"""Partner data on influential factors: every dataset whose standard names a
:class:`~vrhub.datasets.spec.Factor`, counted when loaded and said to be missing when not.

For each such dataset, in order of theme: when it holds records, its records in the period by
district as a rate per 1,000 of the factor's population (``Factor.per``: everyone, children,
young adults or under-25s, the population vrhub holds nearest the period), with the groups of
its ``breakdown`` field; outside the analyst tier every count is disclosure-controlled and each
rate is worked out from the published count. When the dataset holds nothing, one line says the
theme is not yet shared by any partner: never a zero.

Example (runnable)::

    >>> from vrhub.outputs.protect import EXACT
    >>> row = FactorRow("E08000035", "Leeds", Shown(120, EXACT), 160_000.0, 0.75, 0.62, 0.9)
    >>> row.cells()
    ['Leeds', '120', '0.75', '0.62 to 0.90']
    >>> FactorRow("E08000035", "Leeds", Shown(None, "suppressed: small count"), 160_000.0).cells()
    ['Leeds', '[c]', 'not shown', '']
    >>> FactorRow("E08000032", "Bradford", Shown(None, NOT_HELD), 540_000.0).cells()
    ['Bradford', 'no data', 'not shown', '']
"""

from __future__ import annotations

from dataclasses import dataclass

from vrhub.datasets import all_datasets
from vrhub.datasets.spec import Dataset, Factor, Kind
from vrhub.disclosure.engine import TOTAL
from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.measures.population import PER, NoPopulationError, choose, population_table
from vrhub.outputs.period import month_name
from vrhub.outputs.protect import NOT_HELD, Shown, protect_parts, shown_rate
from vrhub.outputs.reads import Reads
from vrhub.reports.content import Note, Paragraph, Section, Subheading, Table
from vrhub.reports.sections.common import withheld

#: The measure every factor dataset is counted with: all its records.
MEASURE = "records"
PER_1000 = 1000


@dataclass(frozen=True)
class FactorRow:
    """One area's records of a factor dataset, as the audience may see them."""

    code: str
    name: str
    count: Shown
    #: The factor's population of the area (None where none is held).
    population: float | None
    rate: float | None = None
    lower: float | None = None
    upper: float | None = None

    def cells(self) -> list[str]:
        rate = "not shown" if self.rate is None else f"{self.rate:.2f}"
        if self.population is None:
            rate = "no population held"
        ci = "" if self.lower is None or self.upper is None else (
            f"{self.lower:.2f} to {self.upper:.2f}"
        )  # fmt: skip
        return [self.name, self.count.text(), rate, ci]


@dataclass(frozen=True)
class FactorFigures:
    """A factor dataset's figures for a report: by district (and the area), and by group."""

    dataset: Dataset
    factor: Factor
    rows: tuple[FactorRow, ...]
    #: The breakdown field's groups over the whole area, as shown.
    groups: tuple[tuple[str, Shown], ...]
    #: What the rates are per, in words, with the population's source.
    population: str
    #: Why the groups are not shown, where they are not.
    note: str | None = None
    #: When the records counted are from, in words ("the year ending ..." or one month).
    when: str = ""


def factor_datasets() -> list[Dataset]:
    """Every registered dataset standard that feeds the section, in order of theme."""
    found = [d for d in all_datasets() if d.factor is not None]
    return sorted(found, key=lambda d: (d.factor.theme if d.factor else "", d.name))


def figures(data: Reads, ds: Dataset) -> FactorFigures | None:
    """The dataset's figures in the report's period and area (None: no records in it)."""
    factor = ds.factor
    assert factor is not None
    end = data.period.current[1]
    months = (end, end) if factor.snapshot else None
    when = f"{month_name(end)}" if factor.snapshot else f"the {data.period.label}"
    only = dict([factor.only]) if factor.only else None
    result, rule = data.measure(MEASURE, ds.name, ["district"], months, only)
    # The counts keep their cell keys (Tally): protect_parts publishes them by those.
    counts = {str(r.group[0]): r.count for r in result.rows if r.group and r.group[0]}
    if not counts:
        return None
    pops: dict[str, float] = {}
    words = f"per {PER_1000:,} {PER[factor.per][1]}"
    try:
        chosen = choose(data.backend, data.area, factor.per, int(data.period.current[1][:4]))
        table = population_table(data.backend, chosen, "district", data.area)
        pops = {str(r["area"]): float(r["population"]) for r in table.to_pyarrow().to_pylist()}
        words += f" ({chosen.describe()})"
    except NoPopulationError as exc:
        words += f": no rate is given, as {exc}"
    # A district with no records at all is not counted as 0: the partner may not have shared
    # for it (a council's extract covers its own district), so it says "no data".
    shown = protect_parts({d: counts[d] for d in data.area if d in counts}, rule, total=True)
    rows = []
    for code in data.area:
        count = shown.get(code, Shown(None, NOT_HELD))
        rows.append(_row(code, data.district_name(code), count, pops.get(code)))
    if data.district is None:
        held = [pops.get(d) for d in data.area if d in counts]
        total_pop = sum(p for p in held if p) if held and all(held) else None
        rows.append(_row("all", data.area_name, shown[TOTAL], total_pop))
    groups: tuple[tuple[str, Shown], ...] = ()
    note = None
    if factor.breakdown and _small_area(ds, factor.breakdown) and not data.exact:
        note = (
            f"The groups of {factor.breakdown.replace('_', ' ')} are not shown: they are areas "
            "smaller than a ward, which outputs beyond the analyst tier never name."
        )
    elif factor.breakdown:
        by, brule = data.measure(MEASURE, ds.name, [factor.breakdown], months)
        parts = {str(r.group[0]) if r.group[0] else "not recorded": r.count for r in by.rows}
        groups = tuple(protect_parts(parts, brule, total=False).items())
    return FactorFigures(ds, factor, tuple(rows), groups, words, note, when)


#: Field kinds that place a record in an area smaller than a ward, or at a point.
SMALL_AREAS = (Kind.LSOA, Kind.POSTCODE, Kind.EASTING, Kind.NORTHING, Kind.LONGITUDE, Kind.LATITUDE)


def _small_area(ds: Dataset, name: str) -> bool:
    names = {f.name: f for f in ds.fields}
    return name in ("lsoa", "lsoa11", "lsoa21") or (
        name in names and names[name].kind in SMALL_AREAS
    )


def _row(code: str, name: str, count: Shown, population: float | None) -> FactorRow:
    if population is None:
        return FactorRow(code, name, count, None)
    r = shown_rate(count, population, PER_1000)
    return FactorRow(code, name, count, population, r.rate, r.lower, r.upper)


def add_partner_factors(s: Section, data: Reads) -> None:
    """The partner-data part of the influential factors section."""
    s.add(Subheading("Partner data on influential factors"))
    datasets = factor_datasets()
    if not datasets:
        s.add(Paragraph("No dataset standard for an influential factor is installed."))
        return
    missing = []
    for ds in datasets:
        factor = ds.factor
        assert factor is not None
        if not data.has_data(ds.name):
            missing.append(f"{factor.theme}: {factor.counted} — not yet shared by any partner.")
            continue
        try:
            fig = figures(data, ds)
        except (AudienceForbiddenError, UnsupportedFieldError) as exc:
            withheld(s, data, ds.name, exc)
            continue
        if fig is None:
            s.add(
                Paragraph(
                    f"{factor.theme}: no {factor.counted} are held for the {data.period.label} "
                    f"in {data.area_name} ({ds.title} holds other months or areas only)."
                )
            )
            continue
        _add_figures(s, data, fig)
    if missing:
        s.add(Paragraph("Not yet shared:"))
        for line in missing:
            s.add(Paragraph(line))


def _add_figures(s: Section, data: Reads, fig: FactorFigures) -> None:
    f = fig.factor
    s.add(
        Table(
            f"{f.theme}: {f.counted} in {fig.when}, {fig.population} ({fig.dataset.title})",
            ["Area", f.counted[:1].upper() + f.counted[1:], "Rate per 1,000", "95% interval"],
            [r.cells() for r in fig.rows],
            [False, True, True, False],
        )
    )
    if any(r.count.state == NOT_HELD for r in fig.rows):
        s.add(
            Note(
                f"'no data': {fig.dataset.title} holds no records for that district in the "
                "period, which may mean no partner has shared them, so it is not counted as "
                "none; the total is of the districts with records."
            )
        )
    if fig.groups:
        assert f.breakdown is not None
        label = fig.dataset.field(f.breakdown).description.rstrip(".")
        s.add(
            Table(
                f"{f.theme}: {_all_of(f.counted, f.only)} in {data.area_name}, {fig.when}, "
                f"by {f.breakdown.replace('_', ' ')}",
                [label[:60], "Records"],
                [[g, n.text()] for g, n in fig.groups],
                [False, True],
            )
        )
    if fig.note:
        s.add(Note(fig.note))
    if f.why:
        s.add(Note(f.why))


def _all_of(counted: str, only: tuple[str, str] | None) -> str:
    """What the breakdown lists: every record where the headline counts only some."""
    return f"all records ({only[0].replace('_', ' ')} of every kind)" if only else counted


__all__ = ["FactorFigures", "FactorRow", "add_partner_factors", "factor_datasets", "figures"]
