"""Commands for the recommendations of the needs assessment: propose them by the rules, then
review them (edit, accept, reject) as a named analyst."""

from __future__ import annotations

from typing import Annotated

import typer

from vrhub.cli.common import FormatOpt, HomeOpt, app, audit_read, check_format, emit, hub_of, out
from vrhub.records.models import Recommendation

rec_app = typer.Typer(
    no_args_is_help=True, help="Recommendations: proposed by rules, reviewed by an analyst."
)
app.add_typer(rec_app, name="recommendations")

AsOpt = Annotated[
    str,
    typer.Option(
        "--as", metavar="USERNAME", help="The analyst reviewing (a user with the analyst role)."
    ),
]
IdArg = Annotated[int, typer.Argument(metavar="ID", help="The recommendation's number.")]


@rec_app.command("propose")
def propose(
    home: HomeOpt = None,
    period: Annotated[
        str | None,
        typer.Option(
            help='"year ending YYYY-MM"; by default the latest year in the police-recorded crime.'
        ),
    ] = None,
) -> None:
    """Run every rule over the partnership and each district and store what is new as
    proposed (never changing one already proposed, edited or decided)."""
    from vrhub.governance.audit import cli_actor
    from vrhub.outputs.period import check_held, latest_year, parse_period
    from vrhub.reports.recommendations.review import propose as run

    hub = hub_of(home)
    chosen = parse_period(period) if period else latest_year(hub.con)
    check_held(hub.con, chosen)
    done = run(hub, chosen, cli_actor())
    out.print(
        f"{len(done.added)} new recommendation{'s' if len(done.added) != 1 else ''} proposed "
        f"for the {chosen.label}; {done.kept} already proposed left as they were.",
        markup=False,
    )
    for r in done.added:
        out.print(f"  {r.id} [{r.area}] {r.rule}: {r.text}", markup=False, highlight=False)
    if done.added:
        out.print("Review them with: vrhub recommendations show ID", markup=False)


@rec_app.command("list")
def listing(
    home: HomeOpt = None,
    status: Annotated[
        str | None,
        typer.Option(metavar="proposed|accepted|rejected", help="Only this status."),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """The recommendations, newest period first (their text and status; `show` gives the
    evidence and history)."""
    from vrhub.reports.recommendations.review import listing as find

    check_format(fmt)
    recs = find(hub_of(home).gov, status)
    emit(
        ["id", "area", "period", "rule", "status", "decided by", "text"],
        [[r.id, r.area, r.period, r.rule, r.status, r.decided_by, r.text] for r in recs],
        fmt,
    )


@rec_app.command("show")
def show(rec_id: IdArg, home: HomeOpt = None) -> None:
    """One recommendation: its text, status, the evidence it was proposed on (exact figures,
    analyst tier; the read is audited) and its full history."""
    from vrhub.reports.recommendations.review import get

    rec = get(hub_of(home).gov, rec_id)
    audit_read(home, "recommendations show", "table", {"id": rec_id})
    _print(rec)


def _print(rec: Recommendation) -> None:
    decided = (
        f" by {rec.decided_by} on {rec.decided_at:%Y-%m-%d %H:%M} UTC" if rec.decided_at else ""
    )
    lines = [
        f"Recommendation {rec.id}: {rec.status}{decided}",
        f"Area: {rec.area}; year ending {rec.period}; rule {rec.rule} ({rec.subject})",
        f"Text: {rec.text}",
        f"Evidence when proposed: {rec.evidence}",
        "History:",
    ]
    for h in rec.history:
        change = f"{h.old_status or '-'} -> {h.new_status}"
        line = f"  {h.at:%Y-%m-%d %H:%M} {h.actor}: {h.action} ({change})"
        if h.action == "edited":
            line += f"\n    was: {h.old_text}\n    now: {h.new_text}"
        if h.reason:
            line += f"\n    reason: {h.reason}"
        lines.append(line)
    for line in lines:
        out.print(line, markup=False, highlight=False)


@rec_app.command("edit")
def edit(
    rec_id: IdArg,
    as_user: AsOpt,
    text: Annotated[str, typer.Option(metavar="WORDS", help="The new text.")],
    reason: Annotated[str, typer.Option(help="Why it was changed.")],
    home: HomeOpt = None,
) -> None:
    """Change a proposed recommendation's text (it stays proposed until accepted)."""
    from vrhub.reports.recommendations.review import edit as run

    _print(run(hub_of(home).gov, rec_id, as_user, text, reason))


@rec_app.command("accept")
def accept(
    rec_id: IdArg,
    as_user: AsOpt,
    home: HomeOpt = None,
    reason: Annotated[str | None, typer.Option(help="Why (optional).")] = None,
) -> None:
    """Accept a proposed recommendation: reports then publish it, naming who accepted it."""
    from vrhub.reports.recommendations.review import decide

    _print(decide(hub_of(home).gov, rec_id, as_user, True, reason))


@rec_app.command("reject")
def reject(
    rec_id: IdArg,
    as_user: AsOpt,
    reason: Annotated[str, typer.Option(help="Why it is rejected.")],
    home: HomeOpt = None,
) -> None:
    """Reject a proposed recommendation, saying why (it is never published)."""
    from vrhub.reports.recommendations.review import decide

    _print(decide(hub_of(home).gov, rec_id, as_user, False, reason))
