"""Signed, expiring session cookies with a CSRF token for each sign-in.

The cookie holds the user name, a random CSRF token and when the session was last used, signed
with the home's web key (``secrets/web.key``); it is renewed on each request, so a session ends
after ``session_minutes`` without activity. Nothing else about the user is in it: role and
district scope are read from the record store on every request.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from vrhub.errors import SessionExpiredError

COOKIE = "vrhub_session"


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str
    seen: float


class Sessions:
    def __init__(self, secret: bytes, minutes: int) -> None:
        self._signer = URLSafeSerializer(secret, salt="vrhub-session")
        self.seconds = minutes * 60

    def new(self, username: str) -> Session:
        return Session(username, secrets.token_urlsafe(32), time.time())

    def dump(self, s: Session) -> str:
        return self._signer.dumps({"u": s.username, "c": s.csrf, "t": s.seen})

    def load(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session, None if there is none or it is forged; raises
        :class:`~vrhub.errors.SessionExpiredError` when it has expired."""
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not {"u", "c", "t"} <= set(data):
            return None
        seen = float(data["t"])
        if (now or time.time()) - seen > self.seconds:
            raise SessionExpiredError("your session has expired: sign in again")
        return Session(str(data["u"]), str(data["c"]), seen)

    def touch(self, s: Session) -> Session:
        return Session(s.username, s.csrf, time.time())


def csrf_matches(session: Session | None, token: str | None) -> bool:
    return bool(session and token and secrets.compare_digest(session.csrf, token))
