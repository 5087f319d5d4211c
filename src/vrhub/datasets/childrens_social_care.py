"""Children's social care: contacts, referrals, plans and children starting to be in care."""

from __future__ import annotations

from vrhub.datasets.fields import age, residence, sex
from vrhub.datasets.spec import Dataset, Factor, Field, Kind, RowRule

#: What happened, from the first contact to a child starting to be looked after (in care).
EVENT_TYPES = (
    "Contact",
    "Referral",
    "Child in need",
    "Child protection plan",
    "Started to be looked after",
)
EVENT_SYNONYMS = (
    ("cin", "Child in need"),
    ("cin plan", "Child in need"),
    ("child in need plan", "Child in need"),
    ("cpp", "Child protection plan"),
    ("cp plan", "Child protection plan"),
    ("started to be in care", "Started to be looked after"),
    ("looked after", "Started to be looked after"),
    ("cla", "Started to be looked after"),
)

#: Factors a social worker records at the end of an assessment (from the DfE children in
#: need census list) that bear on serious violence: (column, words).
ASSESSMENT_FACTORS = (
    ("factor_criminal_exploitation", "child criminal exploitation"),
    ("factor_sexual_exploitation", "child sexual exploitation"),
    ("factor_gangs", "gangs"),
    ("factor_going_missing", "going or being missing"),
    ("factor_trafficking", "trafficking"),
    ("factor_domestic_abuse", "domestic abuse"),
    ("factor_drug_misuse", "drug misuse"),
    ("factor_mental_health", "mental health"),
)

DATASET = Dataset(
    name="childrens-social-care",
    title="Children's social care contacts, referrals and children in care",
    description=(
        "One row per event in a child's social care: a contact, a referral, the start of "
        "a child in need plan or a child protection plan, or the child starting to be looked "
        "after (in care), with the factors the social worker recorded at assessment where "
        "the council holds them (such as child criminal exploitation, going missing or "
        "gangs, from the DfE children in need census list), and the child's age, sex and "
        "LSOA of residence. The event reference and the child's identifier are "
        "pseudonymised. These are some of the most sensitive records a partner shares: "
        "factors such as mental health, sexual exploitation and abuse are special-category "
        "data, so the standard is marked special category and its agreement must give an "
        "Article 9 condition. Each row's month is the month of the event."
    ),
    month_field="event_date",
    partner_extract=True,
    special_category=True,
    lsoa_field="residence_lsoa",
    factor=Factor(
        theme="Children's social care",
        counted="children's social care contacts, referrals, plans and starts in care",
        per="children",
        breakdown="event_type",
        why=(
            "Care-experienced young people are over-represented in the criminal justice "
            "system and vulnerable to child criminal exploitation, with going missing from "
            "care increasing the risk (WY VRU Response Strategy Refresh 2023, Influential "
            "Factors: Children in Care)."
        ),
    ),
    fields=(
        Field(
            "event_id",
            "event_id",
            Kind.IDENTIFIER,
            "The council's reference for the contact, referral, plan or period of care "
            "(pseudonymised: it leads back to the child's case record).",
            required=True,
            column_required=True,
            identifies_person=True,
            record_id=True,
        ),
        Field(
            "child_id",
            "child_id",
            Kind.IDENTIFIER,
            "The council's identifier of the child (pseudonymised), so events for one child "
            "can be counted together without knowing who.",
            required=True,
            column_required=True,
            identifies_person=True,
        ),
        Field(
            "event_date",
            "event_date",
            Kind.DATE,
            "Date of the contact or referral, or the start of the plan or of care; gives the "
            "row's month.",
            required=True,
            column_required=True,
        ),
        Field(
            "event_type",
            "event_type",
            Kind.CODE,
            "What happened: contact, referral, child in need, child protection plan, or "
            "started to be looked after.",
            required=True,
            column_required=True,
            allowed=EVENT_TYPES,
            synonyms=EVENT_SYNONYMS,
        ),
        *(
            Field(
                name,
                name,
                Kind.FLAG,
                f"Whether {words} was a factor at assessment (Y/N); blank when not assessed "
                "or not held.",
            )
            for name, words in ASSESSMENT_FACTORS
        ),
        age(
            "The child's age in years on the date of the event (0 to 17).",
            0,
            17,
        ),
        sex("The child's"),
        residence("the child"),
    ),
    row_rules=(
        RowRule(
            "no-factors-at-contact",
            "{event_type} = 'Contact' AND ("
            + " OR ".join(f"{{{name}}} IS NOT NULL" for name, _ in ASSESSMENT_FACTORS)
            + ")",
            "factors at assessment must be blank for a contact (a contact is not assessed)",
            (*(name for name, _ in ASSESSMENT_FACTORS), "event_type"),
        ),
    ),
)
