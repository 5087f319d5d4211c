"""Record counts grouped by chosen fields: the simplest check that data arrived whole."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from vrhub.datasets.spec import Dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.partnership import District
from vrhub.store.events import stored_fields
from vrhub.tally import Tally

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


def field_values(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, name: str, districts: list[str]
) -> list[str]:
    """Every value a field can be counted under: for districts, the districts given; for
    small areas, those of the reference geography in them; otherwise every value the dataset
    holds in any area or month."""
    if name == "district":
        return list(districts)
    level = {"lsoa": "lsoa11", "lsoa11": "lsoa11", "lsoa21": "lsoa21"}.get(name)
    if level is not None and (name != "lsoa" or dataset.lsoa_field):
        marks = ", ".join("?" for _ in districts)
        rows = con.execute(
            f"SELECT DISTINCT {level} FROM ref_lsoa WHERE {level} IS NOT NULL "
            f"AND district IN ({marks})",
            list(districts),
        ).fetchall()
        return [str(r[0]) for r in rows]
    rows = con.execute(f"SELECT DISTINCT {_expr(dataset, name)} FROM {dataset.table}").fetchall()
    return [str(r[0]) for r in rows]


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
        f"SELECT {cols}, count(*) AS count, sum(record_key) AS cell_key "
        f"FROM {dataset.table} {where} GROUP BY ALL ORDER BY {order}",
        params,
    ).fetchall()
    # Each count carries its cell key, for disclosure control outside the analyst tier.
    return CountTable(list(by), [(*r[:-2], Tally(int(r[-2]), int(r[-1] or 0))) for r in rows])


#: How many allowed values a refusal lists before it says how many more there are.
LISTED = 20


def _allowed_words(values: Sequence[str]) -> str:
    shown = ", ".join(values[:LISTED])
    more = len(values) - LISTED
    return shown + (f" and {more:,} more" if more > 0 else "")


def district_codes(
    asked: Sequence[str], districts: Sequence[District], option: str = "--district '{}'"
) -> list[str]:
    """The partnership's district codes for districts given by code or name (any case, e.g.
    ``Leeds``, ``leeds`` or ``E08000035``); anything else is refused in one line naming the
    partnership's districts.

    >>> from vrhub.partnership import District
    >>> d = [District(code="E08000035", name="Leeds"), District(code="E08000032", name="Bradford")]
    >>> district_codes(["leeds", "E08000032"], d)
    ['E08000035', 'E08000032']
    """
    by_key = {d.code.lower(): d.code for d in districts} | {
        d.name.casefold(): d.code for d in districts
    }
    out = []
    for value in asked:
        code = by_key.get(value.strip().casefold())
        if code is None:
            named = ", ".join(f"{d.name} ({d.code})" for d in districts)
            raise UnsupportedFieldError(
                f"{option.format(value)} is not a district of this partnership: give one of "
                f"{named} (name or code)"
            )
        out.append(code)
    return out


def check_filters(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    filters: Mapping[str, str] | None,
    districts: Sequence[District],
) -> dict[str, str]:
    """Filters as the store holds their values, or a one-line refusal naming what is allowed:
    a district by name or code (see :func:`district_codes`); any other countable field's value
    as the dataset holds it (any case), so a value that could only give an empty table is never
    taken for a true zero. Fields this module does not count by (worked out by the measures,
    such as ``age_group``) and months are passed on as given, for the measure to check."""
    out: dict[str, str] = {}
    for name, value in (filters or {}).items():
        if name == "district":
            [out[name]] = district_codes([value], districts, "--filter district='{}'")
            continue
        if name == "month" or name not in countable_fields(dataset):
            out[name] = value
            continue
        held = sorted(set(field_values(con, dataset, name, [d.code for d in districts])))
        if value in held:
            out[name] = value
            continue
        same = [h for h in held if h.casefold() == value.strip().casefold()]
        if len(same) == 1:
            out[name] = same[0]
            continue
        raise UnsupportedFieldError(
            f"--filter {name}='{value}': no {dataset.name} record has that {name}; "
            + (f"the values held are: {_allowed_words(held)}" if held else "none is held")
        )
    return out
