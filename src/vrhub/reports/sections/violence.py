"""Serious violence by category (victims by age and sex are in :mod:`.people`)."""

from __future__ import annotations

from vrhub.disclosure.engine import DisclosureRule
from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.measures.definition import load_definition
from vrhub.outputs.protect import protect_each
from vrhub.outputs.reads import Reads
from vrhub.reports.charts import Chart
from vrhub.reports.content import Finding, Paragraph, Section, Table
from vrhub.reports.registry import section
from vrhub.reports.sections.common import (
    Change,
    change,
    lacks,
    signal_finding,
    spc_words,
    trend,
    withheld,
)

POLICE = "police-crime"
#: The categories of the definition the headline gives a share of serious violence for.
SHARES = (
    ("domestic-abuse", "were flagged as domestic abuse"),
    ("violence-against-women-and-girls", "were violence against women and girls"),
)


@section("serious-violence", "Serious violence by category", 30)
def serious_violence(data: Reads) -> Section:
    """Serious violence under the partnership's definition: the year's change, the monthly trend
    with SPC, and each category of the definition (a record can fall in more than one)."""
    s = Section("serious-violence", "Serious violence by category")
    if lacks(s, data, POLICE):
        return s
    try:
        definition = load_definition()
        ch = change(data, "serious-violence", POLICE)
        now, rule = data.measure("serious-violence", POLICE, ["sv_category"])
        share = da_vawg_share(ch, {r.group[0]: r.count for r in now.rows}, rule)
        headline = ch.sentence("Serious violence", data.area_name, data.period.label)
        headline += f" {share}" if share else ""
        s.add(
            Paragraph(
                f"Serious violence is counted under the partnership's definition "
                f"({definition.name}, version {definition.version}), from police-recorded crime. "
                + headline
            )
        )
        found = ch.finding("Serious violence", data.area_name, data.period.label, 1.5)
        s.findings.append(Finding(headline, found.weight, found.strength))
        chart, spc, why = trend(
            data, "serious-violence", POLICE, "Serious violence by month", "trend-sv"
        )
        if chart:
            s.add(chart)
        words = spc_words(spc, why, data.period.current, data.period.label)
        if words:
            s.add(Paragraph(words))
        signal = signal_finding(
            spc, "Serious violence", data.area_name, data.period.current, data.period.label
        )
        if signal:
            s.findings.append(signal)
        before, _ = data.measure("serious-violence", POLICE, ["sv_category"], data.period.previous)
        titles = {c.name: c.title for c in definition.categories}
        counts = {titles.get(r.group[0], r.group[0]): r.count for r in now.rows}
        earlier = {titles.get(r.group[0], r.group[0]): r.count for r in before.rows}
        order = sorted(counts, key=lambda k: -counts[k])
        shown = protect_each(counts, rule)
        shown_before = protect_each(earlier, rule)
        step = 1 if rule is None else rule.round_to
        s.add(
            Chart(
                "sv-categories",
                "bar",
                f"Serious violence by category, {data.period.label}",
                "Records",
                [{"x": k, "y": shown[k].count} for k in order],
                x_title="Category",
                tick_step=step,
            )
        )
        rows = []
        for k in order:
            prev = shown_before.get(k)
            rows.append([k, shown[k].text(), prev.text() if prev else "0"])
        s.add(
            Table(
                "Serious violence by category: this year and the previous 12 months "
                "(categories overlap, so they do not add up to the total)",
                ["Category", data.period.label, "previous 12 months"],
                rows,
                [False, True, True],
            )
        )
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
    return s


def da_vawg_share(ch: Change, by_category: dict[str, int], rule: DisclosureRule | None) -> str:
    """How much of the year's serious violence is domestic abuse and violence against women
    and girls: each category's (published) count and its share of the (published) total, or
    why it cannot be said. Empty when the year itself is not held (the headline says so)."""
    if ch.why is not None and ch.now.count is None:
        return ""
    total = ch.now.count
    shown = protect_each({name: by_category.get(name, 0) for name, _ in SHARES}, rule)
    parts = []
    for name, words in SHARES:
        count = shown[name].count
        if count is None or not total:
            parts.append(f"{shown[name].text()} {words} (too few to give a share)")
        else:
            parts.append(f"{count:,} ({100 * count / total:.1f}%) {words}")
    lead = "Of these, " if total else "Of serious violence, "
    return lead + " and ".join(parts) + " (a record can be both)."
