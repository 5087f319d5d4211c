"""One definition, two engines: every built-in measure gives identical results on DuckDB and
on Apache Spark (local mode) over the same demo partnership. Never skipped: CI installs
PySpark and Java."""

from __future__ import annotations

from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.measures.registry import all_measures

#: For each built-in measure, a dataset and groupings to run it with.
RUNS = [
    ("crime-rate", "police-crime", ["district"], {"offence_group": "Robbery"}),
    ("serious-violence", "police-crime", ["sv_category"], {}),
    ("serious-violence", "ed-assault", ["district", "sv_category"], {}),
    ("hospital-knife-admissions", "hospital-admission", ["under_25"], {}),
    ("knife-enabled-serious-violence", "police-crime", ["district", "under_25"], {}),
    ("non-domestic-homicide", "police-crime", [], {}),
    ("ed-assault-attendances", "ed-assault", ["age_group"], {}),
    ("violence-with-injury", "police-crime", ["month"], {}),
    ("knife-enabled-robbery", "police-crime", ["lsoa"], {}),
    ("victims", "police-crime", ["age_group", "victim_sex"], {}),
    ("records", "youth-justice", ["district", "outcome_type"], {}),
]


def test_every_builtin_measure_is_covered() -> None:
    assert {m.name for m in all_measures()} == {r[0] for r in RUNS}


@pytest.mark.parametrize(("name", "dataset", "by", "filters"), RUNS)
def test_duckdb_and_spark_agree(
    demo_home: Path, name: str, dataset: str, by: list[str], filters: dict[str, str]
) -> None:
    home = pipeline.open_partnership_home(demo_home)
    ds = get_dataset(dataset)
    duck = pipeline.run_measure(home, name, ds, by, filters, engine="duckdb")
    spark = pipeline.run_measure(home, name, ds, by, filters, engine="spark")
    assert (duck.engine, spark.engine) == ("duckdb", "spark")
    assert duck.rows, f"{name} found nothing to compare"
    assert spark.rows == duck.rows
    assert (spark.unplaced, spark.batches, spark.agreements) == (
        duck.unplaced,
        duck.batches,
        duck.agreements,
    )


def test_missing_pyspark_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: from a checkout, Spark is set up with `make install-spark`."""
    import sys

    from vrhub.errors import ConfigurationError
    from vrhub.measures.spark import spark_session

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ConfigurationError) as exc:
        spark_session("local[1]-no-pyspark")
    assert "make install-spark" in str(exc.value) and "pip install 'vrhub[spark]'" in str(exc.value)
