"""The batch log: one row per file vrhub was given, loaded or refused, and what became of it.

A batch's status is ``loaded``, ``rejected`` (nothing of it kept), ``superseded`` (every row
replaced by a later file from the same organisation), ``partly superseded`` or ``removed``
(past its agreement's retention). A loaded batch carries the agreement version it came
under, written in the same transaction as its rows.
"""

from __future__ import annotations

from typing import Any

import duckdb

from vrhub.store.analytical import fetch_dicts

#: Statuses of a batch some of whose rows are in the store.
HELD = ("loaded", "partly superseded")
#: The same, as SQL (a literal list plans several times faster than a bound one).
_HELD_SQL = "status IN ('loaded', 'partly superseded')"


def log_batch(con: duckdb.DuckDBPyConnection, **columns: Any) -> None:
    """Add a batch to the log (inside the caller's transaction)."""
    names = list(columns)
    con.execute(
        f"INSERT INTO ingest_batches ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        list(columns.values()),
    )


def recent(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict[str, Any]]:
    """The newest batches first."""
    return fetch_dicts(con, "SELECT * FROM ingest_batches ORDER BY batch_id DESC LIMIT ?", [limit])


def get(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, Any] | None:
    found = fetch_dicts(con, "SELECT * FROM ingest_batches WHERE batch_id = ?", [batch_id])
    return found[0] if found else None


def held(con: duckdb.DuckDBPyConnection, only: list[int] | None = None) -> list[dict[str, Any]]:
    """Every batch some of whose rows are in the store (or those of ``only`` that are), with
    its agreement."""
    return fetch_dicts(
        con,
        "SELECT batch_id, dataset, source, file_name, file_sha256, rows_accepted, months, "
        "finished_at, "
        "agreement_id, agreement_ref, agreement_version, organisation, uploaded_by "
        f"FROM ingest_batches WHERE {_HELD_SQL} "
        "AND (?::INTEGER[] IS NULL OR list_contains(?::INTEGER[], batch_id)) ORDER BY batch_id",
        [only, only],
    )


def held_ids(con: duckdb.DuckDBPyConnection) -> dict[int, bool]:
    """Every held batch, and whether it carries its agreement (older homes' may not yet)."""
    return {
        int(b): bool(has)
        for b, has in con.execute(
            f"SELECT batch_id, agreement_id IS NOT NULL FROM ingest_batches WHERE {_HELD_SQL}"
        ).fetchall()
    }


def with_status(con: duckdb.DuckDBPyConnection, status: str) -> list[int]:
    return [
        int(r[0])
        for r in con.execute(
            "SELECT batch_id FROM ingest_batches WHERE status = ? ORDER BY 1", [status]
        ).fetchall()
    ]


def set_agreement(
    con: duckdb.DuckDBPyConnection, batch_id: int, agreement_id: int, ref: str, version: int
) -> None:
    """Record the agreement of a batch loaded before batches carried it (an older home)."""
    con.execute(
        "UPDATE ingest_batches SET agreement_id = ?, agreement_ref = ?, agreement_version = ? "
        "WHERE batch_id = ?",
        [agreement_id, ref, version, batch_id],
    )


def set_uploader(
    con: duckdb.DuckDBPyConnection, batch_id: int, actor: str, organisation: str | None
) -> None:
    """Record who uploaded a batch loaded before batches carried it (an older home)."""
    con.execute(
        "UPDATE ingest_batches SET uploaded_by = ?, organisation = ? "
        "WHERE batch_id = ? AND uploaded_by IS NULL",
        [actor, organisation, batch_id],
    )


def replacements(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[dict[str, Any]]:
    """What a batch replaced (earlier batch, month, rows before and after), and what
    replaced it."""
    return fetch_dicts(
        con,
        "SELECT batch_id, replaced_batch_id, month, rows_removed, rows_added "
        "FROM batch_replacements WHERE batch_id = ? OR replaced_batch_id = ? "
        "ORDER BY batch_id, replaced_batch_id, month",
        [batch_id, batch_id],
    )
