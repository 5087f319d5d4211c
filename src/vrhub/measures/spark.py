"""Run measures on Apache Spark: the same Ibis definitions, a different engine.

On one machine vrhub starts Spark in local mode, copies the tables a measure reads (the
dataset's events and the reference tables) from the analytical store to Parquet in the
home's tmp folder, and registers them as Spark views under the same names, so a measure's
Ibis expression runs unchanged. A national deployment points ``VRHUB_SPARK_MASTER`` at its
cluster (see docs/how-to/spark.md). Install it from a checkout with ``make install-spark`` (or
``pip install 'vrhub[spark]'``); Spark needs Java 17 or later.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from vrhub.datasets.spec import Dataset
from vrhub.errors import ConfigurationError
from vrhub.home import Home

REFERENCE_TABLES = (
    "ref_population",
    "ref_lsoa",
    "ref_imd",
    "ref_district_population",
    "ref_population_estimates",
    "ref_district_population_estimates",
    "ref_imd2025",
)
_SESSIONS: dict[str, Any] = {}


def spark_session(master: str) -> Any:
    """A Spark session for ``master`` (started once per process)."""
    if master in _SESSIONS:
        return _SESSIONS[master]
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigurationError(
            "the spark engine needs PySpark (and Java 17 or later): from a checkout of vrhub run "
            "`make install-spark`; where vrhub was installed with pip, "
            "`pip install 'vrhub[spark]'`"
        ) from None
    try:
        session = (
            SparkSession.builder.master(master)
            .appName("vrhub")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    except Exception as exc:  # Java missing or the master unreachable: say so in one line
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigurationError(
            f"Spark could not start with master {master} ({reason}); it needs Java 17 or later"
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    _SESSIONS[master] = session
    return session


@contextmanager
def spark_backend(home: Home, con: duckdb.DuckDBPyConnection, dataset: Dataset) -> Iterator[Any]:
    """An Ibis backend on Spark holding this home's tables for ``dataset`` (whose events
    table ``con`` must already have)."""
    import ibis

    session = spark_session(home.settings.spark_master)
    folder = home.tmp_dir / f"spark-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    have = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    tables = [t for t in (dataset.table, *REFERENCE_TABLES) if t in have]
    try:
        for table in tables:
            path = folder / f"{table}.parquet"
            con.execute(f"COPY {table} TO '{path}' (FORMAT parquet)")
            session.read.parquet(str(path)).createOrReplaceTempView(table)
        yield ibis.pyspark.connect(session)
    finally:
        for table in tables:
            session.catalog.dropTempView(table)
        shutil.rmtree(folder, ignore_errors=True)
