"""The dashboard application: sign-in, sessions, CSRF, security headers, one error shape.

Every page checks the viewer on the server: the role gives the audience (and so the disclosure
rule and the agreements that may be drawn on) and the district scope gives the areas shown.
Each page also answers ``.json`` from the same view. Every page, download and report file a
signed-in person is answered with is first recorded in the audit trail as their read (see
:mod:`vrhub.governance.reads`); a read that cannot be recorded is refused. Errors have one HTML
page and one JSON shape: ``{"error": {"status": 403, "title": "...", "message": "..."}}``; an
error vrhub raises is answered with the status its class carries
(:attr:`vrhub.errors.VrhubError.http_status`), and a page that needs a sign-in sends a browser
to the sign-in form instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from vrhub.errors import (
    ConfigurationError,
    SessionExpiredError,
    SignInNeededError,
    StoreInUseError,
    VrhubError,
)
from vrhub.governance.audit import home_secret
from vrhub.governance.people import audience_of
from vrhub.governance.reads import DOWNLOAD, PAGE, REPORT, Read, printable, read_details
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

#: Addresses whose answers hold no restricted figures, so are not recorded as reads: the
#: published figures (anyone's to see), sign-in and sign-out, the upload form and assets.
NOT_READ = ("/public", "/public.json", "/public.csv", "/public.xlsx", "/login", "/logout",
            "/data/upload")  # fmt: skip
#: The query parameters a read records (the choices of the explorer, place and governance
#: pages, each cut to :data:`CHOICE_LENGTH` characters); any other is left out.
CHOICES = ("measure", "dataset", "area", "period", "by", "rows", "actor", "action", "reader")
CHOICE_LENGTH = 80
#: How long (seconds) a request waits for its read to be committed before it is refused.
READ_WAIT = 30.0
NOT_RECORDED = (
    "this could not be shown: every read of the hub's figures is recorded in its audit trail "
    "and this one could not be. Nothing was shown; try again in a moment, and if this "
    "persists tell the hub's administrator"
)


def read_of(request: Request, status: int) -> Read | None:
    """The read a request's answer is, or None: only a successful GET by a signed-in viewer
    (:func:`vrhub.web.core.viewer` ran) of an address holding figures or data is one."""
    user = getattr(request.state, "viewer", None)
    path = request.url.path
    if (
        user is None
        or request.method != "GET"
        or not 200 <= status < 300
        or path in NOT_READ
        or "/assets/" in path
    ):
        return None
    if path.startswith("/reports/"):
        action, fmt = REPORT, path.rsplit(".", 1)[-1] if "." in path else ""
    else:
        last = path.rsplit("/", 1)[-1]
        fmt = last.rsplit(".", 1)[-1] if "." in last else "html"
        action = PAGE if fmt == "html" else DOWNLOAD
    query = request.query_params.items()
    choices = {k: printable(v, CHOICE_LENGTH) for k, v in query if k in CHOICES and v}
    details = read_details(audience_of(user), fmt, choices, user.districts or ())
    return Read(user.username, action, printable(path), details)


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
    try:
        hub = open_hub(home)  # for writing: the stores are brought up to date and reconciled
    except StoreInUseError:
        # Already held for reading (another dashboard of this process, as in the tests, or a
        # command reading it): read alongside it.
        hub = open_hub(home, read_only=True)
    # Then held for reading only, so an analyst's commands may read the store while the
    # dashboard serves; an upload takes it for writing just while it loads (vrhub.hub).
    hub.share()
    web = Web(hub, sessions, environment(), secure_cookies, warm)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        # Reads queued when the server stops are written before it ends.
        await run_in_threadpool(web.reads.close)
        # And the stores are let go, so another server or command may open them.
        web.hub.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    # No redirect built from the request's Host header (a trailing slash is simply not found).
    app.router.redirect_slashes = False
    app.state.web = web
    app.mount("/assets", StaticFiles(directory=static), name="assets")

    @app.middleware("http")
    async def audited_with_headers(request: Request, call_next: Any) -> Response:
        """Record the answer as the viewer's read (refusing it if that fails), then add the
        security headers. One middleware: each layer costs every request."""
        response: Response = await call_next(request)
        read = read_of(request, response.status_code)
        if read is not None:
            try:
                # Committed with other requests' reads by the writer thread (group commit);
                # the event loop serves others meanwhile.
                await asyncio.wait_for(asyncio.wrap_future(web.reads.submit(read)), READ_WAIT)
            except Exception as exc:
                why = exc if isinstance(exc, VrhubError) else type(exc).__name__
                log.error("a read was refused: it could not be recorded (%s)", why)
                response = error_response(request, 503, NOT_RECORDED)
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
