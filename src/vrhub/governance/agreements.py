"""The agreements register: create, amend (a new version each time), suspend, list, cover.

Published open data comes under the Open Government Licence v3.0, which is built in and
recorded like an agreement that permits every audience; partner extracts need an active
agreement that covers their dataset and source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vrhub.datasets import all_datasets
from vrhub.datasets.spec import Dataset
from vrhub.errors import AgreementInvalidError, AgreementNotFoundError, NoAgreementError
from vrhub.governance.audit import Audit, utcnow
from vrhub.governance.terms import AUDIENCES, AgreementTerms, parse_terms
from vrhub.records.db import Records
from vrhub.records.models import Agreement, Organisation

OPEN_LICENCE_REF = "OGL-3.0"
OPEN_LICENCE_TITLE = "Open Government Licence v3.0"
REFERENCE_DATA = "reference-data"


def effective_status(a: Agreement, today: dt.date | None = None) -> str:
    """The status that applies today: an active agreement past its end date has expired."""
    today = today or dt.date.today()
    if a.status == "active":
        if a.end_date is not None and a.end_date < today:
            return "expired"
        if a.start_date > today:
            return "not started"
    return a.status


def review_words(a: Agreement, today: dt.date | None = None) -> str:
    """When the agreement is next reviewed, or since when its review is overdue (a review
    date already passed): "review overdue since 2026-05-01"."""
    if a.review_date is None:
        return ""
    if a.review_date < (today or dt.date.today()):
        return f"review overdue since {a.review_date}"
    return str(a.review_date)


def suppliers(a: Agreement, dataset: Dataset) -> list[str]:
    """The parties that may send the dataset under this agreement (empty: any party)."""
    for c in a.covers:
        if c["dataset"] == dataset.name:
            found = c.get("suppliers") or []
            return [str(x) for x in found] if isinstance(found, list) else []
    return []


def terms_of(a: Agreement) -> dict[str, Any]:
    """An agreement version's terms, in the shape of its TOML file."""
    out: dict[str, Any] = {
        "ref": a.ref,
        "title": a.title,
        "parties": list(a.parties),
        "covers": [dict(c) for c in a.covers],
        "lawful_basis": {
            k: v
            for k, v in (
                ("article6", a.article6),
                ("article9", a.article9),
                ("article10", a.article10),
            )
            if v
        },
        "purposes": list(a.purposes),
        "audiences": list(a.audiences),
        "disclosure": {"suppress_max": a.suppress_max, "round_to": a.round_to},
        "start_date": a.start_date,
        "status": a.status,
    }
    for k in ("retention_months", "end_date", "review_date", "dpia_ref"):
        if getattr(a, k) is not None:
            out[k] = getattr(a, k)
    return out


def _row(terms: AgreementTerms, version: int, note: str, actor: str) -> Agreement:
    return Agreement(
        ref=terms.ref,
        version=version,
        kind="agreement",
        title=terms.title,
        parties=list(terms.parties),
        covers=[c.model_dump() for c in terms.covers],
        article6=terms.lawful_basis.article6,
        article9=terms.lawful_basis.article9,
        article10=terms.lawful_basis.article10,
        purposes=list(terms.purposes),
        audiences=list(terms.audiences),
        suppress_max=terms.disclosure.suppress_max,
        round_to=terms.disclosure.round_to,
        retention_months=terms.retention_months,
        start_date=terms.start_date,
        end_date=terms.end_date,
        review_date=terms.review_date,
        dpia_ref=terms.dpia_ref,
        status=terms.status,
        change_note=note,
        created_at=utcnow(),
        created_by=actor,
    )


def latest(s: Session, ref: str) -> Agreement:
    a = s.scalars(
        select(Agreement).where(Agreement.ref == ref).order_by(Agreement.version.desc()).limit(1)
    ).first()
    if a is None:
        known = ", ".join(s.scalars(select(Agreement.ref).distinct().order_by(Agreement.ref)))
        raise AgreementNotFoundError(
            f"no agreement has the reference '{ref}' (known: {known or 'none yet'})"
        )
    return a


def _check_parties(s: Session, terms: AgreementTerms) -> None:
    known = set(s.scalars(select(Organisation.code)))
    unknown = [p for p in terms.parties if p not in known]
    if unknown:
        raise AgreementInvalidError(
            f"parties: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a "
            "registered organisation; add with `vrhub org add` first"
        )


def _refuse_undoing(
    s: Session,
    old: Agreement,
    changes: dict[str, Any],
    whole: str,
    on_purpose: Collection[str],
) -> None:
    """Refuse a whole agreement (from a file) that would undo an earlier amendment."""
    versions = [
        terms_of(v)
        for v in s.scalars(
            select(Agreement).where(Agreement.ref == old.ref).order_by(Agreement.version)
        )
    ]
    notes = list(
        s.scalars(
            select(Agreement.change_note)
            .where(Agreement.ref == old.ref)
            .order_by(Agreement.version)
        )
    )
    now = versions[-1]
    undone = []
    for term, value in changes.items():
        if term in on_purpose or value == now.get(term):
            continue
        earlier = [i for i, v in enumerate(versions[:-1]) if v.get(term) == value]
        if not earlier:
            continue
        changed_in = earlier[-1] + 1  # the version after the last one that held the value
        undone.append(
            (
                term,
                f"the change to {term} made in version {changed_in + 1} "
                f"({notes[changed_in]}): it is now {_shown(now.get(term))}, the file says "
                f"{_shown(value)}",
            )
        )
    if len(undone) == 1:
        term, words = undone[0]
        raise AgreementInvalidError(
            f"{whole} would undo {words}; put the current value in the file, or change it on "
            f"purpose with --set {term}=VALUE"
        )
    if undone:
        raise AgreementInvalidError(
            f"{whole} would undo {'; and '.join(w for _, w in undone)}; put the current "
            "values in the file, or change them on purpose with --set TERM=VALUE"
        )


def _shown(value: Any) -> str:
    return "(none)" if value is None else str(value)


class Register:
    """The agreements register of one record store, writing every change to the audit."""

    def __init__(self, records: Records, audit: Audit) -> None:
        self.records = records
        self.audit = audit

    def ensure_open_licence(self) -> None:
        """Record the built-in Open Government Licence once, covering every open dataset."""
        with self.records.session() as s:
            exists = s.scalar(
                select(func.count()).select_from(Agreement).where(Agreement.ref == OPEN_LICENCE_REF)
            )
            if exists:
                return
            open_data = [d.name for d in all_datasets() if not d.partner_extract]
            covers = [{"dataset": n, "sources": []} for n in [*open_data, REFERENCE_DATA]]
            s.add(
                Agreement(
                    ref=OPEN_LICENCE_REF,
                    version=1,
                    kind="licence",
                    title=OPEN_LICENCE_TITLE,
                    parties=[],
                    covers=covers,
                    article6="public-task",
                    purposes=["re-use of published public-sector information"],
                    audiences=list(AUDIENCES),
                    suppress_max=0,
                    round_to=1,
                    start_date=dt.date(2014, 1, 1),
                    status="active",
                    change_note="built in: published open data needs no signed agreement",
                    created_at=utcnow(),
                    created_by="vrhub",
                )
            )
            self.audit.record(s, "vrhub", "agreement.licence", OPEN_LICENCE_REF, {"version": 1})

    def create(self, terms: AgreementTerms, actor: str, note: str = "created") -> Agreement:
        with self.records.session() as s:
            if s.scalar(
                select(func.count()).select_from(Agreement).where(Agreement.ref == terms.ref)
            ):
                raise AgreementInvalidError(
                    f"ref: an agreement '{terms.ref}' already exists; change it with "
                    f"`vrhub agreement amend {terms.ref}`"
                )
            _check_parties(s, terms)
            a = _row(terms, 1, note, actor)
            s.add(a)
            s.flush()
            self.audit.record(
                s, actor, "agreement.create", terms.ref, {"version": 1, "status": terms.status}
            )
            return a

    def amend(
        self,
        ref: str,
        changes: dict[str, Any],
        note: str,
        actor: str,
        whole: str | None = None,
        on_purpose: Collection[str] = (),
    ) -> Agreement:
        """Add the next version of an agreement with some terms changed.

        ``whole`` names the file the changes come from when they are the whole agreement
        (``agreement amend --from``): a term the file would set back to what it was before an
        earlier amendment changed it is refused, so an earlier change (``--set``, a
        suspension) is never lost unseen; terms in ``on_purpose`` are changed as given.
        """
        if not note.strip():
            raise AgreementInvalidError("an amendment needs a note saying what changed and why")
        with self.records.session() as s:
            old = latest(s, ref)
            if old.kind == "licence":
                raise AgreementInvalidError(f"{ref} is a built-in open licence; it cannot change")
            if whole is not None:
                _refuse_undoing(s, old, changes, whole, on_purpose)
            data = terms_of(old)
            data.update(changes)
            if data.get("ref") != ref:
                raise AgreementInvalidError("ref: an amendment cannot change the reference")
            terms = parse_terms(data, f"amendment of {ref}")
            _check_parties(s, terms)
            a = _row(terms, old.version + 1, note, actor)
            s.add(a)
            s.flush()
            changed = sorted(k for k in changes if terms_of(a).get(k) != terms_of(old).get(k))
            self.audit.record(
                s,
                actor,
                "agreement.amend",
                ref,
                {"version": a.version, "changed": changed, "note": note},
            )
            return a

    def set_status(self, ref: str, status: str, note: str, actor: str) -> Agreement:
        return self.amend(ref, {"status": status}, note, actor)

    def current(self) -> list[Agreement]:
        """The latest version of every agreement and licence."""
        with self.records.session() as s:
            newest = (
                select(Agreement.ref, func.max(Agreement.version).label("v"))
                .group_by(Agreement.ref)
                .subquery()
            )
            q = select(Agreement).join(
                newest, (Agreement.ref == newest.c.ref) & (Agreement.version == newest.c.v)
            )
            return list(s.scalars(q.order_by(Agreement.kind.desc(), Agreement.ref)))

    def history(self, ref: str) -> list[Agreement]:
        with self.records.session() as s:
            latest(s, ref)
            return list(
                s.scalars(select(Agreement).where(Agreement.ref == ref).order_by(Agreement.version))
            )

    def get(self, agreement_id: int) -> Agreement:
        with self.records.session() as s:
            a = s.get(Agreement, agreement_id)
            if a is None:
                raise AgreementNotFoundError(f"no agreement version with id {agreement_id}")
            return a

    def cover(
        self,
        dataset: Dataset,
        source: str,
        ref: str | None = None,
        today: dt.date | None = None,
    ) -> Agreement:
        """The agreement version data of ``dataset`` from ``source`` comes under today.

        Open data comes under the built-in licence. A partner extract needs an active
        agreement covering its dataset and source; otherwise :class:`NoAgreementError` says
        what is missing.
        """
        today = today or dt.date.today()
        current = self.current()
        candidates = [a for a in current if ref is None or a.ref == ref]
        if ref is not None and not candidates:
            known = ", ".join(a.ref for a in current if a.kind == "agreement")
            raise NoAgreementError(
                f"no agreement has the reference '{ref}' (known: {known or 'none yet'}); "
                "`vrhub agreement list` shows them"
            )
        if dataset.partner_extract:
            candidates = [a for a in candidates if a.kind == "agreement"]

        def covers_dataset(a: Agreement) -> list[str] | None:
            for c in a.covers:
                if c["dataset"] == dataset.name:
                    sources = c.get("sources") or []
                    return [str(x) for x in sources] if isinstance(sources, list) else []
            return None

        reasons = []
        fitting = []
        for a in candidates:
            sources = covers_dataset(a)
            status = effective_status(a, today)
            if sources is None:
                if ref is not None:
                    reasons.append(f"{a.ref} does not cover {dataset.name}")
                continue
            if sources and source not in sources:
                reasons.append(
                    f"{a.ref} covers {dataset.name} only from {', '.join(sources)}, "
                    f"not from '{source}' (if the file is from "
                    f"{' or '.join(sources)}, say so with --source {sources[0]})"
                )
                continue
            if status != "active":
                reasons.append(f"{a.ref} (version {a.version}) is {status}")
                continue
            fitting.append(a)
        if len(fitting) == 1:
            return fitting[0]
        if len(fitting) > 1:
            refs = ", ".join(a.ref for a in fitting)
            raise NoAgreementError(
                f"several active agreements ({refs}) cover {dataset.name} from '{source}'; "
                "say which one this file comes under with --agreement"
            )
        what = "partner extract" if dataset.partner_extract else "dataset"
        why = "; ".join(reasons) if reasons else "no agreement in the register covers it"
        raise NoAgreementError(
            f"no active data-sharing agreement covers the {what} {dataset.name} from "
            f"source '{source}' ({why}); nothing was loaded. Record or reactivate the "
            "agreement with `vrhub agreement`"
        )
