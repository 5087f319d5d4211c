"""When violence happens: hour of day by day of week, the night-time economy, bonfire night."""

from __future__ import annotations

import datetime as dt

from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.measures.engine import WEEKDAYS
from vrhub.outputs.protect import protect_each, protect_grid, protect_parts
from vrhub.outputs.reads import Reads
from vrhub.reports.charts import Chart
from vrhub.reports.content import Finding, Paragraph, Section, Subheading, Table
from vrhub.reports.registry import section
from vrhub.reports.sections.common import history, lacks, withheld

POLICE = "police-crime"
HOURS = [f"{h:02d}:00" for h in range(24)]
#: Friday and Saturday nights: 22:00 to 03:59 on each (Friday into Saturday, Saturday into
#: Sunday).
NIGHT = {("Friday", 22), ("Friday", 23), ("Saturday", 22), ("Saturday", 23)} | {
    (d, h) for d in ("Saturday", "Sunday") for h in range(4)
}
BONFIRE = (11, 5)


@section("timing", "When violence happens", 50)
def timing(data: Reads) -> Section:
    """Serious violence by hour of the day and day of the week (records with a time of day),
    the share on Friday and Saturday nights, and bonfire night against the days around it."""
    s = Section("timing", "When violence happens")
    if lacks(s, data, POLICE):
        return s
    try:
        _week(s, data)
        _bonfire(s, data)
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
    return s


def _week(s: Section, data: Reads) -> None:
    result, rule = data.measure("serious-violence", POLICE, ["weekday", "hour"])
    counts = {
        (r.group[0], f"{r.group[1]}:00"): r.count for r in result.rows if r.group[1] != "unknown"
    }
    no_time = sum(r.count for r in result.rows if r.group[1] == "unknown")
    timed = sum(counts.values())
    if timed == 0:
        s.add(Paragraph("None of the year's records has a time of day, so timing is not shown."))
        return
    grid = protect_grid(list(WEEKDAYS), HOURS, counts, rule)
    step = 1 if rule is None else rule.round_to
    s.add(
        Paragraph(
            f"Serious violence in the {data.period.label} by the hour it began and the day of "
            "the week. Records without a time of day are left out"
            + (f" ({protect_each({'n': no_time}, rule)['n'].text()} records)." if no_time else ".")
        )
    )
    s.add(
        Chart(
            "timing-week",
            "heatmap",
            f"Serious violence by hour and day, {data.period.label}",
            "Records",
            [{"row": d, "x": h, "y": grid[(d, h)].count} for d in WEEKDAYS for h in HOURS],
            x_title="Hour",
            tick_step=step,
        )
    )
    night = sum(v for (d, h), v in counts.items() if (d, int(h[:2])) in NIGHT)
    parts = protect_parts({"night": night, "other": timed - night}, rule)
    a, b = parts["night"].count, parts["Total"].count
    if a is not None and b:
        share = 100 * a / b
        hours_share = 100 * len(NIGHT) / (7 * 24)
        s.add(Subheading("Friday and Saturday nights"))
        text = (
            f"{share:.1f}% of serious violence with a recorded time happened on Friday and "
            f"Saturday nights (22:00 to 03:59 on each), which are {hours_share:.1f}% of "
            "the hours in a week."
        )
        s.add(Paragraph(text))
        if share > 2 * hours_share:
            s.findings.append(Finding(f"In {data.area_name}, {text[0].lower()}{text[1:]}", 40))


def _bonfire(s: Section, data: Reads) -> None:
    span = history(data, POLICE)
    if span is None:
        return
    rows = []
    finding = None
    for year in range(int(span[0][:4]), int(span[1][:4]) + 1):
        months = (f"{year}-10", f"{year}-11")
        if months[0] < span[0] or months[1] > span[1]:
            continue
        result, rule = data.measure("serious-violence", POLICE, ["date"], months)
        days = {r.group[0]: r.count for r in result.rows}
        day = dt.date(year, *BONFIRE)
        window = [str(day + dt.timedelta(days=k)) for k in range(-7, 8) if k != 0]
        shown = protect_each({d: days.get(d, 0) for d in [str(day), *window]}, rule)
        others = [shown[d].count for d in window]
        if shown[str(day)].count is None or any(v is None for v in others):
            rows.append([str(year), "[c]", "[c]", "too few to compare"])
            continue
        average = sum(v or 0 for v in others) / len(others)
        on = shown[str(day)].count or 0
        ratio = on / average if average else None
        rows.append(
            [
                str(year),
                f"{on:,}",
                f"{average:,.1f}",
                "" if ratio is None else f"{ratio:.1f} times the average day",
            ]
        )
        # A key finding is about the report's year: the 5 November in its period, never the
        # most striking year of the history shown.
        in_period = data.period.current[0] <= f"{year}-11" <= data.period.current[1]
        if ratio and ratio >= 1.5 and in_period:
            finding = (year, ratio)
    if rows:
        s.add(Subheading("Seasonal peaks: bonfire night"))
        s.add(
            Table(
                "Serious violence on 5 November against the average of the seven days before and "
                "after it",
                ["Year", "5 November", "average day around it", "comparison"],
                rows,
                [False, True, True, False],
            )
        )
    if finding:
        s.findings.append(
            Finding(
                f"Bonfire night stands out in {data.area_name}: serious violence on 5 November "
                f"{finding[0]} was {finding[1]:.1f} times the average day around it.",
                30,
            )
        )
