"""The data-quality scorecard for each partner feed (a dataset from one source).

The partnership promises to measure its data sharing by the **timeliness**, **accuracy** and
**relevance** of each partner's data. Each measure below is computed from the batch log, the
problems found at ingest and the stored rows, and rated red, amber or green against the
thresholds in :data:`THRESHOLDS` (documented in docs/reference/quality.md):

- timeliness: days from the end of each month to the file's arrival (median and worst), the
  months that arrived late, and months missing between the first and the last;
- accuracy: the share of rows rejected, and of rows with invalid codes, invalid or unknown
  LSOA codes and duplicate identifiers; completeness of the key fields the feed has
  (location, age, weapon flag, time of day); the share of rows placed on the map;
- relevance: the share of located rows inside the partnership's area. The share inside the
  serious-violence definition, and the share used by current measures, need the measures
  engine and are reported as not yet available rather than left blank.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

import duckdb

from vrhub.datasets import get_dataset
from vrhub.datasets.spec import Dataset, Kind
from vrhub.months import month_end, month_range
from vrhub.store.analytical import first
from vrhub.store.events import stored_fields

#: (green if at or better than, amber if at or better than; otherwise red). For shares of
#: problems lower is better; for completeness higher is better; lags are in days.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "median_lag_days": (31, 45),
    "worst_lag_days": (45, 60),
    "missing_months": (0, 0),
    "rejected_share": (0.005, 0.02),
    "invalid_code_share": (0.002, 0.01),
    "invalid_lsoa_share": (0.002, 0.01),
    "duplicate_share": (0.001, 0.005),
    "location_complete": (0.98, 0.95),
    "age_complete": (0.97, 0.90),
    "weapon_complete": (0.98, 0.95),
    "time_complete": (0.95, 0.85),
    "in_partnership_share": (0.95, 0.90),
}
HIGHER_IS_BETTER = {
    "location_complete",
    "age_complete",
    "weapon_complete",
    "time_complete",
    "in_partnership_share",
}
LATE_AFTER_DAYS = 45
WORDS = {
    "median_lag_days": "median days from month end to arrival",
    "worst_lag_days": "longest days from month end to arrival",
    "missing_months": "months missing between the first and last received",
    "rejected_share": "share of rows rejected at ingest",
    "invalid_code_share": "share of rows with an invalid offence, cause or method code",
    "invalid_lsoa_share": "share of rows with an invalid or unknown LSOA code",
    "duplicate_share": "share of rows repeating an identifier",
    "location_complete": "share of accepted rows with a usable location",
    "age_complete": "share of accepted rows with an age or age band",
    "weapon_complete": "share of accepted rows with the weapon flag or cause filled in",
    "time_complete": "share of accepted rows with a time of day",
    "in_partnership_share": "share of located rows inside the partnership",
}
CODE_RULES = ("offence-code", "allowed-values", "icd10", "icd10-assault")
LSOA_RULES = ("lsoa-format", "lsoa-unknown")
DUPLICATE_RULES = ("duplicate-in-file", "duplicate-already-loaded")


def rate(measure: str, value: float) -> str:
    """Red, amber or green for a measure's value."""
    green, amber = THRESHOLDS[measure]
    if measure in HIGHER_IS_BETTER:
        return "green" if value >= green else "amber" if value >= amber else "red"
    return "green" if value <= green else "amber" if value <= amber else "red"


@dataclass
class Measure:
    name: str
    value: float
    rating: str
    words: str


@dataclass
class FeedScore:
    """The scorecard of one feed."""

    dataset: str
    source: str
    months: list[str]
    rows_read: int
    measures: list[Measure]
    late_months: list[tuple[str, int]]  # (month, days late)
    missing_months: list[str]
    not_available: dict[str, str] = field(default_factory=dict)
    by_month: list[dict[str, object]] = field(default_factory=list)

    @property
    def overall(self) -> str:
        ratings = {m.rating for m in self.measures}
        return "red" if "red" in ratings else "amber" if "amber" in ratings else "green"

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> float:
    row = first(con.execute(sql, params).fetchall())
    return float(row[0]) if row and row[0] is not None else 0.0


def score_feed(con: duckdb.DuckDBPyConnection, dataset: Dataset, source: str) -> FeedScore:
    """The scorecard of one feed from the analytical store."""
    batches = con.execute(
        "SELECT batch_id, months, received_on, rows_read FROM ingest_batches "
        # Every file the feed sent whose rows were read: held, replaced later, or with every
        # row refused (a file refused whole, unread, says nothing of its rows' quality).
        "WHERE dataset = ? AND source = ? AND status <> 'removed' "
        "AND (status <> 'rejected' OR rows_read > 0) ORDER BY batch_id",
        [dataset.name, source],
    ).fetchall()
    arrival: dict[str, dt.date] = {}
    rows_read = 0
    batch_ids = []
    for batch_id, months, received, read in batches:
        batch_ids.append(int(batch_id))
        rows_read += int(read)
        for month in months or []:
            # A month's timeliness is when it first arrived; revisions do not reset it.
            if month not in arrival or received < arrival[month]:
                arrival[month] = received
    months = sorted(arrival)
    lags = {m: (arrival[m] - month_end(m)).days for m in months}
    missing = sorted(set(month_range(months[0], months[-1])) - set(months)) if months else []
    late = [(m, lags[m]) for m in months if lags[m] > LATE_AFTER_DAYS]

    def problem_share(rules: tuple[str, ...]) -> float:
        if not rows_read:
            return 0.0
        marks = ", ".join("?" for _ in rules)
        n = _one(
            con,
            f"SELECT count(DISTINCT (batch_id, row_number)) FROM ingest_problems "
            f"WHERE severity = 'error' AND rule IN ({marks}) AND batch_id IN "
            f"(SELECT unnest(?::INTEGER[]))",
            [*rules, batch_ids],
        )
        return n / rows_read

    rejected = _one(
        con,
        "SELECT sum(rows_rejected) FROM ingest_batches WHERE batch_id IN "
        "(SELECT unnest(?::INTEGER[]))",
        [batch_ids],
    )
    values: dict[str, float] = {
        "median_lag_days": statistics.median(lags.values()) if lags else 0.0,
        "worst_lag_days": float(max(lags.values())) if lags else 0.0,
        "missing_months": float(len(missing)),
        "rejected_share": rejected / rows_read if rows_read else 0.0,
        "invalid_code_share": problem_share(CODE_RULES),
        "duplicate_share": problem_share(DUPLICATE_RULES),
    }
    not_available: dict[str, str] = {
        "serious_violence_share": "needs the measures engine's serious-violence definition",
        "used_by_measures_share": "needs the measures engine",
    }
    if dataset.lsoa_field:
        values["invalid_lsoa_share"] = problem_share(LSOA_RULES)
    completeness = _completeness(dataset)
    table = dataset.table
    where = "source = ? AND batch_id IN (SELECT unnest(?::INTEGER[]))"
    # One pass over the feed's rows gives every completeness share.
    counted = ", ".join(f"count_if({expr})" for expr in completeness.values())
    row = first(
        con.execute(
            f"SELECT count(*), count_if(location_known), count_if(in_partnership), {counted} "
            f"FROM {table} WHERE {where}",
            [source, batch_ids],
        ).fetchall()
    )
    assert row is not None
    total, located, inside, *complete = (int(v) for v in row)
    if total:
        for name, n in zip(completeness, complete, strict=True):
            values[name] = n / total
    if located:
        values["in_partnership_share"] = inside / located
    for name in ("age_complete", "weapon_complete", "time_complete"):
        if name not in completeness:
            not_available[name] = f"the {dataset.name} standard has no such field"
    measures = [Measure(k, v, rate(k, v), WORDS[k]) for k, v in values.items()]
    by_month = [
        {
            "month": month,
            "rows": int(n),
            "location_complete": float(loc),
            "days_to_arrival": lags.get(month),
        }
        for month, n, loc in con.execute(
            f"SELECT month, count(*), avg(location_known::INTEGER) FROM {table} WHERE {where} "
            "GROUP BY month ORDER BY month",
            [source, batch_ids],
        ).fetchall()
    ]
    return FeedScore(
        dataset.name, source, months, rows_read, measures, late, missing, not_available, by_month
    )


def _completeness(dataset: Dataset) -> dict[str, str]:
    """SQL conditions, over the events table, for each key field the standard has."""
    out = {"location_complete": "location_known"}
    names = {f.name: f for f in stored_fields(dataset)}
    for candidate in ("victim_age", "age_band", "age"):
        if candidate in names:
            out["age_complete"] = f"{candidate} IS NOT NULL"
            break
    for candidate in ("knife_flag", "external_cause", "assault_method"):
        if candidate in names:
            out["weapon_complete"] = f"{candidate} IS NOT NULL"
            break
    timed = [f.name for f in stored_fields(dataset) if f.kind == Kind.DATETIME]
    for candidate in ("occurred_from", "assault_datetime", *timed):
        if candidate in timed:
            out["time_complete"] = f"{candidate}_has_time"
            break
    return out


def scorecard(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[FeedScore]:
    """Scorecards for every partner feed (or one source's)."""
    feeds = con.execute(
        "SELECT DISTINCT dataset, source FROM ingest_batches "
        "WHERE status IN ('loaded', 'partly superseded') "
        "AND (? IS NULL OR source = ?) ORDER BY 1, 2",
        [source, source],
    ).fetchall()
    return [score_feed(con, get_dataset(d), s) for d, s in feeds]
