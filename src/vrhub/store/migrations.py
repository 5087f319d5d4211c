"""The analytical store's own tables, changed only by numbered migrations run on open.

Each migration runs once, in its own transaction, and is recorded in ``store_migrations``
with the release that applied it, so a home built by an earlier release opens and is brought
up to date, and a home newer than this release is refused rather than misread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from vrhub import __version__
from vrhub.errors import ConfigurationError


@dataclass(frozen=True)
class Migration:
    """One numbered change to the analytical store's schema."""

    version: int
    description: str
    sql: str


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

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the batch log, replaced months, problems found and quarantine", BATCH_LOG),
    Migration(
        2,
        "each batch's agreement, supplying organisation and uploader; rows added by a replacement",
        BATCH_GOVERNANCE,
    ),
)
LATEST = MIGRATIONS[-1].version


def applied_version(con: duckdb.DuckDBPyConnection) -> int:
    """The newest migration applied to this store (0 for a store that has none recorded)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'store_migrations'"
    ).fetchone()
    if not row or not row[0]:
        return 0
    got = con.execute("SELECT max(version) FROM store_migrations").fetchone()
    return int(got[0]) if got and got[0] is not None else 0


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
            con.execute(m.sql)
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
