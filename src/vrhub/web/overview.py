"""The overview: serious violence and the success measures for the partnership and each district
in the viewer's scope, latest year ending against the previous 12 months, with the interval, the
latest SPC signal and a sparkline, all as the viewer's audience may see them."""

from __future__ import annotations

from typing import Any

from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.governance.context import Governance
from vrhub.governance.roles import reads_exact_figures
from vrhub.home import Home
from vrhub.measures.spc import NO_CHART
from vrhub.outputs.period import Period
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports.sections.common import change, trend
from vrhub.web.downloads import table

HEADLINES = (
    ("serious-violence", "police-crime", "Serious violence"),
    ("hospital-knife-admissions", "hospital-admission", "Hospital admissions for knife assault"),
    ("knife-enabled-serious-violence", "police-crime", "Knife-enabled serious violence"),
    ("non-domestic-homicide", "police-crime", "Non-domestic homicide"),
)
SPARK_MONTHS = 24


def overview(
    home: Home,
    con: Any,
    gov: Governance,
    audience: str,
    period: Period,
    districts: list[str],
) -> dict[str, Any]:
    """The figures of the overview page (also its JSON)."""
    areas: list[dict[str, Any]] = []
    for area in [None, *districts]:
        data = Reads(home, con, gov, audience, period, area, Lineage())
        areas.append(
            {
                "code": area or "all",
                "name": data.area_name,
                "measures": [_measure(data, *h) for h in HEADLINES],
            }
        )
    return {
        "period": period.label,
        "audience": audience,
        "intro": (
            "Each figure is the year against the previous 12 months. A change is called a rise "
            "or a fall only when its 95% confidence interval excludes no change."
            + (
                ""
                if reads_exact_figures(audience)
                else " Counts of 0 to 7 are hidden ([c]); others are changed by a few records "
                "at most and rounded to the nearest 5, the same way wherever they appear."
            )
        ),
        "signal_note": SIGNAL_NOTE,
        "areas": areas,
        "tables": [
            table(
                "overview",
                f"{period.label} against the previous 12 months",
                COLUMNS,
                [_row(a, m) for a in areas for m in a["measures"]],
            )
        ],
    }


#: What the Signal column says, in plain words (shown with every overview).
SIGNAL_NOTE = (
    "Signal says whether the latest month is unusual for this area, judged against its own "
    "recent months (statistical process control, the method the NHS's Making Data Count "
    'uses). "Concern" means the latest month is higher than the area\'s usual ups and downs '
    'would explain (for serious violence, a real rise worth looking into); "improvement" '
    'means it is lower than they would explain; "no signal" means the month is within the '
    'area\'s usual range, so it should not be read as a change; "not judged" means there are '
    "too few records a month, or too few months, to judge."
)
#: The Signal column's words for each kind of signal.
SIGNAL_WORDS = {
    "concern": "Concern",
    "improvement": "Improvement",
    "none": "No signal",
    "nochart": "Not judged (too few records or months)",
}

COLUMNS = [
    "Area",
    "Area code",
    "Measure",
    "This year",
    "Previous 12 months",
    "Change (95% interval)",
    "Signal",
]


def _row(area: dict[str, Any], m: dict[str, Any]) -> list[object]:
    if "withheld" in m:
        return [area["name"], area["code"], m["title"], None, None, m["withheld"], None]
    now = m["now_count"] if m["now_count"] is not None else m["now"]
    before = m["before_count"] if m["before_count"] is not None else m["before"]
    signal = SIGNAL_WORDS.get(m["signal"], m["signal"])
    return [area["name"], area["code"], m["title"], now, before, m["change"], signal]


def _measure(data: Reads, name: str, dataset: str, title: str) -> dict[str, Any]:
    out: dict[str, Any] = {"measure": name, "title": title}
    if not data.has_data(dataset):
        return out | {"withheld": f"No {dataset} data is loaded."}
    try:
        ch = change(data, name, dataset)
        chart, spc, _ = trend(data, name, dataset, title, f"spark-{name}")
    except AudienceForbiddenError:
        return out | {
            "withheld": f"Not shown: the agreement this data is shared under does not permit "
            f"the {data.audience} audience."
        }
    except UnsupportedFieldError as exc:
        return out | {"withheld": f"Not available: {exc}."}
    c = ch.comparison
    if ch.why is not None:
        words = "not compared: " + ch.why.split(", so no change")[0]
    elif c is None or c.percent_change is None or c.lower is None or c.upper is None:
        words = "too few to compare"
    else:
        lo, hi = 100 * (c.lower - 1), 100 * (c.upper - 1)
        verdict = (
            ("rise" if c.percent_change > 0 else "fall")
            if c.significant
            else "no significant change"
        )
        words = f"{c.percent_change:+.1f}% ({lo:+.1f}% to {hi:+.1f}%): {verdict}"
    # A t chart's points are event dates: a signal ending in the latest month counts.
    latest = [s for s in (spc.signals if spc else []) if s.months[-1][:7] == data.period.end]
    signal = latest[0].kind if latest else "none" if spc and spc.method != NO_CHART else "nochart"
    values = [r["y"] for r in (chart.rows if chart else [])][-SPARK_MONTHS:]
    return out | {
        "now": ch.now.text(),
        "before": ch.before.text(),
        "now_count": ch.now.count,
        "before_count": ch.before.count,
        "change": words,
        "percent_change": None if c is None else c.percent_change,
        "signal": signal,
        "signal_words": SIGNAL_WORDS.get(signal, signal),
        "signal_class": {"concern": "govuk-tag--red", "improvement": "govuk-tag--green"}.get(
            signal, "govuk-tag--grey"
        ),
        "sparkline": _points(values),
        "sparkline_alt": _spark_alt(title, values),
        "series": values,
    }


def _points(values: list[int | None]) -> str:
    """The sparkline's points; none when any month is suppressed (a gap would mislead)."""
    shown = [v for v in values if v is not None]
    if len(shown) < 2 or len(shown) < len(values):
        return ""
    lo, hi = min(shown), max(shown)
    span = (hi - lo) or 1
    step = 116 / max(len(values) - 1, 1)
    return " ".join(
        f"{2 + i * step:.1f},{26 - 24 * (v - lo) / span:.1f}"
        for i, v in enumerate(values)
        if v is not None
    )


def _spark_alt(title: str, values: list[int | None]) -> str:
    shown = [v for v in values if v is not None]
    if len(shown) < len(values):
        return f"{title}: some months are too small to show, so no trend is drawn"
    if len(shown) < 2:
        return f"{title}: too few months to draw a trend"
    return (
        f"{title} over the last {len(values)} months: from {shown[0]:,} to {shown[-1]:,}, "
        f"lowest {min(shown):,}, highest {max(shown):,}"
    )
