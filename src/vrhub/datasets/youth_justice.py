"""Youth justice service outcomes for children: cautions, court orders and custody."""

from __future__ import annotations

from vrhub.datasets.fields import age, residence, sex
from vrhub.datasets.police_crime import OFFENCE_GROUPS
from vrhub.datasets.spec import Dataset, Factor, Field, Kind, RowRule

#: The outcomes a youth justice service records for a child, from the least to the most
#: serious: two out-of-court disposals, then court sentences.
OUTCOME_TYPES = (
    "Youth caution",
    "Youth conditional caution",
    "Referral order",
    "Youth rehabilitation order",
    "Custody",
)

DATASET = Dataset(
    name="youth-justice",
    title="Youth justice outcomes for children",
    description=(
        "One row per formal outcome a youth justice service records for a child aged 10 to "
        "17: a youth caution or youth conditional caution, a referral order, a youth "
        "rehabilitation order or a custodial sentence, with whether it was the child's first "
        "(a first-time entrant to the youth justice system), the Home Office group of the "
        "offence, the child's age, sex and LSOA of residence. These are children in the youth "
        "justice system, described as children first. The outcome reference and the child's "
        "identifier are pseudonymised, so a child with several outcomes is counted once "
        "without knowing who. Each row's month is the month of the outcome."
    ),
    month_field="outcome_date",
    partner_extract=True,
    criminal_offence_data=True,
    lsoa_field="residence_lsoa",
    crime_type_field="offence_group",
    factor=Factor(
        theme="Youth justice",
        counted="youth justice outcomes for children",
        per="children",
        breakdown="outcome_type",
        why=(
            "Children in the youth justice system, and first-time entrants above all, are a "
            "group the partnership's prevention and diversion work is aimed at (WY VRP Response "
            "Strategy Refresh 2025: "
            "diverting children who have committed first-time or low-level offences away "
            "from the formal youth justice system)."
        ),
    ),
    fields=(
        Field(
            "outcome_id",
            "outcome_id",
            Kind.IDENTIFIER,
            "The service's reference for the outcome (pseudonymised: it leads back to the "
            "child's case record).",
            required=True,
            column_required=True,
            identifies_person=True,
            record_id=True,
        ),
        Field(
            "child_id",
            "child_id",
            Kind.IDENTIFIER,
            "The service's identifier of the child (pseudonymised), so outcomes for the same "
            "child can be counted together without knowing who.",
            required=True,
            column_required=True,
            identifies_person=True,
        ),
        Field(
            "outcome_date",
            "outcome_date",
            Kind.DATE,
            "Date of the caution or of sentence; gives the row's month.",
            required=True,
            column_required=True,
        ),
        Field(
            "offence_date",
            "offence_date",
            Kind.DATE,
            "Date of the offence the outcome is for (blank if not known).",
        ),
        Field(
            "outcome_type",
            "outcome_type",
            Kind.CODE,
            "The outcome: an out-of-court disposal (youth caution, youth conditional "
            "caution) or a sentence (referral order, youth rehabilitation order, custody).",
            required=True,
            column_required=True,
            allowed=OUTCOME_TYPES,
            synonyms=(
                ("yc", "Youth caution"),
                ("ycc", "Youth conditional caution"),
                ("ro", "Referral order"),
                ("yro", "Youth rehabilitation order"),
                ("dto", "Custody"),
                ("detention and training order", "Custody"),
                ("custodial sentence", "Custody"),
            ),
        ),
        Field(
            "first_time_entrant",
            "first_time_entrant",
            Kind.FLAG,
            "Y when this is the child's first caution or conviction: a first-time entrant to "
            "the youth justice system (Y/N).",
            required=True,
            column_required=True,
        ),
        Field(
            "offence_group",
            "ho_offence_group",
            Kind.CODE,
            "Home Office offence group of the most serious offence the outcome is for.",
            required=True,
            column_required=True,
            allowed=OFFENCE_GROUPS,
        ),
        age(
            "The child's age in years on the outcome date (10 to 17).",
            10,
            17,
        ),
        sex("The child's"),
        residence("the child"),
    ),
    row_rules=(
        RowRule(
            "offence-after-outcome",
            "{offence_date} > {outcome_date}",
            "offence_date is later than outcome_date: an outcome cannot come before the offence",
            ("offence_date", "outcome_date"),
        ),
        RowRule(
            "custody-under-12",
            "{outcome_type} = 'Custody' AND {age} < 12",
            "outcome_type is Custody for a child aged 10 or 11, which only a grave crime allows "
            "(kept; check with the service)",
            ("outcome_type", "age"),
            severity="warning",
        ),
    ),
)
