"""Organisations, users, their roles and district scopes; passwords hashed with Argon2.

The roles and what each may do are defined in :mod:`vrhub.governance.roles`. A user's scope is a
set of the partnership's districts (empty: all of them) and their organisation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from vrhub.errors import AccessDeniedError, GovernanceError, UnknownPersonError
from vrhub.governance.audit import Audit, utcnow

# ROLES and ROLE_AUDIENCE are also read from here, as they were defined here before roles.py.
from vrhub.governance.roles import ROLE_AUDIENCE as ROLE_AUDIENCE
from vrhub.governance.roles import ROLES as ROLES
from vrhub.governance.roles import audience_for
from vrhub.partnership import current_code
from vrhub.records.db import Records
from vrhub.records.models import Organisation, User

ORGANISATION_KINDS = (
    "police",
    "council",
    "health",
    "fire",
    "probation",
    "youth-justice",
    "provider",
    "partnership",
    "other",
)
MIN_PASSWORD = 12
#: A user name: never one the audit trail uses for vrhub itself or for the command line
#: ("cli:NAME", "unknown:NAME"), so an entry's actor is never ambiguous.
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
RESERVED_NAMES = frozenset({"vrhub", "demo", "unknown", "system", "cli"})
#: The one answer to every failed sign-in.
SIGN_IN_REFUSED = (
    "the user name or password is not right, or this account cannot sign in just now: check "
    "them and try again in a few minutes, or ask an administrator"
)
LOCK_AFTER = 5
LOCK_MINUTES = 15

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise GovernanceError(f"a password must have at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


class People:
    """Organisations and users of one record store; every change is audited."""

    def __init__(self, records: Records, audit: Audit, districts: Iterable[str]) -> None:
        self.records = records
        self.audit = audit
        self.districts = tuple(districts)
        #: Failed sign-ins by (account, source) and until when sign-ins are paused; kept for
        #: the life of the process (the dashboard's).
        self._failures: dict[tuple[str, str], tuple[int, dt.datetime | None]] = {}

    # -- organisations -------------------------------------------------------------------
    def add_organisation(self, code: str, name: str, kind: str, actor: str) -> Organisation:
        if kind not in ORGANISATION_KINDS:
            raise GovernanceError(f"kind '{kind}' is not one of: {', '.join(ORGANISATION_KINDS)}")
        with self.records.session() as s:
            if s.scalar(select(Organisation).where(Organisation.code == code)):
                raise GovernanceError(f"an organisation with the code '{code}' already exists")
            org = Organisation(code=code, name=name, kind=kind, created_at=utcnow())
            s.add(org)
            s.flush()
            self.audit.record(s, actor, "organisation.add", code, {"kind": kind})
            return org

    def organisations(self) -> list[Organisation]:
        with self.records.session() as s:
            return list(s.scalars(select(Organisation).order_by(Organisation.code)))

    # -- users ---------------------------------------------------------------------------
    def _check_districts(self, districts: Iterable[str]) -> list[str]:
        # An older code (Barnsley's E08000016) is kept as today's (E08000038).
        chosen = sorted({current_code(d) for d in districts})
        outside = [d for d in chosen if d not in self.districts]
        if outside:
            raise GovernanceError(
                f"district {', '.join(outside)} is not in the partnership "
                f"(its districts: {', '.join(self.districts)})"
            )
        return chosen

    def add_user(
        self,
        username: str,
        display_name: str,
        organisation: str,
        role: str,
        districts: Iterable[str],
        password: str,
        actor: str,
    ) -> User:
        if not USERNAME.fullmatch(username) or username.lower() in RESERVED_NAMES:
            raise GovernanceError(
                f"'{username}' cannot be a user name: use up to 80 letters, digits, dots, hyphens "
                "or underscores, starting with a letter or digit (not vrhub, demo, unknown or "
                "system, which the audit trail uses for itself)"
            )
        if role not in ROLES:
            raise GovernanceError(f"role '{role}' is not one of: {', '.join(ROLES)}")
        chosen = self._check_districts(districts)
        password_hash = hash_password(password)
        with self.records.session() as s:
            org = s.scalar(select(Organisation).where(Organisation.code == organisation))
            if org is None:
                raise UnknownPersonError(f"no organisation has the code '{organisation}'")
            if s.scalar(select(User).where(User.username == username)):
                raise GovernanceError(f"a user called '{username}' already exists")
            user = User(
                username=username,
                display_name=display_name,
                organisation_id=org.id,
                role=role,
                districts=chosen,
                password_hash=password_hash,
                active=True,
                failed_logins=0,
                created_at=utcnow(),
            )
            s.add(user)
            s.flush()
            self.audit.record(
                s,
                actor,
                "user.add",
                username,
                {"role": role, "organisation": organisation, "districts": chosen},
            )
            return user

    def get(self, username: str) -> User:
        with self.records.session() as s:
            user = s.scalar(
                select(User).options(joinedload(User.organisation)).where(User.username == username)
            )
            if user is None:
                raise UnknownPersonError(f"no user is called '{username}'")
            return user

    def users(self) -> list[User]:
        with self.records.session() as s:
            found = list(s.scalars(select(User).order_by(User.username)))
            for u in found:
                _ = u.organisation
            return found

    def change(
        self,
        username: str,
        actor: str,
        role: str | None = None,
        districts: Iterable[str] | None = None,
        active: bool | None = None,
        password: str | None = None,
    ) -> User:
        """Change a user's role, districts, whether they may sign in, or password."""
        details: dict[str, object] = {}
        with self.records.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise UnknownPersonError(f"no user is called '{username}'")
            if role is not None:
                if role not in ROLES:
                    raise GovernanceError(f"role '{role}' is not one of: {', '.join(ROLES)}")
                details["role"] = [user.role, role]
                user.role = role
            if districts is not None:
                chosen = self._check_districts(districts)
                details["districts"] = [list(user.districts), chosen]
                user.districts = chosen
            if active is not None:
                details["active"] = [user.active, active]
                user.active = active
            if password is not None:
                user.password_hash = hash_password(password)
                user.failed_logins, user.locked_until = 0, None
                # What the audit entry says happened.
                details["password"] = "reset"  # nosec B105
            if details:
                # Every session begun before the change ends: a new password, role, scope or
                # switching the account off (or on again) all need a fresh sign-in.
                user.sessions_valid_from = utcnow()
            self.audit.record(s, actor, "user.change", username, details)
            return user

    def end_sessions(self, username: str) -> None:
        """End every session of this user (at sign-out)."""
        with self.records.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is not None:
                user.sessions_valid_from = utcnow()
                self.audit.record(s, username, "logout", username, {"sessions": "all ended"})

    def authenticate(
        self,
        username: str,
        password: str,
        now: dt.datetime | None = None,
        source: str = "unknown",
    ) -> User:
        """The user, if the password is right and the account open; failures are counted.

        Every failed sign-in gets the same answer, whether the name is unknown, the password
        wrong, the account switched off or sign-ins paused, so the answer says nothing of which
        accounts exist. Sign-ins are paused for one account *from one source* (the client's
        address) after :data:`LOCK_AFTER` failures, for :data:`LOCK_MINUTES` minutes, doubling
        with each further failure: someone guessing cannot lock the account's owner out from
        elsewhere. Every attempt is audited; the refusal is raised only after the audit entry
        has been committed.
        """
        now = now or utcnow()
        key = (username.strip().lower()[:80], source[:80])
        failures, paused_until = self._failures.get(key, (0, None))
        refusal: AccessDeniedError | None = None
        with self.records.session() as s:
            found = s.scalar(select(User.password_hash).where(User.username == username))
        # Argon2 is slow on purpose: checked outside any transaction, so sign-ins do not hold
        # the record store. The same work whatever the outcome, so timing says nothing either.
        if found is None:
            _hasher.hash(password)
            matches = False
        else:
            matches = _password_matches(found, password)
        with self.records.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is not None and user.password_hash != found:
                matches = False  # the password changed while it was being checked
            why = None
            if paused_until is not None and paused_until > now:
                why = "paused"
            elif user is None:
                why = "unknown"
            elif not user.active:
                why = "inactive"
            elif not matches:
                why = "password"
            if why is None:
                assert user is not None
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
                user.failed_logins, user.locked_until = 0, None
                self._failures.pop(key, None)
                self.audit.record(s, username, "login", username, {"source": source})
                _ = user.organisation
            else:
                details: dict[str, object] = {"why": why, "source": source}
                if why != "paused":
                    failures += 1
                    if user is not None:
                        user.failed_logins += 1
                    if failures >= LOCK_AFTER:
                        minutes = min(LOCK_MINUTES * 2 ** (failures - LOCK_AFTER), 24 * 60)
                        paused_until = now + dt.timedelta(minutes=minutes)
                        details["paused_minutes"] = minutes
                    self._failures[key] = (failures, paused_until)
                actor = username if user is not None else f"unknown:{username[:40]}"
                action = "login.refused" if why == "paused" else "login.failed"
                self.audit.record(s, actor, action, username[:80], details)
                refusal = AccessDeniedError(SIGN_IN_REFUSED)
        if refusal is not None:
            raise refusal
        assert user is not None
        return user


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def audience_of(user: User) -> str:
    """The audience whose outputs the user reads (by their role)."""
    return audience_for(user.role)


def require_districts(user: User, districts: Iterable[str], partnership: Iterable[str]) -> None:
    """Refuse, naming them, any districts outside the user's scope."""
    allowed = set(user.districts or partnership)
    outside = sorted(set(districts) - allowed)
    if outside:
        raise AccessDeniedError(
            f"{user.username} may see only {', '.join(sorted(allowed))}; "
            f"{', '.join(outside)} is outside their scope"
        )
