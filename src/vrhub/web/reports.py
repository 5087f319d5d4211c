"""The reports page: the needs assessment and district profiles built for the viewer's audience.

Reports are built with ``vrhub report sna --out HOME/reports/AUDIENCE``. A viewer sees the set for
their audience (analysts and administrators the analyst set, partners the partner set, everyone
else the public set), and of the district profiles only those of districts in their scope. A file
is served only if its set's manifest lists it and the viewer may see it: any other name,
including one reaching outside the folder, is not found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from vrhub.errors import SignInNeededError
from vrhub.governance.people import audience_of
from vrhub.web.core import (
    Web,
    WebDep,
    add_page,
    error_response,
    formats,
    respond,
    viewer,
)
from vrhub.web.downloads import table

SETS = {"analyst": "analyst", "partner": "partner"}  # any other audience reads the public set
ASSETS = ("report.css", "report.js")


def report_set(audience: str) -> str:
    return SETS.get(audience, "public")


def _listing(web: Web, which: str, districts: list[str] | None) -> dict[str, Any]:
    manifest_path = web.home.path / "reports" / which / "manifest.json"
    if not manifest_path.is_file():
        return {"audience": which, "period": None, "reports": [], "tables": []}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    allowed = None if districts is None else set(districts)
    reports = [
        {
            "title": r["title"],
            "district": r["district"],
            "html": f"/reports/{which}/{r['html']}",
            "pdf": f"/reports/{which}/{r['pdf']}" if r.get("pdf") else None,
        }
        for r in manifest["reports"]
        if r["district"] is None or allowed is None or r["district"] in allowed
    ]
    rows = [[r["title"], r["district"] or "", r["html"], r["pdf"] or ""] for r in reports]
    return {
        "audience": which,
        "period": manifest["period"]["label"],
        "reports": reports,
        "tables": [table("reports", "Reports", ["Report", "District", "Web page", "PDF"], rows)],
    }


def add_routes(app: FastAPI) -> None:
    def _who(request: Request) -> tuple[str, list[str] | None, Any, Any]:
        try:
            user, s = viewer(request)
        except SignInNeededError:
            return "public", None, None, None
        scope = list(user.districts) if user.districts else None
        return report_set(audience_of(user)), scope, user, s

    def reports_page(request: Request, web: WebDep) -> Response:
        which, scope, user, s = _who(request)
        return respond(
            web,
            request,
            _listing(web, which, scope),
            template="reports.html",
            title="Reports",
            here="/reports",
            user=user,
            session=s,
            links=formats("/reports"),
            stem="reports",
        )

    add_page(app, "/reports", reports_page)

    @app.get("/reports/{which}/{name}")
    @app.get("/reports/{which}/assets/{name}")
    def report_file(request: Request, web: WebDep, which: str, name: str) -> Response:
        viewer_set, scope, _, _ = _who(request)
        if which != viewer_set:
            return error_response(request, 403, f"the {which} reports are not for your audience")
        folder = web.home.path / "reports" / which
        if request.url.path.startswith(f"/reports/{which}/assets/"):
            if name not in ASSETS:
                return error_response(request, 404, "no such file")
            return FileResponse(folder / "assets" / name)
        listed = {
            Path(r[k]).name for r in _listing(web, which, scope)["reports"] for k in ("html", "pdf")
            if r[k]
        }  # fmt: skip
        if name not in listed:
            return error_response(request, 404, "no such report")
        return FileResponse(folder / name)
