"""Ambulance calls for assaults, stabbings and shootings."""

from __future__ import annotations

from vrhub.datasets.ed_assault import AGE_BANDS
from vrhub.datasets.fields import sex
from vrhub.datasets.spec import Dataset, Factor, Field, Kind, RowRule

#: What the call was for: the assault and the stab, gunshot or penetrating wound chief
#: complaints of the ambulance triage systems (AMPDS protocols 4 and 27, NHS Pathways),
#: simplified.
CATEGORIES = (
    "Assault",
    "Sexual assault",
    "Stab wound",
    "Gunshot wound",
    "Other penetrating wound",
)

#: The national ambulance response categories (1 is the most urgent).
RESPONSE_CATEGORIES = ("Category 1", "Category 2", "Category 3", "Category 4")

DATASET = Dataset(
    name="ambulance-incident",
    title="Ambulance calls for assaults, stabbings and shootings",
    description=(
        "One row per ambulance incident whose triaged complaint is an assault, a sexual "
        "assault, or a stab, gunshot or other penetrating wound (the AMPDS or NHS Pathways "
        "complaint, simplified), with when the call came, its response category, when a crew "
        "arrived, whether the patient was taken to hospital, the patient's age band and sex, "
        "and the LSOA where the patient was attended. It is health data about the patient "
        "(special category); the incident number is pseudonymised. Each row's month is the "
        "month of the call."
    ),
    month_field="call_datetime",
    partner_extract=True,
    special_category=True,
    lsoa_field="incident_lsoa",
    factor=Factor(
        theme="Ambulance",
        counted="ambulance calls for assaults, stabbings and shootings",
        per="everyone",
        breakdown="category",
        why=(
            "Ambulance call-outs see violence police records miss and are a measure "
            "partnerships report against (APCC, In Focus: tackling serious violence: a 14.7% fall "
            "in ambulance call-outs for "
            "serious violence-related incidents)."
        ),
    ),
    fields=(
        Field(
            "incident_id",
            "incident_id",
            Kind.IDENTIFIER,
            "The ambulance service's incident number (pseudonymised: it leads back to the "
            "patient's record).",
            required=True,
            column_required=True,
            identifies_person=True,
            record_id=True,
        ),
        Field(
            "call_datetime",
            "call_datetime",
            Kind.DATETIME,
            "Date and time the call was received; gives the row's month.",
            required=True,
            column_required=True,
        ),
        Field(
            "category",
            "category",
            Kind.CODE,
            "What the call was for, from the triage complaint.",
            required=True,
            column_required=True,
            allowed=CATEGORIES,
            synonyms=(
                ("assault/sexual assault", "Assault"),
                ("stab", "Stab wound"),
                ("stabbing", "Stab wound"),
                ("gunshot", "Gunshot wound"),
                ("gsw", "Gunshot wound"),
                ("penetrating trauma", "Other penetrating wound"),
            ),
        ),
        Field(
            "response_category",
            "response_category",
            Kind.CODE,
            "The national response category given at triage (Category 1 to 4).",
            allowed=RESPONSE_CATEGORIES,
            synonyms=(
                ("c1", "Category 1"),
                ("c2", "Category 2"),
                ("c3", "Category 3"),
                ("c4", "Category 4"),
            ),
        ),
        Field(
            "on_scene_datetime",
            "on_scene_datetime",
            Kind.DATETIME,
            "Date and time the first crew arrived (blank if no crew was sent).",
        ),
        Field(
            "conveyed",
            "conveyed_to_hospital",
            Kind.FLAG,
            "Whether the patient was taken to hospital (Y/N).",
        ),
        Field(
            "age_band",
            "age_band",
            Kind.CODE,
            "The patient's age band in years.",
            required=True,
            column_required=True,
            allowed=AGE_BANDS,
        ),
        sex("The patient's"),
        Field(
            "incident_lsoa",
            "incident_lsoa",
            Kind.LSOA,
            "LSOA where the patient was attended, 2011 or 2021 code; blank if not known.",
            column_required=True,
        ),
    ),
    row_rules=(
        RowRule(
            "on-scene-before-call",
            "{on_scene_datetime} < {call_datetime}",
            "on_scene_datetime is earlier than call_datetime: a crew cannot arrive before the call",
            ("on_scene_datetime", "call_datetime"),
        ),
        RowRule(
            "wound-low-priority",
            "{category} IN ('Stab wound', 'Gunshot wound') "
            "AND {response_category} IN ('Category 3', 'Category 4')",
            "category is a stab or gunshot wound but response_category is Category 3 or 4 "
            "(kept; check with the service)",
            ("category", "response_category"),
            severity="warning",
        ),
    ),
)
