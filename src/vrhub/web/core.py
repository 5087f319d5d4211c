"""What every dashboard request shares: the home's stores, templates, the viewer and errors."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Annotated, Any

import duckdb
import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from vrhub.errors import (
    SessionExpiredError,
    SignInNeededError,
    UngovernedBatchError,
    VrhubError,
)
from vrhub.governance.context import Governance
from vrhub.governance.projection import reconcile
from vrhub.governance.reads import ReadLog
from vrhub.governance.roles import manages_governance, uploads_data
from vrhub.home import Home
from vrhub.hub import Hub
from vrhub.outputs.period import month_name
from vrhub.records.models import User
from vrhub.web.downloads import csv_response, xlsx_response
from vrhub.web.session import COOKIE, Session, Sessions

PACKAGE = resources.files("vrhub") / "web"
LOGIN_COOKIE = "vrhub_login"
CACHE_SIZE = 256
#: How long (seconds) the data version read from the store is trusted before it is read again.
#: Uploads through the dashboard reset it at once; this bounds how stale a view can be when the
#: store changes any other way.
VERSION_SECONDS = 1.0
#: The error page's title for each status (any other: "Something went wrong").
TITLES = {
    400: "There is a problem",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    409: "Not possible just now",
    413: "File too large",
    503: "Not available just now",
}
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


@dataclass(frozen=True)
class Refused:
    """A kept refusal (see :meth:`Web.cached`)."""

    error: VrhubError


@dataclass
class Web:
    """What every request shares: the server's hub (the home and both its stores, opened once
    for the process), the sessions, the page cache and the log of reads (each read of restricted
    data is written to the audit trail before it is answered)."""

    hub: Hub
    sessions: Sessions
    env: jinja2.Environment
    secure: bool
    warm: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[tuple[Any, ...], dict[str, Any] | Refused] = field(default_factory=dict)
    #: The last data version read and when (see :data:`VERSION_SECONDS`).
    version: tuple[float, tuple[Any, ...]] | None = None
    reads: ReadLog = field(init=False)

    def __post_init__(self) -> None:
        self.reads = ReadLog(self.hub.gov.audit)

    @property
    def home(self) -> Home:
        return self.hub.home

    @property
    def gov(self) -> Governance:
        return self.hub.gov

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        return self.hub.con

    def cached(self, key: tuple[Any, ...], compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """A view from the cache, or computed (one at a time: the store's connection is shared)
        and kept until the data changes (see :meth:`data_version`). A refusal
        (any :class:`VrhubError`, such as an agreement not permitting the audience) is kept the
        same way, so asking again does not work the figures out again only to refuse."""
        key = (*key, self.data_version())
        hit = self.cache.get(key)
        if hit is None:
            with self.lock:
                if key not in self.cache:
                    while len(self.cache) >= CACHE_SIZE:
                        self.cache.pop(next(iter(self.cache)))
                    try:
                        self.cache[key] = self._compute(compute)
                    except UngovernedBatchError:
                        raise  # not kept: the view is tried again on the next request
                    except VrhubError as exc:
                        self.cache[key] = Refused(exc)
                hit = self.cache[key]
        if isinstance(hit, Refused):
            raise hit.error.with_traceback(None)
        return hit

    def _compute(self, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Work a view out. A batch met without lineage (its record-store write failed) is
        repaired from the batch log and the view tried once more; if the record store still
        cannot be written the refusal is raised and not kept, so the view is tried again."""
        try:
            return compute()
        except UngovernedBatchError:
            try:
                repaired = reconcile(self.con, self.gov).lineage_added
            except Exception:
                repaired = []
            if not repaired:
                raise
            return compute()

    def data_version(self) -> tuple[Any, ...]:
        """What a kept view depends on besides its key: the store's batches (how many, the
        newest, and their states, which retention changes). Outputs follow the agreement version
        each batch came under, so changing an agreement changes no kept view. Read at most once
        a second."""
        known = self.version
        if known is not None and time.monotonic() - known[0] < VERSION_SECONDS:
            return known[1]
        try:
            # A cursor of its own, so a cache hit never waits for another view being computed.
            rows = self._batch_state()
        except duckdb.Error:
            # The store is being reopened for an upload (see vrhub.hub.Hub.writing): the pages
            # already worked out are served meanwhile; with none, read once the upload (which
            # holds the lock) is done.
            if known is not None:
                return known[1]
            with self.lock:
                rows = self._batch_state()
        self.version = (time.monotonic(), tuple(rows[0]))
        return self.version[1]

    def _batch_state(self) -> list[Any]:
        cur = self.con.cursor()
        try:
            return cur.execute(
                "SELECT count(*), max(batch_id), sum(hash(batch_id, status)) FROM ingest_batches"
            ).fetchall()
        finally:
            cur.close()

    def data_changed(self) -> None:
        """Forget the data version, so the next request reads it (after an upload)."""
        self.version = None


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(str(PACKAGE / "templates")),
                jinja2.PrefixLoader(
                    {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
                ),
            ]
        ),
        autoescape=True,
        # Templates are part of the installed package: checking their files for changes on
        # every page costs more than drawing some pages.
        auto_reload=False,
    )
    env.globals["month_name"] = month_name
    env.filters["ordinal"] = ordinal
    return env


def ordinal(n: int) -> str:
    """1 as "1st", 12 as "12th", 22 as "22nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def current_web(request: Request) -> Web:
    """What the server shares (its hub, sessions and page cache), for a route to depend on."""
    web: Web = request.app.state.web
    return web


#: A route's parameter for the server's shared state, injected by FastAPI.
WebDep = Annotated[Web, Depends(current_web)]


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or "application/json" in request.headers.get(
        "accept", ""
    )


def error_response(request: Request, status: int, message: str) -> Response:
    """The one error page and the one JSON error shape:
    ``{"error": {"status": 403, "title": "Not allowed", "message": "..."}}``."""
    title = TITLES.get(status, "Something went wrong")
    body = {"error": {"status": status, "title": title, "message": message}}
    response: Response
    if wants_json(request):
        response = JSONResponse(body, status_code=status)
    else:
        web: Web = request.app.state.web
        html = page(web, "error.html", None, "", title=title, error=body["error"])
        response = HTMLResponse(html, status_code=status)
    # Set here too: an unexpected error's answer does not pass through the headers middleware.
    for k, v in HEADERS.items():
        response.headers.setdefault(k, v)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_answer(request: Request, exc: VrhubError) -> Response:
    """An error vrhub raised, answered with its class's status (see :mod:`vrhub.errors`)."""
    return error_response(request, exc.http_status, str(exc))


def navigation(user: User | None, here: str) -> list[dict[str, Any]]:
    """The service navigation for this viewer; the current page is marked."""
    items: list[tuple[str, str]] = []
    if user is not None:
        items += [("/", "Overview"), ("/explore", "Explore measures"), ("/place", "Place")]
        if uploads_data(user.role):
            items.append(("/data", "Data"))
    items += [("/reports", "Reports"), ("/public", "Published figures")]
    if user is not None and manages_governance(user.role):
        items.append(("/governance", "Governance"))
    if user is None:
        items.append(("/login", "Sign in"))
    return [
        {
            "href": href,
            "text": text,
            "active": here == href or (href == "/" and here == "/overview"),
        }
        for href, text in items
    ]


def page(
    web: Web, template: str, user: User | None, csrf: str, here: str = "", **context: Any
) -> str:
    return web.env.get_template(template).render(
        partnership=web.home.partnership.name,
        navigation=navigation(user, here),
        footer_links=[{"href": "/public.json", "text": "Published figures as JSON"}],
        user=user,
        csrf=csrf,
        **context,
    )


def download_name(web: Web, stem: str, period: str | None = None) -> str:
    name = f"{web.home.partnership.slug or 'vrhub'}-{stem}-{period or ''}"
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def answer(
    web: Web,
    request: Request,
    view: dict[str, Any],
    stem: str,
    title: str,
    html: Callable[[], str],
) -> Response:
    """The page in the format its path asks for: HTML, .json, .csv or .xlsx, from one view.

    Keys beginning with ``_`` are for the HTML page only (a drawing rendered once) and are
    left out of the JSON; the JSON itself is kept in the view as ``_json``.
    """
    path = request.url.path
    if path.endswith(".json"):
        # A view is not changed once made, and kept views are asked for again and again: its
        # JSON is written once.
        body = view.get("_json")
        if body is None:
            public = {k: v for k, v in view.items() if not k.startswith("_")}
            body = view["_json"] = JSONResponse(public).body
        return Response(body, media_type="application/json")
    if path.endswith((".csv", ".xlsx")):
        name = download_name(web, stem, str(view.get("period") or ""))
        tables = view.get("tables", [])
        if path.endswith(".csv"):
            return csv_response(tables, f"{name}.csv")
        label = f"{title}, {view['period']}" if view.get("period") else title
        return xlsx_response(tables, f"{name}.xlsx", label)
    return HTMLResponse(html())


def respond(
    web: Web,
    request: Request,
    view: dict[str, Any],
    *,
    template: str,
    title: str,
    here: str,
    user: User | None,
    session: Session | None,
    links: dict[str, str],
    stem: str,
    label: str | None = None,
    **context: Any,
) -> Response:
    """A page in the format its path asks for (see :func:`answer`), drawn with ``template``,
    with the viewer's session renewed. ``label`` titles the downloads (default ``title``)."""
    response = answer(
        web,
        request,
        view,
        stem,
        label or title,
        lambda: page(
            web,
            template,
            user,
            session.csrf if session else "",
            here,
            title=title,
            view=view,
            formats=links,
            **context,
        ),
    )
    if session is not None:
        set_session(web, response, request.state.session)
    return response


def drawn_once(view: dict[str, Any], key: str, draw: Callable[[], Markup]) -> Markup:
    """Part of a kept view's page that is the same for everyone the view is for, drawn the first
    time it is asked for and kept in the view under ``key`` (a ``_`` key: never in the JSON)."""
    drawn: Markup | None = view.get(key)
    if drawn is None:
        drawn = view.setdefault(key, draw())
    return drawn


#: The formats every page answers in, besides HTML.
FORMATS = ("", ".json", ".csv", ".xlsx")


def add_page(app: Any, path: str, endpoint: Callable[..., Any]) -> None:
    """Route a page and its ``.json``, ``.csv`` and ``.xlsx`` to one endpoint."""
    for fmt in FORMATS:
        app.add_api_route(f"{path}{fmt}", endpoint, methods=["GET"])


def formats(path: str, query: str = "") -> dict[str, str]:
    """The addresses of a page's other formats (the same view)."""
    q = f"?{query}" if query else ""
    return {f: f"{path}.{f}{q}" for f in ("csv", "xlsx", "json")}


def viewer(request: Request) -> tuple[User, Session]:
    """The signed-in user (read afresh from the record store) and the session; raises
    :class:`SignInNeededError` (a :class:`~vrhub.errors.SessionExpiredError` when the session
    has expired) if there is none. The user is kept on the request (``request.state.viewer``):
    what they are answered is then recorded as their read (see :mod:`vrhub.web.app`)."""
    web: Web = request.app.state.web
    s = web.sessions.load(request.cookies.get(COOKIE))
    if s is None:
        raise SignInNeededError("sign in to see this page")
    user = web.gov.people.get(s.username)
    if not user.active:
        raise SignInNeededError("this account is switched off")
    ended = user.sessions_valid_from
    if ended is not None and s.began < ended.replace(tzinfo=dt.UTC).timestamp():
        # Signed out, or the password, role, districts or status changed since sign-in.
        raise SessionExpiredError("your session has ended: sign in again")
    request.state.session = web.sessions.touch(s)
    request.state.viewer = user
    return user, s


def optional_viewer(request: Request) -> tuple[User | None, Session | None]:
    """The signed-in user and session on a page anyone may see; (None, None) for a visitor."""
    try:
        return viewer(request)
    except SignInNeededError:
        return None, None


def set_session(web: Web, response: Response, s: Session) -> None:
    response.set_cookie(
        COOKIE,
        web.sessions.dump(s),
        max_age=web.sessions.seconds,
        httponly=True,
        secure=web.secure,
        samesite="strict",
    )
