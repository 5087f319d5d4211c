"""The record store's tables, as SQLAlchemy models (one class per table).

Agreements are versioned: amending one adds a row with the next version for the same
reference and never changes an old row, so lineage can name the exact terms data came under.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, reconstructor, relationship
from sqlalchemy.orm.attributes import set_committed_value

from vrhub.partnership import lad_codes


class Base(DeclarativeBase):
    """Root of the record store's models."""


class Organisation(Base):
    """A party to the partnership's data sharing: a duty holder or a provider."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class User(Base):
    """Someone who signs in, with one role and a district scope."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(20))
    #: District (LAD) codes the user may see; empty means every district of the partnership.
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    #: Sessions begun before this moment are no longer valid (set at sign-out and whenever
    #: the password, role, districts or whether the user may sign in change).
    sessions_valid_from: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()

    @reconstructor
    def _current_districts(self) -> None:
        """A scope stored with an older district code (Barnsley's E08000016, before it was
        recoded) is read as today's code (E08000038), so it still matches the records."""
        known = lad_codes()
        stored = list(self.districts or [])
        current = [known[d].current_code if d in known else d for d in stored]
        if current != stored:
            set_committed_value(self, "districts", sorted(set(current)))


class Agreement(Base):
    """One version of a data-sharing agreement (or of an open licence)."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("ref", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # agreement | licence
    title: Mapped[str] = mapped_column(String(300))
    parties: Mapped[list[str]] = mapped_column(JSON)  # organisation codes
    covers: Mapped[list[dict[str, object]]] = mapped_column(JSON)  # [{dataset, sources}]
    article6: Mapped[str] = mapped_column(String(40))
    article9: Mapped[str | None] = mapped_column(String(200), nullable=True)
    article10: Mapped[str | None] = mapped_column(String(200), nullable=True)
    purposes: Mapped[list[str]] = mapped_column(JSON)
    audiences: Mapped[list[str]] = mapped_column(JSON)
    suppress_max: Mapped[int] = mapped_column(Integer)
    round_to: Mapped[int] = mapped_column(Integer)
    retention_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    review_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    dpia_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # draft | active | suspended | expired
    change_note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(80))


class BatchLineage(Base):
    """Which agreement version each stored batch of the analytical store came under."""

    __tablename__ = "batch_lineage"

    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dataset: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(120))
    file_sha256: Mapped[str] = mapped_column(String(64))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    rows_accepted: Mapped[int] = mapped_column(Integer)
    months: Mapped[list[str]] = mapped_column(JSON)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    removed_why: Mapped[str | None] = mapped_column(String(200), nullable=True)

    agreement: Mapped[Agreement] = relationship()


class AuditEntry(Base):
    """One entry of the append-only audit trail, sealed and chained to the one before."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON; never personal data
    prev_seal: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last entry of the audit trail, sealed, so a removed last entry is noticed."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    seal: Mapped[str] = mapped_column(String(64))
    head_seal: Mapped[str] = mapped_column(String(64))
    #: A seal over each governed table (organisations, users, agreements, batch lineage) as
    #: vrhub last left it, as JSON; see :mod:`vrhub.governance.tables_seal`.
    state_seal: Mapped[str | None] = mapped_column(Text, nullable=True)


class Recommendation(Base):
    """A recommendation for one area (the partnership or a district) and period, proposed by a
    rule and then edited, accepted or rejected by a named analyst (see
    :mod:`vrhub.reports.recommendations`). Its figures are not stored: the evidence shown in a
    report is worked out again for the report's audience."""

    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("area", "period", "rule", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "partnership" or a district (LAD) code.
    area: Mapped[str] = mapped_column(String(20))
    #: The last month of the year it is about, YYYY-MM ("year ending" that month).
    period: Mapped[str] = mapped_column(String(7))
    rule: Mapped[str] = mapped_column(String(60))
    #: What the rule found it about (a measure, a neighbourhood, a cohort).
    subject: Mapped[str] = mapped_column(String(120))
    #: The evidence as the analyst saw it when it was proposed (analyst tier).
    evidence: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # proposed | accepted | rejected
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)

    history: Mapped[list[RecommendationChange]] = relationship(
        order_by="RecommendationChange.id", back_populates="recommendation"
    )


class RecommendationChange(Base):
    """One step in a recommendation's history: who did what, when, the text before and after
    and why."""

    __tablename__ = "recommendation_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))  # proposed | edited | accepted | rejected
    old_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    new_status: Mapped[str] = mapped_column(String(20))
    old_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    recommendation: Mapped[Recommendation] = relationship(back_populates="history")
