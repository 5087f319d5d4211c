"""Emergency department assault attendances: the ISTV minimum dataset plus residence."""

from __future__ import annotations

from vrhub.datasets.police_crime import LOCATION_TYPES, SEX, SEX_SYNONYMS
from vrhub.datasets.spec import Dataset, Field, Kind, RowRule

__all__ = ["AGE_BANDS", "ASSAULT_METHODS", "DATASET", "LOCATION_TYPES"]

AGE_BANDS = (
    "0-9",
    "10-14",
    "15-17",
    "18-24",
    "25-29",
    "30-39",
    "40-49",
    "50-59",
    "60-69",
    "70+",
    "Unknown",
)

ASSAULT_METHODS = (
    "Hit, kicked or punched",
    "Blunt object",
    "Knife or sharp object",
    "Glass or bottle",
    "Firearm",
    "Other",
    "Not known",
)


DATASET = Dataset(
    name="ed-assault",
    title="Emergency department assault attendances (ISTV)",
    description=(
        "One row per attendance at an emergency department for an injury from an assault: "
        "the NHS Information Sharing to Tackle Violence minimum dataset (ISB/DCB 1594: "
        "arrival and assault date-times, assault method, location type and description, site "
        "code) plus the patient's age band, sex and residence (LSOA or postcode). The "
        "attendance identifier is pseudonymised; a postcode is turned into its LSOA and "
        "never stored. Each row's month is the month of arrival."
    ),
    month_field="arrival_datetime",
    partner_extract=True,
    special_category=True,
    lsoa_field="residence_lsoa",
    postcode_field="residence_postcode",
    source_field="site_code",
    fields=(
        Field(
            "attendance_id",
            "attendance_id",
            Kind.IDENTIFIER,
            "The department's attendance number (pseudonymised).",
            required=True,
            column_required=True,
            identifies_person=True,
            record_id=True,
        ),
        Field(
            "site_code",
            "site_code",
            Kind.SITE_CODE,
            "Site code of treatment (3 to 12 letters or digits).",
            required=True,
            column_required=True,
        ),
        Field(
            "arrival_datetime",
            "arrival_datetime",
            Kind.DATETIME,
            "Arrival date and time at the emergency department.",
            required=True,
            column_required=True,
        ),
        Field(
            "assault_datetime",
            "assault_datetime",
            Kind.DATETIME,
            "Date and time of the assault, as the patient reports it.",
            column_required=True,
        ),
        Field(
            "assault_method",
            "assault_method",
            Kind.CODE,
            "How the patient was assaulted.",
            required=True,
            column_required=True,
            allowed=ASSAULT_METHODS,
            synonyms=(
                ("knife", "Knife or sharp object"),
                ("sharp object", "Knife or sharp object"),
                ("body part", "Hit, kicked or punched"),
                ("unknown", "Not known"),
            ),
        ),
        Field(
            "assault_method_other",
            "assault_method_other",
            Kind.TEXT,
            "Description when the method is Other.",
        ),
        Field(
            "location_type",
            "assault_location_type",
            Kind.CODE,
            "Type of place the assault happened.",
            required=True,
            column_required=True,
            allowed=LOCATION_TYPES,
            synonyms=(("unknown", "Not known"), ("public place", "Street or public place")),
        ),
        Field(
            "location_description",
            "assault_location_description",
            Kind.TEXT,
            "Where it happened, e.g. the name of a venue or street (not an address).",
        ),
        Field(
            "age_band",
            "age_band",
            Kind.CODE,
            "Patient's age band in years.",
            required=True,
            column_required=True,
            allowed=AGE_BANDS,
        ),
        Field(
            "sex",
            "sex",
            Kind.CODE,
            "Patient's sex.",
            required=True,
            column_required=True,
            allowed=SEX,
            synonyms=SEX_SYNONYMS,
        ),
        Field(
            "residence_lsoa", "residence_lsoa", Kind.LSOA, "LSOA of residence, 2011 or 2021 code."
        ),
        Field(
            "residence_postcode",
            "residence_postcode",
            Kind.POSTCODE,
            "Postcode of residence, used only to find the LSOA and never stored.",
            identifies_person=True,
            stored=False,
        ),
    ),
    row_rules=(
        RowRule(
            "assault-after-arrival",
            "{assault_datetime} > {arrival_datetime}",
            "assault_datetime is later than arrival_datetime (kept; check with the site)",
            ("assault_datetime", "arrival_datetime"),
            severity="warning",
        ),
    ),
)
