"""Reads of restricted data, each one written to the audit trail before it is answered.

Every page, download and report file a signed-in person opens on the dashboard, and every
command that prints exact or restricted figures, leaves an audit entry saying who read, what
(the address or the command), for which audience, in which format, with which choices (the
page's query or the command's options) and the districts in scope. The entry's own time says
when. An entry never holds the figures, rows or anything about the children and young people
they describe.

The dashboard answers only once a read's entry is committed: a read that cannot be recorded is
refused, never served unrecorded. One transaction per request would put a commit (and on SQLite
a turn at the record store) in front of every page, so a single writer thread commits reads in
groups instead (*group commit*): it takes every read queued while it was busy, appends them all
to the trail in one transaction, then lets each waiting request go on. When the hub is quiet a
read is committed on its own at once; under load each transaction carries many.

Exports (``export.*``), report builds (``report.*``) and reads of the quarantine
(``read.quarantine``) were audited already; :func:`recent_reads` and :func:`reads_by_person`
show them with the reads, as the Data Protection Officer's "who read what".
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select

from vrhub.errors import RecordStoreError
from vrhub.governance.audit import Audit, utcnow
from vrhub.records.models import AuditEntry

#: A dashboard page read as HTML.
PAGE = "read.page"
#: A page's figures taken as ``.json``, ``.csv`` or ``.xlsx``.
DOWNLOAD = "read.download"
#: A generated report's file (HTML or PDF) opened on the dashboard.
REPORT = "read.report"
#: A command that printed exact or restricted figures.
CLI = "read.cli"

#: The action families that read restricted data: reads, exports and report builds.
FAMILIES = ("read", "export", "report")

#: How each kind of read is named on the governance page and in the DPO's report.
KINDS = {
    PAGE: "page",
    DOWNLOAD: "download",
    REPORT: "report file",
    CLI: "command line",
}
#: Every other kind (exports, report builds, the quarantine) is counted as "other".
OTHER = "other"
#: Each kind's heading where reads are counted by kind.
HEADINGS = {
    "page": "pages",
    "download": "downloads",
    "report file": "report files",
    "command line": "commands",
    OTHER: "exports, report builds and other reads",
}

#: At most this many reads go into one transaction.
MOST_AT_ONCE = 100


@dataclass(frozen=True)
class Read:
    """One read: who, the action (:data:`PAGE`, :data:`DOWNLOAD`, :data:`REPORT` or
    :data:`CLI`), what was read and its details (audience, format, choices, districts)."""

    actor: str
    action: str
    target: str
    details: dict[str, Any] = field(default_factory=dict)


def read_details(
    audience: str,
    fmt: str,
    choices: dict[str, Any] | None = None,
    districts: Sequence[str] = (),
) -> dict[str, Any]:
    """A read's details in the one shape every read uses; no districts means all of them."""
    return {
        "audience": audience,
        "format": fmt,
        "choices": dict(choices or {}),
        "districts": list(districts) or "all",
    }


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str, length: int = 200) -> str:
    """Text from a request (an address, a query's value) fit for the trail: control characters
    (which a server database refuses) taken out, cut to ``length`` characters."""
    return _CONTROL.sub("", text)[:length]


def record_read(audit: Audit, read: Read) -> int:
    """Write one read to the trail in a transaction of its own (for the command line, which
    reads one thing at a time); returns the entry's number."""
    return audit.write(read.actor, read.action, read.target[:200], read.details).seq


class ReadLog:
    """The dashboard's reads, committed to the audit trail in groups by one writer thread.

    :meth:`submit` queues a read and returns a future that is done once its entry is committed
    (or holds the error that stopped it). :meth:`close` writes what is queued and stops the
    writer.
    """

    def __init__(self, audit: Audit, most_at_once: int = MOST_AT_ONCE) -> None:
        self.audit = audit
        self.most_at_once = most_at_once
        #: How many reads have been committed, and in how many transactions.
        self.written = 0
        self.commits = 0
        self._queue: list[tuple[Read, Future[int]]] = []
        self._ready = threading.Condition()
        self._writer: threading.Thread | None = None
        self._closed = False

    def submit(self, read: Read) -> Future[int]:
        """Queue a read; the future gives its entry's number once committed."""
        done: Future[int] = Future()
        with self._ready:
            if self._closed:
                raise RecordStoreError(
                    "the hub is stopping and no longer records reads: nothing more is shown"
                )
            self._queue.append((read, done))
            if self._writer is None:
                self._writer = threading.Thread(target=self._run, name="vrhub-reads", daemon=True)
                self._writer.start()
            self._ready.notify()
        return done

    def write(self, read: Read, timeout: float | None = None) -> int:
        """Queue a read and wait until it is committed; returns its entry's number."""
        return self.submit(read).result(timeout)

    def close(self, timeout: float | None = 60.0) -> None:
        """Commit every read queued so far, then stop the writer; no read is accepted after."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            writer = self._writer
        if writer is not None:
            writer.join(timeout)

    def _take(self) -> list[tuple[Read, Future[int]]] | None:
        """Every read queued (up to :attr:`most_at_once`), waiting for one if there is none;
        None once closed with nothing left."""
        with self._ready:
            while not self._queue and not self._closed:
                self._ready.wait()
            if not self._queue:
                return None
            taken = self._queue[: self.most_at_once]
            del self._queue[: self.most_at_once]
        # A request that stopped waiting (it answered with an error) needs no entry.
        return [(r, f) for r, f in taken if f.set_running_or_notify_cancel()]

    def _run(self) -> None:
        try:
            while (batch := self._take()) is not None:
                if batch:
                    self._commit(batch)
        finally:
            with self._ready:
                self._closed = True
                left, self._queue = self._queue, []
            for _, done in left:
                if done.set_running_or_notify_cancel():
                    done.set_exception(RecordStoreError("the hub stopped recording reads"))

    def _commit(self, batch: list[tuple[Read, Future[int]]]) -> None:
        """Append the reads to the trail in one transaction, then release their requests.

        A store that cannot be used fails them all. Anything else (a read the store refuses)
        has each read tried on its own, so one bad read does not fail the others."""
        try:
            seqs = self._append([r for r, _ in batch])
        except RecordStoreError as exc:
            for _, done in batch:
                done.set_exception(exc)
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
            else:
                for one in batch:
                    self._commit([one])
            return
        except BaseException as exc:
            for _, done in batch:
                done.set_exception(exc)
            raise
        self.written += len(batch)
        self.commits += 1
        for (_, done), seq in zip(batch, seqs, strict=True):
            done.set_result(seq)

    def _append(self, reads: list[Read]) -> list[int]:
        """Append reads after the trail's end in one transaction (see
        :meth:`Audit.record_many`: a statement per entry would, under load, wait for the
        interpreter between each)."""
        with self.audit.records.session() as s:
            return [e.seq for e in self.audit.record_many(s, [_args(r) for r in reads])]


def _args(r: Read) -> tuple[str, str, str, dict[str, Any]]:
    return r.actor, r.action, r.target[:200], r.details


def _families() -> Any:
    return or_(*(AuditEntry.action.startswith(f"{f}.") for f in FAMILIES))


def recent_reads(audit: Audit, person: str | None = None, limit: int = 200) -> list[AuditEntry]:
    """Reads, exports and report builds, newest first; only ``person``'s when given."""
    q = select(AuditEntry).where(_families())
    if person:
        q = q.where(AuditEntry.actor == person)
    with audit.records.session() as s:
        return list(s.scalars(q.order_by(AuditEntry.seq.desc()).limit(limit)))


@dataclass
class PersonReads:
    """How much one person read since a time, by kind of read."""

    actor: str
    by_kind: dict[str, int] = field(default_factory=dict)
    last: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def reads_by_person(audit: Audit, since: dt.datetime) -> list[PersonReads]:
    """Each person's reads since ``since`` (UTC), by kind; the most reads first."""
    q = (
        select(AuditEntry.actor, AuditEntry.action, func.count(), func.max(AuditEntry.at))
        .where(_families(), AuditEntry.at >= since)
        .group_by(AuditEntry.actor, AuditEntry.action)
    )
    people: dict[str, PersonReads] = {}
    with audit.records.session() as s:
        for actor, action, n, last in s.execute(q):
            p = people.setdefault(actor, PersonReads(actor))
            kind = KINDS.get(action, OTHER)
            p.by_kind[kind] = p.by_kind.get(kind, 0) + int(n)
            p.last = last if p.last is None or last > p.last else p.last
    return sorted(people.values(), key=lambda p: (-p.total, p.actor))


def last_days(days: int, now: dt.datetime | None = None) -> dt.datetime:
    """The start (UTC) of the last ``days`` days."""
    return (now or utcnow()) - dt.timedelta(days=days)


@dataclass(frozen=True)
class ReadShown:
    """A read as the governance page and report show it."""

    seq: int
    at: dt.datetime
    actor: str
    kind: str
    target: str
    audience: str
    format: str
    choices: str
    districts: str


def shown(e: AuditEntry) -> ReadShown:
    """A read's entry in words; exports and report builds carry their details in their own
    shape, so what is missing is left blank."""
    try:
        d = json.loads(e.details or "{}")
    except ValueError:
        d = {}
    if not isinstance(d, dict):
        d = {}
    choices = d.get("choices")
    if not isinstance(choices, dict):
        choices = {k: d[k] for k in ("dataset", "by", "period", "batch") if d.get(k) is not None}
    districts = d.get("districts")
    return ReadShown(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        kind=KINDS.get(e.action, e.action),
        target=e.target,
        audience=str(d.get("audience") or ""),
        format=str(d.get("format") or ""),
        choices="; ".join(f"{k}: {_words(v)}" for k, v in choices.items()),
        districts="" if districts is None else _words(districts) or "all",
    )


def _words(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
