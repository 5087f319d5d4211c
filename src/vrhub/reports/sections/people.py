"""People: who violence happens to and who is suspected of causing it.

Victims and people suspected of causing harm by child-first age band, sex and (where the force
records it) ethnicity, set against the population where vrhub holds the population by the same
characteristic; repeat victims and repeat suspects counted by pseudonym; and children as
victims and as suspects, with rates per 1,000 children and the change on the previous year.
Outside the analyst tier every count is published by the cell-key method and every share and
rate is worked from published counts; a share whose count is hidden is not given.
"""

from __future__ import annotations

from vrhub.datasets import get_dataset
from vrhub.disclosure.engine import DisclosureRule
from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.measures.cohorts import (
    AGE_BANDS,
    MEASURE,
    NOT_RECORDED,
    AgePopulation,
    Breakdown,
    age_population,
    breakdowns,
)
from vrhub.measures.registry import get_measure
from vrhub.measures.repeats import Repeats, repeats
from vrhub.outputs.protect import Shown, protect_each, protect_parts, shown_rate
from vrhub.outputs.reads import Reads
from vrhub.reports.content import Finding, Note, Paragraph, Section, Subheading, Table
from vrhub.reports.registry import section
from vrhub.reports.sections.common import compare_shown, held, lacks, withheld

POLICE = "police-crime"
TITLE = "People: victims and people suspected of causing harm"
ROLE_WORDS = {
    "victim": ("Victims", "victims", "Victims of violence"),
    "suspect": (
        "People suspected of causing harm",
        "people suspected",
        "People suspected of causing harm",
    ),
}
BAND_WORDS = {key: words for key, _, _, words in AGE_BANDS}
#: Bands the population is held by, and the age bands each is made of.
COMPARED = (
    ("0-9", ("0-9",), "children 0 to 9"),
    ("10-17", ("10-13", "14-17"), "children 10 to 17"),
    ("18-24", ("18-24",), "young adults 18 to 24"),
    ("25+", ("25+",), "adults 25 and over"),
)
CHILD_BANDS = ("0-9", "10-13", "14-17")
#: How children's figures are named: the count, and the change on the previous year.
CHILD_WORDS = {
    "victim": ("Children who were victims of violence", "violence against children"),
    "suspect": (
        "Offences in which a child was suspected of causing harm",
        "offences in which a child was suspected",
    ),
}
NO_SEX_POPULATION = (
    "Shares by sex are not compared with the population: vrhub holds population estimates by "
    "age only, not by sex."
)
NO_ETHNICITY_POPULATION = (
    "Shares by ethnicity are not compared with the population: the comparison needs the "
    "population by ethnicity (Census 2021), which vrhub does not hold."
)


@section("people", TITLE, 40)
def people(data: Reads) -> Section:
    """Victims and people suspected of causing harm by age (children 0 to 9, 10 to 13 and 14
    to 17; young adults 18 to 24; adults 25 and over), sex and, where recorded, ethnicity,
    against the population where it is held; repeat victims and repeat suspects counted by
    pseudonym (how many people account for what share of offences); and children as victims
    and as suspects, with rates per 1,000 children and the change on the previous year."""
    s = Section("people", TITLE)
    if lacks(s, data, POLICE):
        return s
    try:
        year = int(data.period.end[:4])
        pop = data.once(
            f"age-population:{','.join(data.area)}:{year}",
            lambda: age_population(data.backend, data.area, year),
        )
        s.add(
            Paragraph(
                f"Violence against the person, robbery and sexual offences recorded by the police "
                f"in {data.area_name} in the {data.period.label}, by the victim's and the "
                "suspect's age, sex and ethnicity. Each offence is counted once, so a person "
                "named in two offences is counted twice; repeat victims and repeat suspects are "
                "counted as people below. A child is anyone under 18."
            )
        )
        for role in ("victim", "suspect"):
            _role(s, data, role, pop)
        s.add(Subheading("Repeat victimisation and repeat suspects"))
        for role in ("victim", "suspect"):
            _repeats(s, data, role)
        s.add(Subheading("Children as victims and as suspects"))
        for role in ("victim", "suspect"):
            _children(s, data, role, pop)
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
    return s


def _breakdown(data: Reads, role: str, what: str, months: tuple[str, str]) -> Breakdown:
    ds = get_dataset(POLICE)
    every = data.once(
        f"people:{role}:{months}:{','.join(data.area)}",
        lambda: breakdowns(data.backend, ds, data.area, months, role),
    )
    return every[what]


def _rule(data: Reads, batches: list[int]) -> DisclosureRule | None:
    m = get_measure(MEASURE)
    data.lineage.measures[m.name] = m.version
    return data.rule_for(batches)


def _pct(part: int | None, whole: int | None) -> str:
    if part is None:
        return "[c]"
    if not whole:
        return "not given"
    return f"{100 * part / whole:.1f}%"


def _shown(b: Breakdown, rule: DisclosureRule | None) -> tuple[dict[str, Shown], Shown]:
    shown = protect_parts(b.counts, rule)
    return shown, protect_each({"recorded": b.recorded}, rule)["recorded"]


def _role(s: Section, data: Reads, role: str, pop: AgePopulation | None) -> None:
    title, noun, lead = ROLE_WORDS[role]
    s.add(Subheading(f"{title} by age, sex and ethnicity"))
    age = _breakdown(data, role, "age", data.period.current)
    if not int(age.total):
        s.add(
            Paragraph(
                f"No violent offence in {data.area_name} in the {data.period.label} records a "
                f"{role}, so there is nothing to break down"
                + (
                    " (the force's extract does not say who was suspected)."
                    if role == "suspect"
                    else "."
                )
            )
        )
        return
    rule = _rule(data, age.batches)
    shown, recorded = _shown(age, rule)
    rows = []
    for key, _, _, words in AGE_BANDS:
        rows.append(
            [
                words[0].upper() + words[1:],
                shown[key].text(),
                _pct(shown[key].count, recorded.count),
                _population_share(pop, key),
            ]
        )
    rows.append(["Age not recorded", shown[NOT_RECORDED].text(), "", ""])
    rows.append(["All offences", shown["Total"].text(), "", "100.0%" if pop else ""])
    s.add(
        Table(
            f"{lead} by age, {data.period.label}: offences, share of those with the age "
            "recorded, and share of the population",
            ["Age", "Offences", "Share (age recorded)", "Share of population"],
            rows,
            [False, True, True, True],
        )
    )
    if not age.held:
        s.add(Note(f"The {role}'s age is not recorded in any of these offences."))
    words, found = _against_population(data, age, rule, pop, noun)
    s.add(Paragraph(words))
    s.findings.extend(found)
    for what, note in (("sex", NO_SEX_POPULATION), ("ethnicity", NO_ETHNICITY_POPULATION)):
        _characteristic(s, data, role, what, note)


def _population_share(pop: AgePopulation | None, key: str) -> str:
    if pop is None:
        return "population not held"
    share = pop.share(key)
    if share is None:
        both = pop.share("10-17")
        return f"{100 * both:.1f}% (ages 10 to 17 together)" if both is not None else ""
    return f"{100 * share:.1f}%"


def _against_population(
    data: Reads, age: Breakdown, rule: DisclosureRule | None, pop: AgePopulation | None, noun: str
) -> tuple[str, list[Finding]]:
    """Each population band's share of the offences (age recorded) beside its share of the
    residents, from published counts; the cohorts over-represented by half again or more
    become findings."""
    if pop is None:
        return (
            "The shares are not compared with the population: no population vrhub holds gives "
            "every age band for every district of the area.",
            [],
        )
    grouped = {band: sum((age.counts[p] for p in parts), 0) for band, parts, _ in COMPARED}
    shown = protect_each(grouped, rule)
    recorded = protect_each({"recorded": age.recorded}, rule)["recorded"].count
    parts, found = [], []
    for band, _, words in COMPARED:
        n, share = shown[band].count, pop.share(band)
        if n is None or not recorded or share is None:
            parts.append(f"{words}: too few offences to give a share")
            continue
        mine = n / recorded
        parts.append(f"{words} {100 * mine:.1f}% of {noun} against {100 * share:.1f}% of residents")
        if share > 0 and mine >= 1.5 * share and n >= 20:
            finding = (
                f"In {data.area_name}, {words} were {100 * mine:.1f}% of {noun} of violence with "
                f"the age recorded in the {data.period.label}, against {100 * share:.1f}% of "
                "residents: over-represented."
            )
            found.append(Finding(finding, 20.0 * mine / share))
    return f"Against the population ({pop.describe()}): " + "; ".join(parts) + ".", found


def _characteristic(s: Section, data: Reads, role: str, what: str, note: str) -> None:
    lead = ROLE_WORDS[role][2]
    b = _breakdown(data, role, what, data.period.current)
    if not b.held:
        s.add(
            Note(
                f"The {role}'s {what} is not recorded in the police extract held for "
                f"{data.area_name} in the {data.period.label} (the field {role}_{what} is "
                "blank in every offence or the force does not send it), so it cannot be shown."
            )
        )
        return
    rule = _rule(data, b.batches)
    shown, recorded = _shown(b, rule)
    rows = [
        [k if k != NOT_RECORDED else f"{what.capitalize()} not recorded", shown[k].text(),
         "" if k == NOT_RECORDED else _pct(shown[k].count, recorded.count)]
        for k in b.counts
    ]  # fmt: skip
    rows.append(["All offences", shown["Total"].text(), ""])
    s.add(
        Table(
            f"{lead} by {what}, {data.period.label}: offences and share of those with the "
            f"{what} recorded",
            [what.capitalize(), "Offences", f"Share ({what} recorded)"],
            rows,
            [False, True, True],
        )
    )
    s.add(Note(note))


def _repeats(s: Section, data: Reads, role: str) -> None:
    noun = ROLE_WORDS[role][1]
    r: Repeats = data.once(
        f"repeats:{role}:{','.join(data.area)}",
        lambda: repeats(data.backend, get_dataset(POLICE), data.area, data.period.current, role),
    )
    if not r.held:
        s.add(
            Note(
                f"Repeat {noun} cannot be counted: no violent offence in {data.area_name} in the "
                f"{data.period.label} carries a {role} identifier."
            )
        )
        return
    rule = _rule(data, r.batches)
    shown = protect_each(
        {
            "people": r.people,
            "repeat": r.repeat_people,
            "offences": r.offences,
            "of": r.repeat_offences,
            "none": r.unidentified,
        },
        rule,
    )
    said = r.statement(
        shown["people"].count, shown["repeat"].count, shown["offences"].count, shown["of"].count
    )
    people_word = "victims" if role == "victim" else "people suspected of causing harm"
    lead = (
        f"In {data.area_name} in the {data.period.label}, {shown['people'].text()} {people_word} "
        f"were named in {shown['offences'].text()} violent offences; {shown['repeat'].text()} of "
        f"them were named in two or more."
    )
    if said:
        text = f"{lead} {said[0].upper() + said[1:]}."
        s.findings.append(Finding(f"In {data.area_name}, {said} in the {data.period.label}.", 25.0))
    else:
        text = f"{lead} The counts are too small to say what share of offences they account for."
    if data.exact and r.most:
        text += f" The most any one person was named in is {r.most}."
    text += f" {shown['none'].text()} offences name no {role} and are left out of these counts."
    s.add(Paragraph(text))


def _children(s: Section, data: Reads, role: str, pop: AgePopulation | None) -> None:
    words, change_words = CHILD_WORDS[role]
    now = _breakdown(data, role, "age", data.period.current)
    kids_now = sum((now.counts[b] for b in CHILD_BANDS), 0)
    rule = _rule(data, now.batches)
    shown = protect_each({"now": kids_now}, rule)["now"]
    children = pop.count("0-17") if pop else None
    rate = shown_rate(shown, children, 1000)
    text = f"{words} in {data.area_name}: {shown.text()} offences in the {data.period.label}"
    if rate.rate is not None and rate.lower is not None and rate.upper is not None:
        text += (
            f", {rate.rate:.2f} per 1,000 children (95% interval {rate.lower:.2f} to "
            f"{rate.upper:.2f}; {pop.describe() if pop else ''})"
        )
    elif children is None:
        text += " (no rate: the population of children is not held for every district)"
    months = held(data, POLICE)
    if months.state(data.period.previous) == "not held" or months.missing(data.period.previous):
        text += "; the previous 12 months are not wholly held, so no change is given."
        s.add(Paragraph(text))
        return
    before = _breakdown(data, role, "age", data.period.previous)
    kids_before = sum((before.counts[b] for b in CHILD_BANDS), 0)
    both_rule = data.rule_for(sorted({*now.batches, *before.batches}))
    ch = compare_shown(kids_now, kids_before, both_rule, float(children or 1))
    s.add(Paragraph(text + "."))
    s.add(Paragraph(ch.sentence(change_words, data.area_name, data.period.label)))
    s.findings.append(ch.finding(change_words, data.area_name, data.period.label, 1.1))
