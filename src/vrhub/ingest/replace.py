"""Which rows a new file may replace, and which rows its uploader may send at all.

A revised file replaces the months it holds, but only rows that the same supplying
organisation sent before, for the same dataset and source: one partner's upload never removes
another organisation's data. A file loaded from the command line with no organisation named
is the hub's own, and replaces only the hub's own earlier loads. An uploader whose scope is
some districts may send rows for those districts only; any other row is refused with its row
number and kept in quarantine.

Every replacement is recorded (``batch_replacements``: which batch, which month, rows before
and after) and the replaced batch is marked ``superseded`` (nothing of it left) or
``partly superseded``, so re-sending the earlier file restores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from vrhub.datasets.spec import Dataset, Kind
from vrhub.ingest.stage import SCRATCH as S


@dataclass(frozen=True)
class Uploader:
    """Who sends a file: the person (or command line), the organisation it comes from and
    the districts they may send data for (empty: every district of the partnership)."""

    actor: str
    organisation: str | None = None
    districts: tuple[str, ...] = ()
    district_names: dict[str, str] = field(default_factory=dict, compare=False)


def same_supplier(uploader: Uploader, alias: str = "e") -> tuple[str, dict[str, object]]:
    """SQL condition (and its named parameters) for the stored rows ``alias`` that a file from
    this uploader may replace: the same source (``$src``, given by the caller), sent by the
    same organisation, and inside the uploader's districts when they have a scope (a user who
    may send data for Leeds only never replaces their organisation's Bradford rows)."""
    cond = (
        f"{alias}.source = $src AND {alias}.batch_id IN (SELECT batch_id FROM ingest_batches "
        "WHERE organisation IS NOT DISTINCT FROM $org)"
    )
    params: dict[str, object] = {"org": uploader.organisation}
    if uploader.districts:
        cond += f" AND {alias}.district IN (SELECT unnest($scope::VARCHAR[]))"
        params["scope"] = list(uploader.districts)
    return cond, params


def sql_text(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def location_column(dataset: Dataset) -> str | None:
    """The file's column that places a row (for naming it when a row is out of scope)."""
    for kind in (Kind.LSOA, Kind.POSTCODE, Kind.EASTING, Kind.LONGITUDE):
        for f in dataset.fields:
            if f.kind == kind:
                return f.header
    return None


def refuse_out_of_scope(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, uploader: Uploader
) -> None:
    """Add a problem for each row outside the uploader's districts (unknown place included)."""
    if not uploader.districts:
        return
    names = uploader.district_names
    scope = sql_text(", ".join(names.get(d, d) for d in uploader.districts))
    column = location_column(dataset)
    whens = " ".join(f"WHEN district = {sql_text(c)} THEN {sql_text(n)}" for c, n in names.items())
    placed = f"CASE {whens} ELSE district END" if whens else "district"
    con.execute(
        f"""
        INSERT INTO {S}._problems
        SELECT _row, ?, {placed},
               'outside-your-districts',
               CASE WHEN district IS NULL
                    THEN 'the row''s place is unknown or outside the partnership, so it cannot '
                         || 'be shown to be in your districts (' || {scope} || '); '
                         || 'it was not loaded'
                    ELSE 'the row is in ' || {placed} || ', outside your districts '
                         || '(' || {scope} || '); it was not loaded'
               END,
               'error'
        FROM {S}._stage
        WHERE NOT _error AND (district IS NULL OR district NOT IN (SELECT unnest(?::VARCHAR[])))
        """,
        [column, list(uploader.districts)],
    )


def rows(n: int) -> str:
    """A count of rows in words: "1 row", "2,340 rows"."""
    return f"{n:,} row{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Replaced:
    """Rows of one earlier batch for one month that a new batch replaced."""

    batch_id: int
    month: str
    rows_before: int
    rows_after: int = 0

    @property
    def words(self) -> str:
        return (
            f"replaced {self.month} from batch {self.batch_id}: {rows(self.rows_before)} "
            f"before, {self.rows_after:,} after"
        )


def replace_months(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    batch_id: int,
    src: str,
    uploader: Uploader,
    months: list[str],
) -> list[Replaced]:
    """Remove the rows this uploader may replace for these months (see
    :func:`same_supplier`); record what went."""
    if not months:
        return []
    cond, params = same_supplier(uploader)
    params |= {"src": src, "months": months}
    where = f"{cond} AND e.month IN (SELECT unnest($months::VARCHAR[]))"
    found = con.execute(
        f"SELECT e.batch_id, e.month, count(*) FROM {dataset.table} e WHERE {where} "
        "GROUP BY ALL ORDER BY 1, 2",
        params,
    ).fetchall()
    if found:
        con.executemany(
            "INSERT INTO batch_replacements (batch_id, replaced_batch_id, month, rows_removed) "
            "VALUES (?, ?, ?, ?)",
            [[batch_id, old, month, n] for old, month, n in found],
        )
        con.execute(
            f"DELETE FROM {dataset.table} WHERE rowid IN "
            f"(SELECT e.rowid FROM {dataset.table} e WHERE {where})",
            params,
        )
    return [Replaced(int(a), str(b), int(c)) for a, b, c in found]


def record_after(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, batch_id: int, replaced: list[Replaced]
) -> list[Replaced]:
    """Once the new rows are in: rows after each replaced month, and each replaced batch
    marked superseded (nothing left of it) or partly superseded."""
    if not replaced:
        return []
    added = dict(
        con.execute(
            f"SELECT month, count(*) FROM {dataset.table} WHERE batch_id = ? GROUP BY 1",
            [batch_id],
        ).fetchall()
    )
    con.execute(
        f"UPDATE batch_replacements r SET rows_added = coalesce(a.n, 0) FROM "
        f"(SELECT m.month, (SELECT count(*) FROM {dataset.table} WHERE batch_id = ? "
        "AND month = m.month) AS n FROM (SELECT DISTINCT month FROM batch_replacements "
        "WHERE batch_id = ?) m) a WHERE r.batch_id = ? AND r.month = a.month",
        [batch_id, batch_id, batch_id],
    )
    old = sorted({r.batch_id for r in replaced})
    left = dict(
        con.execute(
            f"SELECT batch_id, count(*) FROM {dataset.table} "
            "WHERE batch_id IN (SELECT unnest(?::INTEGER[])) GROUP BY 1",
            [old],
        ).fetchall()
    )
    for b in old:
        con.execute(
            "UPDATE ingest_batches SET status = ? WHERE batch_id = ? "
            "AND status IN ('loaded', 'partly superseded')",
            ["partly superseded" if left.get(b) else "superseded", b],
        )
    return [
        Replaced(r.batch_id, r.month, r.rows_before, int(added.get(r.month, 0))) for r in replaced
    ]
