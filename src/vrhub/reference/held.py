"""What reference data a home holds: each source with its publisher, licence and vintage."""

from __future__ import annotations

import duckdb

from vrhub.store.analytical import table_exists

#: The columns of :func:`sources_held`, in order.
COLUMNS = ["kind", "description", "file", "origin", "publisher", "licence", "vintage", "loaded"]


def sources_held(con: duckdb.DuckDBPyConnection) -> list[list[object]]:
    """Every reference source loaded (from ``ref_sources``, by kind), then each boundary
    file; empty before `vrhub reference load`."""
    rows: list[list[object]] = []
    if table_exists(con, "ref_sources"):
        rows += [
            list(r)
            for r in con.execute(
                "SELECT kind, description, file, origin, publisher, licence, vintage, "
                "strftime(loaded_at, '%Y-%m-%d %H:%M') FROM ref_sources ORDER BY kind, file"
            ).fetchall()
        ]
    if table_exists(con, "ref_boundary_files"):
        rows += [
            ["boundaries", f"{r[1]:,} LSOA boundaries", r[0], r[2], r[3], None, None, r[4]]
            for r in con.execute(
                "SELECT file, features, origin, publisher, "
                "strftime(loaded_at, '%Y-%m-%d %H:%M') FROM ref_boundary_files ORDER BY file"
            ).fetchall()
        ]
    return rows
