"""The dashboard application: sign-in, sessions, CSRF, security headers, one error shape.

Every page checks the viewer on the server: the role gives the audience (and so the disclosure
rule and the agreements that may be drawn on) and the district scope gives the areas shown.
Each page also answers ``.json`` from the same view. Errors have one HTML page and one JSON
shape: ``{"error": {"status": 403, "title": "...", "message": "..."}}``; an error vrhub raises
is answered with the status its class carries (:attr:`vrhub.errors.VrhubError.http_status`),
and a page that needs a sign-in sends a browser to the sign-in form instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from vrhub.errors import ConfigurationError, SessionExpiredError, SignInNeededError, VrhubError
from vrhub.governance.audit import home_secret
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.web import analysis, data_pages, governance, pages, reports
from vrhub.web.core import (
    HEADERS,
    PACKAGE,
    Web,
    environment,
    error_answer,
    error_response,
    wants_json,
)
from vrhub.web.data import clear_unfinished_uploads
from vrhub.web.session import Sessions
from vrhub.web.views import warm_in_background

log = logging.getLogger("vrhub.web")


def create_app(home: Home, secure_cookies: bool = True, warm: bool = False) -> FastAPI:
    """The dashboard for one home. Its assets must have been built (``make install``).

    With ``warm`` the views the first requests will want are worked out in the background, at
    start and after each upload (``vrhub serve`` does this).
    """
    static = Path(str(PACKAGE / "static"))
    if not (static / "vrhub.css").is_file():
        raise ConfigurationError(
            f"the dashboard's style sheet is not built in {static}: run `make install` "
            "(it compiles GOV.UK Frontend with npm)"
        )
    clear_unfinished_uploads(home.tmp_dir)
    sessions = Sessions(home_secret(home.path, "web"), home.settings.session_minutes)
    web = Web(open_hub(home), sessions, environment(), secure_cookies, warm)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    # No redirect built from the request's Host header (a trailing slash is simply not found).
    app.router.redirect_slashes = False
    app.state.web = web
    app.mount("/assets", StaticFiles(directory=static), name="assets")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        if secure_cookies:
            # Served over TLS (behind the reverse proxy): browsers are to use nothing else.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.url.path.startswith("/assets/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # The details go to the server's log, never to the page: they may name data.
        log.error("unexpected error on %s", request.url.path, exc_info=exc)
        return error_response(
            request,
            500,
            "something went wrong on the hub's side; nothing you sent was lost. Try again, and "
            "if it happens again tell the hub's administrator (the server's log has the details)",
        )

    @app.exception_handler(VrhubError)
    async def vrhub_error(request: Request, exc: VrhubError) -> Response:
        if isinstance(exc, SignInNeededError) and not wants_json(request):
            expired = isinstance(exc, SessionExpiredError)
            return RedirectResponse(f"/login{'?expired=1' if expired else ''}", status_code=303)
        return error_answer(request, exc)

    pages.add_routes(app)
    reports.add_routes(app)
    analysis.add_routes(app)
    data_pages.add_routes(app)
    governance.add_routes(app)
    if warm:
        warm_in_background(web)
    return app
