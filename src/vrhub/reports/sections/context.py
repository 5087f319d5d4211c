"""The cost of violence (data quality and caveats are in :mod:`vrhub.reports.sections.gaps`)."""

from __future__ import annotations

from vrhub.datasets import get_dataset
from vrhub.errors import AudienceForbiddenError, ReferenceDataError, UnsupportedFieldError
from vrhub.measures.costs import cost_of_violence
from vrhub.outputs.protect import protect_each
from vrhub.outputs.reads import Reads
from vrhub.reports.charts import Chart
from vrhub.reports.content import Note, Paragraph, Section, Table
from vrhub.reports.registry import section
from vrhub.reports.sections.common import lacks, withheld

POLICE = "police-crime"


@section("costs", "The cost of violence", 90)
def costs(data: Reads) -> Section:
    """Police-recorded offences in the year times the loaded unit costs per offence category,
    with the source and price year of the costs."""
    s = Section("costs", "The cost of violence")
    if lacks(s, data, POLICE, "No police-recorded crime is loaded, so costs cannot be estimated."):
        return s
    try:
        _, rule = data.measure("serious-violence", POLICE, [])  # lineage and the audience check
        result = cost_of_violence(
            data.backend, get_dataset(POLICE), data.area, ["category"], *data.period.current
        )
    except ReferenceDataError as exc:
        s.add(Note(f"{exc}."))
        return s
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
        return s
    shown = protect_each({r.group[0]: r.offences for r in result.rows}, rule)
    unit = {r.group[0]: r.cost / r.offences for r in result.rows if r.offences}
    rows = []
    values = []
    for r in sorted(result.rows, key=lambda r: -r.cost):
        n = shown[r.group[0]].count
        cost = None if n is None else n * unit.get(r.group[0], 0.0)
        rows.append(
            [
                r.group[0],
                shown[r.group[0]].text(),
                "[c]" if cost is None else f"£{cost / 1e6:,.1f}m",
            ]
        )
        values.append({"x": r.group[0], "y": None if cost is None else round(cost / 1e6, 1)})
    illustrative = any("ILLUSTRATIVE" in src.upper() for src in result.sources)
    s.add(
        Paragraph(
            f"The estimated cost of police-recorded offences in {data.area_name} in the "
            f"{data.period.label}: each offence category's count times its unit cost "
            f"(prices of {', '.join(result.price_years) or 'an unstated year'}). Costs cover "
            "the harm to victims, the response of services and lost output, as the unit-cost "
            "source defines them."
        )
    )
    if illustrative:
        s.add(
            Note(
                "These unit costs are illustrative values for the demonstration partnership, "
                "not published figures. A deployment loads the Home Office unit costs with "
                "`vrhub costs load`."
            )
        )
    s.add(
        Chart(
            "costs",
            "bar",
            f"Estimated cost by offence category, {data.period.label} (£ million)",
            "£ million",
            values,
            x_title="Offence category",
            y_format=".1f",
        )
    )
    s.add(
        Table(
            f"Estimated cost by offence category, {data.period.label}",
            ["Offence category", "Offences", "Estimated cost"],
            rows,
            [False, True, True],
        )
    )
    s.add(Paragraph(f"Sources of the unit costs: {'; '.join(result.sources)}."))
    return s
