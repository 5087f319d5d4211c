"""Record counts grouped by chosen fields: the simplest check that data arrived whole."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from vrhub.datasets.spec import Dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.store.events import stored_fields

#: Fields every dataset can be counted by, and how.
DERIVED = {
    "month": "month",
    "district": "coalesce(district, 'unknown')",
    "lsoa11": "coalesce(lsoa11, 'unknown')",
    "lsoa21": "coalesce(lsoa21, 'unknown')",
    "source": "source",
    "in_partnership": "coalesce(CAST(in_partnership AS VARCHAR), 'unknown')",
}


@dataclass(frozen=True)
class CountTable:
    fields: list[str]
    rows: list[tuple[object, ...]]

    @property
    def total(self) -> int:
        return sum(int(r[-1]) for r in self.rows)  # type: ignore[call-overload]


def countable_fields(dataset: Dataset) -> list[str]:
    names = list(DERIVED)
    if dataset.lsoa_field:
        names.append("lsoa")
    if dataset.crime_type_field:
        names.append("crime_type")
    names += [f.name for f in stored_fields(dataset) if not f.identifies_person]
    return list(dict.fromkeys(names))


def _expr(dataset: Dataset, name: str) -> str:
    if name in DERIVED:
        return DERIVED[name]
    if name == "lsoa" and dataset.lsoa_field:
        return f"coalesce({dataset.lsoa_field}, 'unknown')"
    if name == "crime_type" and dataset.crime_type_field:
        return dataset.crime_type_field
    for f in stored_fields(dataset):
        if f.name == name:
            if f.identifies_person:
                raise UnsupportedFieldError(
                    f"{name} is a pseudonymised identifier; counts by person are not offered"
                )
            return f"coalesce(CAST({f.name} AS VARCHAR), 'blank')"
    raise UnsupportedFieldError(
        f"the {dataset.name} dataset has no field '{name}'; it can be counted by: "
        f"{', '.join(countable_fields(dataset))}"
    )


def records_where(all_areas: bool, districts: list[str] | None) -> tuple[str, list[object]]:
    """The WHERE clause (and its parameters) choosing the records counts are made of."""
    where = "WHERE TRUE" if all_areas else "WHERE in_partnership IS NOT FALSE"
    if not districts:
        return where, []
    return where + f" AND district IN ({', '.join('?' for _ in districts)})", list(districts)


def batches_counted(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    all_areas: bool = False,
    districts: list[str] | None = None,
) -> list[int]:
    """The batches the records counted come from (for the release step)."""
    where, params = records_where(all_areas, districts)
    rows = con.execute(f"SELECT DISTINCT batch_id FROM {dataset.table} {where}", params).fetchall()
    return [int(r[0]) for r in rows]


def count_records(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    by: list[str],
    all_areas: bool = False,
    districts: list[str] | None = None,
) -> CountTable:
    """Count records grouped by ``by``.

    Without ``all_areas`` only records inside the partnership, or with no known location
    (counted under district ``unknown``), are counted; with it, every accepted row is.
    """
    if not by:
        raise UnsupportedFieldError("say what to count by, e.g. --by month,district")
    exprs = [_expr(dataset, b) for b in by]
    where, params = records_where(all_areas, districts)
    cols = ", ".join(f'{e} AS "{b}"' for e, b in zip(exprs, by, strict=True))
    order = ", ".join(str(i + 1) for i in range(len(by)))
    rows = con.execute(
        f"SELECT {cols}, count(*) AS count FROM {dataset.table} {where} "
        f"GROUP BY ALL ORDER BY {order}",
        params,
    ).fetchall()
    return CountTable(list(by), [tuple(r) for r in rows])
