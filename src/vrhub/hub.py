"""A hub: one partnership home opened with both its stores, once per command or server.

Opening a hub opens the analytical store (bringing its schema up to date), opens the record
store (migrating it), and reconciles the record store's lineage with the batch log, so no
output ever meets a batch it cannot tie to an agreement without saying so.

The analytical store is one DuckDB file: one process may hold it for writing, or any number
for reading. So that an analyst can run measures and build reports while the dashboard serves,
``vrhub serve`` holds it for reading only (:meth:`Hub.share`) and takes it for writing just for
the moment of an upload (:meth:`Hub.writing`, which waits for readers to finish); a command
line command that finds the store held opens it for reading (:func:`open_hub` with
``read_only``), and one that then needs to write is refused with one line saying why.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType

import duckdb

from vrhub.errors import RecordStoreError, StoreInUseError
from vrhub.governance.context import Governance, open_governance
from vrhub.governance.projection import Reconciled, reconcile
from vrhub.home import Home
from vrhub.store.analytical import connect

#: How long (seconds) a write waits for other processes reading the store to finish (the
#: dashboard's pages that are not yet worked out wait too).
WRITE_WAIT = 30.0
#: How often (seconds) a waiting write tries again.
WRITE_RETRY = 0.2


@dataclass
class Hub:
    """An open home: its settings, analytical store and governance (record store)."""

    home: Home
    con: duckdb.DuckDBPyConnection
    gov: Governance
    reconciled: Reconciled
    #: Whether the analytical store is open for reading only (see :meth:`share`).
    read_only: bool = False

    def share(self) -> None:
        """Hold the analytical store for reading only from now on, so other processes (an
        analyst's ``vrhub measure run`` or ``vrhub report``) may read it too; writes then go
        through :meth:`writing`."""
        if self.read_only:
            return
        self.con.close()
        try:
            self.con = connect(self.home, read_only=True)
        except StoreInUseError:
            # This process holds the store for writing elsewhere too (DuckDB opens a file one
            # way per process): go on writing, as before.
            self.con = connect(self.home)
            return
        self.read_only = True

    @contextmanager
    def writing(self, wait: float = WRITE_WAIT) -> Iterator[duckdb.DuckDBPyConnection]:
        """The store open for writing for the block (``self.con`` meanwhile), then shared again.

        A hub that holds the store for writing already yields its connection. A shared hub
        closes its reading connection and opens the store for writing, trying again for up to
        ``wait`` seconds while other processes read it (each read is short); if they still hold
        it, :class:`~vrhub.errors.StoreInUseError` says so. The caller holds whatever lock keeps
        its other threads off ``self.con`` meanwhile."""
        if not self.read_only:
            yield self.con
            return
        self.con.close()
        deadline = time.monotonic() + wait
        while True:
            try:
                self.con = connect(self.home)
                break
            except StoreInUseError:
                if time.monotonic() >= deadline:
                    self.con = _reopened(self.home)
                    raise
                time.sleep(WRITE_RETRY)
        try:
            yield self.con
        finally:
            self.con.close()
            self.con = _reopened(self.home)

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self.gov.close()

    def __enter__(self) -> Hub:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _reopened(home: Home) -> duckdb.DuckDBPyConnection:
    """The store opened for reading again after a write. In the moment it was let go another
    process may have taken it for writing (a command that found it free): wait for that
    command to end, as long as it takes, since the hub cannot serve without its store."""
    while True:
        try:
            return connect(home, read_only=True)
        except StoreInUseError:
            time.sleep(WRITE_RETRY)


def open_hub(home: Home, read_only: bool = False) -> Hub:
    """Open both stores of a home and repair any lineage the batch log has but the record
    store lacks; close it (or use ``with``) when done. With ``read_only`` the analytical store
    is opened for reading only (as it is, it is not brought up to date), so it may be open in
    another process too, such as ``vrhub serve``; a write to it is refused."""
    con = connect(home, read_only=read_only)
    try:
        gov = open_governance(home)
    except BaseException:
        con.close()
        raise
    try:
        try:
            reconciled = reconcile(con, gov)
        except RecordStoreError as exc:
            # The record store is busy or cannot be written: the hub still opens (outputs
            # refuse any batch left without lineage, by name), and the next opening repairs it.
            reconciled = Reconciled(failed=str(exc))
        return Hub(home, con, gov, reconciled, read_only)
    except BaseException:
        con.close()
        gov.close()
        raise


@contextmanager
def opened(where: Home | Hub) -> Iterator[Hub]:
    """The hub to work in: the caller's own (left open), or the home's, opened for this step
    and closed after it. The command line and the server pass the hub they opened once."""
    if isinstance(where, Hub):
        yield where
        return
    with open_hub(where) as hub:
        yield hub
