"""The executive summary and recommendations: every section's findings ranked by the strength
of their evidence, each linked to the section behind it, and the recommendations reviewed for
the report's area and period.

Findings are ranked first by the strength of their evidence (:class:`~vrhub.reports.content.
Strength`: a statistically significant change, then a special-cause signal, then a hotspot, then
a change that may be chance, then a description), then by their weight. Recommendations come
from the record store (see :mod:`vrhub.reports.recommendations.review`): accepted ones in every
audience, with who accepted them and when; the analyst tier also sees those proposed and not
yet reviewed, and those rejected with why. Their evidence is worked out again for the report's
audience by the rule that proposed them, so partner and public reports show published figures
only.

Example (runnable)::

    >>> from vrhub.reports.content import HOTSPOT, SIGNIFICANT, Finding, Section
    >>> place = Section("place", "Where violence happens", findings=[Finding("Hot.", 25, HOTSPOT)])
    >>> trend = Section("trend", "Trends", findings=[Finding("Rose.", 10, SIGNIFICANT)])
    >>> [(f.text, s.id) for f, s in ranked([place, trend])]
    [('Rose.', 'trend'), ('Hot.', 'place')]
"""

from __future__ import annotations

from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError, VrhubError
from vrhub.measures.population import NoPopulationError
from vrhub.outputs.reads import Reads
from vrhub.records.models import Recommendation
from vrhub.reports.content import Finding, Note, Paragraph, Section, Subheading
from vrhub.reports.recommendations.review import (
    ACCEPTED,
    PROPOSED,
    REJECTED,
    area_key,
    display_names,
    listing,
)
from vrhub.reports.recommendations.rules import RULES

ID, TITLE = "summary", "Executive summary and recommendations"


def ranked(sections: list[Section]) -> list[tuple[Finding, Section]]:
    """Every section's findings, strongest evidence first, then most important."""
    found = [(f, s) for s in sections for f in s.findings]
    return sorted(found, key=lambda fs: (-fs[0].strength.rank, -fs[0].weight, fs[0].text))


def summary(sections: list[Section], data: Reads) -> Section:
    """The executive summary and recommendations for the report's area and period."""
    s = Section(ID, TITLE)
    s.add(
        Paragraph(
            f"What the evidence for {data.area_name} in the {data.period.label} shows, strongest "
            "evidence first: a statistically significant change, then a special-cause signal on "
            "a control chart, then a hotspot, then a change that may be chance, then a "
            "description of the year's figures. Each finding links to the section behind it."
        )
    )
    s.add(Subheading("Findings by strength of evidence"))
    found = ranked(sections)
    if not found:
        s.add(Paragraph("No finding could be drawn from the data loaded."))
    label = None
    for f, origin in found:
        if f.strength.label != label:
            label = f.strength.label
            s.add(Paragraph(f"{label[0].upper()}{label[1:]}: {f.strength.reason}."))
        s.add(Paragraph(f"{f.text} See [{origin.title}](#{origin.id})."))
    _recommendations(s, data)
    return s


def _recommendations(s: Section, data: Reads) -> None:
    s.add(Subheading("Recommendations"))
    recs = listing(data.gov, area=area_key(data.district), period=data.period.end)
    names = display_names(data.gov, {r.decided_by for r in recs if r.decided_by})
    accepted = [r for r in recs if r.status == ACCEPTED]
    if accepted:
        s.add(
            Paragraph(
                "Recommendations proposed by vrhub's rules from the figures in this report and "
                "accepted by a named analyst of the partnership."
            )
        )
    else:
        s.add(
            Paragraph(
                f"No recommendation has been accepted yet for {data.area_name} in the "
                f"{data.period.label}. "
                + (
                    "An analyst reviews the recommendations vrhub proposes (`vrhub "
                    "recommendations propose`, then `list`, `edit`, `accept` or `reject`) before "
                    "they are published here."
                    if data.exact
                    else "The partnership's analysts review the recommendations proposed from "
                    "these figures; those they accept will be published here."
                )
            )
        )
    for r in accepted:
        who = names.get(r.decided_by or "", r.decided_by)
        when = f"{r.decided_at:%Y-%m-%d}" if r.decided_at else "a date not recorded"
        s.add(Paragraph(r.text))
        s.add(Note(f"Evidence: {_evidence(data, r)} Accepted by {who} on {when}."))
    if not data.exact:
        return
    waiting = [r for r in recs if r.status == PROPOSED]
    if waiting:
        s.add(Subheading("Proposed, not yet reviewed (analyst tier only)"))
    for r in waiting:
        s.add(Paragraph(f"Recommendation {r.id} (proposed, not yet reviewed): {r.text}"))
        s.add(Note(f"Evidence: {_evidence(data, r)} Rule: {_rule_words(r)}"))
    rejected = [r for r in recs if r.status == REJECTED]
    if rejected:
        s.add(Subheading("Rejected (analyst tier only)"))
    for r in rejected:
        who = names.get(r.decided_by or "", r.decided_by)
        why = r.history[-1].reason if r.history else None
        s.add(
            Paragraph(
                f"Recommendation {r.id}, rejected by {who} on {r.decided_at:%Y-%m-%d}"
                f"{f' ({why})' if why else ''}: {r.text}"
            )
        )


def _rule_words(r: Recommendation) -> str:
    """The rule that proposed it, with its condition in words (for the analyst reviewing)."""
    try:
        return RULES.get(r.rule).describe()
    except VrhubError:
        return f"{r.rule}, no longer installed."


def _evidence(data: Reads, r: Recommendation) -> str:
    """The rule's evidence for the audience; why not, when it cannot be given."""
    try:
        rule = RULES.get(r.rule)
    except VrhubError:
        return (
            f"the rule {r.rule} that proposed it is no longer installed, so its evidence "
            "cannot be worked out again."
        )
    try:
        return rule.evidence(data, r.subject)
    except AudienceForbiddenError:
        return (
            "not shown: the agreements the figures come under do not permit the "
            f"{data.audience} audience."
        )
    except (UnsupportedFieldError, NoPopulationError) as exc:
        return f"cannot be worked out from the data held ({exc})."
