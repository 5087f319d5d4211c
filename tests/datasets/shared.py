"""Helpers every dataset-standard test shares: an agreement covering some standards, files
written from rows, a load, and what the analytical store then holds."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.governance.terms import parse_terms
from vrhub.home import Home
from vrhub.ingest.load import IngestResult
from vrhub.store.analytical import connect


def grant_agreement(
    home: Home,
    ref: str,
    title: str,
    sender: tuple[str, str, str],
    datasets: Iterable[str],
    lawful_basis: dict[str, str],
) -> None:
    """One active agreement covering ``datasets``, sent by ``sender`` (code, name, kind) to a
    test partnership, for every audience."""
    gov = pipeline.governance(home)
    try:
        held = {o.code for o in gov.people.organisations()}
        for code, name, kind in (sender, ("test-hub", "Test partnership", "partnership")):
            if code not in held:
                gov.people.add_organisation(code, name, kind, "test")
        terms = parse_terms(
            {
                "ref": ref,
                "title": title,
                "parties": [sender[0], "test-hub"],
                "covers": [{"dataset": name} for name in datasets],
                "lawful_basis": {"article6": "public-task", **lawful_basis},
                "purposes": ["testing"],
                "audiences": ["analyst", "partner", "public"],
                "retention_months": 60,
                "start_date": dt.date(2015, 1, 1),
                "status": "active",
            },
            "test agreement",
        )
        gov.register.create(terms, "test")
    finally:
        gov.close()


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    """A CSV file whose header is the first row's keys."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def ingest(home: Home, name: str, path: Path, source: str) -> IngestResult:
    [result] = pipeline.ingest_paths(home, get_dataset(name), [path], source=source)
    return result


def query(home: Home, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    con = connect(home)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def problems(home: Home, batch: int | None) -> set[tuple[int, str, str, str]]:
    """(file row, column, rule, message) of every problem the batch recorded."""
    rows = query(
        home,
        "SELECT row_number, column_name, rule, message FROM ingest_problems WHERE batch_id = ?",
        [batch],
    )
    return {(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows if r[0] is not None}


def store_text(home: Home) -> str:
    """Everything the analytical store holds outside the reference tables, as text."""
    con = connect(home)
    try:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name NOT LIKE 'ref_%'"
        ).fetchall()
        return "\n".join(str(con.execute(f'SELECT * FROM "{t}"').fetchall()) for (t,) in tables)
    finally:
        con.close()
