"""Run a measure: period, filters and grouping in Ibis; denominators, rates and intervals.

The same Ibis expression runs on DuckDB (the analytical store) or another Ibis backend
holding the same tables. Counting and joining happen in the backend; the few aggregated rows
come back to Python for the rates and their intervals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from vrhub.datasets.spec import Dataset, Kind
from vrhub.errors import UnsupportedFieldError, VrhubError
from vrhub.measures.definition import Definition, condition, load_definition, supports
from vrhub.measures.intervals import rate_interval
from vrhub.measures.population import LSOA11, LSOA21, Population, band_of, choose, population_table
from vrhub.measures.spec import Measure
from vrhub.store.analytical import first
from vrhub.store.events import stored_fields
from vrhub.tally import Tally

GEOGRAPHY = {"district": "district", "lsoa": "lsoa11", "lsoa11": "lsoa11", "lsoa21": "lsoa21"}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class MeasureInputError(VrhubError):
    """A measure was asked for with a period or filter that cannot be used."""


@dataclass(frozen=True)
class RateRow:
    """One group's figures."""

    group: tuple[str, ...]
    count: int
    population: int | None
    rate: float | None
    lower: float | None
    upper: float | None


@dataclass
class MeasureResult:
    """A measure's figures with everything needed to read them honestly."""

    measure: str
    version: str
    dataset: str
    by: list[str]
    filters: dict[str, str]
    period: tuple[str | None, str | None]
    per: int
    rows: list[RateRow]
    unplaced: int
    population_vintage: str
    method: str
    batches: list[int] = field(default_factory=list)
    definition: str | None = None
    caveats: list[str] = field(default_factory=list)
    agreements: list[str] = field(default_factory=list)
    disclosure: str = "analyst tier: not disclosure-controlled"
    engine: str = "duckdb"


AGE_FIELDS = ("victim_age", "age", "age_band")
DERIVED = ("age_group", "under_25", "sv_category", "weekday", "hour", "date")
#: When an event happened, in order of preference: the field the time groupings read.
WHEN_FIELDS = ("occurred_from", "assault_datetime", "arrival_datetime", "admission_date")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CHILD_BANDS = ("0-9", "10-14", "15-17")
#: The groups of ``age_group`` and ``under_25`` (each also "unknown" where no age is held).
AGE_GROUPS = ("child (under 18)", "young adult (18 to 25)", "adult (26 and over)")
UNDER_25 = ("under 25", "25 and over")
YOUNG_ADULT_BANDS = ("18-24",)


def _column(dataset: Dataset, name: str) -> str:
    """The events-table column for a field name a user may give."""
    if name in GEOGRAPHY:
        return GEOGRAPHY[name]
    if name == "month":
        return "month"
    if name == "crime_type" and dataset.crime_type_field:
        return dataset.crime_type_field
    for f in stored_fields(dataset):
        if f.name == name and not f.identifies_person:
            return f.stored_name
    usable = ["district", "lsoa", "month"] + (["crime_type"] if dataset.crime_type_field else [])
    usable += [f.name for f in stored_fields(dataset) if not f.identifies_person]
    usable += list(DERIVED)
    raise UnsupportedFieldError(
        f"the {dataset.name} dataset has no field '{name}'; use one of: "
        f"{', '.join(dict.fromkeys(usable))}"
    )


def _age_field(dataset: Dataset, wanted: str) -> str:
    names = {f.name for f in dataset.fields}
    for a in AGE_FIELDS:
        if a in names:
            return a
    raise UnsupportedFieldError(
        f"--by {wanted} needs an age, which the {dataset.name} dataset does not hold"
    )


def _when(t: ir.Table, dataset: Dataset, wanted: str) -> tuple[ir.Value, ir.Value | None]:
    """The event's date-time column and (for date-times) whether it holds a real time."""
    for f in stored_fields(dataset):
        if f.name in WHEN_FIELDS and (wanted != "hour" or f.kind == Kind.DATETIME):
            flag = t[f"{f.name}_has_time"] if f.kind == Kind.DATETIME else None
            return t[f.stored_name], flag
    raise UnsupportedFieldError(
        f"--by {wanted} needs when each event happened"
        + (" (with a time of day)" if wanted == "hour" else "")
        + f", which the {dataset.name} dataset does not hold"
    )


def _group_expr(t: ir.Table, dataset: Dataset, name: str) -> ir.Value:
    """The grouping expression for a field, derived fields included.

    ``weekday`` gives the day's name, ``hour`` the hour as two digits ("unknown" where only
    a date was recorded) and ``date`` the day as YYYY-MM-DD.
    """
    if name in ("weekday", "hour", "date"):
        when, has_time = _when(t, dataset, name)
        if name == "date":
            return when.cast("date").cast("string")
        if name == "weekday":
            return when.day_of_week.full_name()
        hour = when.hour().cast("string").lpad(2, "0")
        return ibis.cases((has_time.fill_null(False), hour), else_="unknown")  # type: ignore[union-attr]
    if name in ("age_group", "under_25"):
        age = _age_field(dataset, name)
        col = t[age]
        if age == "age_band":
            child = col.isin(list(CHILD_BANDS))
            young = col.isin(list(YOUNG_ADULT_BANDS))
            unknown = col.isnull() | (col == "Unknown")
            under25 = child | young
        else:
            child, young, unknown = col < 18, (col >= 18) & (col <= 25), col.isnull()
            under25 = col < 25
        if name == "age_group":
            return ibis.cases(
                (unknown, "unknown"),
                (child, AGE_GROUPS[0]),
                (young, AGE_GROUPS[1]),
                else_=AGE_GROUPS[2],
            )
        return ibis.cases((unknown, "unknown"), (under25, UNDER_25[0]), else_=UNDER_25[1])
    return t[_column(dataset, name)].cast("string")


def require_supported(measure: Measure, dataset: Dataset) -> None:
    """Refuse, naming what is missing, a measure the dataset cannot feed."""
    missing = measure.missing_fields(dataset)
    feeds = f" (it can be computed from {', '.join(measure.datasets)})" if measure.datasets else ""
    if missing:
        raise UnsupportedFieldError(
            f"{measure.name} needs the field{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}, which the {dataset.name} dataset does not hold{feeds}"
        )
    if not measure.supports(dataset):
        raise UnsupportedFieldError(f"{measure.name} cannot be computed from {dataset.name}{feeds}")


def selected(
    backend: ibis.BaseBackend,
    measure: Measure,
    dataset: Dataset,
    filters: dict[str, str],
    date_from: str | None,
    date_to: str | None,
    measure_only: bool = True,
) -> ir.Table:
    """Events in the partnership (or unplaced) in the period, after filters and (unless
    ``measure_only`` is False) the measure's own selection."""
    require_supported(measure, dataset)
    for label, month in (("--from", date_from), ("--to", date_to)):
        if month is not None and not MONTH.match(month):
            raise MeasureInputError(f"{label} '{month}' is not a month (use YYYY-MM)")
    events = backend.table(dataset.table)
    # Inside the partnership, or not placed at all (counted apart as "unplaced").
    t = events.filter(events.in_partnership.fill_null(True))
    if date_from:
        t = t.filter(t.month >= date_from)
    if date_to:
        t = t.filter(t.month <= date_to)
    for name, value in filters.items():
        col = _column(dataset, name)
        t = t.filter(t[col].cast("string") == value)
    return measure.select(t, dataset) if measure_only else t


def _population_districts(
    districts: list[str], filters: dict[str, str], level: str | None
) -> list[str]:
    """The districts whose residents a rate is over: a district filter narrows the
    partnership to that district (its rate is per its own residents, not the whole area's)."""
    if "district" in filters:
        chosen = [d for d in districts if d == filters["district"]]
        if not chosen:
            raise MeasureInputError(
                f"district {filters['district']} is not one of the partnership's districts "
                f"({', '.join(districts)})"
            )
        return chosen
    small = [f for f in filters if f in GEOGRAPHY and f != "district"]
    if small and level is None:
        raise MeasureInputError(
            f"a rate filtered to one neighbourhood ({small[0]}) needs that neighbourhood's "
            f"population: group by {small[0]} instead and read its row"
        )
    return districts


def run_measure(
    backend: ibis.BaseBackend,
    measure: Measure,
    dataset: Dataset,
    districts: list[str],
    by: list[str] | None = None,
    filters: dict[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    per: str = "everyone",
) -> MeasureResult:
    """The measure's counts, populations, rates and intervals for each group.

    ``per`` picks the population (see :mod:`vrhub.measures.population`): everyone, or
    children, young adults or under 25s, whose records alone are then counted.

    On DuckDB the three statements a request needs are compiled once and kept, keyed by the
    request, so a repeated request (a dashboard tile) costs only the queries themselves.
    """
    by = list(by or [])
    filters = dict(filters or {})
    definition = load_definition() if measure.uses_definition or "sv_category" in by else None
    by_age = any(b in ("age_group", "under_25") for b in by)
    period = (date_from, date_to)
    band_of(per)
    if per != "everyone" and not {f.name for f in dataset.fields} & set(AGE_FIELDS):
        raise UnsupportedFieldError(
            f"--per {per} counts only the records of people in that age group, which needs "
            f"an age; the {dataset.name} dataset holds none (use --per everyone)"
        )
    level = next((b for b in by if b in GEOGRAPHY), None)
    districts = _population_districts(districts, filters, level)
    chosen = choose(
        backend,
        districts,
        per,
        int(date_to[:4]) if date_to and MONTH.match(date_to) else last_year(backend, dataset),
        {"lsoa": LSOA11, "lsoa11": LSOA11, "lsoa21": LSOA21}.get(level or ""),
    )
    key = (
        measure.name,
        measure.version,
        dataset.name,
        tuple(districts),
        tuple(by),
        tuple(sorted(filters.items())),
        date_from,
        date_to,
        per,
        chosen,
    )
    plan = (chosen, per)
    info: dict[str, object] | None = None
    if getattr(backend, "name", "") != "duckdb":
        main, meta = _plan(
            backend, measure, dataset, districts, by, filters, *period, definition, *plan
        )
        rows_raw: list[dict[str, object]] = main.to_pyarrow().to_pylist()
        if meta is not None:
            info = meta.to_pyarrow().to_pylist()[0]
    else:
        if key not in _COMPILED:
            main, meta = _plan(
                backend, measure, dataset, districts, by, filters, *period, definition, *plan
            )
            _COMPILED[key] = (
                str(backend.compile(main)),
                None if meta is None else str(backend.compile(meta)),
            )
        main_sql, meta_sql = _COMPILED[key]
        cur = backend.con.execute(main_sql)
        names = [d[0] for d in cur.description]
        rows_raw = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if meta_sql is not None:
            found = first(backend.con.execute(meta_sql).fetchall())
            info = {"unplaced": found[0], "batches": found[1]} if found else None
    unplaced_row, batch_list = _meta(rows_raw, info)
    result = _result(
        measure,
        dataset,
        by,
        filters,
        date_from,
        date_to,
        rows_raw,
        unplaced_row,
        batch_list,
        definition,
        by_age,
        chosen,
    )
    if chosen.excludes_prisoners:
        at_prisons = _at_prisons(backend, measure, dataset, districts, filters, *period, per)
        if at_prisons:
            result.caveats.append(
                f"{at_prisons:,} of these records were recorded at a prison (police.uk location "
                "'On or near Prison'). They are counted, but the population excludes "
                "prisoners, so a district with a prison has a higher rate than its residents "
                "alone would give."
            )
    return result


def _at_prisons(
    backend: ibis.BaseBackend,
    measure: Measure,
    dataset: Dataset,
    districts: list[str],
    filters: dict[str, str],
    date_from: str | None,
    date_to: str | None,
    per: str,
) -> int | None:
    """How many of the measure's records in the area were recorded at a prison, where the
    dataset says where (police.uk's location description); None where it cannot say."""
    if not any(f.name == "location" and f.stored for f in dataset.fields):
        return None
    t = selected(backend, measure, dataset, filters, date_from, date_to)
    t = t.filter(t.district.isin(list(districts)))
    if per != "everyone":
        t = t.filter(_in_band(t, dataset, per))
    found = t.filter(t.location.lower().contains("prison")).count().to_pyarrow().as_py()
    return int(found or 0)


def last_year(backend: ibis.BaseBackend, dataset: Dataset) -> int | None:
    """The year of the latest month held for the dataset (None when it holds none)."""
    t = backend.table(dataset.table)
    last = t.month.max().to_pyarrow().as_py()
    return int(str(last)[:4]) if last else None


_COMPILED: dict[tuple[object, ...], tuple[str, str | None]] = {}


def _meta(
    rows_raw: list[dict[str, object]], info: dict[str, object] | None
) -> tuple[int, list[object]]:
    """Unplaced records and batches, from the separate pass or summed over the groups."""
    if info is not None:
        found: Any = info.get("batches") or []
        return int(info.get("unplaced") or 0), list(found)  # type: ignore[call-overload]
    unplaced = sum(int(r.get("unplaced") or 0) for r in rows_raw)  # type: ignore[call-overload]
    batches: set[object] = set()
    for r in rows_raw:
        each: Any = r.get("batches") or []
        batches.update(each)
    rows_raw[:] = [r for r in rows_raw if int(r["count"] or 0) > 0]  # type: ignore[call-overload]
    return unplaced, list(batches)


def _plan(
    backend: ibis.BaseBackend,
    measure: Measure,
    dataset: Dataset,
    districts: list[str],
    by: list[str],
    filters: dict[str, str],
    date_from: str | None,
    date_to: str | None,
    definition: Definition | None,
    chosen: Population,
    per: str = "everyone",
) -> tuple[ir.Table, ir.Table | None]:
    """The counts with populations, unplaced records and batches per group; and, when
    categories repeat records, a separate pass for the unplaced records and batches."""
    t = selected(backend, measure, dataset, filters, date_from, date_to, measure_only=False)
    if per != "everyone":
        t = t.filter(_in_band(t, dataset, per))
    base = measure.select(t, dataset)
    # One pass gives both the records that cannot be placed and the batches drawn on.
    meta = base.aggregate(
        unplaced=base.district.isnull().cast("int64").sum().fill_null(0),
        batches=base.batch_id.collect(where=base.district.notnull(), distinct=True),
    )
    if "sv_category" in by:
        assert definition is not None
        parts = [
            measure.select(t, dataset)
            .filter(condition(c, t, dataset))
            .mutate(sv_category=ibis.literal(c.name))
            for c in definition.categories
            if supports(c, dataset)
        ]
        if not parts:
            raise UnsupportedFieldError(
                f"no serious-violence category can be counted from {dataset.name}"
            )
        t = ibis.union(*parts)
    else:
        t = base
    geo = [b for b in by if b in GEOGRAPHY]
    if len({GEOGRAPHY[g] for g in geo}) > 1:
        raise UnsupportedFieldError("group by one geography at a time (district, lsoa or lsoa21)")
    # Without categories (which repeat records) one pass counts placed and unplaced records
    # and gathers the batches; groups holding only unplaced records are dropped afterwards.
    single = "sv_category" not in by
    src = t if single else t.filter(t.district.notnull())
    groups = [
        (src.sv_category if b == "sv_category" else _group_expr(src, dataset, b)).name(b)
        for b in by
    ]
    # Counting by group and batch first, then summing over the batches, gathers each group's
    # batches far more cheaply than a distinct list per group.
    placed_flag = src.district.notnull()
    by_batch = src.group_by([*groups, src.batch_id.name("_batch")]).aggregate(
        _placed=placed_flag.cast("int64").sum(),
        _unplaced=(~placed_flag).cast("int64").sum(),
        # The cell key of the placed records (see vrhub.disclosure.engine).
        _key=ibis.cases((placed_flag, src.record_key), else_=0).sum(),
    )
    metrics = {
        "count": by_batch._placed.sum().fill_null(0),
        "cell_key": by_batch._key.sum().fill_null(0),
        "unplaced": by_batch._unplaced.sum().fill_null(0),
        "batches": by_batch._batch.collect(where=by_batch._placed > 0),
    }
    counted = (
        by_batch.group_by(list(by)).aggregate(**metrics) if by else by_batch.aggregate(**metrics)
    )
    pop = population_table(backend, chosen, geo[0] if geo else None, districts)
    area = geo[0] if geo else None
    if area is not None:
        joined = counted.left_join(pop, counted[area] == pop["area"]).drop("area")
    else:
        joined = counted.cross_join(pop).drop("area")
    order = [joined[b] for b in by]
    main = joined.order_by(order) if order else joined
    return main, None if single else meta


def _result(
    measure: Measure,
    dataset: Dataset,
    by: list[str],
    filters: dict[str, str],
    date_from: str | None,
    date_to: str | None,
    rows_raw: list[dict[str, object]],
    unplaced_row: object,
    batch_list: list[object],
    definition: Definition | None,
    by_age: bool,
    chosen: Population,
) -> MeasureResult:
    batches = sorted({int(b) for b in batch_list})  # type: ignore[call-overload]
    rows = []
    for r in rows_raw:
        population = None if by_age else r.get("population")
        count = Tally(int(r["count"]), int(r["cell_key"]))  # type: ignore[call-overload]
        if population:
            ci = rate_interval(count, float(population), measure.per)  # type: ignore[arg-type]
            rows.append(
                RateRow(
                    tuple(str(r[b]) for b in by),
                    count,
                    int(population),  # type: ignore[call-overload]
                    ci.rate,
                    ci.lower,
                    ci.upper,
                )
            )
        else:
            rows.append(RateRow(tuple(str(r[b]) for b in by), count, None, None, None, None))
    return MeasureResult(
        measure.name,
        measure.version,
        dataset.name,
        by,
        filters,
        (date_from, date_to),
        measure.per,
        rows,
        int(unplaced_row),  # type: ignore[call-overload]
        chosen.describe(),
        measure.method,
        batches,
        definition.version if definition else None,
        list(measure.caveats),
    )


def _in_band(t: ir.Table, dataset: Dataset, per: str) -> ir.Value:
    """Whether a record's person is in the ``--per`` age band (records with no age are not)."""
    col = t[_age_field(dataset, per)]
    if col.type().is_string():
        bands = {
            "children": CHILD_BANDS,
            "young-adults": YOUNG_ADULT_BANDS,
            "under-25": CHILD_BANDS + YOUNG_ADULT_BANDS,
        }[per]
        return col.isin(list(bands)).fill_null(False)
    lo, hi = {"children": (0, 17), "young-adults": (18, 24), "under-25": (0, 24)}[per]
    return ((col >= lo) & (col <= hi)).fill_null(False)
