"""Lineage and audiences: which agreements an output draws on, and who may receive it.

Every stored batch records the agreement version it came under. An output (a measure result,
an export, a report) records every agreement its batches drew on, may go only to an audience
all of them permit, and is disclosure-controlled under the strictest of their rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from vrhub.errors import AudienceForbiddenError, UngovernedBatchError
from vrhub.governance.roles import permits
from vrhub.governance.terms import AUDIENCES, DEFAULT_ROUND_TO, DEFAULT_SUPPRESS_MAX
from vrhub.records.db import Records
from vrhub.records.models import Agreement, BatchLineage


@dataclass(frozen=True)
class AgreementRef:
    """The agreement version an output drew on, as outputs record it."""

    ref: str
    version: int
    audiences: tuple[str, ...]
    suppress_max: int
    round_to: int

    @property
    def label(self) -> str:
        return f"{self.ref} v{self.version}"


def ref_of(a: Agreement) -> AgreementRef:
    return AgreementRef(a.ref, a.version, tuple(a.audiences), a.suppress_max, a.round_to)


def agreements_for_batches(records: Records, batch_ids: Iterable[int]) -> list[AgreementRef]:
    """The distinct agreement versions the given batches came under.

    Fails closed: a batch with no lineage (stored, but its agreement not yet recorded in the
    record store) is refused by name, so nothing is released that its agreement forbids.
    """
    ids = sorted(set(batch_ids))
    if not ids:
        return []
    with records.session() as s:
        found = {
            int(b): int(a)
            for b, a in s.execute(
                select(BatchLineage.batch_id, BatchLineage.agreement_id).where(
                    BatchLineage.batch_id.in_(ids)
                )
            )
        }
        missing = [b for b in ids if b not in found]
        if missing:
            named = ", ".join(str(b) for b in missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise UngovernedBatchError(
                f"batch {named} cannot be tied to the data-sharing agreement it came under, so "
                "no output may use it; the hub repairs its lineage when it next opens (run any "
                "`vrhub` command that reads data, such as `vrhub batches`, or restart "
                "`vrhub serve`); if this persists, the record store cannot be written: tell the "
                "hub's administrator"
            )
        rows = s.scalars(select(Agreement).where(Agreement.id.in_(set(found.values()))))
        return sorted({ref_of(a) for a in rows}, key=lambda r: (r.ref, r.version))


def check_audience(agreements: Iterable[AgreementRef], audience: str) -> None:
    """Refuse an audience that any of the agreements does not permit, naming them."""
    if audience not in AUDIENCES:
        raise AudienceForbiddenError(
            f"'{audience}' is not an audience (choose from {', '.join(AUDIENCES)})"
        )
    forbidding = [a for a in agreements if not permits(a.audiences, audience)]
    if forbidding:
        names = "; ".join(f"{a.label} permits only {', '.join(a.audiences)}" for a in forbidding)
        raise AudienceForbiddenError(f"this output may not go to the {audience} audience: {names}")


def strictest_rule(agreements: Iterable[AgreementRef]) -> tuple[int, int]:
    """The disclosure rule (suppress 1..n, round to m) that satisfies every agreement."""
    suppress, rounding = DEFAULT_SUPPRESS_MAX, DEFAULT_ROUND_TO
    for a in agreements:
        suppress = max(suppress, a.suppress_max)
        rounding = max(rounding, a.round_to)
    return suppress, rounding
