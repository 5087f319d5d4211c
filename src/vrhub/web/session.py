"""Signed, expiring session cookies with a CSRF token for each sign-in.

The cookie holds the user name, a random CSRF token, when the session began and when it was last
used, signed with the home's web key (``secrets/web.key``); it is renewed on each request, so a
session ends after ``session_minutes`` without activity, and in any case :data:`LIFETIME_HOURS`
after it began. Nothing else about the user is in it: role and district scope are read from the
record store on every request, and a session begun before the user's ``sessions_valid_from``
(set at sign-out and whenever their password, role, districts or status change) is refused.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from vrhub.errors import SessionExpiredError

COOKIE = "vrhub_session"
#: However active, a session ends this long after sign-in.
LIFETIME_HOURS = 12


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str
    seen: float
    #: When the session began (sign-in).
    began: float = 0.0


class Sessions:
    def __init__(self, secret: bytes, minutes: int) -> None:
        self._signer = URLSafeSerializer(secret, salt="vrhub-session")
        self._login = URLSafeTimedSerializer(secret, salt="vrhub-login")
        self.seconds = minutes * 60

    def login_token(self) -> str:
        """A token for the sign-in form (and its cookie), signed: one planted by someone else
        (who cannot sign it) is refused."""
        return self._login.dumps(secrets.token_urlsafe(16))

    def login_token_valid(self, token: str, max_seconds: int = 1800) -> bool:
        try:
            self._login.loads(token, max_age=max_seconds)
        except BadSignature:  # includes an expired token
            return False
        return True

    def new(self, username: str) -> Session:
        now = time.time()
        return Session(username, secrets.token_urlsafe(32), now, now)

    def dump(self, s: Session) -> str:
        return self._signer.dumps({"u": s.username, "c": s.csrf, "t": s.seen, "b": s.began})

    def load(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session, None if there is none or it is forged; raises
        :class:`~vrhub.errors.SessionExpiredError` when it has expired."""
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not {"u", "c", "t", "b"} <= set(data):
            return None
        seen, began = float(data["t"]), float(data["b"])
        at = now or time.time()
        if at - seen > self.seconds or at - began > LIFETIME_HOURS * 3600:
            raise SessionExpiredError("your session has expired: sign in again")
        return Session(str(data["u"]), str(data["c"]), seen, began)

    def touch(self, s: Session) -> Session:
        return Session(s.username, s.csrf, time.time(), s.began)


def csrf_matches(session: Session | None, token: str | None) -> bool:
    return bool(session and token and secrets.compare_digest(session.csrf, token))
