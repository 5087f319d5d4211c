"""A seal over the governed tables, so changing them behind vrhub's back is found.

The audit trail seals every entry, but who may sign in with which role, what each agreement
permits and which agreement each batch came under live in ordinary tables of the record store.
Someone with write access to the database could promote an account to analyst or point a batch
at a more permissive agreement without writing an audit entry. So whenever a transaction of
vrhub's changes one of these tables, the same transaction stores, in the audit trail's end
record, a keyed seal (HMAC-SHA256 under the audit key) over each table's contents;
:func:`check` recomputes them and names any table whose contents no longer match.

Columns that change on their own in normal use (a user's failed sign-in count, lock and the
moment their sessions were last ended) are left out of the seal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, event, select
from sqlalchemy.orm import Session, sessionmaker

from vrhub.records.models import Agreement, AuditHead, Base, BatchLineage, Organisation, User

#: The governed tables and the columns sealed (None: every column).
GOVERNED: dict[type[Base], tuple[str, ...] | None] = {
    Organisation: None,
    User: (
        "id",
        "username",
        "display_name",
        "organisation_id",
        "role",
        "districts",
        "password_hash",
        "active",
        "created_at",
    ),
    Agreement: None,
    BatchLineage: None,
}
CHANGED = "vrhub.governed.changed"


def seals(session: Session, key: bytes) -> dict[str, str]:
    """Each governed table's seal, from its rows in key order."""
    out = {}
    for model, wanted in GOVERNED.items():
        table: Table = model.__table__  # type: ignore[assignment]
        cols = [c for c in table.columns if wanted is None or c.name in wanted]
        mac = hmac.new(key, table.name.encode(), hashlib.sha256)
        rows = session.execute(select(*cols).order_by(*table.primary_key.columns))
        for row in rows:
            mac.update(json.dumps([_plain(v) for v in row], default=str).encode() + b"\n")
        out[table.name] = mac.hexdigest()
    return out


def _plain(value: Any) -> Any:
    """A value as the same text on every backend (date-times without a time zone)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_WATCHED: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()


def watch(sessions: sessionmaker[Session], key: bytes, new_head: Callable[[], AuditHead]) -> None:
    """Reseal the governed tables in every transaction that changes them (``new_head`` makes
    the trail's end record when there is none yet)."""
    if sessions in _WATCHED:
        return
    _WATCHED.add(sessions)

    @event.listens_for(sessions, "before_flush")
    def _note(session: Session, context: Any, instances: Any) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if type(obj) in GOVERNED:
                session.info[CHANGED] = True
                return

    @event.listens_for(sessions, "before_commit")
    def _reseal(session: Session) -> None:
        session.flush()
        if not session.info.pop(CHANGED, False):
            return
        reseal(session, key, new_head)


def reseal(session: Session, key: bytes, new_head: Callable[[], AuditHead]) -> None:
    """Store the governed tables' seals in the audit trail's end record (made if missing).

    The end record is locked first, so two writers take turns and each seal covers the
    other's committed changes."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = new_head()
        session.add(head)
    head.state_seal = json.dumps(seals(session, key), sort_keys=True)
    session.flush()


def check(session: Session, key: bytes) -> list[str]:
    """Problems with the governed tables: each table changed since vrhub last sealed it."""
    head = session.get(AuditHead, 1)
    if head is None or head.state_seal is None:
        return []
    kept = json.loads(head.state_seal)
    now = seals(session, key)
    return [
        f"the {table.replace('_', ' ')} table was changed outside vrhub: its contents no "
        "longer match the seal vrhub keeps of it"
        for table in sorted(now)
        if not hmac.compare_digest(str(kept.get(table, "")), now[table])
    ]
