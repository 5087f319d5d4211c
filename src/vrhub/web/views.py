"""The views kept between requests, and warming them before anyone asks.

A view is worked out once for its audience and scope and kept until a new batch arrives (see
:meth:`vrhub.web.core.Web.cached`). Working out an overview takes seconds on a large store, so
``vrhub serve`` works out, in the background, the overview of every active user's audience and
scope, the published figures and each default place page: at start and again after each upload.
"""

from __future__ import annotations

import threading
from typing import Any

from markupsafe import Markup

from vrhub.errors import VrhubError
from vrhub.governance.people import audience_of
from vrhub.reports.build import default_period
from vrhub.web.core import Web
from vrhub.web.overview import overview
from vrhub.web.place import html_blocks, place_view


def overview_for(web: Web, audience: str, districts: list[str]) -> dict[str, Any]:
    return web.cached(
        ("overview", audience, tuple(districts)),
        lambda: overview(web.home, web.con, web.gov, audience, default_period(web.home), districts),
    )


def place_for(web: Web, audience: str, area: str) -> dict[str, Any]:
    """The place page's view, with its drawing and tables rendered once (they are the same for
    everyone of the audience; only the page around them is per viewer)."""
    district = None if area == "all" else area

    def compute() -> dict[str, Any]:
        view = place_view(web.home, web.con, web.gov, audience, default_period(web.home), district)
        body = web.env.get_template("place_body.html")
        view["_html"] = Markup(body.render(view=view, blocks=html_blocks(view), chart_tables=False))
        return view

    return web.cached(("place", audience, area), compute)


def warm(web: Web) -> int:
    """Work out the views the first requests will want; returns how many were ready."""
    everyone = list(web.home.partnership.district_codes)
    wanted: set[tuple[str, tuple[str, ...]]] = {("public", tuple(everyone))}
    for u in web.gov.people.users():
        if u.active:
            wanted.add((audience_of(u), tuple(u.districts or everyone)))
    done = 0
    for audience, scope in sorted(wanted):
        try:
            overview_for(web, audience, list(scope))
            if audience != "public" or len(scope) < len(everyone):
                place_for(web, audience, "all" if len(scope) == len(everyone) else scope[0])
            done += 1
        except VrhubError:
            continue  # nothing loaded yet, or withheld: the page will say so when asked
    return done


def warm_in_background(web: Web) -> threading.Thread:
    thread = threading.Thread(target=warm, args=(web,), name="vrhub-warm", daemon=True)
    thread.start()
    return thread
