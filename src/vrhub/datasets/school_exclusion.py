"""School suspensions and permanent exclusions of children, with the DfE's categories."""

from __future__ import annotations

from vrhub.datasets.fields import age, residence, sex
from vrhub.datasets.spec import Dataset, Factor, Field, Kind, RowRule

#: The kinds of exclusion in the DfE school census: a suspension (formerly fixed-period
#: exclusion), a lunchtime suspension and a permanent exclusion.
CATEGORIES = ("Suspension", "Lunchtime suspension", "Permanent exclusion")
CATEGORY_SYNONYMS = (
    ("fixd", "Suspension"),
    ("fixed period", "Suspension"),
    ("fixed-period", "Suspension"),
    ("fixed-period exclusion", "Suspension"),
    ("fixed period exclusion", "Suspension"),
    ("fixed term", "Suspension"),
    ("lunc", "Lunchtime suspension"),
    ("lunchtime", "Lunchtime suspension"),
    ("perm", "Permanent exclusion"),
    ("permanent", "Permanent exclusion"),
)

#: The DfE's reasons for a suspension or permanent exclusion (school census), by their
#: two-letter codes; a file may send the code or the words.
REASONS = (
    ("PP", "Physical assault against a pupil"),
    ("PA", "Physical assault against an adult"),
    ("VP", "Verbal abuse or threatening behaviour against a pupil"),
    ("VA", "Verbal abuse or threatening behaviour against an adult"),
    ("WP", "Use or threat of use of an offensive weapon or prohibited item"),
    ("BU", "Bullying"),
    ("RA", "Racist abuse"),
    ("LG", "Abuse against sexual orientation or gender identity"),
    ("DS", "Abuse relating to disability"),
    ("SM", "Sexual misconduct"),
    ("DA", "Drug and alcohol related"),
    ("DM", "Damage"),
    ("TH", "Theft"),
    ("MT", "Inappropriate use of social media or online technology"),
    ("PD", "Persistent disruptive behaviour"),
)
#: The reasons that are violence or a weapon, which the partnership watches (WY VRU Response
#: Strategy Refresh 2023).
VIOLENT_REASONS = tuple(words for code, words in REASONS if code in ("PP", "PA", "WP"))

PHASES = ("Primary", "Secondary", "Special", "Alternative provision")
#: National curriculum year groups: R (reception) then years 1 to 14.
YEAR_GROUPS = ("R", *(str(y) for y in range(1, 15)))
YEAR_GROUP_SYNONYMS = (
    ("reception", "R"),
    ("yr", "R"),
    *((f"year {y}", str(y)) for y in range(1, 15)),
    *((f"y{y}", str(y)) for y in range(1, 15)),
)
#: A suspension may last at most 45 school days in a school year: 90 sessions (half days).
MOST_SESSIONS = 90

DATASET = Dataset(
    name="school-exclusion",
    title="School suspensions and permanent exclusions",
    description=(
        "One row per suspension or permanent exclusion of a child from school, as the "
        "council's education service records it for the DfE school census: the category "
        "(suspension, lunchtime suspension or permanent exclusion), the DfE reason, its "
        "length in sessions (half days) for a suspension, the school phase and national "
        "curriculum year group, and the child's age, sex and LSOA of residence. The "
        "exclusion reference and the pupil's identifier are pseudonymised, so a child "
        "suspended several times is counted once without knowing who. Each row's month is "
        "the month of the first day of the suspension or exclusion."
    ),
    month_field="exclusion_date",
    partner_extract=True,
    lsoa_field="residence_lsoa",
    factor=Factor(
        theme="Education",
        counted="suspensions and permanent exclusions of children",
        per="children",
        breakdown="category",
        why=(
            "Full-time education protects children from serious violence, and suspensions "
            "and exclusions associated with violence are rising in West Yorkshire (WY VRU "
            "Response Strategy Refresh 2023, "
            "Influential Factors: Education/Exclusions)."
        ),
    ),
    fields=(
        Field(
            "exclusion_id",
            "exclusion_id",
            Kind.IDENTIFIER,
            "The council's reference for the suspension or exclusion (pseudonymised: it leads "
            "back to the child's school record).",
            required=True,
            column_required=True,
            identifies_person=True,
            record_id=True,
        ),
        Field(
            "pupil_id",
            "pupil_id",
            Kind.IDENTIFIER,
            "The child's unique pupil number or the council's pupil identifier "
            "(pseudonymised), so repeat suspensions of one child can be counted.",
            required=True,
            column_required=True,
            identifies_person=True,
        ),
        Field(
            "exclusion_date",
            "exclusion_date",
            Kind.DATE,
            "First day of the suspension or exclusion; gives the row's month.",
            required=True,
            column_required=True,
        ),
        Field(
            "category",
            "category",
            Kind.CODE,
            "Suspension, lunchtime suspension or permanent exclusion (the census codes FIXD, "
            "LUNC and PERM and the older words 'fixed-period exclusion' are read too).",
            required=True,
            column_required=True,
            allowed=CATEGORIES,
            synonyms=CATEGORY_SYNONYMS,
        ),
        Field(
            "reason",
            "reason",
            Kind.CODE,
            "The DfE reason, as its words or its two-letter code (e.g. PP, physical assault "
            "against a pupil; WP, use or threat of use of an offensive weapon or prohibited "
            "item; PD, persistent disruptive behaviour).",
            required=True,
            column_required=True,
            allowed=tuple(words for _, words in REASONS),
            synonyms=tuple((code, words) for code, words in REASONS),
        ),
        Field(
            "sessions",
            "sessions",
            Kind.INTEGER,
            "Length of a suspension in sessions (half days); blank for a permanent exclusion.",
            minimum=1,
            maximum=MOST_SESSIONS,
        ),
        Field(
            "school_phase",
            "school_phase",
            Kind.CODE,
            "Phase of the school the child was suspended or excluded from.",
            required=True,
            column_required=True,
            allowed=PHASES,
            synonyms=(("ap", "Alternative provision"), ("pru", "Alternative provision")),
        ),
        Field(
            "nc_year_group",
            "nc_year_group",
            Kind.CODE,
            "National curriculum year group: R (reception) or 1 to 14; blank if not held.",
            allowed=YEAR_GROUPS,
            synonyms=YEAR_GROUP_SYNONYMS,
        ),
        age(
            "The child's age in years at the start of the school year (4 to 19).",
            4,
            19,
        ),
        sex("The child's"),
        residence("the child"),
    ),
    row_rules=(
        RowRule(
            "permanent-has-no-length",
            "{category} = 'Permanent exclusion' AND {sessions} IS NOT NULL",
            "sessions must be blank for a permanent exclusion (it has no length)",
            ("sessions", "category"),
        ),
        RowRule(
            "suspension-without-length",
            "{category} <> 'Permanent exclusion' AND {sessions} IS NULL",
            "sessions is blank for a suspension (kept; its length is not known)",
            ("sessions", "category"),
            severity="warning",
        ),
        RowRule(
            "age-and-year-group",
            "abs({age} - 5 - CASE WHEN {nc_year_group} = 'R' THEN 0 "
            "ELSE TRY_CAST({nc_year_group} AS INTEGER) END) > 2",
            "age does not fit the year group (a child in year N is usually N + 5 at the start "
            "of the school year; more than 2 years apart is refused)",
            ("age", "nc_year_group"),
        ),
    ),
)
