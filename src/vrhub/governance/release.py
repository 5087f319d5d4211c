"""The one release step: which agreements an output draws on, whether its audience may have
it, and the disclosure rule its figures need.

Every output (a measure for a report or the dashboard, an export, a project extract, the
command line's measure runs) calls :func:`release` with the batches its figures came from and
the audience they are for. It fails closed: a batch with no lineage is refused by name, an
audience any agreement does not permit is refused naming the agreement, and outside the
analyst tier the strictest disclosure rule of the agreements applies.

Example (runnable; a home's record store is needed, so this shows the rule alone)::

    >>> r = Release("public", (), 7, 5)
    >>> (r.exact, r.labels, r.suppress_max, r.round_to)
    (False, [], 7, 5)
    >>> Release("analyst", (), 7, 5).exact
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vrhub.governance.lineage import (
    AgreementRef,
    agreements_for_batches,
    check_audience,
    strictest_rule,
)
from vrhub.governance.roles import reads_exact_figures
from vrhub.records.db import Records


@dataclass(frozen=True)
class Release:
    """What the release step decided for one output."""

    audience: str
    agreements: tuple[AgreementRef, ...]
    #: Counts from 1 to this are suppressed (outside the analyst tier).
    suppress_max: int
    #: Other counts are rounded to the nearest multiple of this (outside the analyst tier).
    round_to: int

    @property
    def exact(self) -> bool:
        """The analyst tier sees exact figures; every other audience protected ones."""
        return reads_exact_figures(self.audience)

    @property
    def labels(self) -> list[str]:
        """The agreement versions drawn on, e.g. ``["WY-ISA-01 v2"]``."""
        return [a.label for a in self.agreements]


def release(records: Records, batch_ids: Iterable[int], audience: str) -> Release:
    """Release figures drawn from these batches to an audience, or refuse them by name."""
    agreements = agreements_for_batches(records, batch_ids)
    check_audience(agreements, audience)
    suppress, rounding = strictest_rule(agreements)
    return Release(audience, tuple(agreements), suppress, rounding)


__all__ = ["AgreementRef", "Release", "release"]
