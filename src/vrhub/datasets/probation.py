"""People starting probation supervision: community orders, suspended sentences, licences."""

from __future__ import annotations

from vrhub.datasets.fields import age, residence, sex
from vrhub.datasets.police_crime import OFFENCE_GROUPS
from vrhub.datasets.spec import Dataset, Factor, Field, Kind, RowRule

ORDER_TYPES = ("Community order", "Suspended sentence order", "Licence")

DATASET = Dataset(
    name="probation",
    title="People starting probation supervision",
    description=(
        "One row per period of probation supervision that starts: a community order, a "
        "suspended sentence order with requirements, or a licence after release from "
        "custody, with the index offence's Home Office group, the person's age, sex and LSOA "
        "of residence. Probation supervises adults (18 and over); people aged 18 to 25 are "
        "young adults. The supervision reference and the person's identifier are "
        "pseudonymised. Each row's month is the month supervision started."
    ),
    month_field="start_date",
    partner_extract=True,
    criminal_offence_data=True,
    lsoa_field="residence_lsoa",
    crime_type_field="offence_group",
    factor=Factor(
        theme="Probation",
        counted="people starting probation supervision",
        per="everyone",
        breakdown="order_type",
        why=(
            "People on probation and prison leavers are a group the Duty's partners work "
            "with to prevent reoffending, including through training and employment ("
            "APCC, In Focus: tackling serious violence: the Probation Service and the Department "
            "for Work and Pensions)."
        ),
    ),
    fields=(
        Field(
            "supervision_id",
            "supervision_id",
            Kind.IDENTIFIER,
            "The service's reference for this period of supervision, such as the case "
            "reference and event number (pseudonymised).",
            required=True,
            column_required=True,
            identifies_person=True,
            record_id=True,
        ),
        Field(
            "person_id",
            "person_id",
            Kind.IDENTIFIER,
            "The service's identifier of the person (pseudonymised), so repeat periods of "
            "supervision can be counted without knowing who.",
            required=True,
            column_required=True,
            identifies_person=True,
        ),
        Field(
            "start_date",
            "start_date",
            Kind.DATE,
            "Date supervision started; gives the row's month.",
            required=True,
            column_required=True,
        ),
        Field(
            "sentence_date",
            "sentence_date",
            Kind.DATE,
            "Date of the sentence the supervision comes from (blank if not known).",
        ),
        Field(
            "order_type",
            "order_type",
            Kind.CODE,
            "What the person is supervised under.",
            required=True,
            column_required=True,
            allowed=ORDER_TYPES,
            synonyms=(
                ("co", "Community order"),
                ("sso", "Suspended sentence order"),
                ("suspended sentence", "Suspended sentence order"),
                ("post-release licence", "Licence"),
                ("licence supervision", "Licence"),
            ),
        ),
        Field(
            "offence_group",
            "ho_offence_group",
            Kind.CODE,
            "Home Office offence group of the index offence (the main offence sentenced).",
            required=True,
            column_required=True,
            allowed=OFFENCE_GROUPS,
        ),
        age(
            "The person's age in years when supervision started (18 or over).",
            18,
            100,
        ),
        sex("The person's"),
        residence("the person", "not known or of no fixed abode"),
    ),
    row_rules=(
        RowRule(
            "start-before-sentence",
            "{start_date} < {sentence_date}",
            "start_date is earlier than sentence_date: supervision cannot start before the "
            "sentence",
            ("start_date", "sentence_date"),
        ),
    ),
)
