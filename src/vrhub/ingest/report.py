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
