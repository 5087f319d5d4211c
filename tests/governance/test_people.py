"""Organisations, users, Argon2 passwords, lockout and district scopes (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from tests.governance.conftest import add_orgs
from vrhub import pipeline
from vrhub.errors import AccessDeniedError, GovernanceError, UnknownPersonError
from vrhub.governance.people import (
    LOCK_AFTER,
    LOCK_MINUTES,
    SIGN_IN_REFUSED,
    require_districts,
)
from vrhub.home import Home
from vrhub.records.models import User

LEEDS, BRADFORD = "E08000035", "E08000032"
PASSWORD = "correct horse battery"


def test_users_roles_scopes_and_passwords(gov_home: Home) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.people.add_user("pat", "Pat", "leeds", "partner", [LEEDS], PASSWORD, "admin")
        with gov.records.session() as s:
            stored = s.scalar(select(User.password_hash).where(User.username == "pat"))
        assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
        user = gov.people.authenticate("pat", PASSWORD)
        assert (user.role, user.districts, user.organisation.code) == ("partner", [LEEDS], "leeds")
        require_districts(user, [LEEDS], gov_home.partnership.district_codes)
        with pytest.raises(AccessDeniedError, match=f"pat may see only {LEEDS}; {BRADFORD}"):
            require_districts(user, [LEEDS, BRADFORD], gov_home.partnership.district_codes)
        everyone = gov.people.change("pat", "admin", districts=[])
        require_districts(everyone, [BRADFORD], gov_home.partnership.district_codes)

        with pytest.raises(GovernanceError, match="role 'boss' is not one of"):
            gov.people.add_user("x", "X", "leeds", "boss", [], PASSWORD, "admin")
        with pytest.raises(GovernanceError, match="E06000001 is not in the partnership"):
            gov.people.add_user("x", "X", "leeds", "analyst", ["E06000001"], PASSWORD, "admin")
        with pytest.raises(GovernanceError, match="at least 12 characters"):
            gov.people.add_user("x", "X", "leeds", "analyst", [], "short", "admin")
        with pytest.raises(UnknownPersonError, match="no organisation has the code 'nope'"):
            gov.people.add_user("x", "X", "nope", "analyst", [], PASSWORD, "admin")
        with pytest.raises(GovernanceError, match="already exists"):
            gov.people.add_user("pat", "P", "leeds", "analyst", [], PASSWORD, "admin")
        actions = [e.action for e in gov.audit.show(actor="admin")]
        assert actions == ["user.change", "user.add"]
    finally:
        gov.close()


def test_wrong_passwords_pause_sign_ins_from_that_source_only(gov_home: Home) -> None:
    """Failures pause sign-ins to an account from the source they came from, with backoff;
    the owner signs in from elsewhere. Every refusal is the same sentence."""
    gov = pipeline.governance(gov_home)
    refused = re.escape(SIGN_IN_REFUSED)
    try:
        add_orgs(gov)
        gov.people.add_user("sam", "Sam", "vrp", "analyst", [], PASSWORD, "admin")
        now = dt.datetime(2026, 11, 22, 9, 0)
        for _ in range(LOCK_AFTER):
            with pytest.raises(AccessDeniedError, match=refused):
                gov.people.authenticate("sam", "wrong password!", now, source="10.0.0.9")
        with pytest.raises(AccessDeniedError, match=refused):
            gov.people.authenticate("sam", PASSWORD, now, source="10.0.0.9")
        # The owner, elsewhere, is not locked out by someone else's guessing.
        assert gov.people.authenticate("sam", PASSWORD, now, source="10.0.0.1").username == "sam"
        later = now + dt.timedelta(minutes=LOCK_MINUTES + 1)
        # One more failure after the pause doubles it.
        with pytest.raises(AccessDeniedError, match=refused):
            gov.people.authenticate("sam", "wrong again!!", later, source="10.0.0.9")
        with pytest.raises(AccessDeniedError, match=refused):
            gov.people.authenticate(
                "sam", PASSWORD, later + dt.timedelta(minutes=LOCK_MINUTES + 1), source="10.0.0.9"
            )
        much_later = later + dt.timedelta(minutes=2 * LOCK_MINUTES + 1)
        assert gov.people.authenticate("sam", PASSWORD, much_later, source="10.0.0.9")
        # Unknown and switched-off accounts get the very same answer.
        with pytest.raises(AccessDeniedError, match=refused):
            gov.people.authenticate("nobody", PASSWORD, much_later)
        gov.people.change("sam", "admin", active=False)
        with pytest.raises(AccessDeniedError, match=refused):
            gov.people.authenticate("sam", PASSWORD, much_later)
        failed = [e for e in gov.audit.show(action="login") if e.action == "login.failed"]
        assert len(failed) == LOCK_AFTER + 3
        assert {json.loads(e.details)["why"] for e in failed} == {"password", "unknown", "inactive"}
    finally:
        gov.close()


def test_concurrent_sign_ins_keep_the_audit_trail_whole(gov_home: Home) -> None:
    """Sign-ins run in worker threads: many at once all succeed and the trail stays one chain
    (SQLite's write lock is taken late, so threads of one process take turns)."""
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.people.add_user("sam", "Sam", "vrp", "analyst", [], PASSWORD, "admin")
        with ThreadPoolExecutor(max_workers=12) as pool:
            done = list(
                pool.map(
                    lambda i: gov.people.authenticate("sam", PASSWORD, source=str(i)), range(24)
                )
            )
        assert [u.username for u in done] == ["sam"] * 24
        report = gov.audit.verify()
        assert report.intact, report.problems
    finally:
        gov.close()
