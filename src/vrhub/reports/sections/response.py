"""The partnership's response: services commissioned set against need, and community voice.

Neither the interventions register (issue 18) nor consultation and feedback results (issue 22)
exist yet. Each section reads them through one function, :func:`interventions_register` and
:func:`community_results`, which return None while nothing is held, so the section says so in
words (never a zero); when the registers exist, those functions return their rows and the
sections show them.

Example (runnable)::

    >>> rows = [Commissioned("E08000035", "Project A", "mentoring", "Org", "individual"),
    ...         Commissioned("E08000035", "Project B", "sports programmes", "Org", "community")]
    >>> by_district(rows)
    {'E08000035': ['mentoring', 'sports programmes']}
"""

from __future__ import annotations

from dataclasses import dataclass

from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.outputs.protect import protect_each, shown_rate
from vrhub.outputs.reads import Reads
from vrhub.reports.charts import Chart
from vrhub.reports.content import Note, Paragraph, Section, Table
from vrhub.reports.registry import section
from vrhub.reports.sections.common import lacks, withheld

POLICE = "police-crime"


@dataclass(frozen=True)
class Commissioned:
    """One row of the interventions register: a project delivered in a district."""

    district: str
    project: str
    intervention_type: str
    organisation: str
    level: str  # social-ecological level


@dataclass(frozen=True)
class Voice:
    """One consultation or feedback result: what was asked, where, and what people said (counts
    of people taking part, when issue 22 adds them, go through disclosure control)."""

    title: str
    area: str
    summary: str


def interventions_register(data: Reads) -> list[Commissioned] | None:
    """The interventions register's rows for the report's area, or None while vrhub holds no
    register (issue 18 returns its rows here)."""
    return None


def community_results(data: Reads) -> list[Voice] | None:
    """Consultation and feedback results for the area, or None while vrhub holds none (issue
    22 returns them here)."""
    return None


def by_district(rows: list[Commissioned]) -> dict[str, list[str]]:
    """The intervention types commissioned in each district, sorted."""
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r.district, set()).add(r.intervention_type)
    return {d: sorted(t) for d, t in sorted(out.items())}


@dataclass(frozen=True)
class Need:
    """Serious violence in one district of the area, as the audience may see it."""

    district: str
    name: str
    count: str
    rate: float | None


def need(data: Reads) -> list[Need]:
    """Serious violence per 1,000 residents by district in the report's year, highest first
    (published counts outside the analyst tier; a hidden rate last)."""
    result, rule = data.measure("serious-violence", POLICE, ["district"])
    rows = [r for r in result.rows if r.group[0] in data.area]
    shown = protect_each({r.group[0]: r.count for r in rows}, rule)
    out = [
        Need(
            r.group[0],
            data.district_name(r.group[0]),
            shown[r.group[0]].text(),
            shown_rate(shown[r.group[0]], r.population, result.per).rate,
        )
        for r in rows
    ]
    return sorted(out, key=lambda n: (n.rate is None, -(n.rate or 0)))


@section("services", "Services commissioned and where the need is", 95)
def services(data: Reads) -> Section:
    """What is commissioned where (from the interventions register, once it exists) set
    against where the need is: serious violence per 1,000 residents by district."""
    s = Section("services", "Services commissioned and where the need is")
    register = interventions_register(data)
    if register is None:
        s.add(
            Paragraph(
                "No interventions register is held yet, so this report cannot yet say what is "
                f"commissioned where in {data.area_name}. When the register is recorded in "
                "vrhub, each district's commissioned interventions (project, intervention "
                "type, organisation and social-ecological level) will be set here against the "
                "need shown below, so any gap between need and provision is visible."
            )
        )
    if lacks(s, data, POLICE, "No police-recorded crime is loaded, so need cannot be shown."):
        return s
    try:
        needs = need(data)
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
        return s
    kinds = by_district(register or [])
    s.add(
        Paragraph(
            f"Where the need is: serious violence per 1,000 residents by district in the "
            f"{data.period.label}, highest first. The 'Where violence happens' section shows "
            "the neighbourhoods within each district."
        )
    )
    s.add(
        Chart(
            "services-need",
            "bar",
            f"Serious violence per 1,000 residents by district, {data.period.label}",
            "Offences per 1,000 residents",
            [{"x": n.name, "y": None if n.rate is None else round(n.rate, 2)} for n in needs],
            x_title="District",
            y_format=",.2f",
        )
    )
    s.add(
        Table(
            f"Need and services by district, {data.period.label}",
            ["District", "Serious violence", "Per 1,000 residents", "Commissioned"],
            [
                [
                    n.name,
                    n.count,
                    "[c]" if n.rate is None else f"{n.rate:,.2f}",
                    "register not yet held"
                    if register is None
                    else (", ".join(kinds.get(n.district, [])) or "none recorded"),
                ]
                for n in needs
            ],
            [False, True, True, False],
        )
    )
    return s


@section("community-voice", "Community voice", 110)
def community_voice(data: Reads) -> Section:
    """Consultation and feedback results (once vrhub records them): what people in the area
    said about violence and where they feel unsafe."""
    s = Section("community-voice", "Community voice")
    results = community_results(data)
    if results is None:
        s.add(
            Paragraph(
                "No consultation or feedback results are held yet: vrhub does not yet record "
                "community voice. When it does, this section will show what people in "
                f"{data.area_name} said in the partnership's consultations, the views of its "
                "community advisory group, and public feedback on where people feel unsafe "
                "(such as the bus safety feedback tool), each with how many people took part."
            )
        )
        s.add(
            Note(
                "Until then, the figures in this report come from partner records only and "
                "do not reflect how safe people feel."
            )
        )
        return s
    if not results:
        s.add(Paragraph(f"No consultation or feedback results are recorded for {data.area_name}."))
        return s
    s.add(
        Table(
            f"Consultation and feedback results, {data.area_name}",
            ["Consultation or feedback", "Area", "What people said"],
            [[r.title, r.area, r.summary] for r in results],
            [False, False, False],
        )
    )
    return s
