"""The review of recommendations in the record store, on SQLite and PostgreSQL: proposed →
edited → accepted by a named analyst with the history kept, rejected with a reason, refused to
anyone but an analyst, and proposing again changes nothing already there."""

from __future__ import annotations

import doctest
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import grant_test_agreement
from tests.reports.recs_data import CURRENT, LEEDS, PREVIOUS, A, load, period, rows
from vrhub import pipeline
from vrhub.errors import (
    AccessDeniedError,
    RecommendationDecidedError,
    RecommendationError,
    UnknownPersonError,
    UnknownRecommendationError,
)
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.reports.recommendations import review

Write = Callable[..., Path]


def _people(home: Home) -> None:
    gov = pipeline.governance(home)
    try:
        gov.people.add_organisation("vrp", "The VRP", "partnership", "test")
        gov.people.add_user("asha", "Asha Patel", "vrp", "analyst", [], "pw-" * 5, "test")
        gov.people.add_user("pat", "Pat Jones", "vrp", "partner", [], "pw-" * 5, "test")
        gov.people.add_user("ada", "Ada Admin", "vrp", "administrator", [], "pw-" * 5, "test")
    finally:
        gov.close()


def _home(gov_home: Home, write: Write) -> Home:
    grant_test_agreement(gov_home)
    _people(gov_home)
    # A persistent hotspot in Leeds whose victims are mostly children.
    load(gov_home, write, rows([(PREVIOUS, A, 2, "N", "15"), (CURRENT, A, 2, "N", "15")]))
    return gov_home


def test_proposed_edited_and_accepted_by_a_named_analyst_with_history(
    gov_home: Home, write_police_crime: Write, backend: str
) -> None:
    home = _home(gov_home, write_police_crime)
    with open_hub(home) as hub:
        first = review.propose(hub, period(), "cli:tester")
        gov = hub.gov
        found = {(r.area, r.rule, r.subject) for r in first.added}
        assert ("E08000035", "persistent-hotspot", A) in found
        assert ("E08000035", "over-represented-cohort", "children") in found
        assert ("partnership", "over-represented-cohort", "children") in found
        assert first.kept == 0
        assert all(r.status == "proposed" and r.period == "2025-09" for r in first.added)
        hot = next(r for r in first.added if r.rule == "persistent-hotspot" and r.area == LEEDS)

        proposed_text = hot.text
        edited = review.edit(gov, hot.id, "asha", "Fund a problem-solving plan.", "Be concrete")
        assert edited.status == "proposed" and edited.text == "Fund a problem-solving plan."
        accepted = review.decide(gov, hot.id, "asha", True)
        assert accepted.status == "accepted" and accepted.decided_by == "asha"
        assert accepted.decided_at is not None
        steps = [(h.action, h.actor, h.old_status, h.new_status) for h in accepted.history]
        assert steps == [
            ("proposed", "cli:tester", None, "proposed"),
            ("edited", "asha", "proposed", "proposed"),
            ("accepted", "asha", "proposed", "accepted"),
        ]
        edit_step = accepted.history[1]
        assert edit_step.old_text == proposed_text
        assert edit_step.new_text == "Fund a problem-solving plan."
        assert edit_step.reason == "Be concrete"
        actions = [e.action for e in gov.audit.show(action="recommendation", limit=1000)]
        assert actions.count("recommendation.proposed") == len(first.added)
        assert actions[:2] == ["recommendation.accepted", "recommendation.edited"]
        assert gov.audit.verify().intact

        # Proposing again adds nothing and leaves the edited, accepted one as it is.
        again = review.propose(hub, period(), "cli:tester")
        assert again.added == [] and again.kept == len(first.added)
        assert review.get(gov, hot.id).text == "Fund a problem-solving plan."
        assert len(review.listing(gov)) == len(first.added)

        # Accepted recommendations are the action register's items.
        [item] = review.action_items(gov)
        assert item.ref == f"REC-{hot.id}" and item.action == "Fund a problem-solving plan."
        assert item.area == LEEDS and item.agreed_by == "asha"
        assert [r.id for r in review.listing(gov, "accepted")] == [hot.id]


def test_rejected_with_a_reason_and_never_decided_twice(
    gov_home: Home, write_police_crime: Write, backend: str
) -> None:
    home = _home(gov_home, write_police_crime)
    with open_hub(home) as hub:
        gov = hub.gov
        recs = review.propose(hub, period(), "cli:tester").added
        one, two = recs[0].id, recs[1].id
        with pytest.raises(RecommendationError, match="give the reason for rejecting it"):
            review.decide(gov, one, "asha", False, "  ")
        rejected = review.decide(gov, one, "asha", False, "Already in the delivery plan")
        assert rejected.status == "rejected"
        assert rejected.history[-1].reason == "Already in the delivery plan"
        with pytest.raises(RecommendationDecidedError, match=f"recommendation {one} was already"):
            review.decide(gov, one, "asha", True)
        with pytest.raises(RecommendationDecidedError, match="cannot be edited"):
            review.edit(gov, one, "asha", "New words", "why")
        with pytest.raises(UnknownRecommendationError, match="no recommendation is numbered 999"):
            review.decide(gov, 999, "asha", True)
        with pytest.raises(RecommendationError, match="give the reason for the edit"):
            review.edit(gov, two, "asha", "New words", "")
        # An edit is published to every audience once accepted: no neighbourhood, no figure.
        before = review.get(gov, two).text
        for bad, named in (
            ("Target Bradford 046D first", "smaller than a ward ('Bradford 046D')"),
            ("Patrol E01010614 at night", "smaller than a ward ('E01010614')"),
            ("Help the 3 children hurt there", "may not give figures ('3')"),
            ("Cut the 40% of knife crime near the park", "may not give figures ('40')"),
        ):
            with pytest.raises(RecommendationError, match=re.escape(named)):
                review.edit(gov, two, "asha", bad, "why")
        assert review.get(gov, two).text == before  # nothing changed
        review.edit(gov, two, "asha", "Work with young adults 18 to 24 in 2027", "ages")
        assert review.get(gov, two).status == "proposed"
        assert doctest.testmod(review).failed == 0


def test_only_an_analyst_may_review(
    gov_home: Home, write_police_crime: Write, backend: str
) -> None:
    home = _home(gov_home, write_police_crime)
    with open_hub(home) as hub:
        gov = hub.gov
        rec = review.propose(hub, period(), "cli:tester").added[0]
        for who in ("pat", "ada"):
            with pytest.raises(AccessDeniedError, match="only an analyst may edit, accept"):
                review.decide(gov, rec.id, who, True)
            with pytest.raises(AccessDeniedError):
                review.edit(gov, rec.id, who, "Other words", "why")
        with pytest.raises(UnknownPersonError, match="no user is called 'nobody'"):
            review.decide(gov, rec.id, "nobody", True)
        gov.people.change("asha", active=False, actor="test")
        with pytest.raises(AccessDeniedError, match="switched off"):
            review.decide(gov, rec.id, "asha", True)
        assert review.get(gov, rec.id).status == "proposed"
        assert len(review.get(gov, rec.id).history) == 1
