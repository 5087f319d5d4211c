"""Data gaps and quality: what the report cannot see, and how good what it sees is.

One section lists, in words, everything missing from the figures: partners not yet sharing
what their agreements say they send, fields a dataset standard has that no row holds, feeds
late or incomplete for the report's period, influential-factor datasets not yet shared; then
each feed's data-quality scorecard (:mod:`vrhub.quality.scorecard`) with its figures.

Example (runnable)::

    >>> months_behind("2026-06", "2026-09")
    3
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vrhub.datasets import all_datasets, get_dataset
from vrhub.datasets.spec import Dataset
from vrhub.governance.agreements import effective_status
from vrhub.measures.coverage import coverage, held_words
from vrhub.outputs.reads import Reads
from vrhub.quality.scorecard import scorecard
from vrhub.reports.content import Note, Paragraph, Section, Subheading
from vrhub.reports.registry import section
from vrhub.store.events import stored_fields


def months_behind(last: str, end: str) -> int:
    """Whole months from ``last`` to ``end`` (both YYYY-MM)."""
    return (int(end[:4]) - int(last[:4])) * 12 + int(end[5:7]) - int(last[5:7])


@dataclass
class Gaps:
    """What is missing from the report's figures, each item a sentence."""

    not_sharing: list[str] = field(default_factory=list)
    fields_not_held: list[str] = field(default_factory=list)
    late_or_incomplete: list[str] = field(default_factory=list)
    factors_not_shared: list[str] = field(default_factory=list)


def _has_rows(data: Reads, ds: Dataset) -> bool:
    try:
        return data.has_data(ds.name)
    except Exception:  # the backend's own "no such table": a standard with no table yet
        return False


def _senders(data: Reads, ds: Dataset) -> dict[str, str]:
    """Each organisation (or source named at ingest) with rows held, and its latest month."""
    rows = data.con.execute(
        "SELECT coalesce(b.organisation, b.source, '') AS sender, max(e.month) "
        f"FROM (SELECT DISTINCT batch_id, month FROM {ds.table}) e "
        "LEFT JOIN ingest_batches b USING (batch_id) GROUP BY ALL ORDER BY 1"
    ).fetchall()
    return {str(s): str(m) for s, m in rows}


def gaps(data: Reads) -> Gaps:
    """Everything the report's figures lack (worked out once per report)."""
    return data.once("data-gaps", lambda: _gaps(data))


def _gaps(data: Reads) -> Gaps:
    g = Gaps()
    held = {ds.name: _has_rows(data, ds) for ds in all_datasets()}
    _not_sharing(data, g, held)
    for ds in all_datasets():
        if held[ds.name]:
            _fields(data, g, ds)
            _late(data, g, ds)
        elif ds.factor is not None:
            g.factors_not_shared.append(
                f"{ds.title} ({ds.factor.theme}): not yet shared, so its "
                f"{ds.factor.counted} are not counted in the influential factors."
            )
    return g


def _not_sharing(data: Reads, g: Gaps, held: dict[str, bool]) -> None:
    """Named suppliers that have sent nothing under an active agreement; a covered dataset
    with no named supplier and no data; a partner dataset no agreement covers. Datasets that
    feed the influential factors are listed with those instead."""
    names = {o.code: o.name for o in data.gov.people.organisations()}
    covered: dict[str, list[str]] = {}  # dataset -> the agreements covering it
    named: set[str] = set()
    for a in data.gov.register.current():
        if a.kind != "agreement" or effective_status(a) != "active":
            continue
        for c in a.covers:
            name = str(c["dataset"])
            if name not in held:  # an agreement naming a standard this release lacks
                continue
            covered.setdefault(name, []).append(a.ref)
            ds = get_dataset(name)
            sent = _senders(data, ds) if held[name] else {}
            listed = c.get("suppliers") or []
            for org in [str(x) for x in listed] if isinstance(listed, list) else []:
                named.add(name)
                if org not in sent:
                    g.not_sharing.append(
                        f"{names.get(org, org)} has not yet shared {ds.title} under "
                        f"agreement {a.ref}."
                    )
    for ds in all_datasets():
        if held[ds.name] or ds.factor is not None or ds.name in named:
            continue
        if ds.name in covered:
            g.not_sharing.append(
                f"{ds.title}: agreement {', '.join(covered[ds.name])} covers it, but no partner "
                "has shared it yet."
            )
        elif ds.partner_extract:
            g.not_sharing.append(
                f"{ds.title}: not yet shared; no active data-sharing agreement covers it."
            )


def _fields(data: Reads, g: Gaps, ds: Dataset) -> None:
    optional = [f for f in stored_fields(ds) if not f.required and not f.record_id]
    if not optional:
        return
    counts = ", ".join(f'count("{f.stored_name}")' for f in optional)
    [row] = data.con.execute(
        f"SELECT count(*), {counts} FROM {ds.table} WHERE list_contains(?, district)",
        [data.area],
    ).fetchall()
    if not row[0]:
        return
    empty = [f for f, n in zip(optional, row[1:], strict=True) if not n]
    if empty:
        words = "; ".join(f"{f.name} ({_lower_first(f.description.rstrip('.'))})" for f in empty)
        g.fields_not_held.append(
            f"{ds.title}: not recorded in any row for {data.area_name}: {words}. Figures that "
            f"need {'it' if len(empty) == 1 else 'them'} cannot be given."
        )


def _late(data: Reads, g: Gaps, ds: Dataset) -> None:
    end = data.period.end
    for sender, last in _senders(data, ds).items():
        if last < end:
            n = months_behind(last, end)
            g.late_or_incomplete.append(
                f"{ds.title} from {sender or 'an unnamed source'}: the latest month held is "
                f"{last}, {n} month{'s' if n > 1 else ''} before the end of the "
                f"{data.period.label}."
            )
    held = coverage(data.con, ds)
    missing = held.missing(data.period.current)
    if missing:
        partial = [m for m in missing if m in held.partial]
        words = f"{held_words(missing)} not held from every source"
        if partial:
            words += f" ({held.partial_words(partial)})"
        g.late_or_incomplete.append(
            f"{ds.title}: the {data.period.label} is incomplete: {words}; these months are "
            "left out, never counted as zero."
        )


@section("data-gaps", "Data gaps and quality", 100)
def data_gaps(data: Reads) -> Section:
    """What is missing from the figures (partners not yet sharing under their agreements,
    fields no row holds, feeds late or incomplete for the period, influential-factor datasets
    not yet shared) and each partner feed's data-quality scorecard with its figures."""
    s = Section("data-gaps", "Data gaps and quality")
    g = gaps(data)
    s.add(
        Paragraph(
            "What this report cannot see, and how good the data it uses is. Missing data is "
            "never counted as zero: each gap below is left out of the figures and said here."
        )
    )
    for title, items, none in (
        ("Partners not yet sharing", g.not_sharing, "Every partner due to share data is."),
        ("Fields not held", g.fields_not_held, "Every field of the data held is recorded."),
        ("Feeds late or incomplete", g.late_or_incomplete,
         f"Every feed held is complete to the end of the {data.period.label}."),
        ("Influential factors not yet shared", g.factors_not_shared,
         "Every influential-factor dataset is shared."),
    ):  # fmt: skip
        s.add(Subheading(title))
        for item in items or [none]:
            s.add(Paragraph(item))
    s.add(Subheading("Data-quality scorecard"))
    _scorecard(s, data)
    return s


def _scorecard(s: Section, data: Reads) -> None:
    """Each partner feed's scorecard in words: what is weak and what it means for the
    figures in this report."""
    feeds = scorecard(data.con)
    if not feeds:
        s.add(Paragraph("No partner data is loaded yet, so no feed can be scored."))
        return
    s.add(
        Paragraph(
            "Each partner feed is scored on timeliness, completeness and validity (green, amber "
            "or red). Weak points below affect the figures in this report as described."
        )
    )
    for f in feeds:
        weak = [m for m in f.measures if m.rating in ("amber", "red")]
        title = get_dataset(f.dataset).title
        if f.dataset in data.lineage.withheld:
            continue
        if not weak:
            s.add(Paragraph(f"{title} from {f.source}: green on every check."))
            continue
        parts = []
        for m in weak:
            value = (
                f"{100 * m.value:.1f}%"
                if m.name.endswith(("_share", "_complete"))
                else f"{m.value:g}"
            )
            shown = f": {value}" if data.audience != "public" else ""
            parts.append(f"{m.words}{shown} ({m.rating})")
        s.add(Paragraph(f"{title} from {f.source}: overall {f.overall}. {'; '.join(parts)}."))
    s.add(
        Note(
            "Records with no usable location are counted in the totals where stated but cannot be "
            "placed in a district or neighbourhood, so rates by area are slight underestimates. "
            "Rates use the population vrhub holds nearest the period (ONS estimates or the "
            "2021 Census); neighbourhood rates use the mid-2015 estimates behind the Indices "
            "of Deprivation 2019."
        )
    )


def _lower_first(text: str) -> str:
    """A description as the middle of a sentence: 'Latest date' becomes 'latest date', but a
    name or an abbreviation ('British National Grid', 'LSOA') keeps its capital.

    >>> _lower_first("Latest date-time"), _lower_first("British National Grid easting")
    ('latest date-time', 'British National Grid easting')
    >>> _lower_first("LSOA where the child lives")
    'LSOA where the child lives'
    """
    first = text.split(" ", 1)[0]
    if first in PROPER or first[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


#: Words that begin a field's description and keep their capital inside a sentence.
PROPER = ("British", "Home", "ICD-10", "NHS", "ONS")
