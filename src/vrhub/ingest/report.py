"""The CSV of problems written for every ingested file."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

COLUMNS = ("file", "row", "column", "value", "rule", "severity", "message")


def write_problems_csv(
    path: Path, file_name: str, problems: Iterable[Mapping[str, object]]
) -> None:
    """One line per problem: file, row, column, value (identifiers hidden), rule, message."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for p in problems:
            w.writerow(
                [
                    file_name,
                    p.get("row_number"),
                    p.get("column_name"),
                    p.get("value"),
                    p.get("rule"),
                    p.get("severity"),
                    p.get("message"),
                ]
            )
