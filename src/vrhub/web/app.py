"""The dashboard application: sign-in, sessions, CSRF, security headers, one error shape.

Every page checks the viewer on the server: the role gives the audience (and so the disclosure
rule and the agreements that may be drawn on) and the district scope gives the areas shown.
Each page also answers ``.json`` from the same view. Errors have one HTML page and one JSON
shape: ``{"error": {"status": 403, "title": "...", "message": "..."}}``.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from vrhub.errors import AccessDeniedError, ConfigurationError, VrhubError
from vrhub.governance.audit import home_secret
from vrhub.governance.context import Governance, open_governance
from vrhub.governance.people import audience_of
from vrhub.home import Home
from vrhub.records.models import User
from vrhub.reports.build import default_period
from vrhub.store.analytical import connect
from vrhub.web.downloads import csv_response, overview_rows, xlsx_response
from vrhub.web.overview import overview
from vrhub.web.session import COOKIE, Session, SessionExpired, Sessions, csrf_matches

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


def _env() -> jinja2.Environment:
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


def create_app(home: Home, secure_cookies: bool = True) -> FastAPI:
    """The dashboard for one home. Its assets must have been built (``make install``)."""
    static = Path(str(PACKAGE / "static"))
    if not (static / "vrhub.css").is_file():
        raise ConfigurationError(
            f"the dashboard's style sheet is not built in {static}: run `make install` "
            "(it compiles GOV.UK Frontend with npm)"
        )
    sessions = Sessions(home_secret(home.path, "web"), home.settings.session_minutes)
    web = Web(home, sessions, open_governance(home), connect(home), _env(), secure_cookies)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = web
    app.mount("/assets", StaticFiles(directory=static), name="assets")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        if not request.url.path.startswith("/assets/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(AccessDeniedError)
    async def denied(request: Request, exc: AccessDeniedError) -> Response:
        return error_response(request, 403, str(exc))

    @app.exception_handler(SignInNeeded)
    async def sign_in(request: Request, exc: SignInNeeded) -> Response:
        if wants_json(request):
            return error_response(request, 401, exc.message)
        expired = "expired" in exc.message
        return RedirectResponse(f"/login{'?expired=1' if expired else ''}", status_code=303)

    @app.exception_handler(VrhubError)
    async def vrhub_error(request: Request, exc: VrhubError) -> Response:
        return error_response(request, 400, str(exc))

    _routes(app, web)
    return app


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
    navigation = [{"href": "/public", "text": "Published figures"}]
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


def _set_session(web: Web, response: Response, s: Session) -> None:
    response.set_cookie(
        COOKIE,
        web.sessions.dump(s),
        max_age=web.sessions.seconds,
        httponly=True,
        secure=web.secure,
        samesite="strict",
    )


def _routes(app: FastAPI, web: Web) -> None:
    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, expired: int = 0, signed_out: int = 0) -> Response:
        token = secrets.token_urlsafe(32)
        notice = (
            "Your session has expired: sign in again."
            if expired
            else "You have signed out."
            if signed_out
            else None
        )
        html = page(web, "login.html", None, token, title="Sign in", notice=notice)
        response = HTMLResponse(html)
        response.set_cookie(
            LOGIN_COOKIE, token, max_age=1800, httponly=True, secure=web.secure, samesite="strict"
        )
        return response

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await request.form()
        token = str(form.get("csrf_token") or "")
        expected = request.cookies.get(LOGIN_COOKIE) or ""
        if not token or not secrets.compare_digest(token, expected):
            return error_response(
                request, 403, "the form has expired or did not come from this site: try again"
            )
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        try:
            user = web.gov.people.authenticate(username, password)
        except AccessDeniedError as exc:
            html = page(
                web,
                "login.html",
                None,
                token,
                title="Sign in",
                problem=str(exc)[0].upper() + str(exc)[1:],
                username=username,
            )
            return HTMLResponse(html, status_code=400)
        response = RedirectResponse("/", status_code=303)
        _set_session(web, response, web.sessions.new(user.username))
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        user, s = viewer(request)
        form = await request.form()
        if not csrf_matches(s, str(form.get("csrf_token") or "")):
            return error_response(request, 403, "the form did not come from this site")
        web.gov.audit.write(user.username, "logout", user.username)
        response = RedirectResponse("/login?signed_out=1", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    def _overview(audience: str, districts: list[str]) -> dict[str, Any]:
        key = ("overview", audience, tuple(districts), web.data_version())
        if key not in web.cache:
            with web.lock:
                period = default_period(web.home)
                web.cache[key] = overview(web.home, web.con, web.gov, audience, period, districts)
        return web.cache[key]

    def _answer(
        request: Request, view: dict[str, Any], stem: str, title: str, html: Any
    ) -> Response:
        """The page in the format its path asks for: HTML, .json, .csv or .xlsx."""
        path = request.url.path
        if path.endswith(".json"):
            return JSONResponse(view)
        if path.endswith((".csv", ".xlsx")):
            rows = overview_rows(view)
            name = f"{web.home.partnership.slug or 'vrhub'}-{stem}-{view['period'][12:]}"
            name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            if path.endswith(".csv"):
                return csv_response(rows, f"{name}.csv")
            return xlsx_response(rows, f"{name}.xlsx", f"{title}, {view['period']}")
        return HTMLResponse(html())

    @app.get("/", response_class=HTMLResponse)
    @app.get("/overview", response_class=HTMLResponse)
    @app.get("/overview.json")
    @app.get("/overview.csv")
    @app.get("/overview.xlsx")
    def home_page(request: Request) -> Response:
        user, s = viewer(request)
        scope = list(user.districts or web.home.partnership.district_codes)
        view = _overview(audience_of(user), scope)
        response = _answer(
            request,
            view,
            "overview",
            "Overview",
            lambda: page(
                web, "overview.html", user, s.csrf, title="Overview", view=view, formats="/overview"
            ),
        )
        _set_session(web, response, request.state.session)
        return response

    @app.get("/public", response_class=HTMLResponse)
    @app.get("/public.json")
    @app.get("/public.csv")
    @app.get("/public.xlsx")
    def public(request: Request) -> Response:
        view = _overview("public", list(web.home.partnership.district_codes))
        return _answer(
            request,
            view,
            "published-figures",
            "Published figures",
            lambda: page(
                web,
                "overview.html",
                None,
                "",
                title="Published figures",
                view=view,
                formats="/public",
            ),
        )
