"""Retention: remove batches kept longer than their agreement allows.

A batch may be kept for its agreement's ``retention_months`` counted from the end of the
latest month it holds (the data's own date, not the day it arrived), under the agreement's
current version, so an amendment that shortens retention applies to data already held. Data
under an open licence has no retention limit. Removing a batch deletes its rows from the
events table, the quarantine and the problem list; the batch log keeps its metadata with the
status ``removed``, the lineage records when and why, and the audit trail what went. Counts and
the quality scorecard are computed from what remains, so nothing derived is left behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import duckdb
from sqlalchemy import select

from vrhub.datasets import get_dataset
from vrhub.governance.agreements import latest
from vrhub.governance.audit import utcnow
from vrhub.governance.context import Governance
from vrhub.months import month_add, month_end
from vrhub.records.models import Agreement, BatchLineage
from vrhub.store.analytical import transaction


@dataclass(frozen=True)
class Expired:
    """A batch past its retention; ``rows`` is what it still holds in the store (none for a
    batch a later file has wholly replaced)."""

    batch_id: int
    dataset: str
    source: str
    agreement: str
    last_month: str
    keep_until: dt.date
    rows: int


def keep_until(last_month: str, retention_months: int) -> dt.date:
    """The last day a batch whose latest month is ``last_month`` may be kept."""
    return month_end(month_add(last_month, retention_months))


def due(gov: Governance, today: dt.date | None = None) -> list[Expired]:
    """Batches past their agreement's retention on ``today``."""
    today = today or dt.date.today()
    out = []
    current: dict[int, Agreement] = {}  # an agreement version's latest version, looked up once
    with gov.records.session() as s:
        for b in s.scalars(
            select(BatchLineage)
            .where(BatchLineage.removed_at.is_(None))
            .order_by(BatchLineage.batch_id)
        ):
            if b.agreement_id not in current:
                current[b.agreement_id] = latest(s, b.agreement.ref)
            terms = current[b.agreement_id]
            if terms.retention_months is None or not b.months:
                continue
            last = max(b.months)
            until = keep_until(last, terms.retention_months)
            if until < today:
                out.append(
                    Expired(
                        b.batch_id,
                        b.dataset,
                        b.source,
                        f"{terms.ref} v{terms.version}",
                        last,
                        until,
                        b.rows_accepted,
                    )
                )
    return out


def _with_rows_held(con: duckdb.DuckDBPyConnection, expired: list[Expired]) -> list[Expired]:
    """The batches with the rows each still holds (not the rows it brought in)."""
    ids = [e.batch_id for e in expired]
    held: dict[int, int] = {}
    for name in sorted({e.dataset for e in expired}):
        for batch_id, n in con.execute(
            f"SELECT batch_id, count(*) FROM {get_dataset(name).table} "
            "WHERE batch_id IN (SELECT unnest(?::INTEGER[])) GROUP BY 1",
            [ids],
        ).fetchall():
            held[int(batch_id)] = int(n)
    return [replace(e, rows=held.get(e.batch_id, 0)) for e in expired]


def apply(
    con: duckdb.DuckDBPyConnection,
    gov: Governance,
    actor: str,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> list[Expired]:
    """Remove every batch past its retention (or, with ``dry_run``, only say which)."""
    expired = _with_rows_held(con, due(gov, today))
    if dry_run or not expired:
        gov.audit.write(
            actor,
            "retention.dry-run" if dry_run else "retention.apply",
            "batches",
            {"due": [e.batch_id for e in expired], "removed": []},
        )
        return expired
    ids = [e.batch_id for e in expired]
    with transaction(con):
        for name in sorted({e.dataset for e in expired}):
            con.execute(
                f"DELETE FROM {get_dataset(name).table} "
                "WHERE batch_id IN (SELECT unnest(?::INTEGER[]))",
                [ids],
            )
        for table in ("quarantine", "ingest_problems"):
            con.execute(
                f"DELETE FROM {table} WHERE batch_id IN (SELECT unnest(?::INTEGER[]))", [ids]
            )
        con.execute(
            "UPDATE ingest_batches SET status = 'removed' "
            "WHERE batch_id IN (SELECT unnest(?::INTEGER[]))",
            [ids],
        )
    now = utcnow()
    with gov.records.session() as s:
        for e in expired:
            b = s.get(BatchLineage, e.batch_id)
            assert b is not None
            b.removed_at = now
            b.removed_why = f"retention: {e.agreement} kept it until {e.keep_until}"
        gov.audit.record(
            s,
            actor,
            "retention.apply",
            "batches",
            {
                "removed": ids,
                "rows": sum(e.rows for e in expired),
                "agreements": sorted({e.agreement for e in expired}),
            },
        )
    return expired
