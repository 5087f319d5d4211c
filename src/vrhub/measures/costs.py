"""Cost of violence: counts of offences times versioned, sourced unit costs.

Unit costs are reference data a deployment loads (``vrhub costs load --from FILE.csv``) in this
format, one row per cost category:

====================  ============================================================
column                meaning
====================  ============================================================
``category``          a name for the cost category, e.g. ``Violence with injury``
``offence_codes``     Home Office offence codes it covers, separated by ``;``
``unit_cost``         cost of one offence in pounds (a number above zero)
``price_year``        the year whose prices the cost is in, e.g. ``2015/16``
``source``            where the figure comes from (required; never blank)
====================  ============================================================

vrhub ships no unit cost: every figure must name its source and price year, and the file's
fingerprint and load time are kept with it. The demo home loads values labelled
*illustrative* in their source so nobody mistakes them for published figures.

Example (runnable)::

    >>> rows = parse_unit_costs("category,offence_codes,unit_cost,price_year,source\\n"
    ...     "Homicide,001/01;004/01,3000000,2015/16,Example source\\n", "costs.csv")
    >>> rows[0].codes, rows[0].unit_cost
    (('001/01', '004/01'), 3000000.0)
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import duckdb
import ibis

from vrhub.datasets.spec import Dataset
from vrhub.errors import ReferenceDataError, UnsupportedFieldError
from vrhub.store.analytical import transaction
from vrhub.tally import Tally

COLUMNS = ("category", "offence_codes", "unit_cost", "price_year", "source")
CODE = re.compile(r"^\d{3}[A-Z]?/\d{2}$")


@dataclass(frozen=True)
class UnitCost:
    category: str
    codes: tuple[str, ...]
    unit_cost: float
    price_year: str
    source: str


def parse_unit_costs(text: str, name: str) -> list[UnitCost]:
    """Validate a unit-cost table; every problem names its row and column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ReferenceDataError(
            f"{name}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(the format is {', '.join(COLUMNS)})"
        )
    out: list[UnitCost] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(reader, start=2):
        r = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        where = f"{name} row {i}"
        codes = tuple(c.strip() for c in r["offence_codes"].split(";") if c.strip())
        bad = [c for c in codes if not CODE.match(c)]
        if not r["category"]:
            problems.append(f"{where}: category is blank")
        if not codes or bad:
            problems.append(f"{where}: offence_codes must be Home Office codes like 008/01")
        try:
            cost = float(r["unit_cost"].replace(",", "").lstrip("£"))
            if cost <= 0:
                raise ValueError
        except ValueError:
            problems.append(f"{where}: unit_cost '{r['unit_cost']}' is not an amount above zero")
            cost = 0.0
        if not r["price_year"]:
            problems.append(f"{where}: price_year is blank (say which year's prices)")
        if not r["source"]:
            problems.append(f"{where}: source is blank; vrhub loads no unsourced figure")
        for c in codes:
            if c in seen:
                problems.append(f"{where}: offence code {c} is already costed as {seen[c]}")
            seen[c] = r["category"]
        out.append(UnitCost(r["category"], codes, cost, r["price_year"], r["source"]))
    if problems:
        raise ReferenceDataError("; ".join(problems[:10]))
    if not out:
        raise ReferenceDataError(f"{name}: no unit costs in the file")
    return out


#: Illustrative values for the demo home only. They are round numbers of the same order as
#: published unit costs so the demo's cost section has something to show; they are NOT
#: Home Office figures and their source says so.
_DEMO = "ILLUSTRATIVE demo value - not a published figure"
ILLUSTRATIVE = "category,offence_codes,unit_cost,price_year,source\n" + "".join(
    f"{category},{codes},{cost},illustrative,{_DEMO}\n"
    for category, codes, cost in (
        ("Homicide", "001/01;004/01", 3_000_000),
        ("Violence with injury", "002/01;005/01;008/01", 15_000),
        ("Violence without injury", "105/01;003/01;008/10", 6_000),
        ("Rape", "019/01", 40_000),
        ("Other sexual offences", "017/01;022/01", 7_000),
        ("Robbery", "034/01;034/02", 11_000),
    )
)


def load_unit_costs(con: duckdb.DuckDBPyConnection, text: str, name: str, sha256: str) -> int:
    """Replace the store's unit costs with a validated table; returns the categories loaded."""
    costs = parse_unit_costs(text, name)
    rows = [
        (c.category, code, c.unit_cost, c.price_year, c.source, name, sha256)
        for c in costs
        for code in c.codes
    ]
    with transaction(con):
        con.execute("DELETE FROM ref_unit_costs")
        con.executemany(
            "INSERT INTO ref_unit_costs VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp::TIMESTAMP)",
            rows,
        )
    return len(costs)


@dataclass(frozen=True)
class CostRow:
    group: tuple[str, ...]
    offences: int
    cost: float


@dataclass
class CostResult:
    by: list[str]
    rows: list[CostRow]
    price_years: list[str]
    sources: list[str]
    uncosted: int


def cost_of_violence(
    backend: ibis.BaseBackend,
    dataset: Dataset,
    districts: list[str],
    by: list[str],
    date_from: str | None = None,
    date_to: str | None = None,
) -> CostResult:
    """Offences times their unit cost, by category, district and year."""
    allowed = ("category", "district", "year", "month")
    unknown = [b for b in by if b not in allowed]
    if unknown:
        raise UnsupportedFieldError(
            f"costs can be broken down by {', '.join(allowed)}, not {', '.join(unknown)}"
        )
    if "offence_code" not in {f.name for f in dataset.fields}:
        raise UnsupportedFieldError(
            f"costs need Home Office offence codes, which the {dataset.name} dataset does "
            "not hold (use police-crime)"
        )
    try:
        costs = backend.table("ref_unit_costs")
    except Exception:  # the backend's own "no such table" (a store not yet migrated)
        costs = None
    if costs is None or not costs.count().to_pyarrow().as_py():
        raise ReferenceDataError(
            "no unit costs are loaded: load a sourced table with `vrhub costs load --from FILE`"
        )
    events = backend.table(dataset.table)
    t = events.filter(events.district.isin(list(districts)))
    if date_from:
        t = t.filter(t.month >= date_from)
    if date_to:
        t = t.filter(t.month <= date_to)
    joined = t.join(costs, t.offence_code == costs.offence_code).mutate(year=t.month.substr(0, 4))
    if by:
        grouped = joined.group_by([joined[b] for b in by]).aggregate(
            offences=joined.count(), cost=joined.unit_cost.sum(), key=joined.record_key.sum()
        )
        grouped = grouped.order_by([grouped[b] for b in by])
    else:
        grouped = joined.aggregate(
            offences=joined.count(), cost=joined.unit_cost.sum(), key=joined.record_key.sum()
        )
    rows = [
        CostRow(
            tuple(str(r[b]) for b in by),
            Tally(int(r["offences"]), int(r["key"] or 0)),
            float(r["cost"] or 0),
        )
        for r in grouped.to_pyarrow().to_pylist()
    ]
    uncosted = int(
        t.anti_join(costs, t.offence_code == costs.offence_code).count().to_pyarrow().as_py()
    )
    meta = costs.select("price_year", "source").distinct().to_pyarrow().to_pylist()
    return CostResult(
        by,
        rows,
        sorted({str(m["price_year"]) for m in meta}),
        sorted({str(m["source"]) for m in meta}),
        uncosted,
    )
