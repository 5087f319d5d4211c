"""Ingest one file: validate every row, pseudonymise, and load in a single transaction.

Order of work for a file:

1. fingerprint it; the same file (same SHA-256) already loaded changes nothing;
2. refuse it whole if no row can be read (empty, binary, wrong separator, missing columns);
3. stream its rows into a staging table as text;
4. check every value and every cross-field rule, collecting all problems;
5. convert good rows, pseudonymise identifiers, add LSOA 2011/2021, district and the
   in-partnership flag; reject duplicates within the file and of rows already loaded;
6. in one transaction: replace the months this source already sent, insert the accepted
   rows, keep rejected rows in quarantine with their reasons, and log the batch.
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

import duckdb

from vrhub import __version__
from vrhub.checksums import file_sha256
from vrhub.datasets.spec import Dataset, Field, Kind
from vrhub.errors import FileRejectedError
from vrhub.home import Home
from vrhub.ingest import rules
from vrhub.ingest.files import inspect
from vrhub.ingest.readers import FileReader, MalformedRow, open_reader
from vrhub.ingest.report import write_problems_csv
from vrhub.ingest.schema import ensure_events_table, stored_fields
from vrhub.store.analytical import transaction


def _utcnow() -> dt.datetime:
    """Now in UTC, without a zone (the store's timestamps are all UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class IngestResult:
    """What happened to one file."""

    file: str
    dataset: str
    status: str  # loaded | unchanged | rejected
    message: str
    batch_id: int | None = None
    source: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    warnings: int = 0
    months: list[str] = field(default_factory=list)
    replaced: list[tuple[int, str, int]] = field(default_factory=list)
    problems_csv: Path | None = None


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
) -> IngestResult:
    """Ingest one file; never raises for bad data, which is reported in the result."""
    started = _utcnow()
    try:
        facts = inspect(path)
    except FileRejectedError as exc:
        return _log_rejected(con, home, dataset, path, None, str(exc), started, received, source)
    done = con.execute(
        "SELECT batch_id, finished_at FROM ingest_batches WHERE file_sha256 = ? AND dataset = ? "
        "AND status = 'loaded' ORDER BY batch_id LIMIT 1",
        [facts.sha256, dataset.name],
    ).fetchone()
    if done:
        return IngestResult(
            path.name,
            dataset.name,
            "unchanged",
            f"{path.name} is identical to batch {done[0]} loaded on "
            f"{done[1]:%Y-%m-%d %H:%M}; nothing changed",
            batch_id=int(done[0]),
        )
    try:
        reader = open_reader(dataset, facts, home.settings.read_block_mb << 20)
        with transaction(con):
            return _load(con, home, dataset, reader, source, received, started, progress)
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
            facts.format,
            facts.encoding,
        )


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
    fmt: str | None = None,
    encoding: str | None = None,
) -> IngestResult:
    if sha is None:
        sha = file_sha256(path) if path.is_file() else ""
    row = con.execute("SELECT nextval('batch_ids')").fetchone()
    assert row is not None
    batch_id = int(row[0])
    csv_path = home.reports_dir / f"batch-{batch_id:05d}-{slug(path.name)}-problems.csv"
    problem = {
        "row_number": None,
        "column_name": None,
        "value": None,
        "rule": "file",
        "message": message,
        "severity": "error",
    }
    with transaction(con):
        con.execute(
            "INSERT INTO ingest_problems VALUES (?, ?, NULL, NULL, NULL, 'file', ?, 'error')",
            [batch_id, path.name, message],
        )
        con.execute(
            """INSERT INTO ingest_batches (batch_id, dataset, source, file_name, file_sha256,
               file_bytes, file_format, encoding, status, message, received_on,
               vrhub_version, started_at, finished_at, problems_csv)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'rejected', ?, ?, ?, ?, ?, ?)""",
            [
                batch_id,
                dataset.name,
                source,
                path.name,
                sha,
                path.stat().st_size if path.is_file() else 0,
                fmt,
                encoding,
                message,
                received or dt.date.today(),
                __version__,
                started,
                _utcnow(),
                str(csv_path),
            ],
        )
    write_problems_csv(csv_path, path.name, [problem])
    return IngestResult(
        path.name,
        dataset.name,
        "rejected",
        message,
        batch_id=batch_id,
        source=source,
        problems_csv=csv_path,
    )


def _pseudonym_sql(f: Field) -> str:
    v = rules.raw(f)
    norm = f"upper(regexp_replace({v}, '\\s+', '', 'g'))"
    return (
        f"CASE WHEN {v} IS NULL THEN NULL ELSE "
        f"sha256($opad || unhex(sha256($ipad || encode({norm})))) END"
    )


def _stage(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    reader: FileReader,
    progress: Callable[[int], None] | None,
) -> int:
    cols = ", ".join(f'"{f.name}" VARCHAR' for f in dataset.fields)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _stage (_row BIGINT, {cols})")
    present = reader.match.columns
    select = ", ".join(
        f'CAST(b."{f.name}" AS VARCHAR)' if f.name in present else "NULL" for f in dataset.fields
    )
    read = 0
    for block in reader.blocks():
        con.register("_block", block)
        con.execute(f"INSERT INTO _stage SELECT b._row, {select} FROM _block b")
        con.unregister("_block")
        read += block.num_rows
        if progress:
            progress(block.num_rows)
    return read


def _resolve_source(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, given: str | None, file_name: str
) -> str:
    if given:
        return slug(given) or given
    if dataset.source_field is None:
        return dataset.name
    f = dataset.field(dataset.source_field)
    values = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {rules.raw(f)} FROM _stage s WHERE {rules.raw(f)} IS NOT NULL LIMIT 4"
        ).fetchall()
    ]
    if len(values) == 1:
        return slug(values[0])
    if not values:
        return dataset.name
    raise FileRejectedError(
        f"{file_name} holds rows from several {f.header} values ({', '.join(values[:3])}...); "
        "say which source it is with --source"
    )


def _problem_selects(dataset: Dataset) -> list[str]:
    parts = []
    for f in dataset.fields:
        for c in rules.checks(f):
            parts.append(
                f"SELECT s._row, '{f.header}', {rules.shown_value(f)}, '{c.rule}', "
                f"{_lit(c.message)}, '{c.severity}' FROM _stage s WHERE {c.bad}"
            )
    typed = {f.name: rules.typed(f) for f in dataset.fields}
    for r in dataset.row_rules:
        bad = r.bad.format(**typed)
        parts.append(
            f"SELECT s._row, '{', '.join(r.columns)}', NULL, '{r.rule}', {_lit(r.message)}, "
            f"'{r.severity}' FROM _stage s WHERE {bad}"
        )
    return parts


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _load(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    dataset: Dataset,
    reader: FileReader,
    source: str | None,
    received: dt.date | None,
    started: dt.datetime,
    progress: Callable[[int], None] | None,
) -> IngestResult:
    facts = reader.facts
    name = facts.path.name
    ensure_events_table(con, dataset)
    rows_read = _stage(con, dataset, reader, progress)
    if rows_read == 0 and not reader.malformed:
        raise FileRejectedError(f"{name} has a header row but no data rows: nothing to load")
    src = _resolve_source(con, dataset, source, name)
    ipad, opad = home.key.sql_pads()
    params = {"ipad": ipad, "opad": opad}

    con.execute("""CREATE OR REPLACE TEMP TABLE _problems (
        _row BIGINT, column_name VARCHAR, value VARCHAR, rule VARCHAR, message VARCHAR,
        severity VARCHAR)""")
    for part in _problem_selects(dataset):
        con.execute(f"INSERT INTO _problems {part}")
    for extra in reader.match.extras:
        con.execute(
            "INSERT INTO _problems VALUES (NULL, ?, NULL, 'unknown-column', ?, 'warning')",
            [
                extra,
                f"column '{extra}' is not part of the {dataset.title} standard; it was not loaded",
            ],
        )
    if facts.encoding and facts.encoding != "utf-8":
        con.execute(
            "INSERT INTO _problems VALUES (NULL, NULL, NULL, 'encoding', ?, 'warning')",
            [f"{name} is not UTF-8; it was read as Windows-1252 (Latin-1) text"],
        )
    for m in reader.malformed:
        con.execute(
            "INSERT INTO _problems VALUES (?, NULL, NULL, 'column-count', ?, 'error')",
            [
                m.row,
                f"row has {m.actual} values but the header has {m.expected}; it may be cut "
                "short or hold an unquoted comma",
            ],
        )

    _build_accepted(con, home, dataset, params)
    _reject_duplicates(con, dataset, src)
    months = [r[0] for r in con.execute("SELECT DISTINCT month FROM _ok ORDER BY 1").fetchall()]

    row = con.execute("SELECT nextval('batch_ids')").fetchone()
    assert row is not None
    batch_id = int(row[0])
    _quarantine(con, home, dataset, reader, batch_id, src, name, params)

    replaced = _replace_months(con, dataset, batch_id, src, months)
    stored = stored_fields(dataset)
    cols = ", ".join(
        ["batch_id", "source", "row_number", "month"]
        + [f.stored_name for f in stored]
        + [f"{f.name}_has_time" for f in stored if f.kind == Kind.DATETIME]
        + ["lsoa11", "lsoa21", "district", "in_partnership", "location_known"]
    )
    values = ", ".join(
        ["?", "?", "_row", "month"]
        + [f'"{f.stored_name}"' for f in stored]
        + [f'"{f.name}_has_time"' for f in stored if f.kind == Kind.DATETIME]
        + ["lsoa11", "lsoa21", "district", "in_partnership", "location_known"]
    )
    con.execute(
        f"INSERT INTO {dataset.table} ({cols}) SELECT {values} FROM _ok ORDER BY _row",
        [batch_id, src],
    )
    accepted = _count(con, "SELECT count(*) FROM _ok")
    rejected = _count(
        con,
        "SELECT count(DISTINCT _row) FROM _problems WHERE severity = 'error' AND _row IS NOT NULL",
    )
    warnings = _count(con, "SELECT count(*) FROM _problems WHERE severity = 'warning'")
    csv_path = home.reports_dir / f"batch-{batch_id:05d}-{slug(name)}-problems.csv"
    con.execute(
        "INSERT INTO ingest_problems SELECT ?, ?, _row, column_name, value, rule, message, "
        "severity FROM _problems ORDER BY _row NULLS FIRST, column_name",
        [batch_id, name],
    )
    total_read = rows_read + len(reader.malformed)
    message = (
        f"{name}: {accepted:,} of {total_read:,} rows loaded"
        + (f", {rejected:,} rejected into quarantine" if rejected else "")
        + (f", {warnings:,} warnings" if warnings else "")
    )
    con.execute(
        """INSERT INTO ingest_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?,
           ?, ?, ?, ?, ?, ?, ?)""",
        [
            batch_id,
            dataset.name,
            src,
            name,
            facts.sha256,
            facts.size,
            facts.format,
            facts.encoding,
            reader.sheet,
            message,
            months,
            total_read,
            accepted,
            rejected,
            warnings,
            received or dt.date.today(),
            home.key.fingerprint,
            __version__,
            started,
            _utcnow(),
            str(csv_path),
        ],
    )
    problems = [
        dict(
            zip(
                ("row_number", "column_name", "value", "rule", "message", "severity"),
                r,
                strict=True,
            )
        )
        for r in con.execute(
            "SELECT _row, column_name, value, rule, message, severity "
            "FROM _problems ORDER BY _row NULLS FIRST, column_name"
        ).fetchall()
    ]
    for t in ("_stage", "_problems", "_ok"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    write_problems_csv(csv_path, name, problems)
    return IngestResult(
        name,
        dataset.name,
        "loaded",
        message,
        batch_id=batch_id,
        source=src,
        rows_read=total_read,
        rows_accepted=accepted,
        rows_rejected=rejected,
        warnings=warnings,
        months=months,
        replaced=replaced,
        problems_csv=csv_path,
    )


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _build_accepted(
    con: duckdb.DuckDBPyConnection, home: Home, dataset: Dataset, params: dict[str, bytes]
) -> None:
    sel = ["s._row"]
    for f in stored_fields(dataset):
        expr = _pseudonym_sql(f) if f.identifies_person else rules.typed(f)
        sel.append(f'{expr} AS "{f.stored_name}"')
        if f.kind == Kind.DATETIME:
            sel.append(
                f"regexp_matches({rules.raw(f)}, '[0-9]:[0-9]{{2}}') AS \"{f.name}_has_time\""
            )
    mf = dataset.field(dataset.month_field)
    month = rules.typed(mf) if mf.kind == Kind.MONTH else f"strftime({rules.typed(mf)}, '%Y-%m')"
    sel.append(f"{month} AS month")
    rid = dataset.record_id_field
    if rid is not None:
        rid_sql = _pseudonym_sql(rid) if rid.identifies_person else rules.typed(rid)
        sel.append(f"{rid_sql} AS _rid")
    else:
        sel.append("NULL::VARCHAR AS _rid")
    joins = ""
    lsoa11, lsoa21, district, known = "NULL", "NULL", "NULL", "FALSE"
    if dataset.lsoa_field:
        joins += (
            f" LEFT JOIN ref_lsoa rl ON rl.code = {rules.typed(dataset.field(dataset.lsoa_field))}"
        )
        lsoa11, lsoa21, district = "rl.lsoa11", "rl.lsoa21", "rl.district"
        known = "rl.code IS NOT NULL"
    if dataset.postcode_field:
        pc = rules.typed(dataset.field(dataset.postcode_field))
        joins += (
            f" LEFT JOIN ref_postcode rp ON rp.postcode = {pc}"
            " LEFT JOIN ref_lsoa rp_l ON rp_l.code = rp.lsoa21"
        )
        lsoa11 = f"coalesce({lsoa11}, rp_l.lsoa11)"
        lsoa21 = f"coalesce({lsoa21}, rp.lsoa21)"
        district = f"coalesce({district}, rp.district, rp_l.district)"
        known = f"({known} OR rp.postcode IS NOT NULL)"
    districts = home.partnership.district_codes
    in_list = ", ".join(f"'{d}'" for d in districts)
    sel += [
        f"{lsoa11} AS lsoa11",
        f"{lsoa21} AS lsoa21",
        f"{district} AS district",
        f"CASE WHEN {district} IS NULL THEN NULL ELSE {district} IN ({in_list}) END "
        "AS in_partnership",
        f"{known} AS location_known",
    ]
    sql = f"""CREATE OR REPLACE TEMP TABLE _ok AS SELECT {", ".join(sel)} FROM _stage s {joins}
            WHERE s._row NOT IN (SELECT _row FROM _problems WHERE severity = 'error'
                                 AND _row IS NOT NULL)"""
    con.execute(sql, _used(sql, dict(params)))


def _reject_duplicates(con: duckdb.DuckDBPyConnection, dataset: Dataset, src: str) -> None:
    rid = dataset.record_id_field
    if rid is None:
        return
    hidden = "'(identifier hidden)'" if rid.identifies_person else "d._rid"
    con.execute(f"""
        INSERT INTO _problems
        SELECT d._row, '{rid.header}', {hidden}, 'duplicate-in-file',
               '{rid.header} repeats row ' || d.first_row || ' of this file', 'error'
        FROM (SELECT _row, _rid, min(_row) OVER (PARTITION BY _rid) AS first_row FROM _ok
              WHERE _rid IS NOT NULL) d
        WHERE d._row <> d.first_row
    """)
    con.execute(
        f"""
        INSERT INTO _problems
        SELECT d._row, '{rid.header}', {hidden}, 'duplicate-already-loaded',
               '{rid.header} was already loaded from ' || b.file_name || ' (batch ' ||
               e.batch_id || ', row ' || e.row_number || ')', 'error'
        FROM _ok d
        JOIN {dataset.table} e ON e."{rid.stored_name}" = d._rid
        JOIN ingest_batches b ON b.batch_id = e.batch_id
        WHERE NOT (e.source = ? AND e.month IN (SELECT DISTINCT month FROM _ok))
    """,
        [src],
    )
    con.execute("""DELETE FROM _ok WHERE _row IN (SELECT _row FROM _problems
                   WHERE rule LIKE 'duplicate%')""")


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    dataset: Dataset,
    reader: FileReader,
    batch_id: int,
    src: str,
    name: str,
    params: dict[str, bytes],
) -> None:
    record = []
    for f in dataset.fields:
        if f.kind == Kind.POSTCODE:
            expr = rules.shown_value(f)
        elif f.identifies_person:
            expr = _pseudonym_sql(f)
        else:
            expr = f's."{f.name}"'
        record.append(f"'{f.header}', {expr}")
    sql = f"""INSERT INTO quarantine
            SELECT $batch, $dataset, $src, $name, s._row, p.reasons,
                   to_json(json_object({", ".join(record)}))
            FROM _stage s JOIN (
                SELECT _row, string_agg(message, '; ' ORDER BY column_name) AS reasons
                FROM _problems WHERE severity = 'error' AND _row IS NOT NULL GROUP BY _row) p
            ON p._row = s._row"""
    values = {"batch": batch_id, "dataset": dataset.name, "src": src, "name": name, **params}
    con.execute(sql, _used(sql, values))
    for m in reader.malformed:
        con.execute(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                dataset.name,
                src,
                name,
                m.row,
                f"row has {m.actual} values but the header has {m.expected}",
                json.dumps(_malformed_record(home, dataset, reader, m)),
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


def _replace_months(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, batch_id: int, src: str, months: list[str]
) -> list[tuple[int, str, int]]:
    if not months:
        return []
    found = con.execute(
        f"SELECT batch_id, month, count(*) FROM {dataset.table} WHERE source = ? "
        "AND month IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL ORDER BY 1, 2",
        [src, months],
    ).fetchall()
    for old, month, n in found:
        con.execute("INSERT INTO batch_replacements VALUES (?, ?, ?, ?)", [batch_id, old, month, n])
    if found:
        con.execute(
            f"DELETE FROM {dataset.table} WHERE source = ? "
            "AND month IN (SELECT unnest(?::VARCHAR[]))",
            [src, months],
        )
    return [(int(a), str(b), int(c)) for a, b, c in found]
