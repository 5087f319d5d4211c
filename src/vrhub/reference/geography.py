"""Current geography: district codes since 2011, and LSOAs of both vintages.

Two things are built here from the ONS lookups when reference data is loaded, and read by the
rest of vrhub:

* **District codes.** ``ref_lad_codes`` has one row for every local authority district code
  ONS has used since 2011, with the code in use today (Barnsley E08000016 → E08000038 and
  Sheffield E08000019 → E08000039 since 1 April 2025; Harrogate, Craven and the other North
  Yorkshire districts → E06000065 since 2023; and so on), its region, Community Safety
  Partnership and police force area. Every ``district`` column vrhub writes holds the current
  code; :func:`current_district` and :func:`current_district_sql` map any code to it.
* **LSOA 2011 and 2021.** ``ref_lsoa_map`` is the official ONS LSOA 2011 → 2021 lookup with
  its change indicator: U unchanged, S one 2011 LSOA split into several 2021 LSOAs, M several
  2011 LSOAs merged into one 2021 LSOA, X an irregular change. ``ref_lsoa`` gives, for any
  code of either vintage, its current district and its code in the other vintage *where that
  is one area*: a 2011 LSOA that split has no single 2021 code (``lsoa21`` NULL; the record
  still counts in its district), and a 2021 LSOA formed by a merge has no single 2011 code.
  A merged 2021 LSOA does get the records of all its 2011 parts, so it is never a false zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from vrhub.datasets import all_datasets
from vrhub.errors import ReferenceDataError, UnknownDistrictError, UnsupportedFieldError
from vrhub.partnership import current_code, unknown_district_message
from vrhub.store.analytical import first, replace_rows, table_exists

#: The ``method`` written in ``ref_lsoa_map`` for rows of the official lookup.
OFFICIAL_METHOD = "ONS LSOA11_LSOA21_LAD22 lookup"

VINTAGES = ("2011", "2021")


def _csv(path: Path) -> str:
    return f"read_csv('{path}', header=true, all_varchar=true, quote='\"')"


def current_district_sql(expr: str) -> str:
    """SQL giving the current district code for the district code ``expr`` (``expr``
    itself when it is not a code the store knows, NULL for NULL)."""
    return f"coalesce((SELECT c.current_code FROM ref_lad_codes c WHERE c.code = {expr}), {expr})"


def current_district(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """The district code in use today for any district code since 2011.

    Reads the store's ``ref_lad_codes`` (which ``vrhub reference load --from`` may have
    refreshed with a newer ONS list), or the shipped list when the store has none yet.
    Raises :class:`~vrhub.errors.UnknownDistrictError` for a code ONS has not used since 2011.
    """
    value = code.strip().upper()
    if table_exists(con, "ref_lad_codes"):
        has_rows = first(con.execute("SELECT EXISTS (SELECT 1 FROM ref_lad_codes)").fetchall())
        if has_rows and has_rows[0]:
            row = first(
                con.execute(
                    "SELECT current_code FROM ref_lad_codes WHERE code = ?", [value]
                ).fetchall()
            )
            if row is None:
                raise UnknownDistrictError(unknown_district_message(value or "(blank)"))
            return str(row[0])
    return current_code(value)


@dataclass(frozen=True)
class Placement:
    """LSOA codes put into one vintage: the code for each input (None where it cannot be
    placed as one area of that vintage), and how many could not be placed."""

    vintage: str
    codes: tuple[str | None, ...]
    unplaced: int
    unknown: int


def place_lsoas(
    con: duckdb.DuckDBPyConnection, codes: Sequence[str | None], vintage: str
) -> Placement:
    """Each LSOA code (2011 or 2021) as a code of ``vintage`` ('2011' or '2021').

    A code is unplaced when it is blank, unknown, or has no single area in that vintage (a
    2011 LSOA that split, asked for at 2021; a 2021 LSOA formed by a merge, asked for at 2011).
    ``unknown`` counts the codes that are not LSOA codes of either vintage at all.
    """
    if vintage not in VINTAGES:
        raise UnsupportedFieldError(f"LSOA vintage '{vintage}' is not one of {', '.join(VINTAGES)}")
    column = "lsoa11" if vintage == "2011" else "lsoa21"
    given = pa.table(
        {"i": list(range(len(codes))), "code": [c.strip().upper() if c else None for c in codes]}
    )
    con.register("_place_given", given)
    try:
        rows = con.execute(f"""
            SELECT g.i, l.{column}, l.code IS NULL AND g.code IS NOT NULL
            FROM _place_given g LEFT JOIN ref_lsoa l ON l.code = g.code ORDER BY g.i
        """).fetchall()
    finally:
        con.unregister("_place_given")
    placed = tuple(r[1] for r in rows)
    return Placement(
        vintage,
        placed,
        unplaced=sum(1 for p in placed if p is None),
        unknown=sum(1 for r in rows if r[2]),
    )


# Building the tables -------------------------------------------------------------------------


def build_lad_codes(con: duckdb.DuckDBPyConnection, files: dict[str, Path]) -> None:
    """``ref_lad_codes`` and ``ref_lad_csp`` from the ONS code list and the 2024 lookups.

    The region, CSP and police force area lookups are keyed by 2024 codes; each is joined to a
    district through its current code, so an older code gets its successor's. Wales has no
    English region: its row gives the country (W92000004 Wales) instead. A district served by
    several CSPs (e.g. Buckinghamshire) has ``csp_code`` NULL and every CSP named in
    ``csp_name``; ``ref_lad_csp`` lists them one a row.
    """
    la = _csv(files["lad-codes"])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _la AS
        SELECT upper(trim(LADCD)) AS code, LADNM AS name,
               upper(trim(LADCD_ACTIVE)) AS current_code, LADNM_ACTIVE AS current_name,
               upper(trim(Current)) = 'TRUE' AS is_current,
               nullif(trim(RGNCD), '') AS rgn, nullif(trim(RGNNM), '') AS rgn_name,
               nullif(trim(CTRYCD), '') AS ctry, nullif(trim(CTRYNM), '') AS ctry_name
        FROM {la}
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _csp AS
        SELECT DISTINCT coalesce(a.current_code, c.lad) AS district, c.csp_code, c.csp_name,
               c.pfa_code, c.pfa_name
        FROM (SELECT COLUMNS('^LAD[0-9]+CD$') AS lad, COLUMNS('^CSP[0-9]+CD$') AS csp_code,
                     COLUMNS('^CSP[0-9]+NM$') AS csp_name, COLUMNS('^PFA[0-9]+CD$') AS pfa_code,
                     COLUMNS('^PFA[0-9]+NM$') AS pfa_name
              FROM {_csv(files["lad-csp-pfa"])}) c
        LEFT JOIN _la a ON a.code = c.lad
    """)
    replace_rows(con, "ref_lad_csp", "SELECT * FROM _csp ORDER BY district, csp_code")
    replace_rows(
        con,
        "ref_lad_codes",
        f"""
        WITH rgn AS (
            SELECT coalesce(a.current_code, r.lad) AS district,
                   any_value(r.rgn) AS rgn, any_value(r.rgn_name) AS rgn_name
            FROM (SELECT COLUMNS('^LAD[0-9]+CD$') AS lad, COLUMNS('^RGN[0-9]+CD$') AS rgn,
                         COLUMNS('^RGN[0-9]+NM$') AS rgn_name
                  FROM {_csv(files["lad-region"])}) r
            LEFT JOIN _la a ON a.code = r.lad GROUP BY 1),
        csp AS (
            SELECT district,
                   CASE WHEN count(DISTINCT csp_code) = 1 THEN any_value(csp_code) END
                       AS csp_code,
                   string_agg(DISTINCT csp_name, '; ' ORDER BY csp_name) AS csp_name,
                   CASE WHEN count(DISTINCT pfa_code) = 1 THEN any_value(pfa_code) END
                       AS pfa_code,
                   string_agg(DISTINCT pfa_name, '; ' ORDER BY pfa_name) AS pfa_name
            FROM _csp GROUP BY 1)
        SELECT a.code, a.name, a.current_code, a.current_name, a.is_current,
               coalesce(r.rgn, cur.rgn, CASE WHEN cur.ctry LIKE 'W%' THEN cur.ctry END)
                   AS region_code,
               coalesce(r.rgn_name, cur.rgn_name,
                        CASE WHEN cur.ctry LIKE 'W%' THEN cur.ctry_name END) AS region_name,
               c.csp_code, c.csp_name, c.pfa_code, c.pfa_name
        FROM _la a
        LEFT JOIN _la cur ON cur.code = a.current_code
        LEFT JOIN rgn r ON r.district = a.current_code
        LEFT JOIN csp c ON c.district = a.current_code
        ORDER BY a.code
    """,
    )
    bad = first(
        con.execute("""
            SELECT count(*), min(code) FROM ref_lad_codes
            WHERE current_code NOT IN (SELECT code FROM ref_lad_codes WHERE is_current)
        """).fetchall()
    )
    if bad and bad[0]:
        raise ReferenceDataError(
            f"{files['lad-codes'].name}: {bad[0]} district codes (e.g. {bad[1]}) point to a "
            "current code the file does not list as current; load a complete ONS code list"
        )


def check_districts_current(
    con: duckdb.DuckDBPyConnection, districts: Sequence[str], file: str
) -> None:
    """Refuse a district code list under which a partnership district is no longer current."""
    for code in districts:
        row = first(
            con.execute(
                "SELECT name, current_code, current_name FROM ref_lad_codes WHERE code = ?", [code]
            ).fetchall()
        )
        if row is None:
            raise ReferenceDataError(
                f"{file} does not list {code}, a district of this partnership; "
                "load a complete ONS list of district codes"
            )
        if row[1] != code:
            raise ReferenceDataError(
                f"{file} says {row[0]} {code} is now {row[2]} {row[1]}, but this partnership "
                f"is held under {code}: upgrade vrhub, which maps partnerships to current codes, "
                "before loading this list"
            )


def build_lsoas(con: duckdb.DuckDBPyConnection, files: dict[str, Path], imd_file_1: Path) -> None:
    """``ref_lsoa_map``, ``ref_lsoa11``, ``ref_lsoa21``, ``ref_lsoa_ward`` and ``ref_lsoa``.

    Needs ``ref_lad_codes``, ``ref_oa`` and the postcode tables (``_pc_lsoa21``,
    ``_pc_postcodes``) in place. Every district is written as its current code. The working
    tables (``_map``, ``_ward``, and ``_la``, ``_csp`` above) are TEMP: they live only in this
    connection and are replaced by the next load.
    """
    cur = current_district_sql
    replace_rows(
        con,
        "ref_lsoa_map",
        f"""
        SELECT DISTINCT upper(trim(LSOA11CD)) AS lsoa11, upper(trim(LSOA21CD)) AS lsoa21,
               upper(trim(CHGIND)) AS relationship, '{OFFICIAL_METHOD}' AS method
        FROM {_csv(files["lsoa11-lsoa21"])}
        WHERE nullif(trim(LSOA11CD), '') IS NOT NULL AND nullif(trim(LSOA21CD), '') IS NOT NULL
    """,
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _map AS
        SELECT upper(trim(LSOA11CD)) AS lsoa11, LSOA11NM AS lsoa11_name,
               upper(trim(LSOA21CD)) AS lsoa21, LSOA21NM AS lsoa21_name, lad
        FROM (SELECT *, COLUMNS('^LAD[0-9]+CD$') AS lad FROM {_csv(files["lsoa11-lsoa21"])})
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ward AS
        SELECT upper(trim(LSOA21CD)) AS lsoa21, LSOA21NM AS lsoa21_name,
               nullif(trim(ward), '') AS ward, ward_name, nullif(trim(lad), '') AS lad
        FROM (SELECT *, COLUMNS('^WD[0-9]+CD$') AS ward, COLUMNS('^WD[0-9]+NM$') AS ward_name,
                        COLUMNS('^LAD[0-9]+CD$') AS lad
              FROM {_csv(files["lsoa21-ward"])})
    """)
    ward_vintage = first(
        con.execute(
            f"SELECT list(column_name) FROM (DESCRIBE SELECT * FROM {_csv(files['lsoa21-ward'])}) "
            "WHERE regexp_matches(column_name, '^WD[0-9]+CD$')"
        ).fetchall()
    )
    wd = str(ward_vintage[0][0])[2:4] if ward_vintage and ward_vintage[0] else ""
    replace_rows(
        con,
        "ref_lsoa_ward",
        f"""
        SELECT lsoa21, ward, ward_name, {cur("lad")} AS district, 'WD20{wd}' AS vintage
        FROM _ward WHERE ward IS NOT NULL
    """,
    )
    # LSOA 2011: the official lookup (its district, where all its 2021 parts agree), then IoD
    # 2019 (LAD 2019) and the output-area lookup (LAD 2017), each mapped to today's code.
    replace_rows(
        con,
        "ref_lsoa11",
        f"""
        WITH official AS (
            SELECT lsoa11 AS code, any_value(lsoa11_name) AS name,
                   CASE WHEN count(DISTINCT lad) = 1 THEN any_value(lad) END AS lad
            FROM _map GROUP BY 1),
        iod AS (
            SELECT "LSOA code (2011)" AS code, "LSOA name (2011)" AS name,
                   "Local Authority District code (2019)" AS lad
            FROM {_csv(imd_file_1)}),
        oa AS (SELECT lsoa11 AS code, any_value(lsoa11_name) AS name, any_value(lad) AS lad
               FROM ref_oa GROUP BY 1),
        codes AS (SELECT code FROM official UNION SELECT code FROM iod UNION SELECT code FROM oa)
        SELECT c.code, coalesce(o.name, i.name, a.name) AS name,
               {cur("coalesce(o.lad, i.lad, a.lad)")} AS district
        FROM codes c LEFT JOIN official o USING (code) LEFT JOIN iod i USING (code)
        LEFT JOIN oa a USING (code)
    """,
    )
    # LSOA 2021: the ward lookup's district (best fit, one row each), then the 2011 → 2021
    # lookup's, then the postcode lookup's; names from whichever lists the code.
    replace_rows(
        con,
        "ref_lsoa21",
        f"""
        WITH official AS (
            SELECT lsoa21 AS code, any_value(lsoa21_name) AS name,
                   CASE WHEN count(DISTINCT lad) = 1 THEN any_value(lad) END AS lad
            FROM _map GROUP BY 1),
        ward AS (SELECT lsoa21 AS code, any_value(lsoa21_name) AS name, any_value(lad) AS lad
                 FROM _ward GROUP BY 1),
        pc AS (SELECT lsoa21 AS code, mode(district) AS lad FROM _pc_postcodes
               WHERE lsoa21 IS NOT NULL AND district IS NOT NULL GROUP BY 1),
        codes AS (SELECT code FROM official UNION SELECT code FROM ward
                  UNION SELECT code FROM _pc_lsoa21)
        SELECT c.code, coalesce(w.name, o.name, n.name) AS name,
               {cur("coalesce(w.lad, o.lad, pc.lad)")} AS district
        FROM codes c LEFT JOIN ward w USING (code) LEFT JOIN official o USING (code)
        LEFT JOIN _pc_lsoa21 n USING (code) LEFT JOIN pc USING (code)
    """,
    )
    replace_rows(
        con,
        "ref_lsoa",
        """
        WITH one11 AS (
            SELECT lsoa21, any_value(lsoa11) AS lsoa11 FROM ref_lsoa_map
            GROUP BY lsoa21 HAVING count(DISTINCT lsoa11) = 1),
        one21 AS (
            SELECT lsoa11, any_value(lsoa21) AS lsoa21 FROM ref_lsoa_map
            GROUP BY lsoa11 HAVING count(DISTINCT lsoa21) = 1)
        SELECT l.code, l.name, coalesce(l.district, l21.district) AS district,
               l.code AS lsoa11, o.lsoa21,
               CASE WHEN l21.code IS NULL THEN '2011' ELSE '2011 and 2021' END AS vintage
        FROM ref_lsoa11 l LEFT JOIN one21 o ON o.lsoa11 = l.code
        LEFT JOIN ref_lsoa21 l21 ON l21.code = l.code
        UNION ALL
        SELECT l.code, l.name, l.district, o.lsoa11, l.code AS lsoa21, '2021'
        FROM ref_lsoa21 l LEFT JOIN one11 o ON o.lsoa21 = l.code
        WHERE l.code NOT IN (SELECT code FROM ref_lsoa11)
    """,
    )


def replace_stored_lsoas(con: duckdb.DuckDBPyConnection) -> int:
    """Re-place stored records coded to an LSOA through the loaded lookup: their ``lsoa11`` and
    ``lsoa21`` as ``ref_lsoa`` now gives them (a home built before the official lookup, or with
    an older copy, gets the same placement as a new one). Districts are left as ingest placed
    them (recoded to today's codes), so each record's in-partnership flag still holds. Records
    whose LSOA the reference data does not know keep what they have. Returns rows changed."""
    changed = 0
    for dataset in all_datasets():
        if dataset.lsoa_field is None or not table_exists(con, dataset.table):
            continue
        field = dataset.field(dataset.lsoa_field)
        if not field.stored:
            continue
        col = f'"{field.stored_name}"'
        row = first(
            con.execute(f"""
                UPDATE {dataset.table} e
                SET lsoa11 = l.lsoa11, lsoa21 = l.lsoa21
                FROM ref_lsoa l
                WHERE l.code = e.{col}
                  AND (e.lsoa11 IS DISTINCT FROM l.lsoa11 OR e.lsoa21 IS DISTINCT FROM l.lsoa21)
            """).fetchall()
        )
        changed += int(row[0]) if row else 0
    return changed
