"""What every dashboard request shares: the home's stores, templates, the viewer and errors."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from vrhub.governance.context import Governance
from vrhub.home import Home
from vrhub.records.models import User
from vrhub.web.session import COOKIE, Session, SessionExpired, Sessions

PACKAGE = resources.files("vrhub") / "web"
LOGIN_COOKIE = "vrhub_login"
TITLES = {400: "There is a problem", 401: "Sign in needed", 403: "Not allowed", 404: "Not found"}
#: No inline script or style anywhere; nothing from other sites.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SignInNeeded(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Web:
    """What every request shares: the home, its stores and the page cache."""

    home: Home
    sessions: Sessions
    gov: Governance
    con: Any
    env: jinja2.Environment
    secure: bool
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)

    def data_version(self) -> tuple[Any, ...]:
        with self.lock:
            rows = self.con.execute("SELECT count(*), max(batch_id) FROM ingest_batches").fetchall()
        return tuple(rows[0])


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(str(PACKAGE / "templates")),
                jinja2.PrefixLoader(
                    {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
                ),
            ]
        ),
        autoescape=True,
    )


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or "application/json" in request.headers.get(
        "accept", ""
    )


def error_response(request: Request, status: int, message: str) -> Response:
    """The one error page and the one JSON error shape."""
    title = TITLES.get(status, "Something went wrong")
    body = {"error": {"status": status, "title": title, "message": message}}
    if wants_json(request):
        return JSONResponse(body, status_code=status)
    web: Web = request.app.state.web
    html = page(web, "error.html", None, "", title=title, error=body["error"])
    return HTMLResponse(html, status_code=status)


def page(web: Web, template: str, user: User | None, csrf: str, **context: Any) -> str:
    navigation = [
        {"href": "/public", "text": "Published figures"},
        {"href": "/reports", "text": "Reports"},
    ]
    if user is not None:
        navigation.insert(0, {"href": "/", "text": "Overview"})
    else:
        navigation.append({"href": "/login", "text": "Sign in"})
    return web.env.get_template(template).render(
        partnership=web.home.partnership.name,
        navigation=navigation,
        footer_links=[{"href": "/public.json", "text": "Published figures as JSON"}],
        user=user,
        csrf=csrf,
        **context,
    )


def viewer(request: Request) -> tuple[User, Session]:
    """The signed-in user (read afresh from the record store) and the session."""
    web: Web = request.app.state.web
    try:
        s = web.sessions.load(request.cookies.get(COOKIE))
    except SessionExpired:
        raise SignInNeeded("your session has expired: sign in again") from None
    if s is None:
        raise SignInNeeded("sign in to see this page")
    user = web.gov.people.get(s.username)
    if not user.active:
        raise SignInNeeded("this account is switched off")
    request.state.session = web.sessions.touch(s)
    return user, s


def set_session(web: Web, response: Response, s: Session) -> None:
    response.set_cookie(
        COOKIE,
        web.sessions.dump(s),
        max_age=web.sessions.seconds,
        httponly=True,
        secure=web.secure,
        samesite="strict",
    )
