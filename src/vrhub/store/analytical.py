"""The analytical store: one DuckDB file in the home.

It holds reference tables (``ref_*``), one events table per dataset (``events_*``), the
quarantine of rejected rows, the problems found at ingest and the batch log. No clear person
identifier is ever written here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from vrhub.errors import StoreInUseError
from vrhub.home import PRIVATE_FILE, PRIVATE_FOLDER, Home
from vrhub.store.events import create_events_tables
from vrhub.store.migrations import migrate


def connect(home: Home, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the home's analytical store with the configured memory and thread limits."""
    settings = home.settings
    home.tmp_dir.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    created = not read_only and not home.store_path.exists()
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
    except duckdb.ConnectionException as exc:
        if "different configuration" not in str(exc):
            raise
        # Open in this same process the other way (for reading only, or for writing).
        raise StoreInUseError(
            f"the analytical store of {home.path} is open in this process "
            + ("for writing" if read_only else "for reading only")
            + ", so it cannot also be opened "
            + ("for reading only" if read_only else "for writing")
            + ": close the other hub first"
        ) from None
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
    if created:  # DuckDB writes its files as the umask allows: the store is private
        os.chmod(home.store_path, PRIVATE_FILE)
    if not read_only:
        migrate(con)
        create_events_tables(con)
    return con


#: Why a write to a store opened for reading only is refused (see :func:`vrhub.hub.open_hub`).
HELD_FOR_READING = (
    "this command changes the analytical store, which another vrhub process (such as "
    "`vrhub serve`) holds, so it was opened for reading only and nothing was changed: upload "
    "files through the dashboard's Data page while it serves, or stop the server and try again"
)


def read_only(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store is open for reading only."""
    [(mode,)] = con.execute("SELECT current_setting('access_mode')").fetchall()
    return str(mode) == "read_only"


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit when the block ends normally, roll back on any error. A store
    open for reading only is refused with :class:`~vrhub.errors.StoreInUseError`."""
    if read_only(con):
        raise StoreInUseError(HELD_FOR_READING)
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    [(n,)] = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return bool(n)


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: Any = None
) -> list[dict[str, Any]]:
    """Run a query and return rows as dictionaries."""
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def replace_rows(
    con: duckdb.DuckDBPyConnection, table: str, query: str, params: Any = None
) -> None:
    """Replace every row of the store table ``table`` with ``query``'s, matching columns by name.

    Call it inside :func:`transaction`, so a reader sees the old rows or the new, never none.
    Only the store's migrations create, alter or drop its tables; other modules change rows
    and keep their working relations in the connection alone (a ``TEMP`` table, a registered
    view, or a table on an attached ``':memory:'`` scratch database), never in the store.
    """
    con.execute(f"DELETE FROM {table}")
    con.execute(f"INSERT INTO {table} BY NAME {query}", params or [])


def first(rows: list[Any]) -> Any:
    """The first of a statement's rows, or None. Statements are always read to the end (with
    ``fetchall``): DuckDB refuses some later work on a connection with a result half read."""
    return rows[0] if rows else None
