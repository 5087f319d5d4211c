"""Organisations, users, Argon2 passwords, lockout and district scopes (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.governance.conftest import add_orgs
from vrhub import pipeline
from vrhub.errors import AccessDeniedError, GovernanceError, UnknownPersonError
from vrhub.governance.people import LOCK_AFTER, require_districts
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


def test_wrong_passwords_lock_the_account(gov_home: Home) -> None:
    gov = pipeline.governance(gov_home)
    try:
        add_orgs(gov)
        gov.people.add_user("sam", "Sam", "vrp", "analyst", [], PASSWORD, "admin")
        now = dt.datetime(2026, 11, 22, 9, 0)
        for _ in range(LOCK_AFTER):
            with pytest.raises(AccessDeniedError, match="user name or password is not right"):
                gov.people.authenticate("sam", "wrong password!", now)
        with pytest.raises(AccessDeniedError, match="locked after 5 failed sign-ins"):
            gov.people.authenticate("sam", PASSWORD, now)
        later = now + dt.timedelta(minutes=16)
        assert gov.people.authenticate("sam", PASSWORD, later).username == "sam"
        with pytest.raises(AccessDeniedError, match="user name or password is not right"):
            gov.people.authenticate("nobody", PASSWORD, later)
        gov.people.change("sam", "admin", active=False)
        with pytest.raises(AccessDeniedError, match="switched off"):
            gov.people.authenticate("sam", PASSWORD, later)
        failed = [e for e in gov.audit.show(action="login") if e.action == "login.failed"]
        assert len(failed) == LOCK_AFTER + 1
    finally:
        gov.close()
