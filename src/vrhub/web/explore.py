"""The measure explorer: any registered measure, from any dataset that can feed it, for the
partnership or a district in the viewer's scope, for a year ending any month held, with or without
a breakdown; as a chart (drawn on the server) and a table, as the viewer's audience may see it.

Outside the analyst tier every count is protected together with its total (so a suppressed part
cannot be worked back from the others) and rates are computed from the published counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vrhub.datasets import all_datasets, get_dataset
from vrhub.datasets.spec import Dataset, Kind
from vrhub.errors import AccessDeniedError, UnsupportedFieldError, VrhubError
from vrhub.governance.context import Governance
from vrhub.home import Home
from vrhub.measures.definition import load_definition, supports
from vrhub.measures.engine import (
    AGE_FIELDS,
    AGE_GROUPS,
    UNDER_25,
    WEEKDAYS,
    WHEN_FIELDS,
    RateRow,
)
from vrhub.measures.registry import all_measures, get_measure
from vrhub.months import month_add, month_range
from vrhub.outputs.period import month_name, parse_period
from vrhub.outputs.protect import protect_parts, shown, shown_rate
from vrhub.outputs.reads import Lineage, Reads
from vrhub.partnership import current_code
from vrhub.reports.charts import Chart
from vrhub.tally import Tally
from vrhub.web.downloads import table

#: Breakdowns offered, in order, with their labels.
BREAKDOWNS = {
    "": "No breakdown",
    "month": "Month",
    "district": "District",
    "age_group": "Age group",
    "under_25": "Under 25 or 25 and over",
    "victim_sex": "Victim's sex",
    "sex": "Sex",
    "sv_category": "Serious-violence category",
    "weekday": "Day of the week",
    "hour": "Hour of the day",
}
COLUMNS = ["Group", "Records", "Population", "Rate", "Lower 95%", "Upper 95%"]


class ExploreInputError(VrhubError):
    """The explorer was asked for something it cannot show (a bad period or breakdown)."""


@dataclass(frozen=True)
class Query:
    measure: str
    dataset: str
    area: str  # "all" or a district code
    period: str  # YYYY-MM, the last month of the year
    by: str


def breakdowns(dataset: Dataset) -> list[str]:
    """The breakdowns the dataset can give."""
    names = {f.name for f in dataset.fields}
    kinds = {f.name: f.kind for f in dataset.fields}
    out = ["", "month", "district"]
    if names & set(AGE_FIELDS):
        out += ["age_group", "under_25"]
    out += [s for s in ("victim_sex", "sex") if s in names]
    if any(supports(c, dataset) for c in load_definition().categories):
        out.append("sv_category")
    when = [n for n in WHEN_FIELDS if n in names]
    if when:
        out.append("weekday")
    if any(kinds[n] == Kind.DATETIME for n in when):
        out.append("hour")
    return out


def months_held(con: Any, dataset: Dataset) -> tuple[str, str] | None:
    [row] = con.execute(f"SELECT min(month), max(month) FROM {dataset.table}").fetchall()
    return (str(row[0]), str(row[1])) if row and row[0] is not None else None


def period_choices(span: tuple[str, str] | None) -> list[str]:
    """Year-ending months a dataset can give a whole year for, newest first (the latest month
    at least, even with less than a year held)."""
    if span is None:
        return []
    first, last = month_add(span[0], 11), span[1]
    out = [last]
    m = month_add(last, -1)
    while m >= first and len(out) < 120:
        out.append(m)
        m = month_add(m, -1)
    return out


def area_param(value: str | None) -> str | None:
    """An ``area`` given in a link: "all", or a district by any code since 2011 (an old
    bookmark with Barnsley's E08000016 means today's E08000038); an unknown code is refused."""
    if not value or value.strip().lower() == "all":
        return value and "all"
    return current_code(value)


def query_of(params: dict[str, str], scope: list[str]) -> Query:
    """The query from the form (defaults filled in), checked against the viewer's scope."""
    measure = get_measure(params.get("measure") or "serious-violence")
    fed = measure.fed_by(all_datasets())
    if not fed:
        raise UnsupportedFieldError(f"no dataset standard can feed {measure.name}")
    dataset = params.get("dataset") or ("police-crime" if "police-crime" in fed else fed[0])
    ds = get_dataset(dataset)
    if dataset not in fed:
        # The engine says why, naming the missing fields.
        missing = measure.missing_fields(ds)
        raise UnsupportedFieldError(
            f"{measure.title} cannot be computed from {ds.title}"
            + (f": it needs {', '.join(missing)}" if missing else "")
            + f" (it can be computed from {', '.join(fed)})"
        )
    area = area_param(params.get("area")) or "all"
    if area != "all" and area not in scope:
        raise AccessDeniedError(f"the district {area} is outside what you may see")
    by = params.get("by") or ""
    if by not in BREAKDOWNS:
        raise ExploreInputError(
            f"'{by}' is not a breakdown the explorer offers; choose one of: "
            + ", ".join(k for k in BREAKDOWNS if k)
        )
    if by not in breakdowns(ds):
        raise UnsupportedFieldError(
            f"{ds.title} cannot be broken down by {BREAKDOWNS[by].lower()}: the dataset does "
            "not record what that needs. Choose another breakdown or dataset"
        )
    period = (params.get("period") or "").strip()
    if period:
        parse_period(f"year ending {period}")
    return Query(measure.name, dataset, area, period, by)


def explore(
    home: Home, con: Any, gov: Governance, audience: str, q: Query, scope: list[str]
) -> dict[str, Any]:
    """The explorer's figures (also its JSON and downloads)."""
    m = get_measure(q.measure)
    ds = get_dataset(q.dataset)
    span = months_held(con, ds)
    periods = period_choices(span)
    end = q.period or (periods[0] if periods else "")
    if not end:
        raise ExploreInputError(
            f"no {ds.title} records are loaded yet, so there is nothing to show"
        )
    if end not in periods:
        held = f"{month_name(span[0])} to {month_name(span[1])}" if span else "none"
        raise ExploreInputError(
            f"the year ending {month_name(end)} is not held for {ds.title} (months held: {held})"
        )
    period = parse_period(f"year ending {end}")
    district = None if q.area == "all" else q.area
    data = Reads(home, con, gov, audience, period, district, Lineage())
    whole, rule = data.measure(q.measure, q.dataset, [])
    total = whole.rows[0].count if whole.rows else Tally(0)
    withheld = None
    rows: list[RateRow] = list(whole.rows)
    if q.by:
        least = None if rule is None else rule.breakdown_min
        top = shown(total, rule).count
        if least is not None and (top is None or top < least):
            withheld = (
                f"The breakdown by {BREAKDOWNS[q.by].lower()} is not shown: there are too few "
                f"records ({'[c]' if top is None else f'{top:,}'}, fewer than {least}) to "
                "break down without risking identifying people. Choose a longer period or a "
                "larger area, or no breakdown"
            )
        else:
            result, rule = data.measure(q.measure, q.dataset, [q.by])
            rows = _every_group(q, ds, data, result.rows, scope)
    label = data.district_name if q.by == "district" else month_name if q.by == "month" else _label
    if withheld is not None or not q.by:
        keys = ["Total"]
        pops = {"Total": _total_population(whole.rows, "")}
        shown_rows = {"Total": shown(total, rule)}
    else:
        keys = [r.group[0] for r in rows]
        pops = {k: r.population for k, r in zip(keys, rows, strict=True)}
        parts = {k: r.count for k, r in zip(keys, rows, strict=True)}
        shown_rows = protect_parts(parts, rule, total=False)
        # Serious-violence categories overlap (one record can be in several), so they have
        # no total; other groups add up to theirs, published like any other count.
        if q.by != "sv_category":
            shown_rows["Total"] = shown(sum(parts.values(), Tally(0)), rule)
    result = whole
    out_rows = []
    for k in [*keys, *(["Total"] if keys != ["Total"] else [])]:
        if k not in shown_rows:
            continue
        pop = pops.get(k) if k in pops else _total_population(rows, q.by)
        r = shown_rate(shown_rows[k], pop, m.per)
        out_rows.append(
            {
                "group": k,
                "label": "Total" if k == "Total" else label(k),
                "count": shown_rows[k].count,
                "records": shown_rows[k].text(),
                "population": pop,
                "rate": None if r.rate is None else round(r.rate, 3),
                "lower": None if r.lower is None else round(r.lower, 3),
                "upper": None if r.upper is None else round(r.upper, 3),
            }
        )
    title = f"{m.title}, {data.area_name}, {period.label}"
    per = f"per {m.per:,} {m.denominator}"
    columns = [
        BREAKDOWNS[q.by] if q.by else "Area",
        "Records",
        "Population",
        f"Rate {per}",
        "Lower 95%",
        "Upper 95%",
    ]
    figures = [
        [r["label"], r["count"], r["population"], r["rate"], r["lower"], r["upper"]]
        for r in out_rows
    ]
    # A breakdown's downloads hold its groups alone (the CSV the same shape whoever reads it);
    # the total, protected on its own, is a table of its own (a sheet of the workbook).
    broken_down = keys != ["Total"]
    groups = [f for f, r in zip(figures, out_rows, strict=True) if not broken_down
              or r["group"] != "Total"]  # fmt: skip
    totals = [f for f, r in zip(figures, out_rows, strict=True) if broken_down
              and r["group"] == "Total"]  # fmt: skip
    chart = _chart(q, m.title, title, [r for r in out_rows if r["group"] != "Total"], rule)
    return {
        "measure": m.name,
        "title": m.title,
        "description": m.description,
        "dataset": ds.name,
        "dataset_title": ds.title,
        "area": {"code": q.area, "name": data.area_name},
        "period": period.label,
        "period_end": end,
        "by": q.by,
        "by_label": BREAKDOWNS[q.by],
        "withheld": withheld,
        "rate_per": per,
        "rows": out_rows,
        "unplaced": result.unplaced if data.exact else None,
        "disclosure": result.disclosure,
        "method": result.method,
        "population": result.population_vintage,
        "definition": result.definition,
        "version": result.version,
        "caveats": result.caveats,
        "agreements": result.agreements,
        "chart": None
        if chart is None
        else {"title": chart.title, "alt": chart.alt_text(), "svg": chart.svg()},
        "scope": scope_words(home, scope),
        "tables": [
            table("figures", title, columns, groups),
            *([table("total", f"Total: {title}", columns, totals)] if totals else []),
        ],
        "choices": {"periods": periods},
    }


def scope_words(home: Home, scope: list[str]) -> str:
    """Whose records a viewer's figures are drawn from and for which districts, in words."""
    everyone = home.partnership.districts
    if {d.code for d in everyone} <= set(scope):
        return (
            "From the records every partner shares with the hub, for all the partnership's "
            "districts."
        )
    names = [d.name for d in everyone if d.code in scope]
    return (
        "From the records every partner shares with the hub (not only your organisation's), "
        f"for the districts you may see: {', '.join(names)}. The partnership-wide figures "
        "are for all its districts."
    )


#: The group of records whose field was left blank, as the measures engine names it.
NOT_RECORDED = "None"


def _label(group: str) -> str:
    return "not recorded" if group == NOT_RECORDED else group


def _every_group(
    q: Query, ds: Dataset, data: Reads, rows: list[RateRow], scope: list[str]
) -> list[RateRow]:
    """Every group the breakdown can have, with no records where none were counted: a list of
    only the groups holding records would tell that each listed group holds at least one."""
    found = {r.group[0]: r for r in rows}
    domain = [g for g in _groups(q, ds, data, scope) if g not in found]
    if q.by == "district":
        rows = [r for r in rows if r.group[0] in scope]
    missing = [RateRow((g,), Tally(0), None, None, None, None) for g in domain]
    # Groups in their natural order (the order _groups gives), any others after, by name.
    rank = {g: i for i, g in enumerate(_groups(q, ds, data, list(data.area)))}
    return sorted([*rows, *missing], key=lambda r: (rank.get(r.group[0], len(rank)), r.group[0]))


def _groups(q: Query, ds: Dataset, data: Reads, scope: list[str]) -> list[str]:
    """The groups a breakdown can have, whatever was counted."""
    if q.by == "month":
        return month_range(*data.period.current)
    if q.by == "district":
        return [d for d in data.area if d in scope]
    if q.by == "age_group":
        return [*AGE_GROUPS, "unknown"]
    if q.by == "under_25":
        return [*UNDER_25, "unknown"]
    if q.by == "weekday":
        return list(WEEKDAYS)
    if q.by == "hour":
        return [f"{h:02d}" for h in range(24)] + ["unknown"]
    if q.by == "sv_category":
        return [c.name for c in load_definition().categories if supports(c, ds)]
    field = next(f for f in ds.fields if f.name == q.by)
    # Records with the field left blank are a group too, listed always like the others.
    return [*field.allowed, NOT_RECORDED]


def _total_population(rows: list[Any], by: str) -> float | None:
    if by == "district":
        pops = [r.population for r in rows if r.population]
        return sum(pops) if pops else None
    if by in ("age_group", "under_25"):
        return None
    return next((float(r.population) for r in rows if r.population), None)


def _chart(
    q: Query, measure_title: str, title: str, rows: list[dict[str, Any]], rule: Any
) -> Chart | None:
    if not q.by or not rows:
        return None
    points = [{"x": r["group"] if q.by == "month" else r["label"], "y": r["count"]} for r in rows]
    step = 1 if rule is None else rule.round_to
    return Chart(
        "explore",
        "line" if q.by == "month" else "bar",
        title,
        "Records",
        points,
        x_title=BREAKDOWNS[q.by],
        tick_step=step,
    )


def measure_choices() -> list[dict[str, Any]]:
    """Every measure with the datasets that can feed it."""
    datasets = all_datasets()
    return [
        {"name": m.name, "title": m.title, "datasets": sorted(m.fed_by(datasets), key=_first)}
        for m in sorted(all_measures(), key=lambda m: m.title)
        if m.fed_by(datasets)
    ]


def _first(name: str) -> tuple[bool, str]:
    """Police-recorded crime first (the default), then the others by name."""
    return (name != "police-crime", name)
