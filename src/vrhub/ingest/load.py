"""Ingest one file: validate every row, pseudonymise, and load in a single transaction.

Order of work for a file:

1. fingerprint it; the same file (same SHA-256) already loaded changes nothing;
2. refuse it whole if no row can be read (empty, binary, wrong separator, missing columns);
3. stream its rows, block by block, through the single pass of :mod:`vrhub.ingest.stage`
   (convert, check, pseudonymise, place) into a scratch table; no clear identifier is kept;
4. list every problem and reject duplicates within the file and of rows already loaded;
5. in one transaction: replace the months the same supplying organisation already sent
   from this source (:mod:`vrhub.ingest.replace`), insert the accepted rows, keep rejected
   rows in quarantine with their reasons, and log the batch with the agreement it came under,
   so a batch is never in the store without its agreement.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa

from vrhub import __version__
from vrhub.checksums import file_sha256
from vrhub.datasets.spec import Dataset, Kind
from vrhub.errors import FileRejectedError, NoAgreementError, PseudonymisationKeyError
from vrhub.home import Home
from vrhub.ingest import stage
from vrhub.ingest.files import inspect
from vrhub.ingest.readers import FileReader, MalformedRow, NotLoadedHere, open_reader
from vrhub.ingest.replace import (
    Replaced,
    Uploader,
    record_after,
    refuse_out_of_scope,
    replace_months,
    same_supplier,
)
from vrhub.ingest.report import write_problems_csv
from vrhub.store.analytical import first, table_exists, transaction
from vrhub.store.batches import log_batch
from vrhub.store.events import cell_key_secret, record_identifier, record_key_sql, stored_fields

S = stage.SCRATCH
SLICE_ROWS = 16_384


def _utcnow() -> dt.datetime:
    """Now in UTC, without a zone (the store's timestamps are all UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


#: The severity of a row kept aside because another organisation already sent the record: not
#: an error of the uploader's, and never shown to them.
HELD = "held"


@dataclass
class IngestResult:
    """What happened to one file."""

    file: str
    dataset: str
    status: str  # loaded | unchanged | rejected | skipped (a kind of file vrhub does not load)
    message: str
    batch_id: int | None = None
    source: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    warnings: int = 0
    months: list[str] = field(default_factory=list)
    #: Each month of an earlier batch this file replaced, with rows before and after.
    replacements: list[Replaced] = field(default_factory=list)
    problems_csv: Path | None = None
    file_sha256: str | None = None
    agreement_id: int | None = None
    agreement: str | None = None  # e.g. "WY-DSA-001 v2"

    @property
    def replaced(self) -> list[tuple[int, str, int]]:
        """(earlier batch, month, rows it had) for each month this file replaced."""
        return [(r.batch_id, r.month, r.rows_before) for r in self.replacements]


class Agreed(Protocol):
    """What ingest needs to know of the agreement a file comes under."""

    @property
    def label(self) -> str: ...

    @property
    def ref(self) -> str: ...

    @property
    def version(self) -> int: ...


#: Given a file's source, the agreement (its record-store id and reference) it comes under;
#: raises :class:`vrhub.errors.NoAgreementError` when none covers it.
Authorise = Callable[[str], tuple[int, Agreed]]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    dataset: Dataset,
    path: Path,
    source: str | None = None,
    received: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    authorise: Authorise | None = None,
    uploader: Uploader | None = None,
) -> IngestResult:
    """Ingest one file; never raises for bad data, which is reported in the result.

    ``authorise`` (from governance) names the agreement the file comes under once its
    source is known; a file no active agreement covers is refused whole and logged.
    ``uploader`` says who sends it, for which organisation and districts.
    """
    started = _utcnow()
    uploader = uploader or Uploader("unknown")
    try:
        facts = inspect(path)
    except FileRejectedError as exc:
        return _log_rejected(
            con, home, dataset, path, None, str(exc), started, received, source, uploader
        )
    done = first(
        con.execute(
            "SELECT batch_id, finished_at FROM ingest_batches WHERE file_sha256 = ? "
            "AND dataset = ? AND status = 'loaded' AND organisation IS NOT DISTINCT FROM ? "
            "ORDER BY batch_id LIMIT 1",
            [facts.sha256, dataset.name, uploader.organisation],
        ).fetchall()
    )
    if done:
        return IngestResult(
            path.name,
            dataset.name,
            "unchanged",
            f"{path.name} is identical to batch {done[0]} loaded on "
            f"{done[1]:%Y-%m-%d %H:%M}; nothing changed",
            batch_id=int(done[0]),
        )
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {S}").fetchall()
    _check_key_is_current(con, home)
    try:
        reader = open_reader(dataset, facts, home.settings.read_block_mb << 20)
        agreement: tuple[int, Agreed] | None = None
        # Refuse a file no agreement covers before reading it, when its source is known.
        known_source = slug(source) or source if source else None
        if known_source is None and dataset.source_field is None:
            known_source = dataset.name
        if authorise is not None and known_source is not None:
            agreement = _authorised(authorise, known_source, path)
        work = _prepare(con, home, dataset, reader, source, progress, uploader)
        if authorise is not None and agreement is None:
            agreement = _authorised(authorise, work.source, path)
        with transaction(con):
            result = _commit(
                con, home, dataset, reader, work, received, started, uploader, agreement
            )
        if agreement is not None:
            result.agreement_id, result.agreement = agreement[0], agreement[1].label
        return result
    except NotLoadedHere as exc:
        return IngestResult(path.name, dataset.name, "skipped", f"skipped {exc}")
    except FileRejectedError as exc:
        return _log_rejected(
            con,
            home,
            dataset,
            path,
            facts.sha256,
            str(exc),
            started,
            received,
            source,
            uploader,
            facts.format,
            facts.encoding,
        )
    finally:
        _drop_scratch(con)


def _check_key_is_current(con: duckdb.DuckDBPyConnection, home: Home) -> None:
    """Refuse to pseudonymise with a key chain older than the store's (after a rotation)."""
    if not table_exists(con, "key_rotations"):
        return
    rows = con.execute(
        "SELECT fingerprint_after FROM key_rotations ORDER BY rotated_at DESC LIMIT 1"
    ).fetchall()
    row = rows[0] if rows else None
    if row and row[0] != home.key.fingerprint:
        raise PseudonymisationKeyError(
            f"the store's pseudonyms are under key {row[0]} but this session holds key "
            f"{home.key.fingerprint}: the key was rotated; open the home again"
        )


def _authorised(authorise: Authorise, source: str, path: Path) -> tuple[int, Agreed]:
    try:
        return authorise(source)
    except NoAgreementError as exc:
        raise FileRejectedError(f"{path.name}: {exc}") from None


def _log_rejected(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    dataset: Dataset,
    path: Path,
    sha: str | None,
    message: str,
    started: dt.datetime,
    received: dt.date | None,
    source: str | None,
    uploader: Uploader,
    fmt: str | None = None,
    encoding: str | None = None,
) -> IngestResult:
    if sha is None:
        sha = file_sha256(path) if path.is_file() else ""
    row = first(con.execute("SELECT nextval('batch_ids')").fetchall())
    assert row is not None
    batch_id = int(row[0])
    csv_path = home.reports_dir / f"batch-{batch_id:05d}-{slug(path.name)}-problems.csv"
    with transaction(con):
        con.execute(
            "INSERT INTO ingest_problems VALUES (?, ?, NULL, NULL, NULL, 'file', ?, 'error')",
            [batch_id, path.name, message],
        )
        log_batch(
            con,
            batch_id=batch_id,
            dataset=dataset.name,
            source=source,
            file_name=path.name,
            file_sha256=sha,
            file_bytes=path.stat().st_size if path.is_file() else 0,
            file_format=fmt,
            encoding=encoding,
            status="rejected",
            message=message,
            received_on=received or dt.date.today(),
            vrhub_version=__version__,
            started_at=started,
            finished_at=_utcnow(),
            problems_csv=str(csv_path),
            organisation=uploader.organisation,
            uploaded_by=uploader.actor,
        )
    write_problems_csv(
        con,
        csv_path,
        path.name,
        "(SELECT row_number AS _row, column_name, value, rule, message, severity "
        f"FROM ingest_problems WHERE batch_id = {int(batch_id)})",
        HELD,
    )
    return IngestResult(
        path.name,
        dataset.name,
        "rejected",
        message,
        batch_id=batch_id,
        source=source,
        problems_csv=csv_path,
        file_sha256=sha,
    )


@dataclass
class _Work:
    """What the preparation found, ready for the transaction that keeps it."""

    source: str
    rows_read: int
    months: list[str]
    has_refused: bool

    @property
    def accepted(self) -> str:
        """SQL condition, over ``_stage``, for the rows to load."""
        ok = "NOT _error"
        if self.has_refused:
            ok += f" AND _row NOT IN (SELECT _row FROM {S}._dups)"
        return ok


def _prepare(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    dataset: Dataset,
    reader: FileReader,
    source: str | None,
    progress: Callable[[int], None] | None,
    uploader: Uploader,
) -> _Work:
    """Stage, check and de-duplicate the file's rows in the scratch database; refuse rows
    outside the uploader's districts."""
    name = reader.facts.path.name
    params: dict[str, object] = dict(home.key.sql_params())
    the_plan = stage.plan(
        dataset,
        tuple(home.partnership.district_codes),
        set(reader.match.columns),
        len(home.key.chain),
    )
    rows_read = _stage_blocks(con, reader, the_plan, params, progress)
    if rows_read == 0 and not reader.malformed:
        raise FileRejectedError(f"{name} has a header row but no data rows: nothing to load")
    src = _resolve_source(con, dataset, source, name)
    _list_problems(con, dataset, reader, the_plan)
    refuse_out_of_scope(con, dataset, uploader)
    has_refused = _find_duplicates(con, dataset, src, uploader)
    work = _Work(src, rows_read, [], has_refused)
    work.months = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT month FROM {S}._stage WHERE {work.accepted} ORDER BY 1"
        ).fetchall()
    ]
    return work


def _stage_blocks(
    con: duckdb.DuckDBPyConnection,
    reader: FileReader,
    the_plan: stage.StagePlan,
    params: dict[str, object],
    progress: Callable[[int], None] | None,
) -> int:
    """Run every block of the file through the single pass; ``_stage`` is their union.

    Each block becomes its own scratch table, written by all of DuckDB's threads at once
    (appending to one table block by block is several times slower), and the view
    ``_stage`` unites them.
    """
    values = _used(the_plan.select, params)
    read = 0
    parts = 0
    for block in reader.blocks():
        # DuckDB shares a scan of Arrow data among its threads batch by batch, so a block
        # read as one large batch is cut into slices (no copy) to use every thread.
        slices = block.to_batches(max_chunksize=SLICE_ROWS)
        con.register("_block", pa.Table.from_batches(slices, block.schema))
        con.execute(f"CREATE TABLE {S}._stage_{parts} AS {the_plan.select}", values)
        con.unregister("_block")
        parts += 1
        read += block.num_rows
        if progress:
            progress(block.num_rows)
    if parts == 0:
        empty = pa.table(
            {name: pa.array([], pa.string()) for name in reader.match.columns}
            | {"_row": pa.array([], pa.int64())}
        )
        con.register("_block", empty)
        con.execute(f"CREATE TABLE {S}._stage_0 AS {the_plan.select}", values)
        con.unregister("_block")
        parts = 1
    union = " UNION ALL ".join(f"SELECT * FROM {S}._stage_{i}" for i in range(parts))
    con.execute(f"CREATE OR REPLACE VIEW {S}._stage AS {union}")
    return read


def _drop_scratch(con: duckdb.DuckDBPyConnection) -> None:
    """Remove an ingest's working tables and views from the scratch database."""
    for name, kind in con.execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_catalog = ?",
        [S],
    ).fetchall():
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {S}.{name}")


def _resolve_source(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, given: str | None, file_name: str
) -> str:
    if given:
        return slug(given) or given
    if dataset.source_field is None:
        return dataset.name
    values = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT _source FROM {S}._stage WHERE _source IS NOT NULL LIMIT 4"
        ).fetchall()
    ]
    if len(values) == 1:
        return slug(values[0])
    if not values:
        return dataset.name
    f = dataset.field(dataset.source_field)
    raise FileRejectedError(
        f"{file_name} holds rows from several {f.header} values ({', '.join(values[:3])}...); "
        "say which source it is with --source"
    )


def _list_problems(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, reader: FileReader, the_plan: stage.StagePlan
) -> None:
    """Every problem found, one row each: the broken rules, unknown columns, bad rows."""
    checks = pa.table(
        {
            "c": pa.array([c.number for c in the_plan.checks], pa.int32()),
            "column_name": [c.column for c in the_plan.checks],
            "rule": [c.rule for c in the_plan.checks],
            "message": [c.message for c in the_plan.checks],
            "severity": [c.severity for c in the_plan.checks],
        }
    )
    con.register("_checks", checks)
    con.execute(f"""
        CREATE OR REPLACE TABLE {S}._problems AS
        SELECT x._row, c.column_name, x.i.v AS value, c.rule, c.message, c.severity
        FROM (SELECT _row, unnest(_issues) AS i FROM {S}._stage WHERE _issues IS NOT NULL) x
        JOIN _checks c ON c.c = x.i.c""")
    con.unregister("_checks")
    name = reader.facts.path.name
    extra_rows: list[tuple[int | None, str | None, None, str, str, str]] = [
        (
            None,
            extra,
            None,
            "unknown-column",
            f"column '{extra}' is not part of the {dataset.title} standard; it was not loaded",
            "warning",
        )
        for extra in reader.match.extras
    ]
    if reader.facts.encoding and reader.facts.encoding != "utf-8":
        extra_rows.append(
            (
                None,
                None,
                None,
                "encoding",
                f"{name} is not UTF-8; it was read as Windows-1252 (Latin-1) text",
                "warning",
            )
        )
    extra_rows += [
        (
            m.row,
            None,
            None,
            "column-count",
            f"row has {m.actual} values but the header has {m.expected}; it may be cut "
            "short or hold an unquoted comma",
            "error",
        )
        for m in reader.malformed
    ]
    if extra_rows:
        con.executemany(f"INSERT INTO {S}._problems VALUES (?, ?, ?, ?, ?, ?)", extra_rows)


def _find_duplicates(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, src: str, uploader: Uploader
) -> bool:
    """Report record identifiers repeated in the file or already loaded (except rows this
    file replaces); True if any row is refused, for this or for being out of scope."""
    rid = dataset.record_id_field
    if rid is None:
        return _refused(con)
    hidden = "'(identifier hidden)'" if rid.identifies_person else "d._rid"
    con.execute(f"""
        INSERT INTO {S}._problems
        SELECT d._row, '{rid.header}', {hidden}, 'duplicate-in-file',
               '{rid.header} repeats row ' || r.first_row || ' of this file', 'error'
        FROM {S}._stage d
        JOIN (SELECT _rid, min(_row) AS first_row FROM {S}._stage
              WHERE NOT _error AND _rid IS NOT NULL GROUP BY _rid HAVING count(*) > 1) r
          ON r._rid = d._rid
        WHERE NOT d._error AND d._row <> r.first_row
    """)
    # A row the file will replace is not a duplicate. A row the same organisation already
    # sent is refused, naming where it was loaded.
    cond, params = same_supplier(uploader)
    held = f"""
        FROM {S}._stage d
        JOIN {dataset.table} e ON e."{rid.stored_name}" = d._rid
        JOIN ingest_batches b ON b.batch_id = e.batch_id
        WHERE NOT d._error
          AND NOT ({cond} AND e.month IN (SELECT DISTINCT month FROM {S}._stage
                                          WHERE NOT _error))
          AND b.organisation IS {{}} DISTINCT FROM $org
    """
    con.execute(
        f"""
        INSERT INTO {S}._problems
        SELECT d._row, '{rid.header}', {hidden}, 'duplicate-already-loaded',
               '{rid.header} was already loaded from ' || b.file_name || ' (batch ' ||
               e.batch_id || ', row ' || e.row_number || ')', 'error'
        {held.format("NOT")}
    """,
        params | {"src": src},
    )
    # A row another organisation already sent is kept aside (in quarantine, for analysts)
    # so the record is counted once; the uploader is told nothing of it, so an upload cannot
    # be used to learn what another organisation's data holds.
    con.execute(
        f"""
        INSERT INTO {S}._problems
        SELECT DISTINCT d._row, '{rid.header}', {hidden}, 'held-once',
               '{rid.header} is already held from another organisation''s data: kept aside so '
               || 'the record is counted once', '{HELD}'
        {held.format("")}
          AND d._row NOT IN (SELECT _row FROM {S}._problems WHERE rule LIKE 'duplicate%')
    """,
        params | {"src": src},
    )
    return _refused(con)


def _refused(con: duckdb.DuckDBPyConnection) -> bool:
    """Gather the rows refused after staging (duplicates, out of scope); True if any."""
    con.execute(f"""CREATE OR REPLACE TABLE {S}._dups AS SELECT DISTINCT _row FROM {S}._problems
                    WHERE rule LIKE 'duplicate%'
                       OR rule IN ('outside-your-districts', 'held-once')""")
    return _count(con, f"SELECT count(*) FROM {S}._dups") > 0


def _commit(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    dataset: Dataset,
    reader: FileReader,
    work: _Work,
    received: dt.date | None,
    started: dt.datetime,
    uploader: Uploader,
    agreement: tuple[int, Agreed] | None,
) -> IngestResult:
    """Keep what the preparation found: events, quarantine, problems and the batch log
    (with the agreement the batch came under)."""
    facts = reader.facts
    name = facts.path.name
    src = work.source
    row = first(con.execute("SELECT nextval('batch_ids')").fetchall())
    assert row is not None
    batch_id = int(row[0])
    _quarantine(con, home, dataset, reader, batch_id, src, name)

    replaced = replace_months(con, dataset, batch_id, src, uploader, work.months)
    stored = stored_fields(dataset)
    cols = (
        ["batch_id", "source", "row_number", "month"]
        + [f'"{f.stored_name}"' for f in stored]
        + [f'"{f.name}_has_time"' for f in stored if f.kind == Kind.DATETIME]
        + ["lsoa11", "lsoa21", "district", "in_partnership", "location_known"]
    )
    values = ["?", "?", "_row", *cols[3:]]
    key = record_key_sql(dataset, record_identifier(dataset), "_row", "month", "?")
    con.execute(
        f"INSERT INTO {dataset.table} ({', '.join(cols)}, record_key) "
        f"SELECT {', '.join(values)}, {key} FROM {S}._stage WHERE {work.accepted}",
        [batch_id, src, cell_key_secret(con), src],
    )
    replaced = record_after(con, dataset, batch_id, replaced)
    rejected = _count(
        con,
        f"SELECT count(DISTINCT _row) FROM {S}._problems "
        "WHERE severity = 'error' AND _row IS NOT NULL",
    )
    total_read = work.rows_read + len(reader.malformed)
    accepted = total_read - rejected
    warnings = _count(con, f"SELECT count(*) FROM {S}._problems WHERE severity = 'warning'")
    csv_path = home.reports_dir / f"batch-{batch_id:05d}-{slug(name)}-problems.csv"
    con.execute(
        "INSERT INTO ingest_problems SELECT ?, ?, _row, column_name, value, rule, message, "
        f"severity FROM {S}._problems ORDER BY _row NULLS FIRST, column_name",
        [batch_id, name],
    )
    message = (
        f"{name}: {accepted:,} of {total_read:,} rows loaded"
        + (f", {rejected:,} rejected into quarantine" if rejected else "")
        + (f", {warnings:,} warnings" if warnings else "")
    )
    if not accepted:
        message = (
            f"nothing loaded from {name}: all {total_read:,} rows were rejected; "
            "see the problems file"
        )
    # A file none of whose rows could be kept is rejected (nothing of it is in the store),
    # though its rows are in quarantine with their reasons like any refused row.
    status = "loaded" if accepted else "rejected"
    log_batch(
        con,
        batch_id=batch_id,
        dataset=dataset.name,
        source=src,
        file_name=name,
        file_sha256=facts.sha256,
        file_bytes=facts.size,
        file_format=facts.format,
        encoding=facts.encoding,
        sheet=reader.sheet,
        status=status,
        message=message,
        months=work.months,
        rows_read=total_read,
        rows_accepted=accepted,
        rows_rejected=rejected,
        warnings=warnings,
        received_on=received or dt.date.today(),
        key_fingerprint=home.key.fingerprint,
        vrhub_version=__version__,
        started_at=started,
        finished_at=_utcnow(),
        problems_csv=str(csv_path),
        agreement_id=agreement[0] if agreement else None,
        agreement_ref=agreement[1].ref if agreement else None,
        agreement_version=agreement[1].version if agreement else None,
        organisation=uploader.organisation,
        uploaded_by=uploader.actor,
    )
    # What the uploader is given: rows kept aside as held by another organisation are not
    # theirs to know of (analysts find them in quarantine and the problem log). Written by
    # the store, not row by row in Python, however many problems there are.
    write_problems_csv(con, csv_path, name, f"{S}._problems", HELD)
    return IngestResult(
        name,
        dataset.name,
        status,
        message,
        batch_id=batch_id,
        source=src,
        rows_read=total_read,
        rows_accepted=accepted,
        rows_rejected=rejected,
        warnings=warnings,
        months=work.months,
        replacements=replaced,
        problems_csv=csv_path,
        file_sha256=facts.sha256,
    )


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = first(con.execute(sql).fetchall())
    return int(row[0]) if row else 0


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    dataset: Dataset,
    reader: FileReader,
    batch_id: int,
    src: str,
    name: str,
) -> None:
    """Keep every rejected row with its reasons; duplicates keep their checked values."""
    checked = ", ".join(f"'{f.header}', \"{f.stored_name}\"" for f in stored_fields(dataset))
    con.execute(
        f"""INSERT INTO quarantine
            SELECT ?, ?, ?, ?, s._row, p.reasons,
                   coalesce(s._record, CAST(json_object({checked}) AS VARCHAR))
            FROM {S}._stage s JOIN (
                SELECT _row, string_agg(message, '; ' ORDER BY column_name) AS reasons
                FROM {S}._problems WHERE severity IN ('error', '{HELD}') AND _row IS NOT NULL
                GROUP BY _row) p
            ON p._row = s._row
            ORDER BY s._row""",
        [batch_id, dataset.name, src, name],
    )
    if reader.malformed:
        # One statement for them all: a statement each costs a millisecond with the store held.
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    batch_id,
                    dataset.name,
                    src,
                    name,
                    m.row,
                    f"row has {m.actual} values but the header has {m.expected}",
                    json.dumps(_malformed_record(home, dataset, reader, m)),
                ]
                for m in reader.malformed
            ],
        )


def _used(sql: str, params: dict[str, object]) -> dict[str, object]:
    """Only the named parameters a statement mentions (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _malformed_record(
    home: Home, dataset: Dataset, reader: FileReader, m: MalformedRow
) -> dict[str, str | None]:
    """The values of a malformed row under the header they most likely belong to."""
    values = next(csv.reader(io.StringIO(m.text)), [])
    by_position = {i: name for name, i in reader.match.columns.items()}
    out: dict[str, str | None] = {}
    for i, value in enumerate(values):
        fname = by_position.get(i)
        if fname is None:
            out[f"column {i + 1}"] = "(not part of the standard; hidden)" if value else None
            continue
        f = dataset.field(fname)
        if f.kind == Kind.POSTCODE:
            out[f.header] = (value.strip()[:4] + " *** (hidden)") if value.strip() else None
        elif f.identifies_person:
            out[f.header] = home.key.pseudonym(value) if value.strip() else None
        else:
            out[f.header] = value
    return out
