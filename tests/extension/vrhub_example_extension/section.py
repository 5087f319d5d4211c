"""A report section on ambulance call-outs for stab wounds."""

from __future__ import annotations

from vrhub.errors import AudienceForbiddenError
from vrhub.outputs.protect import protect_each
from vrhub.outputs.reads import Reads
from vrhub.reports.content import Note, Paragraph, Section
from vrhub.reports.registry import section

DATASET = "ambulance-assault"
MEASURE = "ambulance-stab-callouts"


@section("ambulance-callouts", "Ambulance call-outs for stab wounds", 85)
def ambulance_callouts(data: Reads) -> Section:
    """How many times ambulance crews in the area were called to a person with a stab wound
    from an assault in the year, as the report's audience may see it."""
    s = Section("ambulance-callouts", "Ambulance call-outs for stab wounds")
    if not data.has_data(DATASET):
        s.add(Paragraph("No ambulance call-outs are loaded, so this section cannot be shown."))
        return s
    try:
        result, rule = data.measure(MEASURE, DATASET)
    except AudienceForbiddenError:
        s.add(Note(f"Ambulance figures are not shown to the {data.audience} audience."))
        return s
    shown = protect_each({"year": sum(r.count for r in result.rows)}, rule)["year"]
    s.add(
        Paragraph(
            f"In {data.area_name}, ambulance crews were called to {shown.text()} people with a "
            f"stab wound from an assault in the {data.period.label}."
        )
    )
    return s
