"""The vrhub pipeline, top to bottom: sources → ingest → stores → measures → outputs.

Each stage lives in its own package; this module is the one place that wires them in order,
so the whole flow reads from one file:

1. **home** — :func:`init_partnership_home` creates the home, key and reference data;
2. **reference** — :func:`load_reference_data` (re)loads lookups, deprivation, population;
3. **ingest** — :func:`ingest_paths` validates, pseudonymises and loads partner files;
4. **stores** — the analytical store (DuckDB) in the home;
5. **outputs** — :func:`counts`, the quarantine and the batch log (measures, reports and the
   dashboard build on these in later stages);
6. **demo** — :func:`build_demo` runs all of the above on synthetic West Yorkshire extracts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from vrhub.counts import CountTable, count_records
from vrhub.datasets import get_dataset
from vrhub.datasets.spec import Dataset
from vrhub.errors import ReferenceDataError
from vrhub.home import Home, init_home, open_home
from vrhub.ingest.files import expand_paths
from vrhub.ingest.load import IngestResult, ingest_file
from vrhub.partnership import resolve_partnership
from vrhub.reference.loader import LoadedSource, load_reference
from vrhub.settings import load_settings
from vrhub.store.analytical import connect, fetch_dicts, table_exists


# 1. Home ---------------------------------------------------------------------------------
def init_partnership_home(home: Path | None, partnership: str) -> tuple[Home, bool]:
    """Create (or confirm) a home for a partnership and load the shipped reference data."""
    h, created = init_home(load_settings(home), resolve_partnership(partnership))
    con = connect(h)
    try:
        if created or not table_exists(con, "ref_lsoa"):
            load_reference(con)
    finally:
        con.close()
    return h, created


def open_partnership_home(home: Path | None) -> Home:
    """Open an existing home; refuses a missing home or a missing/weak key."""
    return open_home(load_settings(home))


# 2. Reference data -----------------------------------------------------------------------
def load_reference_data(home: Home, from_dir: Path | None = None) -> list[LoadedSource]:
    con = connect(home)
    try:
        return load_reference(con, from_dir)
    finally:
        con.close()


# 3. Ingest -------------------------------------------------------------------------------
def ingest_paths(
    home: Home,
    dataset: Dataset,
    paths: list[Path],
    source: str | None = None,
    received: dt.date | None = None,
    on_file: Callable[[Path, int, int], None] | None = None,
) -> list[IngestResult]:
    """Ingest files and folders one file at a time, each file in its own transaction."""
    files = expand_paths(paths)
    con = connect(home)
    try:
        if not table_exists(con, "ref_lsoa"):
            raise ReferenceDataError(
                f"the home {home.path} has no reference data: run `vrhub reference load`"
            )
        results = []
        for i, path in enumerate(files):
            if on_file:
                on_file(path, i, len(files))
            results.append(ingest_file(con, home, dataset, path, source, received))
        return results
    finally:
        con.close()


# 5. Outputs ------------------------------------------------------------------------------
def counts(home: Home, dataset: Dataset, by: list[str], all_areas: bool = False) -> CountTable:
    con = connect(home)
    try:
        return count_records(con, dataset, by, all_areas)
    finally:
        con.close()


def quarantine_rows(
    home: Home, dataset: str | None, batch: int | None, limit: int
) -> list[dict[str, Any]]:
    if dataset:
        get_dataset(dataset)
    con = connect(home)
    try:
        return fetch_dicts(
            con,
            "SELECT * FROM quarantine WHERE (? IS NULL OR dataset = ?) AND "
            "(? IS NULL OR batch_id = ?) ORDER BY batch_id, row_number LIMIT ?",
            [dataset, dataset, batch, batch, limit],
        )
    finally:
        con.close()


def batch_log(home: Home, limit: int = 50) -> list[dict[str, Any]]:
    con = connect(home)
    try:
        return fetch_dicts(
            con, "SELECT * FROM ingest_batches ORDER BY batch_id DESC LIMIT ?", [limit]
        )
    finally:
        con.close()


# 6. Demo ---------------------------------------------------------------------------------
def build_demo(home: Path | None, years: int, seed: int, console: Console | None = None) -> str:
    """Write synthetic West Yorkshire extracts and ingest them through the normal path."""
    from vrhub.demo.build import build_demo_home

    return build_demo_home(home, years=years, seed=seed, console=console)
