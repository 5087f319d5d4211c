"""The vrhub pipeline, top to bottom: sources → ingest → stores → measures → outputs.

Each stage lives in its own package; this module is the one place that wires them in order,
so the whole flow reads from one file. Every step works in a :class:`~vrhub.hub.Hub` (a home
opened with both its stores): the command line and the dashboard open one hub and pass it to
each step; a step given a :class:`~vrhub.home.Home` instead opens a hub for itself.

1. **home** — :func:`init_partnership_home` creates the home, key and reference data;
2. **reference** — :func:`load_reference_data` (re)loads lookups, deprivation, population;
3. **governance** — the record store (organisations, users, agreements, lineage, audit trail);
   ingest asks it which agreement each file comes under;
4. **ingest** — :func:`ingest_paths` validates, pseudonymises and loads partner files; each
   batch is stored with its agreement, then its lineage and an audit entry are recorded;
5. **stores** — the analytical store (DuckDB, :mod:`vrhub.store`) and the record store
   (SQLite or PostgreSQL, :mod:`vrhub.records`), opened together by :func:`vrhub.hub.open_hub`;
6. **measures** — :func:`run_measure`, change, SPC, deprivation and costs;
7. **outputs** — counts and exports released through the one release step, the quality
   scorecard, the quarantine, the batch log, the DPO's report and the needs assessment.

The demo (:func:`vrhub.demo.build.build_demo_home`) runs all of the above on synthetic West
Yorkshire extracts; it calls this module, and this module never imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from vrhub.checksums import file_sha256
from vrhub.counts import CountTable, batches_counted, check_filters, count_records
from vrhub.datasets import all_datasets, get_dataset
from vrhub.datasets.spec import Dataset
from vrhub.errors import (
    ConfigurationError,
    LineageWriteError,
    NoDataHeldError,
    ReferenceDataError,
    UnknownPersonError,
    UnsupportedFieldError,
)
from vrhub.exports import ExportedCounts
from vrhub.exports import export_counts as export_counts_for
from vrhub.governance import keys, retention
from vrhub.governance.audit import cli_actor
from vrhub.governance.context import Governance, open_governance
from vrhub.governance.release import release
from vrhub.governance.report import governance_report as build_governance_report
from vrhub.governance.retention import Expired
from vrhub.governance.roles import ANALYST
from vrhub.home import Home, init_home, open_home
from vrhub.hub import Hub, open_hub, opened
from vrhub.ingest.files import expand_paths
from vrhub.ingest.load import IngestResult, ingest_file
from vrhub.ingest.replace import Uploader
from vrhub.measures import costs
from vrhub.measures import engine as measure_engine
from vrhub.measures.change import Comparison, compare_counts
from vrhub.measures.coverage import Coverage, coverage
from vrhub.measures.deprivation import DeprivationResult, by_decile
from vrhub.measures.engine import MeasureInputError, MeasureResult
from vrhub.measures.registry import get_measure
from vrhub.measures.spark import spark_backend
from vrhub.measures.spc import Control, control
from vrhub.months import check_month, month_range
from vrhub.partnership import current_code, resolve_partnership
from vrhub.quality.scorecard import FeedScore, scorecard
from vrhub.reference import benchmarks
from vrhub.reference.boundaries import BoundaryFile, load_boundaries, shipped_boundaries
from vrhub.reference.loader import LoadedSource, load_reference, reference_loaded
from vrhub.settings import load_settings
from vrhub.store import batches
from vrhub.store.analytical import connect, fetch_dicts

if TYPE_CHECKING:
    from vrhub.reports.build import BuildResult

#: Where a step works: a hub already open, or a home to open one for the step.
Where = Home | Hub


# 1. Home ---------------------------------------------------------------------------------
def init_partnership_home(home: Path | None, partnership: str) -> tuple[Home, bool]:
    """Create (or confirm) a home for a partnership and load the shipped reference data."""
    h, created = init_home(load_settings(home), resolve_partnership(partnership))
    with open_hub(h) as hub:  # creates the stores and the audit trail, or brings them up to date
        if created or not reference_loaded(hub.con):
            load_reference(hub.con, districts=h.partnership.district_codes)
            load_boundaries(hub.con, shipped_boundaries(), "shipped")
        if created:
            hub.gov.audit.write(cli_actor(), "home.init", h.partnership.slug, {"home": str(h.path)})
    return h, created


def open_partnership_home(home: Path | None) -> Home:
    """Open an existing home; refuses a missing home or a missing/weak key.

    A key rotation interrupted between its two steps is completed or discarded first.
    """
    h = open_home(load_settings(home))
    if keys.pending_rotation(h):
        con = connect(h)
        try:
            keys.finish_interrupted_rotation(con, h)
        finally:
            con.close()
        h = open_home(load_settings(home))
    return h


# 2. Reference data -----------------------------------------------------------------------
def load_reference_data(home: Where, from_dir: Path | None = None) -> list[LoadedSource]:
    """The lookups, deprivation and populations; and the shipped LSOA boundaries."""
    with opened(home) as hub:
        loaded = load_reference(hub.con, from_dir, hub.home.partnership.district_codes)
        load_boundaries(hub.con, shipped_boundaries(), "shipped")
        return loaded


def load_boundary_files(home: Where, paths: list[Path]) -> list[BoundaryFile]:
    """LSOA boundary GeoJSON a partnership supplies (each file checked whole first)."""
    with opened(home) as hub:
        return load_boundaries(hub.con, paths, "partnership")


def load_unit_costs(home: Where, path: Path, actor: str | None = None) -> int:
    """Load a sourced table of unit costs (replacing any loaded before)."""
    if not path.is_file():
        raise ReferenceDataError(f"no unit-cost file at {path}")
    text = path.read_text(encoding="utf-8-sig")
    with opened(home) as hub:
        n = costs.load_unit_costs(hub.con, text, path.name, file_sha256(path))
        hub.gov.audit.write(
            actor or cli_actor(), "reference.unit-costs", path.name, {"categories": n}
        )
        return n


def load_benchmarks(home: Where, path: Path, actor: str | None = None) -> int:
    """Load a file of published rates to benchmark against (checked whole first; it replaces
    the rates of the indicators it holds)."""
    if not path.is_file():
        raise ReferenceDataError(f"no benchmark file at {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(f"{path.name}: not a UTF-8 CSV file ({exc.reason})") from exc
    with opened(home) as hub:
        n = benchmarks.load_benchmarks(hub.con, text, path.name, file_sha256(path))
        hub.gov.audit.write(actor or cli_actor(), "reference.benchmarks", path.name, {"rows": n})
        return n


def stored_benchmarks(home: Where) -> list[benchmarks.Benchmark]:
    """The published rates the home holds."""
    with opened(home) as hub:
        return benchmarks.stored_benchmarks(hub.con)


# 3. Governance ---------------------------------------------------------------------------
def governance(home: Home) -> Governance:
    """Open the home's record store (migrating it if needed); close it when done."""
    return open_governance(home)


# 4. Ingest -------------------------------------------------------------------------------
def ingest_paths(
    home: Where,
    dataset: Dataset,
    paths: list[Path],
    source: str | None = None,
    received: dt.date | None = None,
    on_file: Callable[[Path, int, int], None] | None = None,
    agreement: str | None = None,
    actor: str | None = None,
    organisation: str | None = None,
) -> list[IngestResult]:
    """Ingest files and folders one file at a time, each file in its own transaction.

    Each file must come under an active agreement covering its dataset and source (open
    data under the built-in licence); ``agreement`` names one when several could apply.
    ``organisation`` names the organisation that supplied the files (a party to the
    agreement); a revised month replaces only what that organisation sent before.
    """
    files = expand_paths(paths)
    with opened(home) as hub:
        if not reference_loaded(hub.con):
            raise ReferenceDataError(
                f"the home {hub.home.path} has no reference data: run `vrhub reference load`"
            )
        known = {o.code for o in hub.gov.people.organisations()}
        if organisation is not None and organisation not in known:
            raise UnknownPersonError(
                f"no organisation has the code '{organisation}' (known: "
                f"{', '.join(sorted(known)) or 'none yet'}); add it with `vrhub org add`"
            )
        uploader = Uploader(actor or cli_actor(), organisation)
        results = []
        for i, path in enumerate(files):
            if on_file:
                on_file(path, i, len(files))
            results.append(
                ingest_governed(hub, dataset, path, source, received, agreement, uploader)
            )
        return results


def ingest_governed(
    hub: Hub,
    dataset: Dataset,
    path: Path,
    source: str | None = None,
    received: dt.date | None = None,
    agreement: str | None = None,
    uploader: Uploader | None = None,
) -> IngestResult:
    """Ingest one file under its agreement; record lineage and audit what happened.

    The batch and its agreement are stored in one transaction of the analytical store; the
    lineage in the record store follows. If that second write fails, the batch is held back
    from every output until the hub repairs the lineage when it next opens.
    """
    who = uploader or Uploader(cli_actor())
    authorise = hub.gov.authoriser(dataset, agreement, who.organisation)
    r = ingest_file(hub.con, hub.home, dataset, path, source, received, None, authorise, who)
    details: dict[str, object] = {
        "dataset": r.dataset,
        "file": r.file,
        "sha256": r.file_sha256,
        "source": r.source,
        "organisation": who.organisation,
        "rows_read": r.rows_read,
        "rows_accepted": r.rows_accepted,
        "rows_rejected": r.rows_rejected,
        "months": r.months,
        "agreement": r.agreement,
        "replaced": [
            {"batch": x.batch_id, "month": x.month, "rows_before": x.rows_before,
             "rows_after": x.rows_after}
            for x in r.replacements
        ],
    }  # fmt: skip
    if r.status == "loaded" and r.batch_id is not None and r.agreement_id is not None:
        try:
            hub.gov.record_batch(
                who.actor,
                r.batch_id,
                r.dataset,
                r.source or dataset.name,
                r.file_sha256 or "",
                r.agreement_id,
                r.rows_accepted,
                r.months,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                details,
            )
        except Exception as exc:
            replaced = "".join(f"; it {x.words}" for x in r.replacements)
            raise LineageWriteError(
                f"{r.file} was stored as batch {r.batch_id} under {r.agreement}{replaced}; but "
                f"its lineage could not be written to the record store ({type(exc).__name__}), "
                "so no output will use the batch until the hub repairs its lineage, which it "
                "does the next time it opens"
            ) from exc
    elif r.status == "rejected":
        hub.gov.audit.write(
            who.actor, "ingest.rejected", f"batch {r.batch_id}", {**details, "why": r.message[:300]}
        )
    return r


# 6. Measures -----------------------------------------------------------------------------
def run_measure(
    home: Where,
    name: str,
    dataset: Dataset,
    by: list[str] | None = None,
    filters: dict[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    engine: str | None = None,
    per: str = "everyone",
) -> MeasureResult:
    """A measure's figures for the analyst tier, with the agreements they drew on, on DuckDB
    or Spark; ``per`` picks the population (everyone, children, young-adults, under-25)."""
    measure = get_measure(name)
    with opened(home) as hub:
        chosen = engine or hub.home.settings.engine
        # A district by name, or a value no record holds, is answered or refused by name,
        # never taken for an empty table (vrhub.counts.check_filters).
        filters = check_filters(hub.con, dataset, filters, hub.home.partnership.districts)
        args = (measure, dataset, list(hub.home.partnership.district_codes), by, filters)
        if chosen == "spark":
            with spark_backend(hub.home, hub.con, dataset) as backend:
                result = measure_engine.run_measure(backend, *args, date_from, date_to, per)
        elif chosen == "duckdb":
            result = measure_engine.run_measure(
                ibis.duckdb.from_connection(hub.con), *args, date_from, date_to, per
            )
        else:
            raise ConfigurationError(f"unknown engine '{chosen}': use duckdb or spark")
        result.engine = chosen
        # Asked after the measure (which names what the dataset cannot give): months with no
        # data held are not zeros.
        held = coverage(hub.con, dataset)
        if held.first is None or held.last is None:
            raise NoDataHeldError(held.held())
        gaps = held.require((date_from or held.first, date_to or held.last), "the months asked for")
        if gaps:
            words = _partial(held, gaps)
            result.caveats.append(f"{words[0].upper()}{words[1:]}.")
        result.agreements = release(hub.gov.records, result.batches, ANALYST).labels
        return result


def latest_month(home: Where, dataset: Dataset) -> str:
    """The latest month the dataset holds."""
    with opened(home) as hub:
        [(last,)] = hub.con.execute(f"SELECT max(month) FROM {dataset.table}").fetchall()
    if last is None:
        raise ReferenceDataError(f"no {dataset.name} records are loaded yet")
    return str(last)


def compare_periods(
    home: Where,
    name: str,
    dataset: Dataset,
    current: tuple[str, str],
    previous: tuple[str, str],
    by: list[str] | None = None,
    filters: dict[str, str] | None = None,
) -> list[tuple[tuple[str, ...], Comparison]]:
    """Each group's change from the ``previous`` period to the ``current`` one.

    Both periods must be wholly held (a month with no data is not a month with no violence),
    must not overlap, and the change is by period, not by month."""
    if "month" in (by or []):
        raise MeasureInputError(
            "a change is between two periods, so it cannot be broken down by month: use "
            "`vrhub measure spc` for month-by-month change"
        )
    for label, (start, end) in (("the period", current), ("the period compared with", previous)):
        if start > end:
            raise MeasureInputError(
                f"{label} runs from {start} to {end}: give the earlier month first"
            )
    if previous[0] <= current[1] and current[0] <= previous[1]:
        raise MeasureInputError(
            f"the periods overlap ({previous[0]} to {previous[1]} and {current[0]} to "
            f"{current[1]}): a change needs two separate periods"
        )
    with opened(home) as hub:
        held = coverage(hub.con, dataset)
        held.require_whole(current, "the period")
        held.require_whole(previous, "the period compared with")
        now = run_measure(hub, name, dataset, by, filters, *current)
        before = run_measure(hub, name, dataset, by, filters, *previous)
    then = {r.group: r for r in before.rows}
    groups = sorted({r.group for r in now.rows} | set(then))
    here = {r.group: r for r in now.rows}
    out = []
    for g in groups:
        a, b = here.get(g), then.get(g)
        pop = float((a or b).population or 1)  # type: ignore[union-attr]
        out.append((g, compare_counts(a.count if a else 0, b.count if b else 0, pop, pop)))
    return out


def measure_spc(
    home: Where,
    name: str,
    dataset: Dataset,
    by: list[str] | None = None,
    filters: dict[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> list[tuple[tuple[str, ...], Control]]:
    """A monthly control chart per group over the months the dataset holds, by the method that
    fits each series (:func:`vrhub.measures.spc.control`: XmR, seasonal XmR, a t chart for rare
    events where their dates are held, or none). A month with no data held (or not yet sent by
    every source) is left out, never counted as zero; a month held with no records of a group
    is 0."""
    groups = list(by or [])
    for field in ("month", "date"):
        if field in groups:
            raise MeasureInputError(
                f"a control chart is drawn month by month already, so --by cannot include "
                f"{field}: leave it out"
            )
    _check_months(date_from, date_to)
    with opened(home) as hub:
        held = coverage(hub.con, dataset)
        if held.first is None or held.last is None:
            raise NoDataHeldError(held.held())
        span = (date_from or held.first, date_to or held.last)
        held.require(span, "the months asked for")
        result = run_measure(hub, name, dataset, [*groups, "month"], filters, *span)
        months = [m for m in month_range(*span) if m in held.months]
        if len(months) < 2:
            raise NoDataHeldError(
                f"a control chart needs at least two months of data; {held.dataset} holds "
                f"{len(months)}{' whole' if held.partial else ''} "
                f"month{'' if len(months) == 1 else 's'} from {span[0]} to "
                f"{span[1]}" + (f" ({held.held()})" if held.partial else "")
            )
        series: dict[tuple[str, ...], dict[str, int]] = {}
        for r in result.rows:
            series.setdefault(r.group[:-1], {})[r.group[-1]] = r.count
        if not series:
            raise NoDataHeldError(
                f"no {name} records from {span[0]} to {span[1]}, so there is no series to chart"
            )
        rare = [g for g, v in series.items() if sum(v.get(m, 0) for m in months) / len(months) < 2]
        dates = _event_dates(hub, name, dataset, groups, filters, span, months) if rare else None
    return [
        (
            g,
            control(
                months,
                [values.get(m, 0) for m in months],
                None if dates is None else dates.get(g, []),
            ),
        )
        for g, values in sorted(series.items())
    ]


def _event_dates(
    hub: Hub,
    name: str,
    dataset: Dataset,
    groups: list[str],
    filters: dict[str, str] | None,
    span: tuple[str, str],
    months: list[str],
) -> dict[tuple[str, ...], list[str]] | None:
    """Each group's event dates (one per record) in the months charted, or None when the
    dataset holds only the month of each event."""
    try:
        daily = run_measure(hub, name, dataset, [*groups, "month", "date"], filters, *span)
    except UnsupportedFieldError:
        return None
    kept = set(months)
    out: dict[tuple[str, ...], list[str]] = {}
    for r in daily.rows:
        day, month = r.group[-1], r.group[-2]
        if month in kept and len(day) == 10:  # a record with no date is left out
            out.setdefault(r.group[:-2], []).extend([day] * r.count)
    return out


def measure_deprivation(
    home: Where,
    name: str,
    dataset: Dataset,
    domain: str = "imd",
    district: str | None = None,
    filters: dict[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    iod: str = "2025",
) -> DeprivationResult:
    """Rates by deprivation decile (IoD 2025 unless ``iod="2019"``), their ratio and
    difference, and the gradient (over months held: a period with no data is refused, a
    partial one noted)."""
    with opened(home) as hub:
        result = by_decile(
            ibis.duckdb.from_connection(hub.con),
            get_measure(name),
            dataset,
            list(hub.home.partnership.district_codes),
            domain,
            current_code(district) if district else None,  # an older code means today's
            filters,
            date_from,
            date_to,
            iod,
        )
        # Asked after the measure, which names what the dataset or domain cannot give.
        held, gaps = _months_held(hub, dataset, date_from, date_to)
    if gaps:
        result.notes.append(_partial(held, gaps))
    return result


def _months_held(
    hub: Hub, dataset: Dataset, date_from: str | None, date_to: str | None
) -> tuple[Coverage, list[str]]:
    """Refuse a period with no data held (or a dataset with none); the dataset's coverage and
    the months of the period asked for that are not wholly held."""
    _check_months(date_from, date_to)
    held = coverage(hub.con, dataset)
    if held.first is None or held.last is None:
        raise NoDataHeldError(held.held())
    period = (date_from or held.first, date_to or held.last)
    return held, held.require(period, "the months asked for")


def _check_months(date_from: str | None, date_to: str | None) -> None:
    for option, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            check_month(value, option)


def _partial(held: Coverage, gaps: list[str]) -> str:
    """A period's months not wholly held, in words: none is read as zero."""
    return (
        f"only part of the period is held ({held.gap_words(gaps)}); missing data is not "
        "counted as zero, and the figures cover what is held"
    )


def cost_of_violence(
    home: Where,
    dataset: Dataset,
    by: list[str],
    date_from: str | None = None,
    date_to: str | None = None,
) -> costs.CostResult:
    """Offences times their sourced unit costs, by category, district and year (over months
    held: a period with no data is refused)."""
    _check_months(date_from, date_to)
    with opened(home) as hub:
        result = costs.cost_of_violence(
            ibis.duckdb.from_connection(hub.con),
            dataset,
            list(hub.home.partnership.district_codes),
            by,
            date_from,
            date_to,
        )
        _months_held(hub, dataset, date_from, date_to)
        return result


# 7. Outputs ------------------------------------------------------------------------------
def _current_codes(districts: list[str] | None) -> list[str] | None:
    """District codes as today's (Barnsley's E08000016 is E08000038); unknown codes refused."""
    return None if districts is None else [current_code(d) for d in districts]


def counts(
    home: Where,
    dataset: Dataset,
    by: list[str],
    all_areas: bool = False,
    districts: list[str] | None = None,
) -> CountTable:
    """Exact counts for the analyst tier (released like every output: a batch that cannot be
    tied to its agreement is refused)."""
    districts = _current_codes(districts)
    with opened(home) as hub:
        _some_held(hub, dataset)
        release(hub.gov.records, batches_counted(hub.con, dataset, all_areas, districts), ANALYST)
        return count_records(hub.con, dataset, by, all_areas, districts)


def _some_held(hub: Hub, dataset: Dataset) -> None:
    """Refuse counts of a dataset none of whose data is held (an empty table is not zero)."""
    held = coverage(hub.con, dataset)
    if held.first is None:
        raise NoDataHeldError(held.held())


def export_counts(
    home: Where,
    dataset: Dataset,
    by: list[str],
    audience: str,
    all_areas: bool = False,
    districts: list[str] | None = None,
    as_user: str | None = None,
    actor: str | None = None,
) -> ExportedCounts:
    """Counts released to an audience or a user: agreements checked, disclosure-controlled."""
    districts = _current_codes(districts)
    with opened(home) as hub:
        _some_held(hub, dataset)
        return export_counts_for(
            hub.con, hub.gov, dataset, by, audience, actor or cli_actor(), all_areas, districts,
            as_user,
        )  # fmt: skip


def project_extract(
    home: Where, project: str, dataset: Dataset, out: Path, actor: str | None = None
) -> int:
    """A dataset's records for one project, pseudonymised under the project's own key."""
    with opened(home) as hub:
        return keys.project_extract(hub.con, hub.gov, project, dataset, out, actor or cli_actor())


def quality(home: Where, source: str | None = None) -> list[FeedScore]:
    """The data-quality scorecard of every partner feed (or one source's)."""
    with opened(home) as hub:
        return scorecard(hub.con, source)


def quarantine_rows(
    home: Where, dataset: str | None, batch: int | None, limit: int, actor: str | None = None
) -> list[dict[str, Any]]:
    """Rejected rows with their reasons: record-level data, so every read is audited."""
    if dataset:
        get_dataset(dataset)
    with opened(home) as hub:
        rows = fetch_dicts(
            hub.con,
            "SELECT * FROM quarantine WHERE (? IS NULL OR dataset = ?) AND "
            "(? IS NULL OR batch_id = ?) ORDER BY batch_id, row_number LIMIT ?",
            [dataset, dataset, batch, batch, limit],
        )
        hub.gov.audit.write(
            actor or cli_actor(),
            "read.quarantine",
            dataset or "all datasets",
            {"batch": batch, "rows": len(rows)},
        )
        return rows


def batch_log(home: Where, limit: int = 50) -> list[dict[str, Any]]:
    """The newest batches first, with what each replaced and what replaced it."""
    with opened(home) as hub:
        log = batches.recent(hub.con, limit)
        for b in log:
            b["replacements"] = batches.replacements(hub.con, b["batch_id"])
        return log


def apply_retention(
    home: Where, dry_run: bool = False, actor: str | None = None, today: dt.date | None = None
) -> list[Expired]:
    """Remove (or list, with ``dry_run``) batches past their agreement's retention."""
    with opened(home) as hub:
        return retention.apply(hub.con, hub.gov, actor or cli_actor(), dry_run, today)


def governance_report(home: Where, destination: str, actor: str | None = None) -> str:
    """The DPO's report (Markdown): register, data held, who sees what, recent audit."""
    with opened(home) as hub:
        held: dict[int, int] = {}
        for d in all_datasets():
            for batch_id, n in hub.con.execute(
                f"SELECT batch_id, count(*) FROM {d.table} GROUP BY 1"
            ).fetchall():
                held[int(batch_id)] = int(n)
        text = build_governance_report(hub.gov, held)
        hub.gov.audit.write(actor or cli_actor(), "report.governance", destination)
        return text


def rotate_key(home: Where, actor: str | None = None) -> keys.Rotation:
    """Add a pseudonymisation key and re-key every stored pseudonym."""
    with opened(home) as hub:
        return keys.rotate(hub.con, hub.gov, actor or cli_actor())


def build_reports(
    home: Where,
    out: Path,
    period: str | None = None,
    audience: str = "analyst",
    districts: bool = True,
    pdf: bool = True,
    actor: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """The needs assessment and district profiles, as HTML and PDF, for one audience."""
    from vrhub.outputs.period import parse_period
    from vrhub.reports.build import build_sna

    chosen = parse_period(period) if period else None
    with opened(home) as hub:
        return build_sna(hub, out, chosen, audience, districts, pdf, actor, progress)
