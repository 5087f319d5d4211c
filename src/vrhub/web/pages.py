"""Sign-in, sign-out, the overview and the published figures (each also .json, .csv, .xlsx)."""

from __future__ import annotations

import secrets

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from vrhub.errors import AccessDeniedError
from vrhub.governance.people import audience_of
from vrhub.web.core import (
    LOGIN_COOKIE,
    WebDep,
    add_page,
    error_response,
    formats,
    optional_viewer,
    page,
    respond,
    set_session,
    viewer,
)
from vrhub.web.session import COOKIE, csrf_matches
from vrhub.web.views import overview_for


def add_routes(app: FastAPI) -> None:
    @app.get("/login", response_class=HTMLResponse)
    def login_form(
        request: Request, web: WebDep, expired: int = 0, signed_out: int = 0
    ) -> Response:
        token = web.sessions.login_token()
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
    async def login(request: Request, web: WebDep) -> Response:
        form = await request.form()
        token = str(form.get("csrf_token") or "")
        expected = request.cookies.get(LOGIN_COOKIE) or ""
        if (
            not token
            or not secrets.compare_digest(token, expected)
            or not web.sessions.login_token_valid(token)
        ):
            return error_response(
                request, 403, "the form has expired or did not come from this site: try again"
            )
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        try:
            source = request.client.host if request.client else "unknown"
            # Argon2 is slow on purpose: checked in a worker thread, so sign-ins never hold
            # up other people's pages.
            user = await run_in_threadpool(
                web.gov.people.authenticate, username, password, source=source
            )
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
        set_session(web, response, web.sessions.new(user.username))
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @app.post("/logout")
    async def logout(request: Request, web: WebDep) -> Response:
        user, s = viewer(request)
        form = await request.form()
        if not csrf_matches(s, str(form.get("csrf_token") or "")):
            return error_response(request, 403, "the form did not come from this site")
        # Every session of the account ends, so a copy of the cookie is of no use either.
        web.gov.people.end_sessions(user.username)
        response = RedirectResponse("/login?signed_out=1", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    def home_page(request: Request, web: WebDep) -> Response:
        user, s = viewer(request)
        scope = list(user.districts or web.home.partnership.district_codes)
        view = overview_for(web, audience_of(user), scope)
        return respond(
            web,
            request,
            view,
            template="overview.html",
            title="Overview",
            here="/",
            user=user,
            session=s,
            links=formats("/overview"),
            stem="overview",
        )

    app.add_api_route("/", home_page, methods=["GET"])
    add_page(app, "/overview", home_page)

    def public(request: Request, web: WebDep) -> Response:
        user, s = optional_viewer(request)
        view = overview_for(web, "public", list(web.home.partnership.district_codes))
        return respond(
            web,
            request,
            view,
            template="overview.html",
            title="Published figures",
            here="/public",
            user=user,
            session=s,
            links=formats("/public"),
            stem="published-figures",
        )

    add_page(app, "/public", public)
