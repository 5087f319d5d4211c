"""Hospital admissions for assault (ICD-10 external causes X85–Y09)."""

from __future__ import annotations

from vrhub.datasets.fields import age, residence, sex
from vrhub.datasets.spec import Dataset, Field, Kind

DATASET = Dataset(
    name="hospital-admission",
    title="Hospital admissions for assault",
    description=(
        "One row per emergency hospital admission whose external cause is assault (ICD-10 "
        "X85–Y09; X99 is assault by a sharp object), with the patient's age, sex and LSOA of "
        "residence. Admission and patient identifiers are pseudonymised. Each row's month is "
        "the month of admission."
    ),
    month_field="admission_date",
    partner_extract=True,
    special_category=True,
    lsoa_field="residence_lsoa",
    fields=(
        Field(
            "admission_id",
            "admission_id",
            Kind.IDENTIFIER,
            "The hospital's identifier of the admission (pseudonymised).",
            required=True,
            column_required=True,
            identifies_person=True,
            record_id=True,
        ),
        Field(
            "patient_id",
            "patient_id",
            Kind.IDENTIFIER,
            "Patient identifier such as the NHS number (pseudonymised), so repeat "
            "admissions can be counted without knowing who.",
            identifies_person=True,
        ),
        Field(
            "admission_date",
            "admission_date",
            Kind.DATE,
            "Date of admission.",
            required=True,
            column_required=True,
        ),
        Field(
            "external_cause",
            "icd10_external_cause",
            Kind.ICD10_ASSAULT,
            "ICD-10 external cause code, X85 to Y09 (e.g. X99 or X99.1).",
            required=True,
            column_required=True,
        ),
        age(
            "Patient's age in years at admission.",
            0,
            120,
        ),
        sex("The patient's"),
        residence("the patient"),
    ),
)
