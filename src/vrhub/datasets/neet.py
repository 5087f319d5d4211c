"""Young people not in education, employment or training (NEET), by monthly snapshot."""

from __future__ import annotations

from vrhub.datasets.fields import age, residence, sex
from vrhub.datasets.spec import Dataset, Factor, Field, Kind, RowRule

NEET, NOT_KNOWN, EET = (
    "NEET",
    "Activity not known",
    "In education, employment or training",
)
ACTIVITIES = (NEET, NOT_KNOWN, EET)
ACTIVITY_SYNONYMS = (
    ("not in education, employment or training", NEET),
    ("not known", NOT_KNOWN),
    ("unknown", NOT_KNOWN),
    ("eet", EET),
)
#: Councils track young people of academic age 16 and 17; those with special educational
#: needs or disabilities (SEND) are tracked up to 24 (an education, health and care plan
#: lasts to 25).
TRACKED_AGES = (16, 17)
OLDEST_WITH_SEND = 24

DATASET = Dataset(
    name="neet",
    title="Young people not in education, employment or training",
    description=(
        "One row per young person per monthly snapshot of the council's tracking of young "
        "people's activity (the Client Caseload Information System return): whether they "
        "are in education, employment or training, not (NEET), or their activity is not "
        "known, with their age (16 or 17; up to 24 for a young person with special "
        "educational needs or disabilities), sex and LSOA of residence. The young person's "
        "identifier is pseudonymised, so a young person NEET in several months is one "
        "pseudonym. Each row's month is the snapshot month; a young person appears once in "
        "each month's snapshot, so count the young people in one month, not the rows over a "
        "year. Whether a young person has special educational needs or disabilities is "
        "health-related, so the standard is special-category data. In the needs "
        "assessment, rates are per young adults aged 18 to 24 because vrhub's populations "
        "hold no 16 to 17 band: read them as a comparison between areas, not as the NEET "
        "share of an age group."
    ),
    month_field="snapshot_month",
    partner_extract=True,
    special_category=True,
    lsoa_field="residence_lsoa",
    factor=Factor(
        theme="Education and employment",
        counted="young people not in education, employment or training (NEET)",
        per="young-adults",
        breakdown="activity",
        only=("activity", NEET),
        snapshot=True,
        why=(
            "The correlation between unemployment and violence is well established, and the "
            "NEET rate rose in every West Yorkshire district but Wakefield after 2020 ("
            "WY VRU Response Strategy Refresh 2023, Influential Factors: Education/Exclusions)."
        ),
    ),
    fields=(
        Field(
            "person_id",
            "person_id",
            Kind.IDENTIFIER,
            "The council's identifier of the young person (pseudonymised).",
            required=True,
            column_required=True,
            identifies_person=True,
        ),
        Field(
            "snapshot_month",
            "snapshot_month",
            Kind.MONTH,
            "The month of the snapshot (YYYY-MM); gives the row's month.",
            required=True,
            column_required=True,
        ),
        Field(
            "activity",
            "activity",
            Kind.CODE,
            "The young person's activity in the snapshot: NEET, activity not known, or in "
            "education, employment or training (EET).",
            required=True,
            column_required=True,
            allowed=ACTIVITIES,
            synonyms=ACTIVITY_SYNONYMS,
        ),
        age(
            f"The young person's age in years ({TRACKED_AGES[0]} to {OLDEST_WITH_SEND}).",
            TRACKED_AGES[0],
            OLDEST_WITH_SEND,
        ),
        Field(
            "send",
            "send",
            Kind.FLAG,
            "Whether the young person has special educational needs or disabilities (Y/N).",
            required=True,
            column_required=True,
        ),
        sex("The young person's"),
        residence("the young person"),
    ),
    row_rules=(
        RowRule(
            "over-17-without-send",
            f"{{age}} > {TRACKED_AGES[-1]} AND NOT {{send}}",
            f"age is over {TRACKED_AGES[-1]} but send is N: young people aged 18 to "
            f"{OLDEST_WITH_SEND} are tracked only when they have special educational needs "
            "or disabilities",
            ("age", "send"),
        ),
    ),
)
