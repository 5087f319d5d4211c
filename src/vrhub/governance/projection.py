"""The record store's batch lineage is a projection of the analytical store's batch log.

A batch's agreement is written with its rows, in one DuckDB transaction. The lineage in the
record store (which the DPO's report, retention and the outputs read) is written after, and
may be missing if the hub stopped in between or the record store failed. :func:`reconcile`
runs whenever the hub opens: it adds any missing lineage from the batch log (auditing each
repair), marks lineage removed for batches retention removed, and fills the agreement and
uploader of batches an earlier release loaded. Until a batch has lineage, every output
refuses it (:func:`vrhub.governance.lineage.agreements_for_batches`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from vrhub.governance.audit import utcnow
from vrhub.governance.context import Governance
from vrhub.records.models import Agreement, AuditEntry, BatchLineage, Organisation, User
from vrhub.store import batches

INGEST_ACTIONS = ("ingest.loaded", "ingest.rejected")


@dataclass
class Reconciled:
    """What opening the hub repaired."""

    lineage_added: list[int] = field(default_factory=list)
    lineage_removed: list[int] = field(default_factory=list)
    agreements_filled: list[int] = field(default_factory=list)
    uploaders_filled: list[int] = field(default_factory=list)
    ungoverned: list[int] = field(default_factory=list)
    #: Why the repair could not be made this time (the record store busy or unwritable).
    failed: str | None = None


def reconcile(con: duckdb.DuckDBPyConnection, gov: Governance) -> Reconciled:
    """Bring the record store's lineage into line with the analytical store's batch log."""
    out = Reconciled()
    ids = batches.held_ids(con)
    removed = set(batches.with_status(con, "removed"))
    with gov.records.session() as s:
        # Read as plain rows (batch, agreement, still held?): objects only where one changes.
        lineage = {
            int(batch_id): (int(agreement_id), removed_at is None)
            for batch_id, agreement_id, removed_at in s.execute(
                select(BatchLineage.batch_id, BatchLineage.agreement_id, BatchLineage.removed_at)
            )
        }
        # Only batches lacking lineage, or their agreement, are read in full.
        todo = [b for b, has in ids.items() if b not in lineage or not has]
        for b in batches.held(con, todo) if todo else []:
            known = lineage.get(b["batch_id"])
            if b["agreement_id"] is None and known is not None:
                a = s.get(Agreement, known[0])
                assert a is not None  # lineage's foreign key
                batches.set_agreement(con, b["batch_id"], a.id, a.ref, a.version)
                out.agreements_filled.append(b["batch_id"])
                continue
            if known is not None:
                continue
            agreement = s.get(Agreement, b["agreement_id"]) if b["agreement_id"] else None
            if agreement is None or (
                agreement.ref != b["agreement_ref"] or agreement.version != b["agreement_version"]
            ):
                out.ungoverned.append(b["batch_id"])
                continue
            s.add(
                BatchLineage(
                    batch_id=b["batch_id"],
                    dataset=b["dataset"],
                    source=b["source"] or b["dataset"],
                    file_sha256=b["file_sha256"],
                    agreement_id=agreement.id,
                    rows_accepted=int(b["rows_accepted"]),
                    months=list(b["months"] or []),
                    loaded_at=b["finished_at"],
                )
            )
            gov.audit.record(
                s,
                "vrhub",
                "lineage.repaired",
                f"batch {b['batch_id']}",
                {
                    "dataset": b["dataset"],
                    "file": b["file_name"],
                    "sha256": b["file_sha256"],
                    "source": b["source"],
                    "organisation": b["organisation"],
                    "uploaded_by": b["uploaded_by"],
                    "rows_accepted": int(b["rows_accepted"]),
                    "months": list(b["months"] or []),
                    "agreement": f"{agreement.ref} v{agreement.version}",
                    "replaced": [
                        {
                            "batch": x["replaced_batch_id"],
                            "month": x["month"],
                            "rows_before": x["rows_removed"],
                            "rows_after": x["rows_added"],
                        }
                        for x in batches.replacements(con, b["batch_id"])
                        if x["batch_id"] == b["batch_id"]
                    ],
                    "why": "the batch was stored but its lineage was not recorded",
                },
            )
            out.lineage_added.append(b["batch_id"])
        now = utcnow()
        for batch_id in sorted(removed):
            if lineage.get(batch_id, (0, False))[1]:
                row = s.get(BatchLineage, batch_id)
                assert row is not None
                row.removed_at = now
                row.removed_why = "retention: removed from the analytical store"
                out.lineage_removed.append(batch_id)
        if out.lineage_removed:
            gov.audit.record(
                s, "vrhub", "lineage.repaired", "batches", {"removed": out.lineage_removed}
            )
        out.uploaders_filled = _fill_uploaders(con, s)
    return out


def _fill_uploaders(con: duckdb.DuckDBPyConnection, s: Session) -> list[int]:
    """Who uploaded each batch an earlier release loaded, from the audit trail (once)."""
    missing = [
        int(r[0])
        for r in con.execute(
            "SELECT batch_id FROM ingest_batches WHERE uploaded_by IS NULL"
        ).fetchall()
    ]
    if not missing:
        return []
    who: dict[int, str] = {}
    for target, actor in s.execute(
        select(AuditEntry.target, AuditEntry.actor).where(AuditEntry.action.in_(INGEST_ACTIONS))
    ).all():
        m = re.fullmatch(r"batch (\d+)", target)
        if m:
            who[int(m.group(1))] = actor
    orgs = {
        str(u): str(o)
        for u, o in s.execute(select(User.username, Organisation.code).join(Organisation))
    }
    for batch_id in missing:
        actor = who.get(batch_id, "unknown")
        batches.set_uploader(con, batch_id, actor, orgs.get(actor))
    return missing
