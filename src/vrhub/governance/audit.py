"""The audit trail: append-only, each entry sealed and chained to the one before.

An entry's seal is an HMAC-SHA256, under the home's audit key, of its number, time, actor,
action, target, details and the previous entry's seal. Someone who can write to the record
store but does not hold the key cannot edit, insert or remove an entry without
:func:`verify` noticing, because they cannot make a matching seal. A sealed head row holds
the number and seal of the last entry, so removing entries from the end is noticed too.

Details never hold personal data: identifiers appear only as counts, codes and file names.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from vrhub.errors import PseudonymisationKeyError
from vrhub.governance import tables_seal
from vrhub.pseudonymise import generate_key_file
from vrhub.records.db import Records
from vrhub.records.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def utcnow() -> dt.datetime:
    """Now in UTC, without a zone, to the microsecond (as both databases store it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def cli_actor() -> str:
    """Who is acting when vrhub runs from the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def audit_key(home_path: Path) -> bytes:
    """The home's audit key (created, mode 600, the first time it is needed)."""
    return home_secret(home_path, "audit")


def home_secret(home_path: Path, name: str) -> bytes:
    """A secret key kept in the home (``secrets/NAME.key``, created with mode 600 when first
    needed); refused if others can read it or it is not one vrhub wrote."""
    path = home_path / "secrets" / f"{name}.key"
    if not path.exists():
        generate_key_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PseudonymisationKeyError(
            f"the {name} key {path} can be read by other users (mode {mode:o}); "
            f"restrict it with: chmod 600 {path}"
        )
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        raise PseudonymisationKeyError(
            f"the {name} key {path} is not a hexadecimal key written by vrhub"
        ) from None
    if len(secret) < 32:
        raise PseudonymisationKeyError(f"the {name} key {path} is too short")
    return secret


def _canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _seal(key: bytes, e: AuditEntry) -> str:
    text = json.dumps(
        [e.seq, e.at.isoformat(), e.actor, e.action, e.target, e.details, e.prev_seal],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _head_seal(key: bytes, seq: int, seal: str) -> str:
    return hmac.new(key, f"head:{seq}:{seal}".encode(), hashlib.sha256).hexdigest()


#: Threads of one process move the checkpoint forward one at a time.
_CHECKPOINTING = threading.Lock()


def _checkpoint_mac(key: bytes, seq: int, seal: str) -> str:
    return hmac.new(key, f"checkpoint:{seq}:{seal}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Audit:
    """Writes to and reads the audit trail of one record store.

    Besides the sealed end record inside the record store, the trail's latest entry number and
    seal are kept, sealed, in a checkpoint file in the home (:attr:`checkpoint`), written after
    each commit. Whoever can change the record store cannot change the file too without the
    audit key, so deleting the trail, cutting its end or rolling the store back to an older
    copy is found by :meth:`verify`.
    """

    records: Records
    key: bytes = field(repr=False)
    checkpoint: Path | None = None
    #: The last entry (number, seal) of the trail when this object last found it intact.
    _checked: tuple[int, str] | None = field(default=None, init=False, repr=False)
    #: When (monotonic seconds) this object last checked the whole trail and found it intact.
    _full_at: float | None = field(default=None, init=False, repr=False)

    def _pending(self, session: Session, seq: int, seal: str) -> None:
        """Write the checkpoint once the session's transaction commits."""
        if self.checkpoint is None:
            return
        first = "vrhub.audit.pending" not in session.info
        session.info["vrhub.audit.pending"] = (seq, seal)
        if first:
            event.listen(session, "after_commit", self._after_commit, once=True)

    def _after_commit(self, session: Session) -> None:
        pending = session.info.pop("vrhub.audit.pending", None)
        if pending is not None:
            self.write_checkpoint(*pending)

    def read_checkpoint(self) -> tuple[int, str, str] | None:
        """The checkpoint's entry number, seal and its own seal (None if there is none)."""
        if self.checkpoint is None or not self.checkpoint.is_file():
            return None
        try:
            data = json.loads(self.checkpoint.read_text(encoding="utf-8"))
            return int(data["seq"]), str(data["seal"]), str(data["mac"])
        except (ValueError, KeyError, TypeError):
            return (-1, "", "")

    def write_checkpoint(self, seq: int, seal: str) -> None:
        """Move the checkpoint forward (never back) to entry ``seq``."""
        assert self.checkpoint is not None
        with _CHECKPOINTING:
            known = self.read_checkpoint()
            if known is not None and known[0] >= seq and known[0] >= 0:
                return
            mac = _checkpoint_mac(self.key, seq, seal)
            text = json.dumps({"seq": seq, "seal": seal, "mac": mac})
            tmp = self.checkpoint.with_name(
                f"{self.checkpoint.name}.{os.getpid()}.{threading.get_ident()}.tmp"
            )
            # Private, whatever the process's umask.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.checkpoint)

    def record(
        self,
        session: Session,
        actor: str,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append an entry inside the caller's transaction (so it stands or falls with it)."""
        [entry] = self.record_many(session, [(actor, action, target, details or {})])
        return entry

    def record_many(
        self, session: Session, items: list[tuple[str, str, str, dict[str, Any]]]
    ) -> list[AuditEntry]:
        """Append entries (actor, action, target, details) in order inside the caller's
        transaction: the end record is read and locked once, each entry sealed and chained to
        the one before, all inserted together and the end record moved once."""
        head = session.execute(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).scalar_one_or_none()
        if head is None:
            head = _empty_head(self.key)
            session.add(head)
            session.flush()
        seq, seal = head.seq, head.seal
        entries = []
        for actor, action, target, details in items:
            entry = AuditEntry(
                seq=seq + 1,
                at=utcnow(),
                actor=actor,
                action=action,
                target=target,
                details=_canonical(details),
                prev_seal=seal,
            )
            entry.seal = _seal(self.key, entry)
            entries.append(entry)
            seq, seal = entry.seq, entry.seal
        session.add_all(entries)
        head.seq, head.seal = seq, seal
        head.head_seal = _head_seal(self.key, seq, seal)
        session.flush()
        self._pending(session, seq, seal)
        return entries

    def write(
        self, actor: str, action: str, target: str, details: dict[str, Any] | None = None
    ) -> AuditEntry:
        """Append an entry in a transaction of its own."""
        with self.records.session() as s:
            return self.record(s, actor, action, target, details)

    def show(
        self,
        actor: str | None = None,
        action: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries, newest first, filtered by actor, action (or its prefix) and dates."""
        q = select(AuditEntry)
        if actor:
            q = q.where(AuditEntry.actor == actor)
        if action:
            q = q.where((AuditEntry.action == action) | AuditEntry.action.startswith(action + "."))
        if since:
            q = q.where(AuditEntry.at >= dt.datetime.combine(since, dt.time()))
        if until:
            q = q.where(AuditEntry.at < dt.datetime.combine(until, dt.time()) + dt.timedelta(1))
        with self.records.session() as s:
            return list(s.scalars(q.order_by(AuditEntry.seq.desc()).limit(limit)))

    def verify(self, since_last: bool = False) -> VerifyReport:
        """Check every seal, every link and the head; say where anything is wrong.

        With ``since_last`` (the governance page, viewed often while the trail grows with every
        read) only the entries added since this object last found the trail intact are checked
        in full, after confirming that the last entry then checked is unchanged, unless the
        whole trail was last checked more than :data:`FULL_CHECK_EVERY` seconds ago; the end
        record, the checkpoint and the governed tables are always checked. `vrhub audit verify`
        checks everything.
        """
        report = VerifyReport()
        with self.records.session() as s:
            head = s.get(AuditHead, 1)
            expected_seq, prev = 1, GENESIS
            query = select(AuditEntry).order_by(AuditEntry.seq)
            full_due = self._full_at is None or (
                time.monotonic() - self._full_at > FULL_CHECK_EVERY
            )
            known = self._checked if since_last and not full_due else None
            report.full = known is None
            if known is not None:
                seq, seal = known
                then = s.get(AuditEntry, seq)
                if (
                    then is None
                    or then.seal != seal
                    or not hmac.compare_digest(_seal(self.key, then), then.seal)
                ):
                    report.problems.append(
                        f"entry {seq} was changed or removed since the trail was last checked"
                    )
                expected_seq, prev = seq + 1, seal
                report.earlier = seq
                query = query.where(AuditEntry.seq > seq)
            for e in s.scalars(query):
                report.checked += 1
                if e.seq > expected_seq:
                    gap = (
                        f"entry {expected_seq}"
                        if e.seq == expected_seq + 1
                        else f"entries {expected_seq} to {e.seq - 1}"
                    )
                    report.problems.append(f"{gap} missing: removed from the trail")
                if not hmac.compare_digest(_seal(self.key, e), e.seal):
                    report.problems.append(
                        f"entry {e.seq} ({e.action}, {e.at:%Y-%m-%d %H:%M:%S}): its contents do "
                        "not match its seal: edited, or added without the audit key"
                    )
                elif e.prev_seal != prev and e.seq == expected_seq:
                    report.problems.append(
                        f"entry {e.seq}: not chained to entry {e.seq - 1}: the entries around "
                        "it were altered"
                    )
                expected_seq, prev = e.seq + 1, e.seal
            last_seq = expected_seq - 1
            if head is None:
                if report.checked:
                    report.problems.append("the trail's sealed end record is missing")
            elif not hmac.compare_digest(_head_seal(self.key, head.seq, head.seal), head.head_seal):
                report.problems.append("the trail's sealed end record was edited")
            elif head.seq > last_seq:
                report.problems.append(
                    f"entries {last_seq + 1} to {head.seq} missing: removed from the end of the "
                    "trail"
                    if head.seq > last_seq + 1
                    else f"entry {head.seq} missing: removed from the end of the trail"
                )
            elif head.seq < last_seq:
                report.problems.append(
                    f"entries after {head.seq} were added without the audit key"
                    if last_seq > head.seq + 1
                    else f"entry {last_seq} was added without the audit key"
                )
            elif head.seal != prev:
                report.problems.append(f"entry {last_seq} does not match the sealed end record")
            report.problems += self._against_checkpoint(s, last_seq)
            report.problems += tables_seal.check(s, self.key)
        if report.intact:
            self._checked = (last_seq, prev) if last_seq else None
            if report.full:
                self._full_at = time.monotonic()
        return report

    def seal_tables(self) -> None:
        """Seal the governed tables as they are now (a store made before they were sealed)."""
        with self.records.session() as s:
            head = s.get(AuditHead, 1)
            if head is None or head.state_seal is None:
                tables_seal.reseal(s, self.key, lambda: _empty_head(self.key))

    def _against_checkpoint(self, s: Session, last_seq: int) -> list[str]:
        """What the checkpoint kept outside the record store says of the trail."""
        found = self.read_checkpoint()
        if found is None:
            return []
        seq, seal, mac = found
        if not hmac.compare_digest(_checkpoint_mac(self.key, seq, seal), mac):
            return ["the trail's checkpoint in the home was edited, or written without the key"]
        if seq > last_seq:
            return [
                f"the trail ends at entry {last_seq} but {seq:,} entries had been written: "
                "entries were removed from it, or the record store was put back to an older copy"
            ]
        entry = s.get(AuditEntry, seq)
        if entry is None or entry.seal != seal:
            return [f"entry {seq} is not the one the checkpoint recorded: the trail was rewritten"]
        return []


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    #: Entries found intact by an earlier check and not read again (see ``since_last``).
    earlier: int = 0
    #: Whether every entry was read (not only those added since an earlier check).
    full: bool = True

    @property
    def entries(self) -> int:
        """Entries the trail holds as far as this check knows (checked now or before)."""
        return self.earlier + self.checked

    @property
    def intact(self) -> bool:
        return not self.problems


#: How often (seconds) a check of new entries only also reads the whole trail again.
FULL_CHECK_EVERY = 600.0

#: The audit trail's checkpoint, in the home.
CHECKPOINT = "audit-checkpoint.json"


def open_audit(records: Records, home_path: Path) -> Audit:
    key = audit_key(home_path)
    tables_seal.watch(records.sessions, key, lambda: _empty_head(key))
    return Audit(records, key, home_path / CHECKPOINT)


def _empty_head(key: bytes) -> AuditHead:
    """The end record of a trail with no entries yet."""
    return AuditHead(id=1, seq=0, seal=GENESIS, head_seal=_head_seal(key, 0, GENESIS))
