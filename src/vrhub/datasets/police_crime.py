"""The police force's recorded-crime partner extract (richer than police.uk)."""

from __future__ import annotations

from vrhub.datasets.spec import Dataset, Field, Kind, RowRule

OFFENCE_GROUPS = (
    "Violence against the person",
    "Sexual offences",
    "Robbery",
    "Theft offences",
    "Criminal damage and arson",
    "Drug offences",
    "Possession of weapons offences",
    "Public order offences",
    "Miscellaneous crimes against society",
)

SEX = ("Female", "Male", "Other", "Unknown")
#: Types of place an offence or assault happened (police ``location_type``, ED
#: ``assault_location_type``): one list, so the two can be read side by side.
LOCATION_TYPES = (
    "Home",
    "Street or public place",
    "Licensed premises",
    "School or college",
    "Workplace",
    "Public transport",
    "Other",
    "Not known",
)
LOCATION_SYNONYMS = (
    ("unknown", "Not known"),
    ("public place", "Street or public place"),
    ("street", "Street or public place"),
    ("dwelling", "Home"),
    ("pub", "Licensed premises"),
    ("school", "School or college"),
)
SEX_SYNONYMS = (
    ("f", "Female"),
    ("m", "Male"),
    ("x", "Other"),
    ("u", "Unknown"),
    ("not known", "Unknown"),
    ("not stated", "Unknown"),
)

#: The Home Office and ONS "5+1" ethnicity groups (Census 2021 names): five groups, and
#: "Not stated" where the person was asked and did not say. A blank is "not recorded".
ETHNICITY = (
    "Asian, Asian British or Asian Welsh",
    "Black, Black British, Black Welsh, Caribbean or African",
    "Mixed or Multiple ethnic groups",
    "White",
    "Other ethnic group",
    "Not stated",
)
ETHNICITY_SYNONYMS = (
    ("asian", ETHNICITY[0]),
    ("asian or asian british", ETHNICITY[0]),
    ("asian / asian british", ETHNICITY[0]),
    ("black", ETHNICITY[1]),
    ("black or black british", ETHNICITY[1]),
    ("black / african / caribbean / black british", ETHNICITY[1]),
    ("mixed", ETHNICITY[2]),
    ("mixed / multiple ethnic groups", ETHNICITY[2]),
    ("mixed or multiple", ETHNICITY[2]),
    ("white", ETHNICITY[3]),
    ("other", ETHNICITY[4]),
    ("other ethnic group", ETHNICITY[4]),
    ("any other ethnic group", ETHNICITY[4]),
    ("not stated", ETHNICITY[5]),
    ("not known", ETHNICITY[5]),
    ("refused", ETHNICITY[5]),
)

DATASET = Dataset(
    name="police-crime",
    title="Police recorded crime partner extract",
    description=(
        "The force's monthly extract of recorded crime for the partnership: one row per crime "
        "with the Home Office offence code, when it occurred and was recorded, where, the "
        "victim's age, sex and (optionally) ethnicity, the suspect's age and (optionally) sex "
        "and ethnicity, and knife, firearm and domestic-abuse flags. Victim and suspect "
        "identifiers and the crime reference are pseudonymised at ingest. Each row's month is "
        "the month the crime was recorded."
    ),
    month_field="recorded_date",
    partner_extract=True,
    criminal_offence_data=True,
    lsoa_field="lsoa_code",
    crime_type_field="offence_group",
    fields=(
        Field(
            "crime_reference",
            "crime_reference",
            Kind.IDENTIFIER,
            "The force's crime reference number. It leads back to the police record, so it "
            "is pseudonymised.",
            required=True,
            column_required=True,
            identifies_person=True,
            record_id=True,
        ),
        Field(
            "offence_code",
            "ho_offence_code",
            Kind.HO_OFFENCE,
            "Home Office offence code (classification/subclass), e.g. 008/01.",
            required=True,
            column_required=True,
        ),
        Field(
            "offence_group",
            "ho_offence_group",
            Kind.CODE,
            "Home Office offence group.",
            required=True,
            column_required=True,
            allowed=OFFENCE_GROUPS,
        ),
        Field(
            "offence_description", "offence_description", Kind.TEXT, "The offence's description."
        ),
        Field(
            "occurred_from",
            "occurred_from",
            Kind.DATETIME,
            "Earliest date-time the offence may have occurred.",
            required=True,
            column_required=True,
        ),
        Field(
            "occurred_to",
            "occurred_to",
            Kind.DATETIME,
            "Latest date-time it may have occurred (blank if known exactly).",
        ),
        Field(
            "recorded_date",
            "recorded_date",
            Kind.DATETIME,
            "When the crime was recorded; gives the row's month.",
            required=True,
            column_required=True,
        ),
        Field(
            "lsoa_code",
            "lsoa_code",
            Kind.LSOA,
            "LSOA where it occurred, 2011 or 2021 code; blank if not known.",
            column_required=True,
        ),
        Field("easting", "easting", Kind.EASTING, "British National Grid easting (metres)."),
        Field("northing", "northing", Kind.NORTHING, "British National Grid northing (metres)."),
        Field(
            "victim_id",
            "victim_id",
            Kind.IDENTIFIER,
            "The force's identifier of the victim (pseudonymised at ingest).",
            identifies_person=True,
        ),
        Field(
            "victim_age",
            "victim_age",
            Kind.INTEGER,
            "Victim's age in years.",
            minimum=0,
            maximum=120,
        ),
        Field(
            "victim_sex",
            "victim_sex",
            Kind.CODE,
            "Victim's sex.",
            allowed=SEX,
            synonyms=SEX_SYNONYMS,
        ),
        Field(
            "victim_ethnicity",
            "victim_ethnicity",
            Kind.CODE,
            "Victim's self-defined ethnicity, one of the Home Office and ONS 5+1 groups "
            "(optional column; blank where not recorded).",
            allowed=ETHNICITY,
            synonyms=ETHNICITY_SYNONYMS,
        ),
        Field(
            "suspect_id",
            "suspect_id",
            Kind.IDENTIFIER,
            "The force's identifier of the suspect (pseudonymised at ingest).",
            identifies_person=True,
        ),
        Field(
            "suspect_age",
            "suspect_age",
            Kind.INTEGER,
            "Suspect's age in years.",
            minimum=0,
            maximum=120,
        ),
        Field(
            "suspect_sex",
            "suspect_sex",
            Kind.CODE,
            "Suspect's sex (optional column; blank where not recorded or no suspect is known).",
            allowed=SEX,
            synonyms=SEX_SYNONYMS,
        ),
        Field(
            "suspect_ethnicity",
            "suspect_ethnicity",
            Kind.CODE,
            "Suspect's self-defined ethnicity, one of the Home Office and ONS 5+1 groups "
            "(optional column; blank where not recorded).",
            allowed=ETHNICITY,
            synonyms=ETHNICITY_SYNONYMS,
        ),
        Field(
            "knife_flag",
            "knife_or_sharp_instrument",
            Kind.FLAG,
            "Whether a knife or sharp instrument was used or threatened (Y/N).",
            column_required=True,
        ),
        Field("firearm_flag", "firearm", Kind.FLAG, "Whether a firearm was involved (Y/N)."),
        Field(
            "domestic_flag",
            "domestic_abuse",
            Kind.FLAG,
            "Whether the crime is flagged as domestic abuse (Y/N).",
            column_required=True,
        ),
        Field("outcome", "outcome", Kind.TEXT, "Latest outcome."),
        Field(
            "location_type",
            "location_type",
            Kind.CODE,
            "Type of place the offence happened, where the force records it (optional; "
            "the same types as the emergency department's assault location type).",
            allowed=LOCATION_TYPES,
            synonyms=LOCATION_SYNONYMS,
        ),
    ),
    row_rules=(
        RowRule(
            "grid-pair",
            "({easting} IS NULL) <> ({northing} IS NULL)",
            "easting and northing must both be given or both be blank",
            ("easting", "northing"),
        ),
        RowRule(
            "occurred-order",
            "{occurred_to} < {occurred_from}",
            "occurred_to is earlier than occurred_from",
            ("occurred_from", "occurred_to"),
        ),
        RowRule(
            "recorded-before-occurred",
            "{recorded_date} < {occurred_from}",
            "recorded_date is earlier than occurred_from (kept; check with the force)",
            ("recorded_date", "occurred_from"),
            severity="warning",
        ),
    ),
)
