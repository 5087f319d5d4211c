"""The governance page, for administrators: the agreements register, the users, who read what
(each person's reads of the last 30 days and the latest reads, filtered by person) and the
audit trail (filtered by who and what, with the trail's seal checked on every view)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

from vrhub.errors import AccessDeniedError
from vrhub.governance.agreements import effective_status
from vrhub.governance.reads import (
    HEADINGS,
    last_days,
    printable,
    reads_by_person,
    recent_reads,
    shown,
)
from vrhub.governance.roles import manages_governance
from vrhub.web.core import Web, WebDep, add_page, formats, respond, viewer
from vrhub.web.downloads import table

AUDIT_LIMIT = 200
READS_LIMIT = 200
#: The reads of how many days each person's count covers.
READ_DAYS = 30
READ_COLUMNS = ["Entry", "When (UTC)", "Who", "What", "Address or command", "Audience", "Format",
                "Choices", "Districts"]  # fmt: skip


def governance_view(
    web: Web, actor: str | None, action: str | None, reader: str | None = None
) -> dict[str, Any]:
    today = dt.date.today()
    orgs = {o.id: o.name for o in web.gov.people.organisations()}
    districts = {d.code: d.name for d in web.home.partnership.districts}
    agreements = [
        [
            a.ref,
            a.version,
            a.kind,
            a.title,
            effective_status(a, today),
            ", ".join(str(c["dataset"]) for c in a.covers),
            ", ".join(a.parties),
            ", ".join(a.audiences),
            f"1 to {a.suppress_max} suppressed; rounded to {a.round_to}"
            if a.suppress_max
            else "none (open data)",
            str(a.review_date or ""),
            a.dpia_ref or "",
        ]
        for a in web.gov.register.current()
    ]
    users = [
        [
            u.username,
            u.display_name,
            orgs.get(u.organisation_id, ""),
            u.role,
            ", ".join(districts.get(d, d) for d in u.districts) or "all districts",
            "yes" if u.active else "no",
            "locked" if u.locked_until and u.locked_until > dt.datetime.now() else "",
        ]
        for u in web.gov.people.users()
    ]
    entries = web.gov.audit.show(actor=actor or None, action=action or None, limit=AUDIT_LIMIT)
    audit = [
        [
            e.seq,
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.target,
            _details(e.details),
        ]
        for e in entries
    ]
    kinds = list(HEADINGS)
    readers = [
        [p.actor, p.total, *(p.by_kind.get(k, 0) for k in kinds), f"{p.last:%Y-%m-%d %H:%M:%S}"]
        for p in reads_by_person(web.gov.audit, last_days(READ_DAYS))
    ]
    reads = [
        [
            r.seq,
            f"{r.at:%Y-%m-%d %H:%M:%S}",
            r.actor,
            r.kind,
            r.target,
            r.audience,
            r.format,
            r.choices,
            r.districts,
        ]
        for r in map(shown, recent_reads(web.gov.audit, reader or None, READS_LIMIT))
    ]
    # Only what was added since the last look is checked in full here: the trail grows with
    # every read. `vrhub audit verify` checks all of it.
    check = web.gov.audit.verify(since_last=True)
    reads_tables = [
        table(
            "reads",
            f"Reads{f' by {reader}' if reader else ''}, newest first",
            READ_COLUMNS,
            reads,
        ),
        table(
            "readers",
            f"Reads by person, last {READ_DAYS} days",
            [
                "Who",
                "Reads",
                *(h[0].upper() + h[1:] for h in HEADINGS.values()),
                "Last read (UTC)",
            ],
            readers,
        ),
    ]
    return {
        "audit_intact": check.intact,
        "audit_check": (
            f"All {check.entries:,} entries are intact: none has been changed or removed"
            + (
                "."
                if check.full
                else " (the whole trail is read again every ten minutes; entries since then "
                "were checked now)."
            )
            if check.intact
            else "The audit trail has been tampered with: " + "; ".join(check.problems[:5])
        ),
        "filters": {"actor": actor or "", "action": action or "", "reader": reader or ""},
        "read_days": READ_DAYS,
        "tables": [
            table(
                "audit",
                "Audit trail, newest first",
                ["Entry", "When (UTC)", "Who", "What", "Target", "Details"],
                audit,
            ),
            table(
                "agreements",
                "Agreements and licences (latest version of each)",
                [
                    "Reference",
                    "Version",
                    "Kind",
                    "Title",
                    "Status",
                    "Datasets",
                    "Parties",
                    "Audiences",
                    "Disclosure rule",
                    "Review by",
                    "DPIA",
                ],
                agreements,
            ),
            table(
                "users",
                "Users",
                ["User name", "Name", "Organisation", "Role", "Districts", "Active", "Locked"],
                users,
            ),
            *reads_tables,
        ],
        # Who read what: the page's own section, and in the downloads after the others.
        "who_read_what": reads_tables,
    }


def _details(text: str) -> str:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return text
    return "; ".join(f"{k}: {v}" for k, v in data.items())


def add_routes(app: FastAPI) -> None:
    def governance_page(request: Request, web: WebDep) -> Response:
        user, s = viewer(request)
        if not manages_governance(user.role):
            raise AccessDeniedError("the governance pages are for administrators")
        # Control characters taken out: a server database refuses some (NUL) in a query.
        actor = printable(request.query_params.get("actor") or "", 80).strip()
        action = printable(request.query_params.get("action") or "", 60).strip()
        reader = printable(request.query_params.get("reader") or "", 80).strip()
        view = governance_view(web, actor, action, reader)
        query = urlencode({k: v for k, v in view["filters"].items() if v})
        return respond(
            web,
            request,
            view,
            template="governance.html",
            title="Governance",
            here="/governance",
            user=user,
            session=s,
            links=formats("/governance", query),
            stem="governance",
        )

    add_page(app, "/governance", governance_page)
