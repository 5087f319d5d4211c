"""Influential factors (deprivation and partner data); emergency-department assaults against
police records."""

from __future__ import annotations

from vrhub.datasets import get_dataset
from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.measures.deprivation import DOMAINS, DeprivationResult, by_decile, from_counts
from vrhub.measures.registry import get_measure
from vrhub.outputs.protect import protect_each, protect_parts
from vrhub.outputs.reads import Reads
from vrhub.reports.charts import Chart
from vrhub.reports.content import SIGNIFICANT, Finding, Note, Paragraph, Section, Subheading, Table
from vrhub.reports.registry import section
from vrhub.reports.sections.common import (
    compare_shown,
    lacks,
    population,
    stricter,
    total,
    withheld,
)
from vrhub.reports.sections.iod_summary import add_iod_summary
from vrhub.reports.sections.partner_factors import add_partner_factors

POLICE = "police-crime"
ED = "ed-assault"
DOMAIN_TITLES = {
    "imd": "Index of Multiple Deprivation",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, skills and training",
    "health": "Health and disability",
    "crime": "Crime",
    "housing": "Barriers to housing and services",
    "living_environment": "Living environment",
}


_WORDS = dict(enumerate(["no", "one", "two", "three", "four", "five", "six", "seven", "eight"]))


def _published(data: Reads, domain: str) -> DeprivationResult:
    """Rates by decile; outside the analyst tier rebuilt from the published counts."""
    _, rule = data.measure("serious-violence", POLICE, [])  # lineage and the audience check
    m = get_measure("serious-violence")
    ds = get_dataset(POLICE)
    exact = by_decile(
        data.backend,
        m,
        ds,
        list(data.home.partnership.district_codes),
        domain,
        data.district,
        None,
        *data.period.current,
    )
    if rule is None:
        return exact
    shown = protect_parts({str(r.decile): r.count for r in exact.rows}, rule)
    counts = {r.decile: shown[str(r.decile)].count for r in exact.rows}
    vintage = (exact.iod.removeprefix("IoD "), exact.population)
    if any(v is None for v in counts.values()):
        return from_counts(m, ds, domain, data.district, {}, {}, 0, *vintage)
    pops = {r.decile: r.population for r in exact.rows}
    shown_counts = {d: v or 0 for d, v in counts.items()}
    return from_counts(m, ds, domain, data.district, shown_counts, pops, 0, *vintage)


@section("influential-factors", "Influential factors", 70)
def influential_factors(data: Reads) -> Section:
    """What the English Indices of Deprivation 2025 say about the area (neighbourhoods highly
    deprived on six or more of the seven domains, the share of people in the most deprived
    fifth, the crime domain); serious violence per 1,000 residents by IMD 2025 decile, the rate
    ratio and difference between the most and least deprived tenths, the gradient per decile
    and the same comparison for each domain; then each partner dataset on an influential factor
    (school exclusions, young people not in education, employment or training, children's
    social care, youth justice, probation, fire, ambulance): its records by district as a rate
    when shared, a line saying it is not yet shared when not."""
    s = Section("influential-factors", "Influential factors")
    add_iod_summary(s, data)
    s.add(Subheading("Serious violence and deprivation"))
    no_police = "No police-recorded crime is loaded, so violence by deprivation is not shown."
    if not lacks(s, data, POLICE, no_police):
        _violence_by_deprivation(s, data)
    add_partner_factors(s, data)
    return s


def _violence_by_deprivation(s: Section, data: Reads) -> None:
    try:
        imd = _published(data, "imd")
        if not imd.rows:
            s.add(Paragraph("Too few records to show rates by deprivation for this audience."))
            return
        s.add(
            Paragraph(
                "Rates of serious violence in each tenth (decile) of neighbourhoods ranked by the "
                f"English Indices of Deprivation {imd.iod.removeprefix('IoD ')}, where decile 1 "
                "is the most deprived tenth in England. The area may not have neighbourhoods in "
                f"every decile. Population: {imd.population or 'not stated'}."
            )
        )
        s.add(
            Chart(
                "deprivation-imd",
                "bar",
                f"Serious violence per 1,000 residents by {imd.iod} IMD decile, "
                f"{data.period.label}",
                "Rate per 1,000",
                [
                    {
                        "x": f"decile {r.decile}",
                        "y": round(r.rate, 2),
                        "lower": round(r.lower, 2),
                        "upper": round(r.upper, 2),
                    }
                    for r in imd.rows
                ],
                x_title="IMD decile, 1 = most deprived",
                y_format=".2f",
            )
        )
        c, g = imd.most_vs_least, imd.gradient
        if (
            c is not None
            and c.rate_ratio is not None
            and c.lower is not None
            and c.upper is not None
        ):
            most, least = imd.rows[0], imd.rows[-1]
            text = (
                f"The rate in the most deprived decile present (decile {most.decile}, "
                f"{most.rate:.2f} per 1,000) is {c.rate_ratio:.1f} times that in the least "
                f"deprived (decile {least.decile}, {least.rate:.2f}; 95% CI {c.lower:.1f} to "
                f"{c.upper:.1f} times), a difference of {imd.difference or 0:.2f} per 1,000."
            )
            if g is not None:
                text += (
                    f" Across the deciles, each step towards less deprivation changes the rate "
                    f"by a factor of {g.ratio_per_decile:.2f} (95% CI {g.lower:.2f} to "
                    f"{g.upper:.2f}; quasi-Poisson regression)."
                )
            d = imd.dispersion
            if d is not None and d.ratio is not None:
                # Words, not digits, for the degrees of freedom (at most eight): the public
                # report's whole numbers are read as counts.
                df = _WORDS.get(d.df, str(d.df))
                text += (
                    " The counts are more spread out than chance alone would make them: their "
                    "dispersion (Pearson chi-squared divided by its "
                    f"{df} degrees of freedom) is {d.ratio:.1f}, where chance alone gives about "
                    "1.0, so both intervals are widened to allow for it (quasi-Poisson)."
                    if d.factor > 1
                    else " The counts are no more spread out than chance alone would make them "
                    f"(dispersion {d.ratio:.2f} on {df} degrees of freedom), so the intervals "
                    "need no widening."
                )
            s.add(Paragraph(text))
            if c.significant and c.rate_ratio > 1:
                s.findings.append(
                    Finding(
                        f"Serious violence in {data.area_name} is {c.rate_ratio:.1f} times as "
                        "common in the most deprived neighbourhoods as in the least deprived "
                        f"(95% CI {c.lower:.1f} to {c.upper:.1f}).",
                        60 + c.rate_ratio,
                        SIGNIFICANT,
                    )
                )
        rows = []
        for domain in DOMAINS:
            r = _published(data, domain)
            cmp = r.most_vs_least
            if cmp is None or cmp.rate_ratio is None or cmp.lower is None or cmp.upper is None:
                rows.append([DOMAIN_TITLES.get(domain, domain), "", ""])
                continue
            rows.append(
                [
                    DOMAIN_TITLES.get(domain, domain),
                    f"{cmp.rate_ratio:.2f}",
                    f"{cmp.lower:.2f} to {cmp.upper:.2f}",
                ]
            )
        s.add(Subheading("Each domain of deprivation"))
        s.add(
            Table(
                "Rate ratio of serious violence, most against least deprived decile present, "
                "by domain (intervals widened for overdispersion where the counts vary more "
                "than chance alone would make them)",
                ["Domain", "Rate ratio", "95% interval"],
                rows,
                [False, True, False],
            )
        )
        s.add(
            Note(
                "Deprivation is measured where people live, not where violence happened, and a "
                "neighbourhood-level association does not show that deprivation causes violence "
                "for any person."
            )
        )
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)


@section("ed-and-police", "Emergency-department assaults and police records", 80)
def ed_and_police(data: Reads) -> Section:
    """Emergency-department attendances for assault (ISTV) against police-recorded violence with
    injury: volumes, change and the ratio between them."""
    s = Section("ed-and-police", "Emergency-department assaults and police records")
    if lacks(s, data, ED, "No emergency-department assault data is loaded, so this is not shown."):
        return s
    try:
        ed_now, rule = data.measure("ed-assault-attendances", ED, [])
        ed_before, _ = data.measure("ed-assault-attendances", ED, [], data.period.previous)
        ch = compare_shown(total(ed_now), total(ed_before), rule, population(ed_now) or 1.0)
        s.add(
            Paragraph(
                ch.sentence(
                    "Emergency-department attendances for assault",
                    data.area_name,
                    data.period.label,
                )
            )
        )
        s.findings.append(
            ch.finding(
                "Emergency-department attendances for assault", data.area_name, data.period.label
            )
        )
        if data.has_data(POLICE):
            police, prule = data.measure("violence-with-injury", POLICE, [])
            shown = protect_each(
                {"ed": total(ed_now), "police": total(police)}, stricter(rule, prule)
            )
            a, b = shown["ed"].count, shown["police"].count
            if a is not None and b:
                s.add(
                    Paragraph(
                        f"Emergency-department attendances for assault by residents of the area "
                        f"in the {data.period.label} were equal in number to {100 * a / b:.1f}% "
                        "of the violence-with-injury offences the police recorded there."
                    )
                )
        s.add(
            Note(
                "The share of emergency-department-treated violence the police do not know about "
                "cannot be measured from these data: the ISTV extract has no field saying whether "
                "an assault was reported to the police, and the datasets share no identifier "
                "that could link them. The comparison above is of volumes only; emergency "
                "departments record where patients live, the police where the offence happened."
            )
        )
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, ED, exc)
    return s
