"""The analytical store: one DuckDB file in the home.

It holds reference tables (``ref_*``), one events table per dataset (``events_*``), the
quarantine of rejected rows, the problems found at ingest and the batch log. No clear person
identifier is ever written here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from vrhub.errors import StoreInUseError
from vrhub.home import Home

LOG_SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS batch_ids START 1;
CREATE TABLE IF NOT EXISTS ingest_batches (
    batch_id        INTEGER PRIMARY KEY,
    dataset         VARCHAR NOT NULL,
    source          VARCHAR,
    file_name       VARCHAR NOT NULL,
    file_sha256     VARCHAR NOT NULL,
    file_bytes      BIGINT NOT NULL,
    file_format     VARCHAR,
    encoding        VARCHAR,
    sheet           VARCHAR,
    status          VARCHAR NOT NULL,   -- loaded | rejected
    message         VARCHAR,
    months          VARCHAR[],
    rows_read       BIGINT NOT NULL DEFAULT 0,
    rows_accepted   BIGINT NOT NULL DEFAULT 0,
    rows_rejected   BIGINT NOT NULL DEFAULT 0,
    warnings        BIGINT NOT NULL DEFAULT 0,
    received_on     DATE,
    key_fingerprint VARCHAR,
    vrhub_version   VARCHAR,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP NOT NULL,
    problems_csv    VARCHAR
);
CREATE TABLE IF NOT EXISTS batch_replacements (
    batch_id          INTEGER NOT NULL,
    replaced_batch_id INTEGER NOT NULL,
    month             VARCHAR NOT NULL,
    rows_removed      BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_problems (
    batch_id    INTEGER NOT NULL,
    file_name   VARCHAR NOT NULL,
    row_number  BIGINT,
    column_name VARCHAR,
    value       VARCHAR,
    rule        VARCHAR NOT NULL,
    message     VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL      -- error (row rejected) | warning (row kept)
);
CREATE TABLE IF NOT EXISTS quarantine (
    batch_id    INTEGER NOT NULL,
    dataset     VARCHAR NOT NULL,
    source      VARCHAR,
    file_name   VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,
    reasons     VARCHAR NOT NULL,
    record      JSON NOT NULL          -- the row as read, identifiers already pseudonymised
);
"""


def connect(home: Home, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the home's analytical store with the configured memory and thread limits."""
    settings = home.settings
    home.tmp_dir.mkdir(exist_ok=True)
    try:
        con = duckdb.connect(
            str(home.store_path),
            read_only=read_only,
            config={
                "memory_limit": settings.duckdb_memory_limit,
                "threads": settings.duckdb_threads,
                "temp_directory": str(home.tmp_dir),
                "preserve_insertion_order": True,
            },
        )
    except duckdb.IOException as exc:
        if "lock" not in str(exc):
            raise
        held = re.search(r"\(PID (\d+)\)", str(exc))
        raise StoreInUseError(
            f"the analytical store of {home.path} is in use by another vrhub process"
            + (f" (process {held.group(1)})" if held else "")
            + ", such as `vrhub serve`: stop it and try again, or upload files through the "
            "dashboard's Data page while it runs"
        ) from None
    if not read_only:
        con.execute(LOG_SCHEMA)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit when the block ends normally, roll back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: Any = None
) -> list[dict[str, Any]]:
    """Run a query and return rows as dictionaries."""
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
