"""The measure explorer and the place page (each also .json, .csv and .xlsx)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from vrhub.datasets import all_datasets, get_dataset
from vrhub.errors import AccessDeniedError, VrhubError
from vrhub.governance.people import audience_of
from vrhub.records.models import User
from vrhub.web.core import (
    Web,
    WebDep,
    add_page,
    answer,
    drawn_once,
    error_answer,
    formats,
    page,
    respond,
    set_session,
    viewer,
)
from vrhub.web.explore import BREAKDOWNS, area_param, breakdowns, measure_choices, query_of
from vrhub.web.views import explore_for, place_drawing, place_for


def scope_of(web: Web, user: User) -> list[str]:
    return list(user.districts or web.home.partnership.district_codes)


def areas(web: Web, user: User, whole: bool) -> list[dict[str, str]]:
    """The areas a viewer may choose: the partnership (when ``whole``) and districts in scope."""
    scope = scope_of(web, user)
    out = [{"value": "all", "text": web.home.partnership.name}] if whole else []
    return out + [
        {"value": d.code, "text": d.name} for d in web.home.partnership.districts if d.code in scope
    ]


def add_routes(app: FastAPI) -> None:
    def explore_page(request: Request, web: WebDep) -> Response:
        user, s = viewer(request)
        params = {k: v for k, v in request.query_params.items() if k in EXPLORE_PARAMS}
        scope = scope_of(web, user)
        audience = audience_of(user)
        problem = None
        status = 400
        view: dict[str, Any] | None = None
        try:
            q = query_of(params, scope)
            view = explore_for(web, audience, scope, q)
        except AccessDeniedError:
            raise
        except VrhubError as exc:
            # Said on the form, with the error's own status (an agreement that does not permit
            # the viewer's audience is a refusal, 403; a query it cannot answer, 400).
            status = exc.http_status
            if request.url.path != "/explore":
                return error_answer(request, exc)
            problem = str(exc)[0].upper() + str(exc)[1:]
        chosen = view["measure"] if view else params.get("measure", "serious-violence")
        measures = measure_choices()
        fed: list[str] = next((m["datasets"] for m in measures if m["name"] == chosen), [])
        wanted = view["dataset"] if view else params.get("dataset")
        names = {d.name for d in all_datasets()}
        dataset = get_dataset(wanted if wanted in names else (fed or ["police-crime"])[0])
        query = urlencode(params)

        if view is not None:
            params["period"] = q.period  # as the view was asked for (trimmed)

        def body() -> Markup:
            # A template of the autoescaping environment.
            return Markup(  # nosec B704
                web.env.get_template("explore_body.html").render(
                    view=view,
                    problem=problem,
                    params=params,
                    measures=measures,
                    datasets=[{"value": d, "text": get_dataset(d).title} for d in fed],
                    areas=areas(web, user, True),
                    breakdowns=[{"value": b, "text": BREAKDOWNS[b]} for b in breakdowns(dataset)],
                )
            )

        def html() -> str:
            # The form and figures are the same for everyone given this view (its key holds the
            # audience, scope and query): drawn once.
            drawn = body() if view is None else drawn_once(view, "_body", body)
            return page(
                web,
                "explore.html",
                user,
                s.csrf,
                "/explore",
                title="Explore measures",
                view=view,
                body=drawn,
                formats=formats("/explore", query),
            )

        if view is None:
            response: Response = HTMLResponse(html(), status_code=status)
        else:
            response = answer(web, request, view, "explore", view["title"], html)
        set_session(web, response, request.state.session)
        return response

    add_page(app, "/explore", explore_page)

    def place_page(request: Request, web: WebDep) -> Response:
        user, s = viewer(request)
        scope = scope_of(web, user)
        whole = not user.districts
        area = area_param(request.query_params.get("area")) or ("all" if whole else scope[0])
        if area == "all" and not whole:
            raise AccessDeniedError(
                "the place page shows one district at a time for you: choose one in your scope"
            )
        if area != "all" and area not in scope:
            raise AccessDeniedError(f"the district {area} is outside what you may see")
        audience = audience_of(user)
        try:
            view = place_for(web, audience, area)
        except VrhubError as exc:
            return error_answer(request, exc)
        name = view["area"]["name"]
        return respond(
            web,
            request,
            view,
            template="place.html",
            title=f"Place: {name}",
            here="/place",
            user=user,
            session=s,
            links=formats("/place", urlencode({"area": area})),
            stem=f"place-{name}",
            label=f"Place, {name}",
            areas=areas(web, user, whole),
            area=area,
            body=place_drawing(web, view, every=request.query_params.get("rows") == "all"),
        )

    add_page(app, "/place", place_page)


EXPLORE_PARAMS = ("measure", "dataset", "area", "period", "by")
