"""The analytical store's own tables, changed only by numbered migrations run on open.

Each migration runs once, in its own transaction, and is recorded in ``store_migrations``
with the release that applied it, so a home built by an earlier release opens and is brought
up to date, and a home newer than this release is refused rather than misread.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from vrhub import __version__
from vrhub.errors import ConfigurationError
from vrhub.partnership import lad_codes


@dataclass(frozen=True)
class Migration:
    """One numbered change to the analytical store's schema."""

    version: int
    description: str
    #: The statements, or a function writing them when they run (for values drawn then).
    sql: str | Callable[[], str]
    #: Work on the data the statements cannot express (run after them, in the same transaction).
    after: Callable[[duckdb.DuckDBPyConnection], None] | None = None

    def statements(self) -> str:
        return self.sql if isinstance(self.sql, str) else self.sql()


BATCH_LOG = """
CREATE SEQUENCE IF NOT EXISTS batch_ids START 1;
CREATE TABLE IF NOT EXISTS ingest_batches (
    batch_id        INTEGER PRIMARY KEY,
    dataset         VARCHAR NOT NULL,
    source          VARCHAR,
    file_name       VARCHAR NOT NULL,
    file_sha256     VARCHAR NOT NULL,
    file_bytes      BIGINT NOT NULL,
    file_format     VARCHAR,
    encoding        VARCHAR,
    sheet           VARCHAR,
    status          VARCHAR NOT NULL,
    message         VARCHAR,
    months          VARCHAR[],
    rows_read       BIGINT NOT NULL DEFAULT 0,
    rows_accepted   BIGINT NOT NULL DEFAULT 0,
    rows_rejected   BIGINT NOT NULL DEFAULT 0,
    warnings        BIGINT NOT NULL DEFAULT 0,
    received_on     DATE,
    key_fingerprint VARCHAR,
    vrhub_version   VARCHAR,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP NOT NULL,
    problems_csv    VARCHAR
);
CREATE TABLE IF NOT EXISTS batch_replacements (
    batch_id          INTEGER NOT NULL,
    replaced_batch_id INTEGER NOT NULL,
    month             VARCHAR NOT NULL,
    rows_removed      BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_problems (
    batch_id    INTEGER NOT NULL,
    file_name   VARCHAR NOT NULL,
    row_number  BIGINT,
    column_name VARCHAR,
    value       VARCHAR,
    rule        VARCHAR NOT NULL,
    message     VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    batch_id    INTEGER NOT NULL,
    dataset     VARCHAR NOT NULL,
    source      VARCHAR,
    file_name   VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,
    reasons     VARCHAR NOT NULL,
    record      JSON NOT NULL
);
"""

#: Governance fails closed: a batch's agreement is written with its rows, in the same
#: transaction; the organisation that supplied it and who uploaded it are kept with it.
BATCH_GOVERNANCE = """
ALTER TABLE ingest_batches ADD COLUMN agreement_id INTEGER;
ALTER TABLE ingest_batches ADD COLUMN agreement_ref VARCHAR;
ALTER TABLE ingest_batches ADD COLUMN agreement_version INTEGER;
ALTER TABLE ingest_batches ADD COLUMN organisation VARCHAR;
ALTER TABLE ingest_batches ADD COLUMN uploaded_by VARCHAR;
ALTER TABLE batch_replacements ADD COLUMN rows_added BIGINT;
"""

#: Reference data and the key-rotation log, once created by the modules that load them. A home
#: from an earlier release keeps its tables and rows; a new home gets them empty, to be filled
#: by ``vrhub reference load``, ``vrhub costs load`` and ``vrhub key rotate``. A home whose
#: reference data predates ``ref_district_population`` gets it summed from what it holds.
REFERENCE_TABLES = """
CREATE TABLE IF NOT EXISTS ref_oa (
    oa11 VARCHAR, lsoa11 VARCHAR, lsoa11_name VARCHAR, msoa11 VARCHAR, msoa11_name VARCHAR,
    lad VARCHAR, lad_name VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_imd (
    lsoa11 VARCHAR, imd_rank INTEGER, imd_decile INTEGER, income_rank INTEGER,
    income_decile INTEGER, employment_rank INTEGER, employment_decile INTEGER,
    education_rank INTEGER, education_decile INTEGER, health_rank INTEGER,
    health_decile INTEGER, crime_rank INTEGER, crime_decile INTEGER, housing_rank INTEGER,
    housing_decile INTEGER, living_environment_rank INTEGER, living_environment_decile INTEGER
);
CREATE TABLE IF NOT EXISTS ref_population (
    lsoa11 VARCHAR, total INTEGER, aged_0_15 INTEGER, aged_16_59 INTEGER,
    aged_60_plus INTEGER, working_age_18_59_64 INTEGER, vintage VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_lad (code VARCHAR, name VARCHAR);
CREATE TABLE IF NOT EXISTS ref_ward (code VARCHAR, name VARCHAR);
CREATE TABLE IF NOT EXISTS ref_postcode (
    postcode VARCHAR, district VARCHAR, ward VARCHAR, lsoa21 VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_lsoa11 (code VARCHAR, name VARCHAR, district VARCHAR);
CREATE TABLE IF NOT EXISTS ref_lsoa21 (code VARCHAR, name VARCHAR, district VARCHAR);
CREATE TABLE IF NOT EXISTS ref_lsoa_map (
    lsoa11 VARCHAR, lsoa21 VARCHAR, relationship VARCHAR, method VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_lsoa (
    code VARCHAR, name VARCHAR, district VARCHAR, lsoa11 VARCHAR, lsoa21 VARCHAR,
    vintage VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_district_population (district VARCHAR, population HUGEINT);
INSERT INTO ref_district_population
SELECT l.district, sum(p.total) AS population
FROM ref_population p JOIN ref_lsoa l ON l.code = p.lsoa11 AND l.code = l.lsoa11
WHERE l.district IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ref_district_population)
GROUP BY 1;
CREATE TABLE IF NOT EXISTS ref_sources (
    kind VARCHAR, description VARCHAR, file VARCHAR, sha256 VARCHAR, origin VARCHAR,
    publisher VARCHAR, licence VARCHAR, vintage VARCHAR, tables VARCHAR, loaded_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS ref_boundaries (
    code VARCHAR PRIMARY KEY, name VARCHAR, geometry VARCHAR, file VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_boundary_files (
    file VARCHAR, sha256 VARCHAR, features INTEGER, origin VARCHAR, publisher VARCHAR,
    loaded_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS ref_unit_costs (
    category VARCHAR NOT NULL, offence_code VARCHAR NOT NULL, unit_cost DOUBLE NOT NULL,
    price_year VARCHAR NOT NULL, source VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS key_rotations (
    rotated_at TIMESTAMP NOT NULL, fingerprint_before VARCHAR NOT NULL,
    fingerprint_after VARCHAR NOT NULL, pseudonyms_rekeyed BIGINT NOT NULL
);
"""


def _cell_key_secret() -> str:
    """The store's secret for record keys (see :mod:`vrhub.disclosure.engine`), drawn once."""
    return (
        "CREATE TABLE IF NOT EXISTS cell_key_secret (secret VARCHAR NOT NULL);\n"
        f"INSERT INTO cell_key_secret SELECT '{secrets.token_hex(32)}' "
        "WHERE NOT EXISTS (SELECT 1 FROM cell_key_secret);"
    )


#: Current district codes (every code since 2011 mapped to today's, with region, CSP and police
#: force area), each district's CSPs, and the ward of each LSOA 2021: filled by
#: ``vrhub reference load``.
CURRENT_GEOGRAPHY = """
CREATE TABLE IF NOT EXISTS ref_lad_codes (
    code VARCHAR, name VARCHAR, current_code VARCHAR, current_name VARCHAR, is_current BOOLEAN,
    region_code VARCHAR, region_name VARCHAR, csp_code VARCHAR, csp_name VARCHAR,
    pfa_code VARCHAR, pfa_name VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_lad_csp (
    district VARCHAR, csp_code VARCHAR, csp_name VARCHAR, pfa_code VARCHAR, pfa_name VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_lsoa_ward (
    lsoa21 VARCHAR, ward VARCHAR, ward_name VARCHAR, district VARCHAR, vintage VARCHAR
);
"""


def _code_map(con: duckdb.DuckDBPyConnection) -> None:
    """TEMP ``_lad_map(code, name, current_code, current_name)``: the store's district codes
    once reference data is loaded, else the shipped ONS list."""
    [(loaded,)] = con.execute("SELECT count(*) FROM ref_lad_codes").fetchall()
    if loaded:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _lad_map AS "
            "SELECT code, name, current_code, current_name FROM ref_lad_codes"
        )
        return

    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    rows = ", ".join(
        f"({q(c.code)}, {q(c.name)}, {q(c.current_code)}, {q(c.current_name)})"
        for c in lad_codes().values()
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lad_map AS SELECT * FROM "
        f"(VALUES {rows}) v(code, name, current_code, current_name)"
    )


def recode_stored_districts(con: duckdb.DuckDBPyConnection) -> None:
    """Every stored ``district`` (events and reference tables) as today's code: a home built
    before Barnsley and Sheffield were recoded (or any other change) keeps one code per place.
    District names gain today's codes too."""
    _code_map(con)
    tables = [
        str(t)
        for (t,) in con.execute(
            "SELECT c.table_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
            "WHERE c.column_name = 'district' AND t.table_type = 'BASE TABLE' "
            "AND c.table_catalog = current_database() AND c.table_schema = 'main' "
            "AND c.table_name <> 'ref_district_population' ORDER BY 1"
        ).fetchall()
    ]
    for table in tables:
        con.execute(f"""
            UPDATE "{table}" t SET district = c.current_code FROM _lad_map c
            WHERE t.district = c.code AND c.code <> c.current_code
        """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _pop AS
        SELECT coalesce(c.current_code, p.district) AS district, sum(p.population) AS population
        FROM ref_district_population p LEFT JOIN _lad_map c ON c.code = p.district
        GROUP BY 1;
        DELETE FROM ref_district_population;
        INSERT INTO ref_district_population SELECT * FROM _pop;
        INSERT INTO ref_lad SELECT DISTINCT current_code, current_name FROM _lad_map
        WHERE current_code NOT IN (SELECT code FROM ref_lad) AND EXISTS (SELECT 1 FROM ref_lad);
    """)


#: Populations of every vintage vrhub holds, one row per LSOA, year and age band (the
#: geography says which LSOA codes), summed by district; and the Indices of Deprivation 2025 on
#: LSOA 2021. A home loaded before them keeps working: its IoD 2019 denominators (mid-2015,
#: excluding prisoners) are copied in, and ``vrhub reference load`` adds the newer ones.
POPULATIONS_AND_IOD2025 = """
CREATE TABLE IF NOT EXISTS ref_population_estimates (
    lsoa VARCHAR NOT NULL, geography VARCHAR NOT NULL, year INTEGER NOT NULL,
    band VARCHAR NOT NULL, population INTEGER NOT NULL, source VARCHAR NOT NULL,
    excludes_prisoners BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_district_population_estimates (
    district VARCHAR NOT NULL, geography VARCHAR NOT NULL, year INTEGER NOT NULL,
    band VARCHAR NOT NULL, population HUGEINT NOT NULL, source VARCHAR NOT NULL,
    excludes_prisoners BOOLEAN NOT NULL, lsoas INTEGER NOT NULL, complete BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_imd2025 (
    lsoa21 VARCHAR, imd_rank INTEGER, imd_decile INTEGER, income_rank INTEGER,
    income_decile INTEGER, employment_rank INTEGER, employment_decile INTEGER,
    education_rank INTEGER, education_decile INTEGER, health_rank INTEGER,
    health_decile INTEGER, crime_rank INTEGER, crime_decile INTEGER, housing_rank INTEGER,
    housing_decile INTEGER, living_environment_rank INTEGER, living_environment_decile INTEGER,
    idaci_rank INTEGER, idaci_decile INTEGER, idaopi_rank INTEGER, idaopi_decile INTEGER,
    imd_score DOUBLE, income_score DOUBLE, employment_score DOUBLE, education_score DOUBLE,
    health_score DOUBLE, crime_score DOUBLE, housing_score DOUBLE,
    living_environment_score DOUBLE
);
INSERT INTO ref_population_estimates
SELECT lsoa11, 'LSOA 2011', 2015, band, population,
       'IoD 2019 population denominators (ONS mid-2015 estimates)', TRUE
FROM (SELECT lsoa11, total AS "all", aged_0_15 AS "0-15", aged_16_59 AS "16-59",
             aged_60_plus AS "60+" FROM ref_population)
UNPIVOT (population FOR band IN ("all", "0-15", "16-59", "60+"))
WHERE population IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ref_population_estimates);
INSERT INTO ref_district_population_estimates
WITH held AS (
    SELECT district, 'LSOA 2011' AS geography, count(*) AS n FROM ref_lsoa
    WHERE lsoa11 = code GROUP BY ALL
    UNION ALL
    SELECT district, 'LSOA 2021', count(*) FROM ref_lsoa WHERE lsoa21 = code GROUP BY ALL)
SELECT l.district, p.geography, p.year, p.band, sum(p.population), p.source,
       p.excludes_prisoners, count(*), count(*) >= any_value(h.n)
FROM ref_population_estimates p JOIN ref_lsoa l ON l.code = p.lsoa
JOIN held h ON h.district = l.district AND h.geography = p.geography
WHERE l.district IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM ref_district_population_estimates)
GROUP BY l.district, p.geography, p.year, p.band, p.source, p.excludes_prisoners;
"""

#: Published rates to benchmark against (England, region, districts, comparable areas), filled
#: by ``vrhub reference benchmarks load FILE`` (see :mod:`vrhub.reference.benchmarks`).
BENCHMARKS = """
CREATE TABLE IF NOT EXISTS ref_benchmarks (
    indicator VARCHAR NOT NULL, indicator_title VARCHAR NOT NULL, area_code VARCHAR NOT NULL,
    area_name VARCHAR NOT NULL, area_type VARCHAR NOT NULL, period VARCHAR NOT NULL,
    period_from VARCHAR NOT NULL, period_to VARCHAR NOT NULL, rate DOUBLE NOT NULL,
    rate_per INTEGER NOT NULL, lower DOUBLE, upper DOUBLE, source VARCHAR NOT NULL,
    publication VARCHAR NOT NULL, illustrative BOOLEAN NOT NULL, definition_note VARCHAR,
    file_name VARCHAR NOT NULL, file_sha256 VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the batch log, replaced months, problems found and quarantine", BATCH_LOG),
    Migration(
        2,
        "each batch's agreement, supplying organisation and uploader; rows added by a replacement",
        BATCH_GOVERNANCE,
    ),
    Migration(
        3,
        "reference tables, unit costs and the key-rotation log, owned by the store",
        REFERENCE_TABLES,
    ),
    Migration(
        4,
        "the secret each record's disclosure-control key is drawn from",
        _cell_key_secret,
    ),
    Migration(
        5,
        "current district codes (every code since 2011 mapped to today's), CSPs and police "
        "force areas, LSOA 2021 wards; stored districts recoded to today's codes",
        CURRENT_GEOGRAPHY,
        recode_stored_districts,
    ),
    Migration(
        6,
        "populations of every vintage by age band, and the Indices of Deprivation 2025",
        POPULATIONS_AND_IOD2025,
    ),
    Migration(
        8,
        "published benchmark rates: England, region, districts and comparable areas",
        BENCHMARKS,
    ),
)
LATEST = MIGRATIONS[-1].version


def applied_version(con: duckdb.DuckDBPyConnection) -> int:
    """The newest migration applied to this store (0 for a store that has none recorded)."""
    [(tables,)] = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'store_migrations'"
    ).fetchall()
    if not tables:
        return 0
    [(got,)] = con.execute("SELECT max(version) FROM store_migrations").fetchall()
    return int(got) if got is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Apply every migration this store lacks, each in its own transaction; return them."""
    current = applied_version(con)
    if current > LATEST:
        raise ConfigurationError(
            f"the analytical store is at schema version {current}, newer than this release of "
            f"vrhub ({__version__}, schema version {LATEST}) knows: upgrade vrhub to open it"
        )
    done = []
    for m in MIGRATIONS:
        if m.version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "CREATE TABLE IF NOT EXISTS store_migrations (version INTEGER PRIMARY KEY, "
                "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL, "
                "vrhub_version VARCHAR NOT NULL)"
            )
            con.execute(m.statements())
            if m.after is not None:
                m.after(con)
            con.execute(
                "INSERT INTO store_migrations VALUES (?, ?, ?, ?)",
                [
                    m.version,
                    m.description,
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    __version__,
                ],
            )
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        done.append(m)
    return done
