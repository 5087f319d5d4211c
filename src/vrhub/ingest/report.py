"""The CSV of problems written for every ingested file."""

from __future__ import annotations

from pathlib import Path

import duckdb

COLUMNS = ("file", "row", "column", "value", "rule", "severity", "message")


def write_problems_csv(
    con: duckdb.DuckDBPyConnection, path: Path, file_name: str, problems: str, leave_out: str
) -> None:
    """One line per problem of the table ``problems`` (identifiers already hidden), in row
    order: file, row, column, value, rule, severity, message; problems of severity
    ``leave_out`` are not written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""COPY (SELECT ? AS "file", _row AS "row", column_name AS "column", value, rule,
                         severity, message
                  FROM {problems} WHERE severity <> ?
                  ORDER BY _row NULLS FIRST, column_name, rule)
            TO '{str(path).replace("'", "''")}' (HEADER, DELIMITER ',')""",
        [file_name, leave_out],
    )


def rejected_values(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """For each quarantined row (batch, row number), the values it was refused for, as
    ``column: value`` pairs. The values are those of the problem log, where an identifier is
    already hidden and a postcode cut to its district: no personal data."""
    if not rows:
        return {}
    found = con.execute(
        """SELECT p.batch_id, p.row_number,
                  string_agg(p.column_name || ': ' || p.value, '; '
                             ORDER BY p.column_name, p.rule)
           FROM ingest_problems p
           JOIN (SELECT unnest(?) AS batch_id, unnest(?) AS row_number) w
             ON w.batch_id = p.batch_id AND w.row_number = p.row_number
           WHERE p.severity <> 'warning' AND p.value IS NOT NULL AND p.column_name IS NOT NULL
           GROUP BY p.batch_id, p.row_number""",
        [[b for b, _ in rows], [r for _, r in rows]],
    ).fetchall()
    return {(int(b), int(r)): str(v) for b, r, v in found}
