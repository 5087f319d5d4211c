"""The report's key findings and its appendices: methods and definitions, data sources, and the
agreements the data came under. Both are written after every other section has run, from what
the sections found and drew on."""

from __future__ import annotations

from sqlalchemy import select

from vrhub import __version__
from vrhub.datasets import get_dataset
from vrhub.measures.definition import load_definition
from vrhub.measures.registry import get_measure
from vrhub.outputs.reads import Reads
from vrhub.records.models import Agreement
from vrhub.reports.content import Finding, Note, Paragraph, Section, Subheading, Table

MAX_FINDINGS = 10

METHODS = (
    "Rates are crude rates per 1,000 residents (per 100,000 for hospital admissions and "
    "emergency-department attendances, per 1,000,000 for homicide), using the population "
    "vrhub holds nearest the period (the ONS mid-year estimates or the 2021 Census; "
    "neighbourhood rates the mid-2015 estimates behind the Indices of Deprivation 2019). "
    "Deprivation deciles are from the English Indices of Deprivation 2025.",
    "95% confidence intervals for counts and rates use Byar's approximation for 10 or more "
    "events and the exact Poisson interval below that.",
    "A change between two periods is the ratio of their rates with an exact 95% interval "
    "(conditional binomial method); it is called a rise or fall only when the interval excludes "
    "no change, and otherwise reported as no significant change.",
    "Monthly trends are read with XmR statistical process control charts and the NHS Making "
    "Data Count rules: a point beyond the process limits, a run of seven or more points on one "
    "side of the mean, a trend of seven or more points rising or falling, or two of three points "
    "beyond two sigma.",
    "Deprivation gradients come from a Poisson regression of counts on decile with the "
    "population as offset, with intervals widened for overdispersion (quasi-Poisson: by the "
    "square root of the Pearson chi-squared over its degrees of freedom, when above one); the "
    "most-against-least comparison uses the exact rate-ratio interval widened the same way.",
    "A month, year or baseline with no data held is said so and never counted as zero: a year "
    "only partly held is not compared, and months with no data are left out of trends and "
    "control charts.",
    "Hotspots use the Getis-Ord Gi* statistic over neighbourhoods whose boundaries touch, with "
    "the Benjamini-Hochberg false-discovery-rate correction at 5%.",
)


def key_findings(sections: list[Section], data: Reads) -> Section:
    """The most important findings of every section, in plain words, most important first."""
    found: list[Finding] = [f for s in sections for f in s.findings]
    found.sort(key=lambda f: (-f.weight, f.text))
    s = Section("key-findings", "Key findings")
    s.add(
        Paragraph(
            f"The main points for {data.area_name} in the {data.period.label}, most important "
            "first. A change is called a rise or a fall only when its 95% confidence interval "
            "excludes no change."
        )
    )
    if not found:
        s.add(Paragraph("No finding could be drawn from the data loaded."))
    for f in found[:MAX_FINDINGS]:
        s.add(Paragraph(f.text))
    return s


def appendix(data: Reads) -> list[Section]:
    methods = Section("methods", "Appendix A: methods and definitions")
    rule = (
        "exact counts (analyst tier: not for circulation beyond analysts)"
        if data.exact
        else "counts of 0 to 7 are hidden ([c]) and every other count is changed by at most 4 "
        "(hidden too if that change takes it into the hidden range) "
        "and rounded to the nearest 5 (the cell-key method: the change depends only on the "
        "records counted, so a count is the same wherever it appears and hidden counts cannot "
        "be worked out by combining figures), or the stricter rule an agreement sets; rates, "
        "percentages and changes are computed from the published counts"
    )
    methods.add(Paragraph(f"This report is for the {data.audience} audience: {rule}."))
    for text in METHODS:
        methods.add(Paragraph(text))
    definition = load_definition()
    rows = []
    for name, version in sorted(data.lineage.measures.items()):
        m = get_measure(name)
        rows.append([m.title, f"{name} v{version}", m.method])
    methods.add(
        Table("Measures used in this report", ["Measure", "Name and version", "Method"], rows)
    )
    methods.add(
        Paragraph(
            f"Serious violence follows the definition {definition.name} (version "
            f"{definition.version}), whose categories are "
            + "; ".join(c.title for c in definition.categories)
            + ". Categories overlap: one record can count in several."
        )
    )
    sources = Section("sources", "Appendix B: data sources and agreements")
    batch_rows = []
    if data.lineage.batches:
        found = data.con.execute(
            "SELECT dataset, source, min(m), max(m), count(DISTINCT batch_id), sum(rows_accepted) "
            "FROM (SELECT dataset, source, batch_id, rows_accepted, unnest(months) AS m "
            "FROM ingest_batches WHERE list_contains(?, batch_id)) GROUP BY 1, 2 ORDER BY 1, 2",
            [sorted(data.lineage.batches)],
        ).fetchall()
        for dataset, source, first, last, n, _rows in found:
            batch_rows.append(
                [get_dataset(dataset).title, str(source), f"{first} to {last}", f"{n:,} files"]
            )
    sources.add(
        Table(
            "Data drawn on (each loaded file is a batch; the manifest lists them by number)",
            ["Dataset", "Source", "Months", "Batches"],
            batch_rows,
        )
    )
    agreements = []
    with data.gov.records.session() as s:
        for label, ref in sorted(data.lineage.agreements.items()):
            a = s.scalars(
                select(Agreement).where(Agreement.ref == ref.ref, Agreement.version == ref.version)
            ).first()
            title = a.title if a else ""
            agreements.append([label, title, ", ".join(ref.audiences)])
    sources.add(Subheading("Agreements"))
    sources.add(
        Table(
            "The data-sharing agreements and licences the figures came under",
            ["Agreement", "Title", "Audiences it permits"],
            agreements,
        )
    )
    for why in sorted(set(data.lineage.withheld.values())):
        sources.add(Note(why))
    sources.add(
        Paragraph(
            "Reference data: Office for National Statistics geography lookups and boundaries, and "
            "the English Indices of Deprivation 2019 (Ministry of Housing, Communities and Local "
            "Government), under the Open Government Licence v3.0."
        )
    )
    sources.add(
        Paragraph(
            f"Produced with vrhub {__version__} and the serious violence definition version "
            f"{definition.version}; the manifest.json beside this report lists every batch of "
            "data used."
        )
    )
    return [methods, sources]
