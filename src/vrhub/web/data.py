"""The data page: uploads, their validation results and the quality scorecard; and uploading.

Analysts and administrators see every upload and feed. A partner sees those of their own
organisation: files sent for it (each batch records its supplying organisation and who
uploaded it) and the scorecards of the feeds those files belong to. A file is uploaded
under one of the organisation's active agreements and goes through the same ingest as the
command line (validated row by row, pseudonymised, the rows that pass loaded in one
transaction); its validation result page
lists every problem in plain words and can be downloaded. A file larger than the
``upload_max_mb`` setting is refused before it is read; every other file is first read in a
separate process with limits on its memory and time (:mod:`vrhub.ingest.sandbox`), so no file
can stall or take down the server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from vrhub.datasets import get_dataset
from vrhub.governance.agreements import effective_status, suppliers
from vrhub.governance.projection import reconcile
from vrhub.governance.roles import sees_every_upload, uploads_data, uploads_for_any_organisation
from vrhub.ingest.load import HELD
from vrhub.ingest.replace import Uploader, rows
from vrhub.ingest.sandbox import Limits, read_untrusted
from vrhub.pipeline import ingest_governed
from vrhub.quality.scorecard import FeedScore, scorecard
from vrhub.records.models import Agreement, User
from vrhub.store import batches as batch_log
from vrhub.store.analytical import fetch_dicts
from vrhub.web.core import Web
from vrhub.web.downloads import table

#: Where an upload's raw file is kept while it is checked (removed afterwards, and at start).
UPLOADS = "uploads"
BATCH_COLUMNS = ["Batch", "Dataset", "Source", "File", "Result", "Rows read", "Rows loaded",
                 "Rows rejected", "Warnings", "Months", "Received", "Uploaded by"]  # fmt: skip
PROBLEM_COLUMNS = ["Row", "Column", "Value", "Check", "Severity", "What is wrong"]
SCORE_COLUMNS = ["Dataset", "Source", "Overall", "Measure", "Value", "Rating"]


def organisation_code(web: Web, user: User) -> str:
    return next(o.code for o in web.gov.people.organisations() if o.id == user.organisation_id)


def visible_batches(web: Web, user: User, logged: list[dict[str, Any]]) -> set[int] | None:
    """The batches this user may see (None: all of them): their organisation's."""
    if sees_every_upload(user.role):
        return None
    org = organisation_code(web, user)
    return {b["batch_id"] for b in logged if b["organisation"] == org}


def data_view(web: Web, user: User) -> dict[str, Any]:
    """The data page's figures (also its JSON and downloads)."""
    with web.lock:
        logged = batch_log.recent(web.con, 1000)
        allowed = visible_batches(web, user, logged)
        batches = [b for b in logged if allowed is None or b["batch_id"] in allowed]
        # A feed's scorecard describes every batch in it, so a partner sees it only when their
        # organisation sent every batch the feed holds.
        held = batch_log.held(web.con)
        mine = visible_batches(web, user, held)
        shared = {(b["dataset"], b["source"]) for b in held if mine is not None
                  and b["batch_id"] not in mine}  # fmt: skip
        feeds = {(b["dataset"], b["source"]) for b in held} - shared
        scores = [
            f for f in scorecard(web.con) if allowed is None or (f.dataset, f.source) in feeds
        ]
    uploads = [_batch_row(b) for b in batches]
    scored = [_score(f) for f in scores]
    return {
        "scope": "every upload" if allowed is None else "your organisation's uploads",
        "uploads": uploads,
        "scorecard": scored,
        "tables": [
            table(
                "uploads",
                "Uploads, newest first",
                BATCH_COLUMNS,
                [[u[k] for k in BATCH_KEYS] for u in uploads],
            ),
            table(
                "scorecard",
                "Data-quality scorecard of each feed",
                SCORE_COLUMNS,
                [
                    [f["dataset"], f["source"], f["overall"], m["words"], m["value"], m["rating"]]
                    for f in scored
                    for m in f["measures"]
                ],
            ),
        ],
    }


BATCH_KEYS = ["batch", "dataset", "source", "file", "status", "rows_read", "rows_accepted",
              "rows_rejected", "warnings", "months", "received", "uploaded_by"]  # fmt: skip


def _batch_row(b: dict[str, Any]) -> dict[str, Any]:
    months = list(b.get("months") or [])
    span = f"{months[0]} to {months[-1]}" if len(months) > 1 else "".join(months)
    return {
        "batch": b["batch_id"],
        "dataset": b["dataset"],
        "source": b["source"] or "",
        "file": b["file_name"],
        "status": b["status"],
        "rows_read": b["rows_read"],
        "rows_accepted": b["rows_accepted"],
        "rows_rejected": b["rows_rejected"],
        "warnings": b["warnings"],
        "months": span,
        "received": str(b["received_on"] or ""),
        "uploaded_by": b["uploaded_by"] or "",
        "organisation": b["organisation"] or "",
        "message": b["message"] or "",
    }


def _score(f: FeedScore) -> dict[str, Any]:
    return {
        "dataset": f.dataset,
        "source": f.source,
        "overall": f.overall,
        "months": f"{f.months[0]} to {f.months[-1]}" if f.months else "",
        "measures": [
            {"name": m.name, "words": m.words, "value": round(m.value, 4), "rating": m.rating}
            for m in f.measures
        ],
        "not_available": f.not_available,
    }


def result_view(web: Web, user: User, batch_id: int) -> dict[str, Any] | None:
    """One upload's validation result, or None when there is none this user may see."""
    with web.lock:
        found = batch_log.get(web.con, batch_id)
        if found is None:
            return None
        allowed = visible_batches(web, user, [found])
        if allowed is not None and batch_id not in allowed:
            return None
        replaced = batch_log.replacements(web.con, batch_id)
        problems = fetch_dicts(
            web.con,
            # Rows kept aside because another organisation already sent the record are not
            # the uploader's to know of (see vrhub.ingest.load.HELD).
            "SELECT row_number, column_name, value, rule, severity, message FROM ingest_problems "
            f"WHERE batch_id = ? AND severity <> '{HELD}' "
            "ORDER BY row_number NULLS FIRST, column_name",
            [batch_id],
        )
    b = _batch_row(found)
    rows = [
        [p["row_number"], p["column_name"], p["value"], p["rule"], p["severity"], p["message"]]
        for p in problems
    ]
    return {
        "batch": b,
        "summary": _summary(b, problems),
        "replacements": [_replacement_words(batch_id, x) for x in replaced],
        "problems": problems,
        "tables": [table("problems", f"Problems found in {b['file']}", PROBLEM_COLUMNS, rows)],
    }


def _summary(b: dict[str, Any], problems: list[dict[str, Any]]) -> str:
    if b["status"] == "rejected":
        return f"{b['file']} was not loaded: nothing from it is in the hub. {b['message']}"
    kept = f"{b['rows_accepted']:,} of {rows(b['rows_read'])} were loaded"
    if b["rows_rejected"]:
        kept += f"; {rows(b['rows_rejected'])} were set aside because of the problems listed below"
        fixable = any(p["rule"] != "outside-your-districts" for p in problems)
        outside = any(p["rule"] == "outside-your-districts" for p in problems)
        if fixable:
            kept += " (correct them and upload the file again)"
        if outside:
            kept += (
                ". Rows outside your districts cannot be sent by you: leave them out of your "
                "files (the organisation that covers that district sends them)"
            )
    warned = b["warnings"]
    warn = (
        f" {warned:,} warning{'' if warned == 1 else 's'} noted (listed below)." if warned else ""
    )
    later = {
        "superseded": " A later file from the same organisation has since replaced all of it.",
        "partly superseded": " A later file from the same organisation has since replaced part "
        "of it.",
        "removed": " Its rows have since been removed at the end of their retention period.",
    }.get(b["status"], "")
    return (
        f"{b['file']} was loaded: {kept}.{warn}"
        + ("" if problems else " No problems were found.")
        + later
    )


def _replacement_words(batch_id: int, x: dict[str, Any]) -> str:
    """One replacement in words, from either side."""
    before, after = rows(x["rows_removed"]), f"{x['rows_added'] or 0:,}"
    if x["batch_id"] == batch_id:
        return (
            f"This file replaced {x['month']} sent before in batch {x['replaced_batch_id']} "
            f"by the same organisation: {before} before, {after} after."
        )
    return (
        f"Its {x['month']} was replaced by batch {x['batch_id']} from the same organisation: "
        f"{before} before, {after} after. Upload this file again to restore it."
    )


def upload_choices(web: Web, user: User) -> list[dict[str, str]]:
    """(agreement, dataset) pairs this user may upload under: their organisation is a party to
    an active agreement covering the dataset."""
    if not uploads_data(user.role):
        return []
    org = organisation_code(web, user)
    today = dt.date.today()
    out = []
    for a in web.gov.register.current():
        if a.kind != "agreement" or effective_status(a, today) != "active":
            continue
        if org not in a.parties and not uploads_for_any_organisation(user.role):
            continue
        for c in a.covers:
            ds = get_dataset(str(c["dataset"]))
            senders = suppliers(a, ds)
            if senders and org not in senders and not uploads_for_any_organisation(user.role):
                continue  # the organisation receives this dataset but does not send it
            sources = c.get("sources") or []
            # An agreement with one source names who supplies the file.
            source = str(sources[0]) if isinstance(sources, list) and len(sources) == 1 else ""
            out.append(
                {
                    "value": f"{a.ref}|{ds.name}",
                    "text": f"{ds.title}, under {a.ref} ({a.title})",
                    "agreement": a.ref,
                    "dataset": ds.name,
                    "source": source,
                }
            )
    return out


def safe_name(name: str) -> str:
    """The uploaded file's own name without any folder, made safe for the file system."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]+", "-", base).strip(" .") or "upload"
    return base[:120]


def ingest_upload(
    web: Web, user: User, choice: dict[str, str], name: str, stream: Any
) -> tuple[str, int | None, str]:
    """Ingest an uploaded file (copied to a private folder and removed afterwards).

    Returns the result's status, its batch and its message.
    """
    uploads = web.home.tmp_dir / UPLOADS
    uploads.mkdir(mode=0o700, exist_ok=True)
    folder = uploads / secrets.token_hex(8)
    folder.mkdir(mode=0o700)
    path = folder / safe_name(name)
    try:
        # Only the hub's own user may read a partner's raw file while it is checked.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            shutil.copyfileobj(stream, fh, 1 << 20)
        org: str | None = organisation_code(web, user)
        agreement = agreement_of(web, choice["agreement"])
        if agreement is not None and (
            org not in agreement.parties
            or org not in (suppliers(agreement, get_dataset(choice["dataset"])) or [org])
        ):
            # Only an administrator is offered such an agreement: the file is then the hub's
            # own load, as from the command line.
            org = None
        uploader = Uploader(
            user.username,
            org,
            tuple(user.districts),
            {d.code: d.name for d in web.home.partnership.districts},
        )
        dataset = get_dataset(choice["dataset"])
        settings = web.home.settings
        # Read in a separate process within limits, before the store is locked: however long
        # it takes, other people's pages go on being served. Then loaded from what it read.
        limits = Limits.from_settings(settings)
        read = read_untrusted(path, dataset, limits, settings.read_block_mb << 20, folder / "read")
        # The store is held for writing only now (an analyst's commands reading it meanwhile
        # are waited for; see vrhub.hub.Hub.writing), with every page's reads held back.
        with web.lock, read.in_use(), web.hub.writing():
            try:
                r = ingest_governed(
                    web.hub,
                    dataset,
                    path,
                    source=choice["source"] or None,
                    agreement=choice["agreement"],
                    uploader=uploader,
                )
            finally:
                # Repairs lineage a failed record-store write left missing; if the record
                # store is still unreachable the batch stays held back from every output.
                with contextlib.suppress(Exception):
                    reconcile(web.con, web.gov)
    finally:
        web.data_changed()
        shutil.rmtree(folder, ignore_errors=True)
    return r.status, r.batch_id, r.message


def clear_unfinished_uploads(tmp_dir: Path) -> int:
    """Remove raw files an upload left behind when the server stopped mid-way (at start);
    returns how many folders there were."""
    uploads = tmp_dir / UPLOADS
    if not uploads.is_dir():
        return 0
    left = [p for p in uploads.iterdir()]
    shutil.rmtree(uploads, ignore_errors=True)
    return len(left)


def agreement_of(web: Web, ref: str) -> Agreement | None:
    return next((a for a in web.gov.register.current() if a.ref == ref), None)
