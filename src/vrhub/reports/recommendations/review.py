"""The review of recommendations, kept in the record store: proposed by the rules, then edited,
accepted or rejected by a named analyst, every step in the recommendation's history and the
audit trail.

A recommendation is about one area (``partnership``, or a district's LAD code) and one period
(the last month of its "year ending"). Its status goes ``proposed`` → ``accepted`` or
``rejected``; an edit keeps it ``proposed`` (so the edited text is reviewed before it is
published) and a decided one can be neither edited nor decided again. Proposing again for the
same period adds only what is new: one already there (edited, decided or not) is left as it is.

Accepted recommendations are the partnership's actions: :func:`action_items` lists them as
action-register items.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from vrhub.errors import (
    AccessDeniedError,
    RecommendationDecidedError,
    RecommendationError,
    UnknownRecommendationError,
)
from vrhub.governance.audit import utcnow
from vrhub.governance.context import Governance
from vrhub.governance.roles import reviews_recommendations
from vrhub.hub import Hub
from vrhub.outputs.period import Period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.records.models import Recommendation, RecommendationChange, User
from vrhub.reports.recommendations.rules import all_rules

PARTNERSHIP = "partnership"
PROPOSED, ACCEPTED, REJECTED = "proposed", "accepted", "rejected"
STATUSES = (PROPOSED, ACCEPTED, REJECTED)


def area_key(district: str | None) -> str:
    """How a report's area is stored: ``partnership`` or the district's code."""
    return district or PARTNERSHIP


@dataclass(frozen=True)
class Proposed:
    """What :func:`propose` did: the recommendations it added and how many it left as they
    were (already proposed for the period)."""

    added: list[Recommendation]
    kept: int


def propose(hub: Hub, period: Period, actor: str) -> Proposed:
    """Run every rule over the partnership and each district for the period (exact figures,
    analyst tier) and store what is new as proposed."""
    home, gov = hub.home, hub.gov
    added: list[Recommendation] = []
    kept = 0
    for district in [None, *home.partnership.district_codes]:
        data = Reads(home, hub.con, gov, "analyst", period, district, Lineage())
        found = [(rule, p) for rule in all_rules() for p in rule.find(data)]
        with gov.records.session() as s:
            for rule, p in found:
                key = (area_key(district), period.end, rule.id, p.subject)
                if _find(s, *key) is not None:
                    kept += 1
                    continue
                now = utcnow()
                rec = Recommendation(
                    area=key[0], period=key[1], rule=key[2], subject=key[3],
                    evidence=p.evidence, text=p.text, status=PROPOSED,
                    created_at=now, created_by=actor,
                )  # fmt: skip
                s.add(rec)
                s.flush()
                s.add(_change(rec, now, actor, "proposed", None, None, p.text, None))
                gov.audit.record(
                    s, actor, "recommendation.proposed", f"recommendation {rec.id}",
                    {"area": rec.area, "period": rec.period, "rule": rec.rule,
                     "subject": rec.subject},
                )  # fmt: skip
                added.append(rec)
    return Proposed(added, kept)


def _find(s: Session, area: str, period: str, rule: str, subject: str) -> Recommendation | None:
    return s.scalar(
        select(Recommendation).where(
            Recommendation.area == area,
            Recommendation.period == period,
            Recommendation.rule == rule,
            Recommendation.subject == subject,
        )
    )


def _change(
    rec: Recommendation,
    at: dt.datetime,
    actor: str,
    action: str,
    old_status: str | None,
    old_text: str | None,
    new_text: str,
    reason: str | None,
) -> RecommendationChange:
    return RecommendationChange(
        recommendation_id=rec.id, at=at, actor=actor, action=action, old_status=old_status,
        new_status=rec.status, old_text=old_text, new_text=new_text, reason=reason,
    )  # fmt: skip


def reviewer(gov: Governance, username: str) -> User:
    """The user reviewing, refused unless an active analyst (an unknown name is refused by
    :meth:`~vrhub.governance.people.People.get`)."""
    user = gov.people.get(username)
    if not user.active:
        raise AccessDeniedError(f"{username}'s account is switched off, so they cannot review")
    if not reviews_recommendations(user.role):
        raise AccessDeniedError(
            f"{username} is a {user.role}: only an analyst may edit, accept or reject "
            "recommendations"
        )
    return user


def _load(s: Session, rec_id: int) -> Recommendation:
    rec = s.scalar(
        select(Recommendation)
        .options(selectinload(Recommendation.history))
        .where(Recommendation.id == rec_id)
        .with_for_update()
    )
    if rec is None:
        raise UnknownRecommendationError(f"no recommendation is numbered {rec_id}")
    return rec


def _open(rec: Recommendation, doing: str) -> None:
    if rec.status != PROPOSED:
        raise RecommendationDecidedError(
            f"recommendation {rec.id} was already {rec.status} by {rec.decided_by} on "
            f"{rec.decided_at:%Y-%m-%d}, so it cannot be {doing}"
        )


def _words(value: str | None, what: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise RecommendationError(f"give {what} (it cannot be empty)")
    return text


#: What a recommendation's text may say with digits: an age band ("18 to 24", "25 and over"),
#: a year, or an ordinal ("the 2nd").
ALLOWED_NUMBERS = re.compile(
    r"\b\d{1,3} (?:to \d{1,3}|and over)\b|\b(?:19|20)\d{2}(?:/\d{2})?\b|\b\d+(?:st|nd|rd|th)\b"
)
#: An area smaller than a ward: an LSOA, MSOA or output area code, or an LSOA's name.
SMALL_AREA = re.compile(r"\b[EW]0[0-3]\d{6}\b|\b[A-Z][A-Za-z']+ \d{3}[A-Z]\b")


def publishable(text: str) -> str:
    """A recommendation's text as it may be published to every audience once accepted: no
    figures (the evidence beside it gives them, under the disclosure rule) and no area smaller
    than a ward. Raises :class:`RecommendationError` naming what to take out.

    >>> publishable("Fund detached youth work for young adults 18 to 24 in Little Horton ward")
    'Fund detached youth work for young adults 18 to 24 in Little Horton ward'
    >>> publishable("Target Bradford 046D, where 3 children were hurt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    vrhub.errors.RecommendationError: ...smaller than a ward ('Bradford 046D'): name the ward...
    >>> publishable("Patrol the 3 streets with 40% of the knife crime")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    vrhub.errors.RecommendationError: ... may not give figures ('3'): ...
    """
    small = SMALL_AREA.search(text)
    if small:
        raise RecommendationError(
            "a recommendation's text is published to every audience once accepted, so it may "
            f"not name an area smaller than a ward ('{small.group()}'): name the ward instead"
        )
    figure = re.search(r"\d[\d,.]*", ALLOWED_NUMBERS.sub(" ", text))
    if figure:
        raise RecommendationError(
            "a recommendation's text is published to every audience once accepted, so it may "
            f"not give figures ('{figure.group()}'): the evidence beside it gives them, "
            "protected for each audience; write the action in words (age bands and years "
            "may stay)"
        )
    return text


def edit(gov: Governance, rec_id: int, username: str, text: str, reason: str) -> Recommendation:
    """Change a proposed recommendation's text, saying why; it stays proposed. The new text
    must be :func:`publishable`."""
    user = reviewer(gov, username)
    new = publishable(_words(text, "the new text with --text"))
    why = _words(reason, "the reason for the edit with --reason")
    with gov.records.session() as s:
        rec = _load(s, rec_id)
        _open(rec, "edited")
        if new == rec.text:
            raise RecommendationError(f"recommendation {rec_id} already says that")
        old, rec.text = rec.text, new
        s.add(_change(rec, utcnow(), user.username, "edited", PROPOSED, old, new, why))
        gov.audit.record(
            s, user.username, "recommendation.edited", f"recommendation {rec_id}",
            {"reason": why},
        )  # fmt: skip
    return get(gov, rec_id)


def decide(
    gov: Governance, rec_id: int, username: str, accept: bool, reason: str | None = None
) -> Recommendation:
    """Accept (a reason is optional) or reject (a reason is required) a proposed
    recommendation."""
    user = reviewer(gov, username)
    why = _words(reason, "the reason for rejecting it with --reason") if not accept else None
    if accept and reason and reason.strip():
        why = " ".join(reason.split())
    with gov.records.session() as s:
        rec = _load(s, rec_id)
        _open(rec, "accepted" if accept else "rejected")
        now = utcnow()
        rec.status = ACCEPTED if accept else REJECTED
        rec.decided_at, rec.decided_by = now, user.username
        s.add(_change(rec, now, user.username, rec.status, PROPOSED, None, rec.text, why))
        gov.audit.record(
            s, user.username, f"recommendation.{rec.status}", f"recommendation {rec_id}",
            {"reason": why} if why else {},
        )  # fmt: skip
    return get(gov, rec_id)


def get(gov: Governance, rec_id: int) -> Recommendation:
    """One recommendation with its history, oldest step first."""
    with gov.records.session() as s:
        rec = s.scalar(
            select(Recommendation)
            .options(selectinload(Recommendation.history))
            .where(Recommendation.id == rec_id)
        )
        if rec is None:
            raise UnknownRecommendationError(f"no recommendation is numbered {rec_id}")
        return rec


def listing(
    gov: Governance,
    status: str | None = None,
    area: str | None = None,
    period: str | None = None,
) -> list[Recommendation]:
    """Recommendations, newest period first, then the partnership's before the districts',
    then by area and number."""
    if status is not None and status not in STATUSES:
        raise RecommendationError(
            f"--status '{status}' is not a status (choose from {', '.join(STATUSES)})"
        )
    q = select(Recommendation).options(selectinload(Recommendation.history))
    if status is not None:
        q = q.where(Recommendation.status == status)
    if area is not None:
        q = q.where(Recommendation.area == area)
    if period is not None:
        q = q.where(Recommendation.period == period)
    partnership_first = case((Recommendation.area == PARTNERSHIP, 0), else_=1)
    q = q.order_by(
        Recommendation.period.desc(), partnership_first, Recommendation.area, Recommendation.id
    )
    with gov.records.session() as s:
        return list(s.scalars(q))


@dataclass(frozen=True)
class ActionItem:
    """An accepted recommendation as an item of the partnership's action register."""

    ref: str
    area: str
    period: str
    action: str
    source: str
    agreed_by: str
    agreed_on: dt.date


def action_items(gov: Governance, area: str | None = None) -> list[ActionItem]:
    """Every accepted recommendation (of one area, if given) as an action-register item, for
    the partnership's action register to take in."""
    return [
        ActionItem(
            f"REC-{r.id}",
            r.area,
            r.period,
            r.text,
            f"recommendation {r.id} (rule {r.rule}, year ending {r.period})",
            r.decided_by or "",
            (r.decided_at or r.created_at).date(),
        )
        for r in listing(gov, ACCEPTED, area)
    ]


def display_names(gov: Governance, usernames: set[str]) -> dict[str, str]:
    """The display names of the reviewers named (a name not found is shown as given)."""
    with gov.records.session() as s:
        found = s.execute(
            select(User.username, User.display_name).where(User.username.in_(sorted(usernames)))
        ).all()
    return {u: d for u, d in found}
