"""Routes of the data page, the upload form and each upload's validation result."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from vrhub.errors import AccessDeniedError, FileTooLargeError
from vrhub.governance.roles import uploads_data
from vrhub.records.models import User
from vrhub.web.core import (
    Web,
    WebDep,
    add_page,
    current_web,
    error_response,
    formats,
    page,
    respond,
    set_session,
    viewer,
)
from vrhub.web.data import data_view, ingest_upload, result_view, upload_choices
from vrhub.web.session import csrf_matches
from vrhub.web.views import warm_in_background

#: Room for the form's other fields and the multipart framing around the file.
FRAMING = 64 * 1024


def _may_see_data(user: User) -> None:
    if not uploads_data(user.role):
        raise AccessDeniedError(
            "the data page is for administrators, analysts and partner organisations' staff"
        )


def add_routes(app: FastAPI) -> None:
    def data_page(request: Request, web: WebDep) -> Response:
        user, s = viewer(request)
        _may_see_data(user)
        return respond(
            web,
            request,
            data_view(web, user),
            template="data.html",
            title="Data",
            here="/data",
            user=user,
            session=s,
            links=formats("/data"),
            stem="data",
            can_upload=bool(upload_choices(web, user)),
        )

    add_page(app, "/data", data_page)

    def _form(
        web: Web,
        user: User,
        csrf: str,
        problem: str | None = None,
        status: int = 200,
        chosen: str = "",
    ) -> Response:
        choices = upload_choices(web, user)
        html = page(
            web,
            "upload.html",
            user,
            csrf,
            "/data",
            title="Upload a file",
            choices=choices,
            chosen=chosen,
            problem=problem,
            limit_mb=web.home.settings.upload_max_mb,
        )
        return HTMLResponse(html, status_code=status)

    @app.get("/data/upload", response_class=HTMLResponse)
    def upload_form(request: Request, web: WebDep) -> Response:
        user, s = viewer(request)
        _may_see_data(user)
        if not upload_choices(web, user):
            raise AccessDeniedError(
                "your organisation is not a party to an active agreement you can upload under"
            )
        response = _form(web, user, s.csrf)
        set_session(web, response, request.state.session)
        return response

    @app.post("/data/upload")
    async def upload(request: Request, web: WebDep) -> Response:
        user, s = viewer(request)
        _may_see_data(user)
        limit = web.home.settings.upload_max_mb << 20
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return error_response(
                request, 411, "the upload did not say how large it is; upload it from the form"
            )
        if int(length) > limit + FRAMING:
            # Read and discard the body (nothing is kept), so the browser sees the answer.
            async for _ in request.stream():
                pass
            return _too_large(request, user, s.csrf, int(length))
        form = await request.form(max_files=1, max_fields=8)
        if not csrf_matches(s, str(form.get("csrf_token") or "")):
            return error_response(request, 403, "the form did not come from this site")
        chosen = str(form.get("choice") or "")
        choice = next((c for c in upload_choices(web, user) if c["value"] == chosen), None)
        if choice is None:
            return _form(
                web, user, s.csrf, "Choose the dataset and agreement the file comes under", 400
            )
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return _form(web, user, s.csrf, "Choose a file to upload", 400, chosen)
        if file.size is not None and file.size > limit:
            return _too_large(request, user, s.csrf, file.size)
        # Read and loaded in a worker thread: other people's pages go on being served.
        status, batch, message = await run_in_threadpool(
            ingest_upload, web, user, choice, file.filename, file.file
        )
        await form.close()
        if web.warm and status == "loaded":
            warm_in_background(web)
        if batch is None or status == "unchanged":
            return _form(web, user, s.csrf, message[0].upper() + message[1:], 200, chosen)
        return RedirectResponse(f"/data/uploads/{batch}", status_code=303)

    def _too_large(request: Request, user: User, csrf: str, size: int) -> Response:
        web = current_web(request)
        limit_mb = web.home.settings.upload_max_mb
        web.gov.audit.write(user.username, "upload.refused", "too large", {"bytes": size})
        refusal = FileTooLargeError(
            f"The file is {size / (1 << 20):,.1f} MB, more than the {limit_mb:,} MB "
            "this hub accepts through the dashboard. Nothing was loaded. Split it into "
            "smaller files (for example one per month) or ask an analyst to load it "
            "with `vrhub ingest`."
        )
        # Said on the upload result page (with the way forward), with the refusal's status.
        html = page(
            web,
            "upload_result.html",
            user,
            csrf,
            "/data",
            title="Upload refused",
            view={"batch": None, "summary": str(refusal), "problems": [], "tables": []},
            formats=None,
        )
        return HTMLResponse(html, status_code=refusal.http_status)

    def result_page(request: Request, web: WebDep, batch: int) -> Response:
        user, s = viewer(request)
        _may_see_data(user)
        view = result_view(web, user, batch)
        if view is None:
            return error_response(request, 404, f"there is no upload {batch} that you may see")
        return respond(
            web,
            request,
            view,
            template="upload_result.html",
            title=f"Upload {batch}: {view['batch']['file']}",
            here="/data",
            user=user,
            session=s,
            links=formats(f"/data/uploads/{batch}"),
            stem=f"upload-{batch}-problems",
            label=f"Upload {batch}",
        )

    add_page(app, "/data/uploads/{batch:int}", result_page)
