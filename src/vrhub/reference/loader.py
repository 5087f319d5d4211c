"""Load reference data into the analytical store.

``load_reference`` reads the shipped copy (or newer files of the same kinds from a folder) and
replaces the rows of the ``ref_*`` tables in one transaction (the store's migrations create
the tables; nothing here creates, replaces or drops one). The combined ``ref_lsoa`` table is
what ingest joins on: any LSOA code, 2011 or 2021, gives its current district and its code in
the other vintage where that is one area (see :mod:`vrhub.reference.geography`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from vrhub.checksums import file_sha256
from vrhub.errors import ReferenceDataError
from vrhub.reference.geography import (
    build_lad_codes,
    build_lsoas,
    check_districts_current,
    replace_stored_lsoas,
)
from vrhub.reference.population import load_populations, population_files
from vrhub.reference.sources import (
    KINDS,
    OGL,
    POSTCODE_KIND,
    classify_csvs,
    find_postcode_folder,
    read_json,
    shipped_dir,
)
from vrhub.store.analytical import first, replace_rows, table_exists, transaction
from vrhub.store.migrations import recode_stored_districts

POSTCODE_AREA_FILE = re.compile(r"^[A-Z]{1,2}\.json(\.gz)?$")


def _utcnow() -> dt.datetime:
    """Now in UTC, without a zone (the store's timestamps are all UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class LoadedSource:
    kind: str
    file: str
    sha256: str
    origin: str  # "shipped" or the folder given


def _resolve(from_dir: Path | None) -> tuple[dict[str, Path], Path, dict[str, str]]:
    shipped = shipped_dir()
    files = classify_csvs(shipped)
    origin = dict.fromkeys(files, "shipped")
    postcode_dir = find_postcode_folder(shipped)
    if from_dir is not None:
        if not from_dir.is_dir():
            raise ReferenceDataError(f"{from_dir} is not a folder")
        newer = classify_csvs(from_dir)
        newer_pc = find_postcode_folder(from_dir)
        if not newer and newer_pc is None and not population_files(from_dir):
            raise ReferenceDataError(
                f"no reference files recognised in {from_dir}: expected the ONS output-area "
                "lookup, IoD 2019 files 1, 2 or 6, an ONS geography lookup (district codes "
                "since 2011, LSOA 2011 to 2021, LSOA 2021 to ward, district to region or to "
                "CSP and police force area) as CSV, maybe gzipped, a postcode folder "
                "with lads.json, lsoa.json and wards.json, or an ONS small-area population "
                "workbook (.xlsx with sheets named 'Mid-YYYY LSOA 2021')"
            )
        for kind, path in newer.items():
            files[kind] = path
            origin[kind] = str(from_dir)
        if newer_pc is not None:
            postcode_dir = newer_pc
            origin[POSTCODE_KIND.name] = str(from_dir)
    missing = [k.description for k in KINDS if k.name not in files]
    if missing or postcode_dir is None:
        raise ReferenceDataError(
            "reference data incomplete; missing: " + "; ".join(missing or ["postcode lookup"])
        )
    origin.setdefault(POSTCODE_KIND.name, "shipped")
    return files, postcode_dir, origin


def _csv(path: Path) -> str:
    return f"read_csv('{path}', header=true, all_varchar=true, quote='\"')"


def _num(col: str) -> str:
    return f"TRY_CAST(replace(\"{col}\", ',', '') AS INTEGER)"


def reference_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether reference data has been loaded: the store's migrations create the ``ref_*``
    tables empty, so a table being there no longer says so."""
    if not table_exists(con, "ref_lsoa"):
        return False
    row = first(con.execute("SELECT EXISTS (SELECT 1 FROM ref_lsoa)").fetchall())
    return bool(row and row[0])


def load_reference(
    con: duckdb.DuckDBPyConnection,
    from_dir: Path | None = None,
    districts: Sequence[str] = (),
) -> list[LoadedSource]:
    """Build every ``ref_*`` table from the shipped files or those in ``from_dir``.

    ``districts`` (the partnership's, as today's codes) must still be current in the district
    code list loaded: a newer list that retires one is refused, as the partnership's records
    would otherwise fall outside it unseen.
    """
    files, pc_dir, origin = _resolve(from_dir)
    pc_tables = _postcode_tables(pc_dir)
    with transaction(con):
        for name, table in pc_tables.items():
            con.register(f"_pc_{name}", table)
        replace_rows(
            con,
            "ref_oa",
            f"""
            SELECT OA11CD AS oa11, LSOA11CD AS lsoa11, LSOA11NM AS lsoa11_name,
                   MSOA11CD AS msoa11, MSOA11NM AS msoa11_name,
                   COLUMNS('^LAD[0-9]+CD$') AS lad, COLUMNS('^LAD[0-9]+NM$') AS lad_name
            FROM {_csv(files["oa-lookup"])}
            WHERE OA11CD SIMILAR TO '[EW]00[0-9]{{6}}'
        """,
        )
        f1 = files["imd-file-1"]
        f2 = files["imd-file-2"]
        f6 = files["imd-file-6"]
        replace_rows(
            con,
            "ref_imd",
            f"""
            SELECT d."LSOA code (2011)" AS lsoa11,
                   {_num("IMD Rank")} AS imd_rank, {_num("IMD Decile")} AS imd_decile,
                   {_num("Income Rank")} AS income_rank, {_num("Income Decile")} AS income_decile,
                   {_num("Employment Rank")} AS employment_rank,
                   {_num("Employment Decile")} AS employment_decile,
                   {_num("Education Rank")} AS education_rank,
                   {_num("Education Decile")} AS education_decile,
                   {_num("Health Rank")} AS health_rank, {_num("Health Decile")} AS health_decile,
                   {_num("Crime Rank")} AS crime_rank, {_num("Crime Decile")} AS crime_decile,
                   {_num("Housing Rank")} AS housing_rank,
                   {_num("Housing Decile")} AS housing_decile,
                   {_num("Living Rank")} AS living_environment_rank,
                   {_num("Living Decile")} AS living_environment_decile
            FROM (SELECT "LSOA code (2011)",
                         COLUMNS('^Index of Multiple.*Rank') AS "IMD Rank",
                         COLUMNS('^Index of Multiple.*Decile') AS "IMD Decile",
                         COLUMNS('^Income Rank') AS "Income Rank",
                         COLUMNS('^Income Decile') AS "Income Decile",
                         COLUMNS('^Employment Rank') AS "Employment Rank",
                         COLUMNS('^Employment Decile') AS "Employment Decile",
                         COLUMNS('^Education.*Rank') AS "Education Rank",
                         COLUMNS('^Education.*Decile') AS "Education Decile",
                         COLUMNS('^Health.*Rank') AS "Health Rank",
                         COLUMNS('^Health.*Decile') AS "Health Decile",
                         COLUMNS('^Crime Rank') AS "Crime Rank",
                         COLUMNS('^Crime Decile') AS "Crime Decile",
                         COLUMNS('^Barriers.*Rank') AS "Housing Rank",
                         COLUMNS('^Barriers.*Decile') AS "Housing Decile",
                         COLUMNS('^Living.*Rank') AS "Living Rank",
                         COLUMNS('^Living.*Decile') AS "Living Decile"
                  FROM {_csv(f2)}) d
        """,
        )
        # File 1 is the published headline index: it must agree with File 2's copy of it.
        disagree = con.execute(f"""
            SELECT count(*) FROM (
              SELECT "LSOA code (2011)" AS lsoa11,
                     TRY_CAST(replace(COLUMNS('^Index of Multiple.*Rank'), ',', '') AS INTEGER) AS r
              FROM {_csv(f1)}) f
            LEFT JOIN ref_imd i USING (lsoa11)
            WHERE i.imd_rank IS DISTINCT FROM f.r
        """).fetchone()
        if disagree and disagree[0]:
            raise ReferenceDataError(
                f"IoD 2019 File 1 ({f1.name}) and File 2 ({f2.name}) disagree on "
                f"{disagree[0]} LSOA ranks; load files from the same release"
            )
        replace_rows(
            con,
            "ref_population",
            f"""
            SELECT "LSOA code (2011)" AS lsoa11,
                   TRY_CAST(replace(COLUMNS('^Total population'), ',', '') AS INTEGER) AS total,
                   TRY_CAST(replace(COLUMNS('^Dependent Children'), ',', '') AS INTEGER)
                       AS aged_0_15,
                   TRY_CAST(replace(COLUMNS('^Population aged 16-59'), ',', '') AS INTEGER)
                       AS aged_16_59,
                   TRY_CAST(replace(COLUMNS('^Older population'), ',', '') AS INTEGER)
                       AS aged_60_plus,
                   TRY_CAST(replace(COLUMNS('^Working age'), ',', '') AS INTEGER)
                       AS working_age_18_59_64,
                   'mid-2015' AS vintage
            FROM {_csv(f6)}
        """,
        )
        build_lad_codes(con, files)
        check_districts_current(con, districts, files["lad-codes"].name)
        # District names: every code since 2011 (ONS), then any other the files name.
        replace_rows(con, "ref_lad", "SELECT code, name FROM ref_lad_codes")
        con.execute("""
            INSERT INTO ref_lad SELECT * FROM _pc_lads
            WHERE code NOT IN (SELECT code FROM ref_lad)
        """)
        con.execute(f"""
            INSERT INTO ref_lad
            SELECT DISTINCT "Local Authority District code (2019)",
                            "Local Authority District name (2019)"
            FROM {_csv(f1)}
            WHERE "Local Authority District code (2019)" NOT IN (SELECT code FROM ref_lad)
        """)
        con.execute("""
            INSERT INTO ref_lad SELECT DISTINCT lad, lad_name FROM ref_oa
            WHERE lad NOT IN (SELECT code FROM ref_lad)
        """)
        replace_rows(con, "ref_postcode", "SELECT * FROM _pc_postcodes")
        build_lsoas(con, files, f1)
        # The postcode lookup's districts, and any stored record's, as today's codes; stored
        # records coded to an LSOA placed as the lookup now places them.
        recode_stored_districts(con)
        replace_stored_lsoas(con)
        replace_rows(
            con,
            "ref_ward",
            """
            SELECT * FROM _pc_wards UNION
            SELECT DISTINCT ward, ward_name FROM ref_lsoa_ward
            WHERE ward NOT IN (SELECT code FROM _pc_wards)
        """,
        )
        # Resident population by district (IoD 2019 denominators over 2011 LSOAs), summed
        # once here so a measure's rate joins a table of a few hundred rows.
        replace_rows(
            con,
            "ref_district_population",
            """
            SELECT l.district, sum(p.total) AS population
            FROM ref_population p JOIN ref_lsoa l ON l.code = p.lsoa11 AND l.code = l.lsoa11
            WHERE l.district IS NOT NULL GROUP BY 1
        """,
        )
        for name in pc_tables:
            con.unregister(f"_pc_{name}")
        loaded = _record_sources(con, files, pc_dir, origin)
        # Populations of every vintage, district sums and IoD 2025 (vrhub.reference.population).
        for extra in load_populations(con, from_dir, _utcnow()):
            loaded.append(LoadedSource(extra.kind, extra.file, extra.sha256, extra.origin))
    return loaded


def _postcode_tables(folder: Path) -> dict[str, pa.Table]:
    def names(file: str) -> pa.Table:
        data = read_json(_gz_or_plain(folder, file))
        if not isinstance(data, dict):
            raise ReferenceDataError(f"{file} in {folder} is not a code → name mapping")
        codes = list(data)
        labels = [v[0] if isinstance(v, list) else str(v) for v in data.values()]
        return pa.table({"code": codes, "name": labels})

    pcd: list[str] = []
    lad: list[str | None] = []
    ward: list[str | None] = []
    lsoa: list[str | None] = []
    for path in sorted(folder.iterdir()):
        if not POSTCODE_AREA_FILE.match(path.name):
            continue
        data = read_json(path)
        if not isinstance(data, dict):
            raise ReferenceDataError(f"{path.name} is not an outward → inward code mapping")
        for outward, inwards in data.items():
            for inward, values in inwards.items():
                pcd.append(f"{outward}{inward}")
                lad.append(values[0] or None)
                ward.append(values[1] or None)
                lsoa.append(values[2] or None)
    return {
        "lads": names("lads.json"),
        "wards": names("wards.json"),
        "lsoa21": names("lsoa.json"),
        "postcodes": pa.table({"postcode": pcd, "district": lad, "ward": ward, "lsoa21": lsoa}),
    }


def _gz_or_plain(folder: Path, file: str) -> Path:
    for cand in (folder / file, folder / f"{file}.gz"):
        if cand.is_file():
            return cand
    raise ReferenceDataError(f"{file} is missing from {folder}")


def _record_sources(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path], pc_dir: Path, origin: dict[str, str]
) -> list[LoadedSource]:
    con.execute("DELETE FROM ref_sources")
    tables = {
        "oa-lookup": "ref_oa, ref_lsoa11 (Wales), ref_lad",
        "imd-file-1": "ref_lsoa11 (England), ref_lad; checks ref_imd",
        "imd-file-2": "ref_imd",
        "imd-file-6": "ref_population",
        "lad-codes": "ref_lad_codes, ref_lad; every district column (current codes)",
        "lsoa11-lsoa21": "ref_lsoa_map, ref_lsoa11, ref_lsoa21, ref_lsoa",
        "lsoa21-ward": "ref_lsoa_ward, ref_lsoa21 (districts), ref_ward",
        "lad-region": "ref_lad_codes (regions)",
        "lad-csp-pfa": "ref_lad_codes (CSPs, police force areas), ref_lad_csp",
        POSTCODE_KIND.name: "ref_postcode, ref_lsoa21, ref_ward, ref_lad",
    }
    now = _utcnow()
    loaded: list[LoadedSource] = []
    entries = [(k, files[k.name]) for k in KINDS]
    pc_hash = hashlib.sha256()
    for p in sorted(pc_dir.iterdir()):
        if p.is_file() and p.name.endswith((".json", ".json.gz")):
            pc_hash.update(p.name.encode() + file_sha256(p).encode())
    for kind, path in entries:
        digest = file_sha256(path)
        loaded.append(LoadedSource(kind.name, path.name, digest, origin[kind.name]))
        con.execute(
            "INSERT INTO ref_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                kind.name,
                kind.description,
                path.name,
                digest,
                origin[kind.name],
                kind.publisher,
                OGL,
                kind.vintage,
                tables[kind.name],
                now,
            ],
        )
    k = POSTCODE_KIND
    loaded.append(LoadedSource(k.name, pc_dir.name, pc_hash.hexdigest(), origin[k.name]))
    con.execute(
        "INSERT INTO ref_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            k.name,
            k.description,
            pc_dir.name,
            pc_hash.hexdigest(),
            origin[k.name],
            k.publisher,
            OGL,
            k.vintage,
            tables[k.name],
            now,
        ],
    )
    return loaded
