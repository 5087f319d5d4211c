"""The three Home Office success measures, each with its under-25 split, trend and SPC signals."""

from __future__ import annotations

from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.measures.registry import get_measure
from vrhub.outputs.protect import protect_parts
from vrhub.outputs.reads import Reads
from vrhub.reports.content import Paragraph, Section, Subheading, Table
from vrhub.reports.registry import section
from vrhub.reports.sections.common import change, signal_finding, spc_words, trend, withheld

#: (measure, dataset, short name used in sentences)
SUCCESS = (
    ("hospital-knife-admissions", "hospital-admission", "hospital admissions for knife assault"),
    ("knife-enabled-serious-violence", "police-crime", "knife-enabled serious violence"),
    ("non-domestic-homicide", "police-crime", "non-domestic homicide"),
)
UNDER_25 = ("under 25", "25 and over", "unknown")


@section("success-measures", "The Home Office success measures", 20)
def success_measures(data: Reads) -> Section:
    """Hospital admissions for knife assault, knife-enabled serious violence and non-domestic
    homicide: the year against the previous 12 months, the under-25 split, the monthly trend
    and its SPC signals."""
    s = Section("success-measures", "The Home Office success measures")
    s.add(
        Paragraph(
            "The Serious Violence Duty asks partnerships to report three success measures. "
            "Each is shown for the year with its change from the previous 12 months, the split "
            "between people under 25 and those older, and the monthly trend."
        )
    )
    for name, dataset, words in SUCCESS:
        m = get_measure(name)
        s.add(Subheading(m.title))
        if not data.has_data(dataset):
            s.add(Paragraph(f"No {dataset} records are loaded, so this measure cannot be shown."))
            continue
        try:
            what = words[0].upper() + words[1:]
            ch = change(data, name, dataset)
            s.add(Paragraph(ch.sentence(what, data.area_name, data.period.label)))
            s.findings.append(ch.finding(what, data.area_name, data.period.label, 1.2))
            split, rule = data.measure(name, dataset, ["under_25"])
            counts = {g: 0 for g in UNDER_25}
            for r in split.rows:
                counts[r.group[0]] = r.count
            shown = protect_parts(counts, rule)
            s.add(
                Table(
                    f"{m.title}: by age, {data.period.label}",
                    ["Age", "Records"],
                    [[g, shown[g].text()] for g in UNDER_25]
                    + [["All ages", shown["Total"].text()]],
                    [False, True],
                )
            )
            chart, spc, why = trend(data, name, dataset, f"{m.title} by month", f"trend-{name}")
            if chart:
                s.add(chart)
            words_spc = spc_words(spc, why, data.period.current, data.period.label)
            if words_spc:
                s.add(Paragraph(words_spc))
            # A signal is a finding about the year only when most of its run lies in it.
            signal = signal_finding(
                spc, what, data.area_name, data.period.current, data.period.label, "concern"
            )
            if signal:
                s.findings.append(signal)
        except (AudienceForbiddenError, UnsupportedFieldError) as exc:
            withheld(s, data, dataset, exc)
    return s
