"""The one pass over a file's rows: convert, check, pseudonymise and place every row.

Each block of rows read from a file goes through a single SQL statement that

1. trims every value (blank means missing) and converts it to its stored type once;
2. looks LSOA codes and postcodes up in the reference data once, giving both the
   "unknown code" checks and the row's LSOA 2011/2021, district and in-partnership flag;
3. evaluates every field check and cross-field rule, keeping for each row only the list of
   rules it breaks (NULL for the great majority of rows, which break none);
4. replaces person identifiers by their keyed HMAC-SHA256;
5. keeps, for rejected rows only, the record as read (identifiers already pseudonymised,
   postcodes cut to their outward part) for the quarantine.

The result lands in the scratch table ``_stage``; nothing in it holds a clear identifier. The
catalogue of checks (:attr:`StagePlan.checks`) turns a rule's number back into its column,
name, message and severity for the problem report.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrhub.datasets.spec import Dataset, Kind
from vrhub.ingest import rules
from vrhub.store.events import stored_fields

#: The in-memory database holding an ingest's working tables, separate from the store so
#: the store's transaction only ever writes what is kept.
SCRATCH = "vrhub_scratch"


@dataclass(frozen=True)
class CheckRef:
    """One numbered check, as the problem report names it."""

    number: int
    column: str
    rule: str
    message: str
    severity: str


@dataclass(frozen=True)
class StagePlan:
    """The SQL of the single pass for one dataset and one file's columns."""

    select: str
    checks: tuple[CheckRef, ...]


def plan(
    dataset: Dataset, districts: tuple[str, ...], present: set[str], key_rounds: int = 1
) -> StagePlan:
    """The statement turning the registered block ``_block`` into rows of ``_stage``.

    ``present`` names the fields the file has a column for; the others are blank. The
    statement uses the named parameters ``$ipad0``, ``$opad0``... (the keys' HMAC pads; see
    :func:`vrhub.ingest.rules.pseudonym`) when the dataset has identifiers.
    """
    fields = dataset.fields
    index = {f.name: i for i, f in enumerate(fields)}

    # Level s: each value as read (r) and trimmed, blank as NULL (v).
    raw_cols = ["b._row AS _row"]
    for i, f in enumerate(fields):
        raw = f'CAST(b."{f.name}" AS VARCHAR)' if f.name in present else "NULL::VARCHAR"
        raw_cols += [f"{raw} AS r{i}", f"{rules.trimmed(raw)} AS v{i}"]

    # Level t: typed values (t), reference look-ups (k), pseudonyms (p) and geography.
    typed_cols = ["s.*"]
    joins = []
    for i, f in enumerate(fields):
        t = rules.typed(f, f"s.v{i}")
        typed_cols.append(f"{t} AS t{i}")
        ref = rules.needs_reference(f)
        if ref:
            table, key = ref.split(".")
            joins.append(f"LEFT JOIN {table} j{i} ON j{i}.{key} = {t}")
            typed_cols.append(f"j{i}.{key} AS k{i}")
        if f.identifies_person:
            typed_cols.append(f"{rules.pseudonym(f's.v{i}', key_rounds)} AS p{i}")
    lsoa11, lsoa21, district, known = "NULL::VARCHAR", "NULL::VARCHAR", "NULL::VARCHAR", "FALSE"
    if dataset.lsoa_field:
        j = f"j{index[dataset.lsoa_field]}"
        lsoa11, lsoa21, district = f"{j}.lsoa11", f"{j}.lsoa21", f"{j}.district"
        known = f"{j}.code IS NOT NULL"
    if dataset.postcode_field:
        j = f"j{index[dataset.postcode_field]}"
        joins.append(f"LEFT JOIN ref_lsoa jpl ON jpl.code = {j}.lsoa21")
        lsoa11 = f"coalesce({lsoa11}, jpl.lsoa11)"
        lsoa21 = f"coalesce({lsoa21}, {j}.lsoa21)"
        district = f"coalesce({district}, {j}.district, jpl.district)"
        known = f"({known} OR {j}.postcode IS NOT NULL)"
    in_list = ", ".join(rules.quote(d) for d in districts)
    typed_cols += [
        f"{lsoa11} AS g_lsoa11",
        f"{lsoa21} AS g_lsoa21",
        f"{district} AS g_district",
        f"{known} AS g_known",
    ]

    # Level u: the list of broken rules, NULL when a row breaks none.
    checks: list[CheckRef] = []
    conditions: list[str] = []
    items: list[str] = []
    for i, f in enumerate(fields):
        known_col = f"t.k{i}" if rules.needs_reference(f) else None
        shown = rules.shown_value(f, f"t.v{i}")
        for c in rules.checks(f, f"t.v{i}", f"t.t{i}", known_col):
            n = len(checks)
            checks.append(CheckRef(n, f.header, c.rule, c.message, c.severity))
            conditions.append(f"({c.bad})")
            is_error = "true" if c.severity == "error" else "false"
            items.append(
                f"CASE WHEN {c.bad} THEN {{'c': {n}, 'v': CAST({shown} AS VARCHAR), "
                f"'e': {is_error}}} END"
            )
    typed_refs = {f.name: f"t.t{i}" for i, f in enumerate(fields)}
    for r in dataset.row_rules:
        n = len(checks)
        checks.append(CheckRef(n, ", ".join(r.columns), r.rule, r.message, r.severity))
        bad = f"coalesce({r.bad.format(**typed_refs)}, false)"
        conditions.append(f"({bad})")
        is_error = "true" if r.severity == "error" else "false"
        items.append(f"CASE WHEN {bad} THEN {{'c': {n}, 'v': NULL::VARCHAR, 'e': {is_error}}} END")
    issues = (
        f"CASE WHEN {' OR '.join(conditions)} THEN "
        f"list_filter([{', '.join(items)}], lambda x: x IS NOT NULL) END"
    )

    # Level w: what the stage keeps.
    out = ["_row"]
    for f in stored_fields(dataset):
        i = index[f.name]
        out.append(f'{"p" if f.identifies_person else "t"}{i} AS "{f.stored_name}"')
        if f.kind == Kind.DATETIME:
            out.append(f"(t{i} IS NOT NULL AND contains(v{i}, ':')) AS \"{f.name}_has_time\"")
    mi = index[dataset.month_field]
    mf = fields[mi]
    out.append(f"t{mi} AS month" if mf.kind == Kind.MONTH else f"strftime(t{mi}, '%Y-%m') AS month")
    rid = dataset.record_id_field
    if rid is not None:
        ri = index[rid.name]
        out.append(f"{'p' if rid.identifies_person else 't'}{ri} AS _rid")
    else:
        out.append("NULL::VARCHAR AS _rid")
    if dataset.source_field:
        out.append(f"t{index[dataset.source_field]} AS _source")
    else:
        out.append("NULL::VARCHAR AS _source")
    out += [
        "g_lsoa11 AS lsoa11",
        "g_lsoa21 AS lsoa21",
        "g_district AS district",
        f"CASE WHEN g_district IS NULL THEN NULL ELSE g_district IN ({in_list}) END "
        "AS in_partnership",
        "g_known AS location_known",
        "_issues",
        "_error",
    ]
    record = []
    for i, f in enumerate(fields):
        if f.kind == Kind.POSTCODE:
            expr = rules.shown_value(f, f"v{i}")
        elif f.identifies_person:
            expr = f"p{i}"
        else:
            expr = f"r{i}"
        record.append(f"{rules.quote(f.header)}, {expr}")
    as_json = f"CAST(json_object({', '.join(record)}) AS VARCHAR)"
    out.append(f"CASE WHEN _error THEN {as_json} END AS _record")

    select = f"""
    SELECT {", ".join(out)} FROM (
      SELECT u.*, coalesce(list_bool_or(list_transform(u._issues, lambda x: x.e)), false)
             AS _error
      FROM (
        SELECT t.*, {issues} AS _issues
        FROM (
          SELECT {", ".join(typed_cols)}
          FROM (SELECT {", ".join(raw_cols)} FROM _block b) s
          {" ".join(joins)}
        ) t
      ) u
    ) w"""
    return StagePlan(select, tuple(checks))
