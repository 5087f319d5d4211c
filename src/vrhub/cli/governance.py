"""Commands for organisations, users, agreements and the audit trail."""

from __future__ import annotations

import csv
import getpass
import json
import sys
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from vrhub import pipeline
from vrhub.cli.common import (
    FormatOpt,
    HomeOpt,
    app,
    audit_read,
    check_format,
    emit,
    governance_of,
    hub_of,
    out,
    parse_date,
    table,
    working,
)
from vrhub.errors import AgreementInvalidError, GovernanceError
from vrhub.governance.agreements import effective_status, review_words, terms_of
from vrhub.governance.audit import cli_actor
from vrhub.governance.roles import ROLES
from vrhub.governance.terms import read_terms

org_app = typer.Typer(no_args_is_help=True, help="Organisations that share data.")
user_app = typer.Typer(no_args_is_help=True, help="Users, their roles and district scopes.")
agreement_app = typer.Typer(no_args_is_help=True, help="The register of data-sharing agreements.")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit trail.")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(agreement_app, name="agreement")
app.add_typer(audit_app, name="audit")


# -- organisations ------------------------------------------------------------------------
@org_app.command("add")
def org_add(
    code: Annotated[str, typer.Argument(help="A short code, e.g. wyp.")],
    name: Annotated[str, typer.Option(help="The organisation's name.")],
    kind: Annotated[str, typer.Option(help="police, council, health, fire, probation, ...")],
    home: HomeOpt = None,
) -> None:
    """Register an organisation."""
    with governance_of(home) as gov:
        org = gov.people.add_organisation(code, name, kind, cli_actor())
    out.print(f"Added organisation {org.code}: {org.name} ({org.kind})", markup=False)


@org_app.command("list")
def org_list(home: HomeOpt = None, fmt: FormatOpt = "table") -> None:
    """List the organisations."""
    check_format(fmt)
    with governance_of(home) as gov:
        rows = [[o.code, o.name, o.kind] for o in gov.people.organisations()]
    emit(["code", "name", "kind"], rows, fmt)


# -- users --------------------------------------------------------------------------------
def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise GovernanceError("the two passwords differ")
    return first


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    name: Annotated[str, typer.Option(help="The person's name as shown.")],
    org: Annotated[str, typer.Option(help="Their organisation's code.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    district: Annotated[
        list[str] | None,
        typer.Option(help="A district (LAD code) they may see; repeat; none means all."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input.")
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Add a user (the password is hashed with Argon2, never stored as typed)."""
    password = _password(password_stdin)
    with governance_of(home) as gov:
        u = gov.people.add_user(username, name, org, role, district or [], password, cli_actor())
    out.print(
        f"Added {u.username} ({u.role}), districts: {', '.join(u.districts) or 'all'}", markup=False
    )


@user_app.command("change")
def user_change(
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    role: Annotated[str | None, typer.Option(help=f"A new role: {', '.join(ROLES)}.")] = None,
    district: Annotated[
        list[str] | None, typer.Option(help="The new district scope; repeat.")
    ] = None,
    all_districts: Annotated[bool, typer.Option(help="Let them see every district.")] = False,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Sign-in on/off.")
    ] = None,
    new_password: Annotated[bool, typer.Option(help="Set a new password (from stdin).")] = False,
    home: HomeOpt = None,
) -> None:
    """Change a user's role, districts, whether they may sign in, or password."""
    districts: list[str] | None = [] if all_districts else district
    password = _password(True) if new_password else None
    with governance_of(home) as gov:
        u = gov.people.change(username, cli_actor(), role, districts, active, password)
    out.print(
        f"{u.username}: {u.role}, districts {', '.join(u.districts) or 'all'}, "
        f"{'active' if u.active else 'inactive'}"
    )


@user_app.command("list")
def user_list(home: HomeOpt = None, fmt: FormatOpt = "table") -> None:
    """List the users with their roles and scopes."""
    check_format(fmt)
    with governance_of(home) as gov:
        rows = [
            [
                u.username,
                u.display_name,
                u.organisation.code,
                u.role,
                ", ".join(u.districts) or "all",
                "yes" if u.active else "no",
            ]
            for u in gov.people.users()
        ]
    emit(["user", "name", "organisation", "role", "districts", "active"], rows, fmt)


# -- agreements ---------------------------------------------------------------------------
def _value(text: str) -> Any:
    """A --set value: TOML syntax when it parses (dates, lists, numbers), else text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


@agreement_app.command("create")
def agreement_create(
    from_file: Annotated[Path, typer.Option("--from", help="The agreement as a TOML file.")],
    home: HomeOpt = None,
) -> None:
    """Record a new agreement from its TOML file (see docs/how-to/agreements.md)."""
    terms = read_terms(from_file)
    with governance_of(home) as gov:
        a = gov.register.create(terms, cli_actor())
    out.print(f"Recorded {a.ref} version {a.version} ({a.status}): {a.title}", markup=False)


@agreement_app.command("amend")
def agreement_amend(
    ref: Annotated[str, typer.Argument(help="The agreement's reference.")],
    note: Annotated[str, typer.Option(help="What changed and why.")],
    from_file: Annotated[
        Path | None, typer.Option("--from", help="The whole amended agreement as TOML.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="TERM=VALUE, e.g. end_date=2027-03-31; repeat."),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Amend an agreement: a new version is added; earlier versions never change.

    With --from, the file is the whole agreement: a term it would set back to what it was
    before an earlier amendment (a --set, a suspension) is refused, unless --set gives it."""
    changes: dict[str, Any] = {}
    if from_file:
        changes.update(read_terms(from_file).model_dump(exclude_none=True))
    given: list[str] = []
    for item in set_ or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise AgreementInvalidError(f"--set {item}: write TERM=VALUE")
        changes[key.strip()] = _value(value.strip())
        given.append(key.strip())
    if not changes:
        raise AgreementInvalidError("nothing to amend: give --from FILE or --set TERM=VALUE")
    with governance_of(home) as gov:
        a = gov.register.amend(
            ref,
            changes,
            note,
            cli_actor(),
            whole=from_file.name if from_file else None,
            on_purpose=given,
        )
    out.print(f"{a.ref} is now at version {a.version} ({a.status})")


@agreement_app.command("suspend")
def agreement_suspend(
    ref: Annotated[str, typer.Argument(help="The agreement's reference.")],
    reason: Annotated[str, typer.Option(help="Why it is suspended.")],
    home: HomeOpt = None,
) -> None:
    """Suspend an agreement: no more data is loaded under it until it is reactivated."""
    with governance_of(home) as gov:
        a = gov.register.set_status(ref, "suspended", f"suspended: {reason}", cli_actor())
    out.print(f"{a.ref} suspended (version {a.version})")


@agreement_app.command("activate")
def agreement_activate(
    ref: Annotated[str, typer.Argument(help="The agreement's reference.")],
    note: Annotated[str, typer.Option(help="Why it is now active.")],
    home: HomeOpt = None,
) -> None:
    """Make a draft or suspended agreement active."""
    with governance_of(home) as gov:
        a = gov.register.set_status(ref, "active", note, cli_actor())
    out.print(f"{a.ref} active (version {a.version})")


@agreement_app.command("list")
def agreement_list(home: HomeOpt = None, fmt: FormatOpt = "table") -> None:
    """The register: the latest version of each agreement and licence (a review date already
    passed shows as "review overdue since" that date)."""
    check_format(fmt)
    with governance_of(home) as gov:
        rows = [
            [
                a.ref,
                a.version,
                effective_status(a),
                a.title,
                ", ".join(str(c["dataset"]) for c in a.covers),
                ", ".join(a.audiences),
                str(a.end_date or ""),
                review_words(a),
            ]
            for a in gov.register.current()
        ]
    emit(["ref", "v", "status", "title", "covers", "audiences", "ends", "review"], rows, fmt)
    overdue = [r[0] for r in rows if str(r[-1]).startswith("review overdue")]
    if overdue and fmt == "table":
        out.print(f"Review overdue: {', '.join(map(str, overdue))}", markup=False)


@agreement_app.command("show")
def agreement_show(
    ref: Annotated[str, typer.Argument(help="The agreement's reference.")],
    home: HomeOpt = None,
) -> None:
    """Every version of an agreement, oldest first, with its terms."""
    with governance_of(home) as gov:
        for a in gov.register.history(ref):
            out.print(
                f"[bold]{a.ref} version {a.version}[/bold] — {effective_status(a)}; "
                f"{a.created_at:%Y-%m-%d %H:%M} by {a.created_by}: {a.change_note}"
            )
            out.print(json.dumps(terms_of(a), default=str, indent=2), markup=False)


# -- audit --------------------------------------------------------------------------------
@audit_app.command("show")
def audit_show(
    user: Annotated[str | None, typer.Option(help="Only this actor, e.g. analyst.")] = None,
    action: Annotated[
        str | None, typer.Option(help="Only this action or family, e.g. ingest.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this date, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date, YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many entries.")] = 50,
    home: HomeOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Audit entries, newest first."""
    check_format(fmt)
    with governance_of(home) as gov:
        entries = gov.audit.show(
            user, action, parse_date(since, "--since"), parse_date(until, "--until"), limit
        )
    emit(
        ["#", "when (UTC)", "who", "action", "target", "details"],
        [[e.seq, f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, e.action, e.target, e.details]
         for e in entries],
        fmt,
    )  # fmt: skip


@audit_app.command("verify")
def audit_verify(home: HomeOpt = None) -> None:
    """Check every entry's seal and link; say where the trail was altered."""
    with governance_of(home) as gov:
        report = gov.audit.verify()
    if report.intact:
        out.print(f"The audit trail is intact: {report.checked:,} entries checked.")
        return
    for p in report.problems:
        out.print(f"- {p}", markup=False)
    raise GovernanceError(
        f"the audit trail has been altered ({len(report.problems)} problem(s) above)"
    )


# -- data quality -------------------------------------------------------------------------
@app.command()
def quality(
    source: Annotated[str | None, typer.Option(help="Only this source's feeds.")] = None,
    fmt: FormatOpt = "table",
    home: HomeOpt = None,
) -> None:
    """The data-quality scorecard of each partner feed: timeliness, accuracy, relevance."""
    check_format(fmt)
    feeds = pipeline.quality(hub_of(home), source)
    audit_read(home, "quality", fmt, {"source": source})
    if fmt == "json":
        sys.stdout.write(json.dumps([asdict(f) | {"overall": f.overall} for f in feeds], indent=1))
        sys.stdout.write("\n")
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["dataset", "source", "measure", "value", "rating", "meaning"])
        for f in feeds:
            for m in f.measures:
                w.writerow([f.dataset, f.source, m.name, round(m.value, 6), m.rating, m.words])
            for name, why in f.not_available.items():
                w.writerow([f.dataset, f.source, name, "", "not available", why])
        return
    for f in feeds:
        out.print(
            f"[bold]{f.dataset} from {f.source}[/bold]: {f.overall.upper()} "
            f"({len(f.months)} months, {f.rows_read:,} rows received)"
        )
        t = table("measure", "value", "rating", "meaning")
        for m in f.measures:
            shown = (
                f"{m.value:.1%}" if "share" in m.name or "complete" in m.name else f"{m.value:g}"
            )
            t.add_row(m.name, shown, m.rating, m.words)
        for name, why in f.not_available.items():
            t.add_row(name, "—", "not available", why)
        out.print(t)
        if f.late_months:
            late = ", ".join(f"{m} ({d} days)" for m, d in f.late_months)
            out.print(f"Late months: {late}")
        if f.missing_months:
            out.print(f"Missing months: {', '.join(f.missing_months)}")


# -- retention and the DPO's report -------------------------------------------------------
retention_app = typer.Typer(no_args_is_help=True, help="Remove data kept past its retention.")
governance_app = typer.Typer(no_args_is_help=True, help="Reports for the Data Protection Officer.")
app.add_typer(retention_app, name="retention")
app.add_typer(governance_app, name="governance")


@retention_app.command("apply")
def retention_apply(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would go.")] = False,
    home: HomeOpt = None,
) -> None:
    """Remove every batch held longer than its agreement's retention period."""
    expired = pipeline.apply_retention(hub_of(home), dry_run=dry_run)
    t = table("batch", "dataset", "source", "agreement", "latest month", "kept until", "rows")
    for e in expired:
        t.add_row(
            str(e.batch_id),
            e.dataset,
            e.source,
            e.agreement,
            e.last_month,
            str(e.keep_until),
            f"{e.rows:,}",
        )
    out.print(t)
    verb = "would be removed" if dry_run else "removed"
    out.print(f"{len(expired)} batch(es), {sum(e.rows for e in expired):,} rows {verb}.")


@governance_app.command("report")
def governance_report(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the report here (Markdown).")
    ] = None,
    home: HomeOpt = None,
) -> None:
    """The register, data held, who can see what and recent audit activity, for the DPO."""
    text = pipeline.governance_report(hub_of(home), str(out_file or "stdout"))
    if out_file:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"Governance report written to {out_file}", markup=False)
    else:
        sys.stdout.write(text)


# -- keys and project extracts ------------------------------------------------------------
keys_app = typer.Typer(no_args_is_help=True, help="The pseudonymisation key.")
project_app = typer.Typer(no_args_is_help=True, help="Extracts for a project, under its own key.")
app.add_typer(keys_app, name="keys")
app.add_typer(project_app, name="project")


@keys_app.command("rotate")
def keys_rotate(home: HomeOpt = None) -> None:
    """Add a new key and re-key every stored pseudonym (earlier copies no longer join)."""
    with working("Re-keying every stored pseudonym"):
        r = pipeline.rotate_key(hub_of(home))
    out.print(
        f"Key rotated ({r.fingerprint_before} → {r.fingerprint_after}); "
        f"{r.rekeyed:,} stored pseudonyms re-keyed. Back up the new key file now."
    )


@project_app.command("extract")
def project_extract(
    project: Annotated[str, typer.Argument(help="The project's name, e.g. eval-2026.")],
    dataset: Annotated[str, typer.Option(help="The dataset to extract.")],
    out_file: Annotated[Path, typer.Option("--out", help="The Parquet file to write.")],
    home: HomeOpt = None,
) -> None:
    """Record-level extract for a project, with pseudonyms only that project can link."""
    from vrhub.datasets import get_dataset

    with working(f"Writing the extract for {project}"):
        n = pipeline.project_extract(hub_of(home), project, get_dataset(dataset), out_file)
    out.print(f"{n:,} records written to {out_file} under project {project}'s key", markup=False)
