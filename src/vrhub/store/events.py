"""The analytical store's events table for each dataset standard.

The store creates every registered dataset's events table when it opens (after its
migrations), so reads never create tables; a dataset standard added by an extension gets its
table the first time a home is opened with the extension installed.
"""

from __future__ import annotations

import duckdb

from vrhub.datasets import all_datasets
from vrhub.datasets.spec import Dataset, Field, Kind

SQL_TYPES = {
    Kind.TEXT: "VARCHAR",
    Kind.IDENTIFIER: "VARCHAR",
    Kind.INTEGER: "INTEGER",
    Kind.DECIMAL: "DOUBLE",
    Kind.DATE: "DATE",
    Kind.DATETIME: "TIMESTAMP",
    Kind.MONTH: "VARCHAR",
    Kind.FLAG: "BOOLEAN",
    Kind.CODE: "VARCHAR",
    Kind.LSOA: "VARCHAR",
    Kind.POSTCODE: "VARCHAR",
    Kind.LONGITUDE: "DOUBLE",
    Kind.LATITUDE: "DOUBLE",
    Kind.EASTING: "DOUBLE",
    Kind.NORTHING: "DOUBLE",
    Kind.HO_OFFENCE: "VARCHAR",
    Kind.ICD10_ASSAULT: "VARCHAR",
    Kind.SITE_CODE: "VARCHAR",
}

#: Columns every events table has, before the dataset's own fields.
COMMON = (
    ("batch_id", "INTEGER NOT NULL", "The ingest batch (file) the row came from."),
    ("source", "VARCHAR NOT NULL", "Who supplied it, e.g. the force or the hospital site."),
    ("row_number", "BIGINT NOT NULL", "The row's number in its file (header is row 1)."),
    ("month", "VARCHAR NOT NULL", "The row's month, YYYY-MM."),
    (
        "record_key",
        "BIGINT",
        "The record's key for disclosure control (0 to 2^32-1, from a keyed hash of its "
        "identifier; see vrhub.disclosure).",
    ),
)
#: Columns vrhub adds from the reference data.
GEOGRAPHY = (
    ("lsoa11", "VARCHAR", "LSOA 2011 code, where known or unambiguously mapped."),
    ("lsoa21", "VARCHAR", "LSOA 2021 code, where known or unambiguously mapped."),
    ("district", "VARCHAR", "Local authority district (LAD) code; NULL when unknown."),
    ("in_partnership", "BOOLEAN", "TRUE inside the partnership, FALSE outside, NULL unknown."),
    ("location_known", "BOOLEAN NOT NULL", "FALSE when the record came with no usable location."),
)


def stored_fields(dataset: Dataset) -> list[Field]:
    """Fields kept in the events table (a field named like a common column is that column)."""
    common = {name for name, _, _ in COMMON}
    return [f for f in dataset.fields if f.stored and f.stored_name not in common]


def events_table_sql(dataset: Dataset) -> str:
    """The statement that creates a dataset's events table if it is missing."""
    cols = [f"{name} {sql}" for name, sql, _ in COMMON]
    cols += [
        f"{f.stored_name} {SQL_TYPES[f.kind]}"
        # A pseudonym is random to a compressor: trying to compress it costs most of the
        # time spent writing a batch and saves nothing.
        + (" USING COMPRESSION uncompressed" if f.identifies_person else "")
        for f in stored_fields(dataset)
    ]
    cols += [
        f"{f.name}_has_time BOOLEAN" for f in stored_fields(dataset) if f.kind == Kind.DATETIME
    ]
    cols += [f"{name} {sql}" for name, sql, _ in GEOGRAPHY]
    return f"CREATE TABLE IF NOT EXISTS {dataset.table} ({', '.join(cols)})"


def record_key_sql(dataset: Dataset, identifier: str, row: str, month: str, source: str) -> str:
    """SQL for a row's record key from the SQL for its stored identifier, row number, month
    and source. It takes one parameter, the store's secret (:func:`cell_key_secret`).

    The key is the first 32 bits of SHA-256 over the secret, the dataset and the identifier
    (the pseudonym, for identifiers that are pseudonymised), so a record sent again in a
    revision keeps its key. A row with no identifier (police.uk anti-social behaviour) is keyed
    by where it came from instead.
    """
    fallback = f"'row|' || {source} || '|' || {month} || '|' || CAST({row} AS VARCHAR)"
    return (
        f"CAST(CAST('0x' || left(sha256(? || '|{dataset.name}|' || "
        f"coalesce(CAST({identifier} AS VARCHAR), {fallback})), 8) AS UBIGINT) AS BIGINT)"
    )


def record_identifier(dataset: Dataset) -> str:
    """The stored column identifying a record (NULL when the standard has none)."""
    rid = next((f for f in dataset.fields if f.record_id and f.stored), None)
    return f'"{rid.stored_name}"' if rid else "NULL"


def cell_key_secret(con: duckdb.DuckDBPyConnection) -> str:
    """The store's secret for record keys (made by the store's migrations)."""
    [(secret,)] = con.execute("SELECT secret FROM cell_key_secret").fetchall()
    return str(secret)


def create_events_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the events table of every registered dataset standard that lacks one, give
    the rows of a table made before record keys existed their keys, and add the column of an
    optional field a standard gained since its table was made (NULL, "not recorded", for the
    rows already held)."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database()"
        ).fetchall()
    }
    for dataset in all_datasets():
        if dataset.table not in have:
            con.execute(events_table_sql(dataset))
            continue
        columns = {
            str(r[0])
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND table_catalog = current_database()",
                [dataset.table],
            ).fetchall()
        }
        if "record_key" not in columns:
            _add_record_keys(con, dataset)
        for f in stored_fields(dataset):
            if f.stored_name not in columns and not f.column_required and not f.required:
                con.execute(
                    f"ALTER TABLE {dataset.table} ADD COLUMN {f.stored_name} {SQL_TYPES[f.kind]}"
                )
                if f.kind == Kind.DATETIME:
                    con.execute(f"ALTER TABLE {dataset.table} ADD COLUMN {f.name}_has_time BOOLEAN")


def _add_record_keys(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    key = record_key_sql(dataset, record_identifier(dataset), "row_number", "month", "source")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"ALTER TABLE {dataset.table} ADD COLUMN record_key BIGINT")
        con.execute(f"UPDATE {dataset.table} SET record_key = {key}", [cell_key_secret(con)])
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
