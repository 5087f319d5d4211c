"""The ambulance service's call-outs to people injured in an assault."""

from __future__ import annotations

from vrhub.datasets.spec import Dataset, Field, Kind

INJURIES = ("stab wound", "gunshot wound", "blunt force", "other")

AMBULANCE_ASSAULT = Dataset(
    name="ambulance-assault",
    title="Ambulance call-outs for assault",
    description=(
        "One row per ambulance call-out to a person injured in an assault, with the kind of "
        "injury and the LSOA of the incident. Each row's month is the month of the call."
    ),
    month_field="call_date",
    partner_extract=True,
    special_category=True,
    lsoa_field="incident_lsoa",
    fields=(
        Field(
            "incident_number",
            "incident_number",
            Kind.TEXT,
            "The ambulance service's number for the incident.",
            required=True,
            column_required=True,
            record_id=True,
        ),
        Field(
            "call_date",
            "call_date",
            Kind.DATE,
            "Date of the call.",
            required=True,
            column_required=True,
        ),
        Field(
            "injury",
            "injury",
            Kind.CODE,
            "The main injury the crew recorded.",
            required=True,
            column_required=True,
            allowed=INJURIES,
        ),
        Field(
            "incident_lsoa",
            "incident_lsoa",
            Kind.LSOA,
            "LSOA where the crew attended, 2011 or 2021 code; blank if not known.",
            column_required=True,
        ),
    ),
)
