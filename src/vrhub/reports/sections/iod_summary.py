"""The influential factors section's deprivation summary, from the shipped IoD 2025 alone.

For each district and the partnership (or the one district of a district profile): the
neighbourhoods (LSOAs) highly deprived on six or more of the seven domains, the share of
people living in the most deprived fifth of England, the share of children (0 to 15) in the
most deprived fifth on income deprivation affecting children (IDACI), and the crime domain's
most deprived tenth and fifth (:mod:`vrhub.measures.iod_factors`). These are open reference
data, the same for every audience: counts of neighbourhoods, not of people's records, and no
LSOA is named.
"""

from __future__ import annotations

from vrhub.errors import ReferenceDataError
from vrhub.measures.iod_factors import HIGHLY, AreaDeprivation, IodFactors, iod_factors
from vrhub.outputs.reads import Reads
from vrhub.reports.content import Finding, Note, Paragraph, Section, Subheading, Table

WORDS = {6: "six", 7: "seven"}


def _percent(share: float | None) -> str:
    return "not held" if share is None else f"{100 * share:.1f}%"


def _row(name: str, a: AreaDeprivation) -> list[str]:
    # Counts of neighbourhoods carry their unit: read alone, a bare whole number in a published
    # report looks like an unprotected count of people or records.
    return [
        name,
        f"{a.highly_deprived:,} of {a.lsoas:,} neighbourhoods "
        f"({100 * a.highly_deprived_share:.1f}%)",
        _percent(a.most_deprived_fifth_share),
        f"{a.crime_decile_1:,} of {a.lsoas:,} neighbourhoods",
        _percent(a.crime_fifth_share),
        _percent(a.idaci_fifth_share),
    ]


def add_iod_summary(s: Section, data: Reads) -> IodFactors | None:
    """Add the summary to the section; None (and a sentence why) where IoD 2025 is not held."""
    s.add(Subheading("Deprivation in the English Indices of Deprivation 2025"))
    try:
        f = data.once(
            f"iod-factors:{','.join(data.area)}", lambda: iod_factors(data.con, data.area)
        )
    except ReferenceDataError as exc:
        s.add(Paragraph(f"The Indices of Deprivation 2025 cannot be summarised here: {exc}."))
        return None
    whole = f.whole if data.district is None else f.area(data.district)
    where = data.area_name
    share_england = whole.highly_deprived / f.england_highly_deprived
    s.add(
        Paragraph(
            f"{whole.highly_deprived:,} of the {whole.lsoas:,} neighbourhoods (LSOAs) in {where} "
            f"({100 * whole.highly_deprived_share:.1f}%) are highly deprived on {WORDS[HIGHLY]} "
            "or more of the seven domains of deprivation, that is in the most deprived tenth of "
            f"England on each. England has {f.england_highly_deprived:,} neighbourhoods as "
            f"deprived as that, so {where} has {100 * share_england:.1f}% of them."
        )
    )
    fifth = whole.most_deprived_fifth_share
    if fifth is not None and f.population is not None:
        s.add(
            Paragraph(
                f"{100 * fifth:.1f}% of the people of {where} live in neighbourhoods in the most "
                "deprived fifth of England (the two most deprived tenths of the IMD), counting "
                f"each neighbourhood's residents ({f.population.describe()})."
            )
        )
        s.findings.append(
            Finding(
                f"{100 * fifth:.1f}% of the people of {where} live in the most deprived fifth "
                f"of neighbourhoods in England ({f.iod}), where one fifth would be typical.",
                40 + 100 * fifth,
            )
        )
        kids = whole.idaci_fifth_share
        if kids is not None:
            s.add(
                Paragraph(
                    f"{100 * kids:.1f}% of the children (aged 0 to 15) of {where} live in the "
                    "fifth of England's neighbourhoods most deprived on income deprivation "
                    "affecting children (IDACI)."
                )
            )
    else:
        s.add(
            Paragraph(
                "The share of people in the most deprived fifth cannot be given: no population "
                "is held on LSOA 2021 codes for every neighbourhood of the area."
            )
        )
    rows = [_row(data.district_name(a.code), a) for a in f.areas if a.code in data.area]
    if data.district is None:
        rows.append(_row(where, f.whole))
    s.add(
        Table(
            f"Deprivation by district ({f.iod}; decile 1 is the most deprived tenth of England)",
            [
                "Area",
                f"Highly deprived on {WORDS[HIGHLY]} or more domains",
                "People in the most deprived fifth",
                "In the most deprived tenth on crime",
                "People in the most deprived fifth on crime",
                "Children (0 to 15) in the most deprived fifth on IDACI",
            ],
            rows,
            [False, True, True, True, True, True],
        )
    )
    s.add(
        Note(
            "The crime domain measures the risk of personal and material victimisation from "
            "recorded violence, burglary, theft and criminal damage. The IoD's separate "
            "indicator of violence with injury is in its file of underlying indicators, which "
            "vrhub does not ship, so the crime domain stands in for it. These figures are "
            "published reference data about neighbourhoods, the same for every audience."
        )
    )
    return f


__all__ = ["add_iod_summary"]
