"""The governance report for the Data Protection Officer, as a Markdown document.

It answers what an information request or a DPIA review asks: which agreements are in force
and on what terms; which datasets and how many rows are held under each, and until when;
who can see what (roles, district scopes and the audiences their outputs reach); what has
happened recently, from the audit trail, with the trail's own integrity check; and who read
what: each person's reads of restricted data over the last 30 days and the latest reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import select

from vrhub.governance.agreements import effective_status
from vrhub.governance.context import Governance
from vrhub.governance.people import ROLE_AUDIENCE
from vrhub.governance.reads import HEADINGS, reads_by_person, recent_reads, shown
from vrhub.governance.retention import due, keep_until
from vrhub.records.models import BatchLineage


def _cell(text: object) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def _coverage(c: dict[str, object]) -> str:
    sources = c.get("sources")
    named = ", ".join(str(x) for x in sources) if isinstance(sources, list) else ""
    senders = c.get("suppliers")
    sent = ", ".join(str(x) for x in senders) if isinstance(senders, list) else ""
    return (
        f"{c['dataset']}"
        + (f" from {named}" if named else "")
        + (f", sent by {sent}" if sent else "")
    )


def governance_report(
    gov: Governance,
    held_rows: Mapping[int, int],
    today: dt.date | None = None,
    recent: int = 30,
    read_days: int = 30,
) -> str:
    """The report as Markdown; ``held_rows`` is the rows each batch still has in the store.
    Reads are counted over the ``read_days`` days up to and including ``today``."""
    today = today or dt.date.today()
    p = gov.home.partnership
    lines = [
        f"# Governance report: {p.name}",
        "",
        f"Produced {today:%d %B %Y} by vrhub from the record store ({gov.records.url_shown}).",
        "",
        "## Agreements and licences in the register",
        "",
        "| reference | version | status today | title | parties | lawful basis | covers | "
        "audiences | disclosure | retention | dates | DPIA |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    current = gov.register.current()
    for a in current:
        basis = ", ".join(
            x
            for x in (
                f"Art 6: {a.article6}",
                a.article9 and f"Art 9: {a.article9}",
                a.article10 and f"Art 10: {a.article10}",
            )
            if x
        )
        covers = "; ".join(_coverage(c) for c in a.covers)
        rule = (
            f"1–{a.suppress_max} suppressed, round to {a.round_to}"
            if a.kind == "agreement"
            else "open data"
        )
        dates = f"{a.start_date} to {a.end_date or 'open-ended'}" + (
            f"; review {a.review_date}" + (" (overdue)" if a.review_date < today else "")
            if a.review_date
            else ""
        )
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    a.ref,
                    a.version,
                    effective_status(a, today),
                    a.title,
                    ", ".join(a.parties) or "—",
                    basis,
                    covers,
                    ", ".join(a.audiences),
                    rule,
                    f"{a.retention_months} months" if a.retention_months else "none",
                    dates,
                    a.dpia_ref or "—",
                )
            )
            + " |"
        )
    lines += ["", "## Data held under each agreement", ""]
    held: dict[tuple[str, str], list[BatchLineage]] = defaultdict(list)
    removed = 0
    with gov.records.session() as s:
        for b in s.scalars(select(BatchLineage).order_by(BatchLineage.batch_id)):
            if b.removed_at is not None:
                removed += 1
                continue
            held[(b.agreement.ref, b.dataset)].append(b)
    lines += [
        "| agreement | dataset | sources | batches | rows held | months | oldest kept until |",
        "|---|---|---|---|---|---|---|",
    ]
    retention = {a.ref: a.retention_months for a in current}
    for (ref, dataset), batches in sorted(held.items()):
        months = sorted({m for b in batches for m in b.months})
        months_text = f"{months[0]} to {months[-1]}" if months else "—"
        months_kept = retention.get(ref)
        until = (
            min(keep_until(max(b.months), months_kept) for b in batches if b.months)
            if months_kept and months
            else None
        )
        rows = sum(held_rows.get(b.batch_id, 0) for b in batches)
        superseded = sum(1 for b in batches if not held_rows.get(b.batch_id))
        lines.append(
            f"| {ref} | {dataset} | {', '.join(sorted({b.source for b in batches}))} | "
            f"{len(batches)}"
            + (f" ({superseded} replaced by revisions)" if superseded else "")
            + f" | {rows:,} | {months_text} | {until or 'no limit'} |"
        )
    overdue = due(gov, today)
    lines += [
        "",
        f"Batches already removed under retention: {removed}. Batches past their retention "
        f"and not yet removed: {len(overdue)}"
        + (" (run `vrhub retention apply`)." if overdue else "."),
        "",
        "## Who can see what",
        "",
        "| user | organisation | role | reads outputs for | districts | active |",
        "|---|---|---|---|---|---|",
    ]
    names = {d.code: d.name for d in p.districts}
    for u in gov.people.users():
        scope = ", ".join(names.get(d, d) for d in u.districts) or "all districts"
        lines.append(
            f"| {u.username} | {u.organisation.name} | {u.role} | {ROLE_AUDIENCE[u.role]} "
            f"audience | {scope} | {'yes' if u.active else 'no'} |"
        )
    report = gov.audit.verify()
    lines += [
        "",
        "An output reaches an audience only if every agreement it draws on permits that "
        "audience; outside the analyst tier every count is disclosure-controlled under the "
        "strictest rule of those agreements.",
        "",
        f"## Recent activity (last {recent} audit entries)",
        "",
        "Audit trail check: "
        + (
            f"intact ({report.checked:,} entries)."
            if report.intact
            else "ALTERED — " + "; ".join(report.problems)
        ),
        "",
        "| # | when (UTC) | who | action | target |",
        "|---|---|---|---|---|",
    ]
    for e in gov.audit.show(limit=recent):
        lines.append(
            f"| {e.seq} | {e.at:%Y-%m-%d %H:%M} | {_cell(e.actor)} | {e.action} | "
            f"{_cell(e.target)} |"
        )
    lines += _reads(gov, today, recent, read_days)
    return "\n".join(lines) + "\n"


def _reads(gov: Governance, today: dt.date, recent: int, days: int) -> list[str]:
    """Who read what: reads by person over the last ``days`` days, then the latest reads."""
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time())
    kinds = list(HEADINGS)
    lines = [
        "",
        f"## Who read what (last {days} days)",
        "",
        "Every dashboard page, download and report file a signed-in person opened, and every "
        "command that printed exact figures, is an audit entry naming who read it, the audience "
        "it was for, the format, the choices made and the districts in scope; exports and "
        "report builds are counted with them. The published figures are not counted.",
        "",
        "| who | reads | " + " | ".join(HEADINGS.values()) + " | last read (UTC) |",
        "|---|---:|" + "---:|" * len(kinds) + "---|",
    ]
    people = reads_by_person(gov.audit, since)
    for p in people:
        counts = " | ".join(f"{p.by_kind.get(k, 0):,}" for k in kinds)
        last = f"{p.last:%Y-%m-%d %H:%M}" if p.last else ""
        lines.append(f"| {_cell(p.actor)} | {p.total:,} | {counts} | {last} |")
    if not people:
        lines.append(f"| nobody | 0 | {' | '.join('0' for _ in kinds)} | |")
    lines += [
        "",
        f"Latest {recent} reads:",
        "",
        "| # | when (UTC) | who | what | address or command | audience | format | choices | "
        "districts |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in map(shown, recent_reads(gov.audit, limit=recent)):
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    r.seq,
                    f"{r.at:%Y-%m-%d %H:%M}",
                    r.actor,
                    r.kind,
                    r.target,
                    r.audience or "—",
                    r.format or "—",
                    r.choices or "—",
                    r.districts or "—",
                )
            )
            + " |"
        )
    return lines
