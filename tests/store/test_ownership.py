"""The store owns every analytical table: only ``vrhub.store`` creates, alters or drops one.

Code elsewhere changes rows. It may keep working relations that live only in its connection:
``TEMP`` tables and views, and tables or views on the attached ``':memory:'`` scratch database
(``vrhub.ingest.stage.SCRATCH``). The record store's own Alembic migrations are not the
analytical store's and are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

import vrhub
from vrhub.home import Home, init_home
from vrhub.ingest.stage import SCRATCH
from vrhub.partnership import resolve_partnership
from vrhub.settings import load_settings
from vrhub.store.analytical import connect
from vrhub.store.migrations import MIGRATIONS, applied_version

SRC = Path(vrhub.__file__).resolve().parent
OWNER = SRC / "store"
RECORD_STORE_MIGRATIONS = SRC / "records" / "migrations"

OBJECT = r"(?:TABLE|VIEW|SEQUENCE|INDEX|SCHEMA|MACRO|TYPE)"
#: One part of a name: a word, an f-string placeholder or a quoted identifier.
PART = r'(?:"[^"\n]+"|[\w{}]+)'
#: A statement that changes a schema, and the (maybe qualified) name of what it changes.
DDL = re.compile(
    rf"\b(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?P<temp>(?:TEMP|TEMPORARY)\s+)?{OBJECT}"
    rf"|ALTER\s+(?:TABLE|VIEW|SEQUENCE)|DROP\s+{OBJECT})\b"
    r"(?:\s+IF\s+(?:NOT\s+)?EXISTS)?\s+"
    rf"(?P<name>{PART}(?:\.{PART})?)",
    re.IGNORECASE,
)
#: Python calls that create or drop a persistent table (Ibis, DuckDB relations).
API = re.compile(r"\.(?:create_table|drop_table|create_view|drop_view|to_table)\(")


def _scratch_names(text: str) -> set[str]:
    """Names this module gives the scratch database: its own name and any alias bound to it."""
    aliases = re.findall(r"\b(\w+)\s*=\s*[\w.]*\bSCRATCH\b", text)
    aliases += re.findall(r"\bSCRATCH\s+as\s+(\w+)", text)
    return {SCRATCH, "{SCRATCH}", *(f"{{{a}}}" for a in aliases)}


def persistent_ddl(text: str) -> list[tuple[int, str]]:
    """(line, statement) for each statement in ``text`` that would change the store's schema."""
    scratch = _scratch_names(text)
    found = []
    for m in DDL.finditer(text):
        name = m.group("name").replace('"', "")
        database = name.split(".", 1)[0] if "." in name else None
        if m.group("temp") or database in scratch:
            continue
        found.append((text.count("\n", 0, m.start()) + 1, " ".join(m.group(0).split())))
    for m in API.finditer(text):
        found.append((text.count("\n", 0, m.start()) + 1, m.group(0)))
    return sorted(found)


def test_no_module_outside_the_store_creates_alters_or_drops_a_table() -> None:
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        if path.is_relative_to(OWNER) or path.is_relative_to(RECORD_STORE_MIGRATIONS):
            continue
        for line, statement in persistent_ddl(path.read_text(encoding="utf-8")):
            offences.append(f"{path.relative_to(SRC.parent)}:{line}: {statement}")
    assert not offences, (
        "schema changes belong in a migration in vrhub/store/migrations.py; found:\n"
        + "\n".join(offences)
    )


def test_the_scan_finds_persistent_statements_and_passes_working_relations() -> None:
    text = '''
from vrhub.ingest.stage import SCRATCH as S
W = stage.SCRATCH
con.execute("CREATE TABLE IF NOT EXISTS ref_new (code VARCHAR)")
con.execute(f"""
    create or replace table
        ref_lad AS SELECT * FROM x""")
con.execute("ALTER TABLE ingest_batches ADD COLUMN x INTEGER")
con.execute("DROP TABLE IF EXISTS ref_old")
con.execute("CREATE VIEW v AS SELECT 1")
con.execute("CREATE SEQUENCE s")
backend.create_table("t", obj)
con.execute(f"CREATE TABLE {S}._stage_0 AS SELECT 1")
con.execute(f"CREATE OR REPLACE VIEW {W}._stage AS SELECT 1")
con.execute("DROP VIEW IF EXISTS vrhub_scratch._stage")
con.execute("CREATE TEMP TABLE work AS SELECT 1")
con.execute("CREATE OR REPLACE TEMPORARY VIEW work AS SELECT 1")
con.execute(f"CREATE TABLE {other}.t AS SELECT 1")
con.execute('DROP TABLE "ref x"')
con.execute('CREATE TABLE "vrhub_scratch"."w" AS SELECT 1')
# The store's migrations create the tables; this module creates tables of its own nowhere.
'''
    assert persistent_ddl(text) == [
        (4, "CREATE TABLE IF NOT EXISTS ref_new"),
        (6, "create or replace table ref_lad"),
        (8, "ALTER TABLE ingest_batches"),
        (9, "DROP TABLE IF EXISTS ref_old"),
        (10, "CREATE VIEW v"),
        (11, "CREATE SEQUENCE s"),
        (12, ".create_table("),
        (18, "CREATE TABLE {other}.t"),
        (19, 'DROP TABLE "ref x"'),
    ]


REFERENCE_SCHEMA = {
    "ref_oa": "oa11 lsoa11 lsoa11_name msoa11 msoa11_name lad lad_name",
    "ref_imd": "lsoa11 imd_rank:INTEGER imd_decile:INTEGER income_rank:INTEGER "
    "income_decile:INTEGER employment_rank:INTEGER employment_decile:INTEGER "
    "education_rank:INTEGER education_decile:INTEGER health_rank:INTEGER "
    "health_decile:INTEGER crime_rank:INTEGER crime_decile:INTEGER housing_rank:INTEGER "
    "housing_decile:INTEGER living_environment_rank:INTEGER living_environment_decile:INTEGER",
    "ref_population": "lsoa11 total:INTEGER aged_0_15:INTEGER aged_16_59:INTEGER "
    "aged_60_plus:INTEGER working_age_18_59_64:INTEGER vintage",
    "ref_lad": "code name",
    "ref_ward": "code name",
    "ref_postcode": "postcode district ward lsoa21",
    "ref_lsoa11": "code name district",
    "ref_lsoa": "code name district lsoa11 lsoa21 vintage",
    "ref_district_population": "district population:HUGEINT",
    "ref_lsoa21": "code name district",
    "ref_lsoa_map": "lsoa11 lsoa21 relationship method",
    "ref_lad_codes": "code name current_code current_name is_current:BOOLEAN region_code "
    "region_name csp_code csp_name pfa_code pfa_name",
    "ref_lad_csp": "district csp_code csp_name pfa_code pfa_name",
    "ref_lsoa_ward": "lsoa21 ward ward_name district vintage",
    "ref_sources": "kind description file sha256 origin publisher licence vintage tables "
    "loaded_at:TIMESTAMP",
    "ref_boundaries": "code!! name geometry file",
    "ref_boundary_files": "file sha256 features:INTEGER origin publisher loaded_at:TIMESTAMP",
    "ref_unit_costs": "category! offence_code! unit_cost:DOUBLE! price_year! source! "
    "file_name! file_sha256! loaded_at:TIMESTAMP!",
    "ref_population_estimates": "lsoa! geography! year:INTEGER! band! population:INTEGER! "
    "source! excludes_prisoners:BOOLEAN!",
    "ref_district_population_estimates": "district! geography! year:INTEGER! band! "
    "population:HUGEINT! source! excludes_prisoners:BOOLEAN! lsoas:INTEGER! complete:BOOLEAN!",
    "key_rotations": "rotated_at:TIMESTAMP! fingerprint_before! fingerprint_after! "
    "pseudonyms_rekeyed:BIGINT!",
}


def _expected(spec: str) -> list[tuple[str, str, str]]:
    """'name:TYPE!' means NOT NULL; '!!' the primary key; the type is VARCHAR if not given."""
    out = []
    for word in spec.split():
        bare = word.rstrip("!")
        name, _, kind = bare.partition(":")
        out.append((name, kind or "VARCHAR", "NO" if word.endswith("!") else "YES"))
    return out


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, str]]:
    return [
        (str(n), str(t), str(nullable))
        for n, t, nullable in con.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = ? AND table_catalog = current_database() "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


def test_a_new_store_has_every_reference_table_and_the_rotation_log_empty(
    tmp_path: Path,
) -> None:
    home, created = init_home(
        load_settings(tmp_path / "home"), resolve_partnership("west-yorkshire")
    )
    assert created
    con = connect(home)
    try:
        assert applied_version(con) == MIGRATIONS[-1].version >= 3
        [(described,)] = con.execute(
            "SELECT description FROM store_migrations WHERE version = 3"
        ).fetchall()
        assert "reference tables" in described
        for table, spec in REFERENCE_SCHEMA.items():
            assert _columns(con, table) == _expected(spec), table
            [(rows,)] = con.execute(f"SELECT count(*) FROM {table}").fetchall()
            assert rows == 0, table
        [(pk,)] = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = 'ref_boundaries' AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        assert pk == ["code"]
    finally:
        con.close()


def test_reference_data_from_before_the_district_population_table_gets_it(
    wy_home: Home,
) -> None:
    """Migration 3 sums the district populations of a home whose reference data predates
    that table, to the figures a reference load gives."""
    con = connect(wy_home)
    try:
        want = con.execute("SELECT * FROM ref_district_population ORDER BY 1").fetchall()
        assert len(want) > 290  # England's districts, by today's codes
        con.execute("DROP TABLE ref_district_population")
        con.execute("DELETE FROM store_migrations WHERE version >= 3")
    finally:
        con.close()
    con = connect(wy_home)
    try:
        assert applied_version(con) == MIGRATIONS[-1].version
        got = con.execute("SELECT * FROM ref_district_population ORDER BY 1").fetchall()
    finally:
        con.close()
    assert got == want


def test_reference_data_from_before_the_population_estimates_gets_its_mid_2015_rows(
    wy_home: Home,
) -> None:
    """Migration 6 gives a home loaded before it the IoD 2019 denominators it already held
    (mid-2015), by LSOA and by district, so its rates keep working until the next load; run
    again, it adds nothing twice."""
    con = connect(wy_home)
    try:
        query = "SELECT * FROM ref_district_population_estimates WHERE year = 2015 ORDER BY ALL"
        want = con.execute(query).fetchall()
        assert len(want) > 290 * 4  # England's districts by today's codes, four bands
        for table in ("ref_population_estimates", "ref_district_population_estimates"):
            con.execute(f"DELETE FROM {table}")
        con.execute("DELETE FROM store_migrations WHERE version >= 6")
    finally:
        con.close()
    for _ in range(2):
        con = connect(wy_home)
        try:
            got = con.execute(query).fetchall()
            con.execute("DELETE FROM store_migrations WHERE version >= 6")
        finally:
            con.close()
        assert got == want
