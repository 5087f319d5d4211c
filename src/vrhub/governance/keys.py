"""Key rotation and project keys.

``rotate`` adds a fresh key to the chain and re-keys every stored pseudonym (events and
quarantine) in one transaction of the analytical store. The new key file is written beside
the old one first and put in its place only after the store has committed, so a failure at
any point leaves data and key matching: :func:`finish_interrupted_rotation` completes or
discards a rotation that was interrupted between the two steps. Each rotation is logged in the
store's ``key_rotations`` table, which the store's migrations create.

A project (an evaluation, say) gets pseudonyms under a key derived for it alone, so its
extracts cannot be joined to another project's or to the store's.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from vrhub.datasets import all_datasets
from vrhub.datasets.spec import Dataset
from vrhub.errors import GovernanceError
from vrhub.governance.context import Governance
from vrhub.governance.release import release
from vrhub.governance.roles import ANALYST
from vrhub.home import Home
from vrhub.ingest.rules import encode_hmac
from vrhub.pseudonymise import (
    KEY_BYTES,
    PseudonymisationKey,
    pads,
    read_key_file,
    rekey,
    write_key_file,
)
from vrhub.store.analytical import first, table_exists, transaction
from vrhub.store.events import stored_fields


def _pending(home: Home) -> Path:
    path = home.settings.resolved_key_file
    return path.with_name(path.name + ".new")


def pending_rotation(home: Home) -> bool:
    return _pending(home).exists()


def finish_interrupted_rotation(con: duckdb.DuckDBPyConnection, home: Home) -> str | None:
    """Complete (or discard) a rotation interrupted after writing its new key file."""
    pending = _pending(home)
    if not pending.exists():
        return None
    row = first(
        con.execute(
            "SELECT fingerprint_after FROM key_rotations ORDER BY rotated_at DESC LIMIT 1"
        ).fetchall()
    )
    new = read_key_file(pending)
    if row and row[0] == new.fingerprint:
        os.replace(pending, home.settings.resolved_key_file)
        return "completed"
    pending.unlink()
    return "discarded"


@dataclass(frozen=True)
class Rotation:
    fingerprint_before: str
    fingerprint_after: str
    rekeyed: int


def rotate(con: duckdb.DuckDBPyConnection, gov: Governance, actor: str) -> Rotation:
    """Add a key and re-key every stored pseudonym; see the module's notes."""
    home = gov.home
    finish_interrupted_rotation(con, home)
    old = read_key_file(home.settings.resolved_key_file)
    fresh = secrets.token_bytes(KEY_BYTES)
    new = PseudonymisationKey(old.secret, (*old.rotations, fresh))
    pending = _pending(home)
    write_key_file(pending, new)
    ipad, opad = pads(fresh)
    n = 0
    try:
        with transaction(con):
            for d in all_datasets():
                if not table_exists(con, d.table):
                    continue
                for f in stored_fields(d):
                    if f.identifies_person:
                        col = f'"{f.stored_name}"'
                        row = first(con.execute(f"SELECT count({col}) FROM {d.table}").fetchall())
                        n += int(row[0]) if row else 0
                        con.execute(
                            f"UPDATE {d.table} SET {col} = "
                            f"{encode_hmac('0', f'encode({col})')} WHERE {col} IS NOT NULL",
                            {"ipad0": ipad, "opad0": opad},
                        )
            n += _rekey_quarantine(con, fresh)
            con.execute(
                "INSERT INTO key_rotations VALUES (current_timestamp::TIMESTAMP, ?, ?, ?)",
                [old.fingerprint, new.fingerprint, n],
            )
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, home.settings.resolved_key_file)
    gov.audit.write(
        actor,
        "key.rotate",
        "pseudonymisation key",
        {"before": old.fingerprint, "after": new.fingerprint, "pseudonyms_rekeyed": n},
    )
    return Rotation(old.fingerprint, new.fingerprint, n)


def _identifier_headers(d: Dataset) -> list[str]:
    return [f.header for f in d.fields if f.identifies_person]


def _rekey_quarantine(con: duckdb.DuckDBPyConnection, key: bytes) -> int:
    headers = {d.name: _identifier_headers(d) for d in all_datasets()}
    n = 0
    rows = con.execute("SELECT rowid, dataset, record FROM quarantine").fetchall()
    for rowid, dataset, record in rows:
        data = json.loads(record)
        changed = False
        for h in headers.get(dataset, []):
            value = data.get(h)
            if isinstance(value, str) and len(value) == 64:
                data[h] = rekey(key, value)
                changed = True
                n += 1
        if changed:
            con.execute(
                "UPDATE quarantine SET record = ? WHERE rowid = ?", [json.dumps(data), rowid]
            )
    return n


def project_extract(
    con: duckdb.DuckDBPyConnection,
    gov: Governance,
    project: str,
    dataset: Dataset,
    out: Path,
    actor: str,
) -> int:
    """Write a dataset's records for a project, with pseudonyms under the project's own key.

    Record-level data is for the analyst tier only; every agreement drawn on must permit it,
    and the extract is audited.
    """
    if not project.replace("-", "").isalnum():
        raise GovernanceError(f"project name '{project}': use letters, digits and hyphens")
    batches = [
        int(r[0]) for r in con.execute(f"SELECT DISTINCT batch_id FROM {dataset.table}").fetchall()
    ]
    agreements = list(release(gov.records, batches, ANALYST).agreements)
    ipad, opad = pads(gov.home.key.derived(f"project:{project}"))
    cols = []
    for f in stored_fields(dataset):
        col = f'"{f.stored_name}"'
        if f.identifies_person:
            cols.append(
                f"CASE WHEN {col} IS NULL THEN NULL ELSE "
                f"{encode_hmac('0', f'encode({col})')} END AS {col}"
            )
        else:
            cols.append(col)
    sql = (
        f"SELECT batch_id, month, {', '.join(cols)}, lsoa11, lsoa21, district, in_partnership "
        f"FROM {dataset.table} ORDER BY batch_id, row_number"
    )
    params = {"ipad0": ipad, "opad0": opad} if "$ipad0" in sql else {}
    table: pa.Table = con.sql(sql, params=params).to_arrow_table()
    pq.write_table(table, out)
    gov.audit.write(
        actor,
        "export.project",
        project,
        {
            "dataset": dataset.name,
            "rows": table.num_rows,
            "file": out.name,
            "agreements": [a.label for a in agreements],
        },
    )
    return int(table.num_rows)
