"""The views kept between requests, and warming them before anyone asks.

A view is worked out once for its audience and scope and kept until a new batch arrives (see
:meth:`vrhub.web.core.Web.cached`). Working out an overview takes seconds on a large store, so
``vrhub serve`` works out, in the background, the overview of every active user's audience and
scope, the published figures, each default place page and each default explorer page: at start
and again after each upload.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from markupsafe import Markup

from vrhub.errors import VrhubError
from vrhub.governance.people import audience_of
from vrhub.outputs.period import latest_year
from vrhub.web.core import Web, drawn_once
from vrhub.web.explore import Query, explore, query_of
from vrhub.web.overview import overview
from vrhub.web.place import html_blocks, place_view


def overview_for(web: Web, audience: str, districts: list[str]) -> dict[str, Any]:
    return web.cached(
        ("overview", audience, tuple(districts)),
        lambda: overview(web.home, web.con, web.gov, audience, latest_year(web.con), districts),
    )


def explore_for(web: Web, audience: str, scope: list[str], q: Query) -> dict[str, Any]:
    return web.cached(
        ("explore", audience, tuple(scope), q),
        lambda: explore(web.home, web.con, web.gov, audience, q, scope),
    )


#: How many neighbourhoods the place page ranks unless asked for all (the downloads hold all).
RANKED_SHOWN = 50


def place_for(web: Web, audience: str, area: str) -> dict[str, Any]:
    """The place page's view, with its usual drawing (map and ranked table) rendered with it."""
    district = None if area == "all" else area

    def compute() -> dict[str, Any]:
        view = place_view(web.home, web.con, web.gov, audience, latest_year(web.con), district)
        place_drawing(web, view, every=False)
        return view

    return web.cached(("place", audience, area), compute)


def place_drawing(web: Web, view: dict[str, Any], every: bool) -> Markup:
    """The place page's map and ranked table: the highest :data:`RANKED_SHOWN` neighbourhoods,
    or ``every`` one. The same for everyone of the view's audience, so each is drawn once."""
    limit = None if every else RANKED_SHOWN

    def draw() -> Markup:
        body = web.env.get_template("place_body.html")
        html = body.render(
            view=view, blocks=html_blocks(view), chart_tables=False, limit=limit, top=RANKED_SHOWN
        )
        # Rendered by the autoescaping environment.
        return Markup(html)  # nosec B704

    return drawn_once(view, "_html_all" if every else "_html", draw)


def warm(web: Web) -> int:
    """Work out the views the first requests will want (each audience and scope's overview,
    default explorer and place pages); returns how many overviews were ready."""
    everyone = list(web.home.partnership.district_codes)
    wanted: set[tuple[str, tuple[str, ...]]] = {("public", tuple(everyone))}
    for u in web.gov.people.users():
        if u.active:
            wanted.add((audience_of(u), tuple(u.districts or everyone)))
    done = 0
    for audience, scope in sorted(wanted):
        try:
            overview_for(web, audience, list(scope))
            done += 1
        except VrhubError:
            continue  # nothing loaded yet: the page says so when asked
        if audience == "public" and len(scope) == len(everyone):
            continue  # a visitor sees only the published figures
        _default_pages(web, audience, list(scope), "all" if scope == tuple(everyone) else scope[0])
    return done


def _default_pages(web: Web, audience: str, scope: list[str], area: str) -> None:
    """The explorer and place pages a viewer first opens (each may be withheld from the
    audience, which the page says when asked)."""
    with contextlib.suppress(VrhubError):
        explore_for(web, audience, scope, query_of({}, scope))
    with contextlib.suppress(VrhubError):
        place_for(web, audience, area)


def warm_in_background(web: Web) -> threading.Thread:
    thread = threading.Thread(target=warm, args=(web,), name="vrhub-warm", daemon=True)
    thread.start()
    return thread
