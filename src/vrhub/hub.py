"""A hub: one partnership home opened with both its stores, once per command or server.

Opening a hub opens the analytical store (bringing its schema up to date), opens the record
store (migrating it), and reconciles the record store's lineage with the batch log, so no
output ever meets a batch it cannot tie to an agreement without saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType

import duckdb

from vrhub.errors import RecordStoreError
from vrhub.governance.context import Governance, open_governance
from vrhub.governance.projection import Reconciled, reconcile
from vrhub.home import Home
from vrhub.store.analytical import connect


@dataclass
class Hub:
    """An open home: its settings, analytical store and governance (record store)."""

    home: Home
    con: duckdb.DuckDBPyConnection
    gov: Governance
    reconciled: Reconciled

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


def open_hub(home: Home) -> Hub:
    """Open both stores of a home and repair any lineage the batch log has but the record
    store lacks; close it (or use ``with``) when done."""
    con = connect(home)
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
        return Hub(home, con, gov, reconciled)
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
