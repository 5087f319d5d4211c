"""Everything governance needs for one home, opened together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vrhub.datasets.spec import Dataset
from vrhub.errors import NoAgreementError
from vrhub.governance.agreements import Register, suppliers
from vrhub.governance.audit import Audit, open_audit
from vrhub.governance.lineage import AgreementRef, ref_of
from vrhub.governance.people import People
from vrhub.home import Home
from vrhub.records.db import Records, open_records
from vrhub.records.models import BatchLineage


@dataclass
class Governance:
    """The record store of a home with its audit trail, agreements register and people."""

    home: Home
    records: Records
    audit: Audit
    register: Register
    people: People

    def authoriser(
        self, dataset: Dataset, ref: str | None = None, organisation: str | None = None
    ) -> Callable[[str], tuple[int, AgreementRef]]:
        """For ingest: the agreement a file from a given source comes under, or a refusal.

        A file sent by an organisation comes under an agreement only if the organisation is
        a party to it (open data under a licence excepted).
        """

        def authorise(source: str) -> tuple[int, AgreementRef]:
            a = self.register.cover(dataset, source, ref)
            if organisation is not None and a.kind == "agreement":
                if organisation not in a.parties:
                    raise NoAgreementError(
                        f"the organisation '{organisation}' is not a party to {a.ref}, so it "
                        f"cannot send {dataset.name} under it; nothing was loaded"
                    )
                senders = suppliers(a, dataset)
                if senders and organisation not in senders:
                    raise NoAgreementError(
                        f"under {a.ref} the organisation '{organisation}' receives "
                        f"{dataset.name} but does not send it (it is sent by "
                        f"{', '.join(senders)}); nothing was loaded"
                    )
            return a.id, ref_of(a)

        return authorise

    def record_batch(
        self,
        actor: str,
        batch_id: int,
        dataset: str,
        source: str,
        file_sha256: str,
        agreement_id: int,
        rows_accepted: int,
        months: list[str],
        loaded_at: object,
        details: dict[str, object],
    ) -> None:
        """Lineage for a stored batch, with its audit entry, in one transaction."""
        with self.records.session() as s:
            s.add(
                BatchLineage(
                    batch_id=batch_id,
                    dataset=dataset,
                    source=source,
                    file_sha256=file_sha256,
                    agreement_id=agreement_id,
                    rows_accepted=rows_accepted,
                    months=months,
                    loaded_at=loaded_at,
                )
            )
            self.audit.record(s, actor, "ingest.loaded", f"batch {batch_id}", details)

    def close(self) -> None:
        self.records.close()


def open_governance(home: Home) -> Governance:
    records = open_records(home.settings)
    audit = open_audit(records, home.path)
    register = Register(records, audit)
    register.ensure_open_licence()
    audit.seal_tables()  # a store made before the governed tables were sealed
    people = People(records, audit, home.partnership.district_codes)
    return Governance(home, records, audit, register, people)
