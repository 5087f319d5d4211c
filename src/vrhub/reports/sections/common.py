"""Pieces the built-in sections share: protected comparisons, trends with SPC, plain numbers."""

from __future__ import annotations

from dataclasses import dataclass

from vrhub.datasets import get_dataset
from vrhub.disclosure.engine import DisclosureRule
from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.measures.change import Comparison, compare_counts
from vrhub.measures.coverage import Coverage, coverage
from vrhub.measures.engine import MeasureResult
from vrhub.measures.spc import RARE_MEAN, SEASONAL, T_CHART, XMR, Control, control
from vrhub.months import month_add, month_range
from vrhub.outputs.period import month_name
from vrhub.outputs.protect import NOT_HELD, Shown, protect_each
from vrhub.outputs.reads import Reads
from vrhub.reports.charts import Chart
from vrhub.reports.content import (
    DESCRIPTIVE,
    NOT_SIGNIFICANT,
    SIGNAL,
    SIGNIFICANT,
    Finding,
    Note,
    Paragraph,
    Section,
)


def total(result: MeasureResult) -> int:
    return sum(r.count for r in result.rows)


def population(result: MeasureResult) -> float | None:
    pops = [r.population for r in result.rows if r.population]
    return float(pops[0]) if pops else None


def lacks(section: Section, data: Reads, dataset: str, text: str | None = None) -> bool:
    """Whether the dataset has no records; if so the section says so (``text`` or a default)."""
    if data.has_data(dataset):
        return False
    section.add(Paragraph(text or NO_DATA[dataset]))
    return True


NO_DATA = {"police-crime": "No police-recorded crime is loaded, so this section cannot be shown."}


def withheld(section: Section, data: Reads, dataset: str, exc: Exception) -> None:
    """Say plainly why a part of the section is missing."""
    if isinstance(exc, AudienceForbiddenError):
        why = (
            f"Figures from {dataset} are not shown: the data-sharing agreement they come under "
            f"does not permit the {data.audience} audience."
        )
        data.lineage.withheld[dataset] = why
    elif isinstance(exc, UnsupportedFieldError):
        why = f"Not available from {dataset}: {exc}."
    else:
        raise exc
    section.add(Note(why))


@dataclass(frozen=True)
class Change:
    """The year against the previous 12 months, as the audience may see it."""

    now: Shown
    before: Shown
    comparison: Comparison | None
    #: Why there is no comparison, when it is not that the counts are too small.
    why: str | None = None

    def sentence(self, what: str, area: str, period_label: str) -> str:
        if self.why is not None:
            return f"{what} in {area}: {self.now.text()} in the {period_label}; {self.why}."
        if self.comparison is None:
            return (
                f"{what} in {area}: too few records in the {period_label} or the year before to "
                "compare without risking disclosure."
            )
        words = self.comparison.verdict(what, "the previous 12 months")
        return (
            f"In {area}, {words[0].lower() + words[1:]} ({self.now.text()} in the {period_label})."
        )

    def finding(self, what: str, area: str, period_label: str, scale: float = 1.0) -> Finding:
        c = self.comparison
        weight = 1.0 * scale
        if c is not None and c.significant and c.percent_change is not None and not c.tiny:
            weight = (100 + abs(c.percent_change)) * scale
        elif c is not None:
            weight = 10 * scale
        strength = DESCRIPTIVE
        if c is not None:
            strength = SIGNIFICANT if c.significant else NOT_SIGNIFICANT
        return Finding(self.sentence(what, area, period_label), weight, strength)


def held(data: Reads, dataset: str) -> Coverage:
    """The months the dataset holds (asked once per report)."""
    return data.once(f"coverage:{dataset}", lambda: coverage(data.con, get_dataset(dataset)))


def change(data: Reads, name: str, dataset: str, filters: dict[str, str] | None = None) -> Change:
    """This year against the previous 12 months, from published counts outside the analyst
    tier. A year not wholly held is not compared (missing months are not zeros), and says so."""
    now, rule = data.measure(name, dataset, [], data.period.current, filters)
    months = held(data, dataset)
    shown_now = protect_each({"now": total(now)}, rule)["now"]
    if months.state(data.period.current) == "not held":
        shown_now = Shown(None, NOT_HELD)
    reasons = []
    for label, period in (
        ("this year", data.period.current),
        ("the previous 12 months", data.period.previous),
    ):
        gaps = months.missing(period)
        if months.state(period) == "not held":
            reasons.append(f"no {dataset} data is held for {label}")
        elif gaps:
            reasons.append(f"{label} is only partly held ({months.gap_words(gaps)})")
    if reasons:
        return Change(
            shown_now,
            Shown(None, NOT_HELD),
            None,
            f"{' and '.join(reasons)}, so no change is given ({months.held()})",
        )
    before, rule_before = data.measure(name, dataset, [], data.period.previous, filters)
    pop = population(now) or population(before) or 1.0
    return compare_shown(total(now), total(before), stricter(rule, rule_before), pop)


def compare_shown(now: int, before: int, rule: DisclosureRule | None, pop: float) -> Change:
    """Two periods' counts compared as the audience may see them (published counts only)."""
    shown = protect_each({"now": now, "before": before}, rule)
    a, b = shown["now"], shown["before"]
    if a.count is None or b.count is None:
        return Change(a, b, None)
    return Change(a, b, compare_counts(a.count, b.count, pop, pop))


def stricter(a: DisclosureRule | None, b: DisclosureRule | None) -> DisclosureRule | None:
    if a is None or b is None:
        return a or b
    return DisclosureRule(max(a.suppress_max, b.suppress_max), max(a.round_to, b.round_to))


def history(data: Reads, dataset: str) -> tuple[str, str] | None:
    """Up to five years to the period's end, from the first month the dataset holds."""
    if not data.has_data(dataset):
        return None
    [row] = data.con.execute(f"SELECT min(month) FROM {get_dataset(dataset).table}").fetchall()
    if not row or row[0] is None:
        return None
    first = max(str(row[0]), month_add(data.period.end, -59))
    return (first, data.period.end) if first <= data.period.end else None


def trend(
    data: Reads, name: str, dataset: str, title: str, chart_id: str
) -> tuple[Chart | None, Control | None, str]:
    """A monthly series with its control limits and signals, from published counts, by the
    method that fits it (:func:`vrhub.measures.spc.control`; published counts hold no event
    dates, so a rare series is shown as counts)."""
    span = history(data, dataset)
    if span is None:
        return None, None, "no records yet"
    result, rule = data.measure(name, dataset, ["month"], span)
    months = month_range(*span)
    # A month with no data held (or not yet sent by every source) is a gap, never a 0.
    kept = held(data, dataset).months
    counts = {r.group[0]: r.count for r in result.rows}
    shown = protect_each({m: counts.get(m, 0) for m in months if m in kept}, rule)
    values = [shown[m].count if m in shown else None for m in months]
    spc = None
    why = ""
    charted = [m for m in months if m in shown]
    if len(charted) >= 2 and all(shown[m].count is not None for m in charted):
        series = [float(shown[m].count or 0) for m in charted]
        spc = control(charted, series, _event_dates(data, name, dataset, span, charted, series))
        if len(charted) < len(months):
            why = "months with no data held are left out of the control chart"
    elif len(charted) >= 2:
        why = "some months are too small to show, so no control chart is drawn"
    flagged: dict[str, str] = {}
    if spc:
        for s in spc.signals:
            for m in s.months:
                flagged.setdefault(m, f"special-cause {s.kind}")
    rows = []
    for m, v in zip(months, values, strict=True):
        row: dict[str, object] = {"x": m, "y": v}
        limits = spc.limits(m) if spc else None
        if spc and spc.chart is not None:
            centre, lower, upper = limits if limits else (None, None, None)
            row |= {"mean": _round(centre), "lcl": _round(lower, floor=0.0)}
            row |= {"ucl": _round(upper), "signal": flagged.get(m)}
        rows.append(row)
    step = 1 if rule is None else rule.round_to
    chart = Chart(chart_id, "line", title, "Records", rows, x_title="Month", tick_step=step)
    return chart, spc, why


def _event_dates(
    data: Reads,
    name: str,
    dataset: str,
    span: tuple[str, str],
    months: list[str],
    series: list[float],
) -> list[str] | None:
    """For analysts only (exact figures), the dates of a rare series' events, so it gets a
    t chart; None otherwise (published counts carry no dates) or when the dataset holds only
    the month of each event."""
    if not data.exact or sum(series) / len(series) >= RARE_MEAN:
        return None
    try:
        daily, _ = data.measure(name, dataset, ["month", "date"], span)
    except UnsupportedFieldError:
        return None
    kept = set(months)
    return [
        r.group[1]
        for r in daily.rows
        if r.group[0] in kept and len(r.group[1]) == 10
        for _ in range(r.count)
    ]


def _round(x: float | None, floor: float | None = None) -> float | None:
    if x is None:
        return None
    return round(max(x, floor) if floor is not None else x, 2)


def signal_finding(
    spc: Control | None,
    what: str,
    area: str,
    period: tuple[str, str],
    label: str,
    kind: str | None = None,
) -> Finding | None:
    """A key finding for the control chart's latest signal (of ``kind``, if given) whose run
    lies mostly in the report's year (a run mostly before it is not a finding about the year),
    dated by its run."""
    recent = [
        s
        for s in (spc.signals if spc else [])
        if s.mostly_within(period) and kind in (None, s.kind)
    ]
    if spc is None or not recent:
        return None
    s = max(recent, key=lambda x: (x.kind == "concern", x.months[-1], len(x.months)))
    varies = {
        T_CHART: "variation in the time between events",
        SEASONAL: "month-to-month variation in the seasonally adjusted monthly counts",
    }.get(spc.method, "month-to-month variation in the monthly counts")
    return Finding(
        f"{what} in {area} shows a special-cause {s.kind} in the {label} (a change beyond "
        f"the usual {varies}, {s.span}): {s.explanation}.",
        60.0 if s.kind == "concern" else 30.0,
        SIGNAL,
    )


def spc_words(
    spc: Control | None, why: str, period: tuple[str, str] | None = None, label: str = ""
) -> str:
    """The control chart in plain words: the method, its signals each dated by its run (a
    signal most of whose run lies before ``period`` is said to be earlier, not in it), and its
    notes."""
    if spc is None:
        return f"Statistical process control: {why}." if why else ""
    notes = [*spc.notes, *([why] if why else [])]
    if spc.chart is None:
        return f"Statistical process control: {'; '.join(notes)}."
    method = {
        XMR: "XmR chart, Making Data Count rules",
        SEASONAL: "XmR chart of seasonally adjusted counts, Making Data Count rules",
    }.get(spc.method, spc.method)
    if not spc.signals:
        unit = "time between events" if spc.method == T_CHART else "month"
        words = f"common-cause variation only; no {unit} stands out from the usual range"
    else:
        parts = []
        for s in spc.signals:
            span = month_name(s.months[0][:7]) + (
                f" to {month_name(s.months[-1][:7])}" if len(s.months) > 1 else ""
            )
            when = ""
            if period is not None and not s.mostly_within(period):
                before = "before" if s.share_within(period) == 0 else "mostly before"
                when = f", {before} the {label or 'this period'}"
            parts.append(f"special-cause {s.kind} ({span}{when}): {s.explanation}")
        words = "; ".join(parts)
    return f"Statistical process control ({method}): {words}" + (
        f"; {'; '.join(notes)}." if notes else "."
    )
