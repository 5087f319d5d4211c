"""Fire and rescue incidents relevant to violence: deliberate fires and attacks on crews."""

from __future__ import annotations

from vrhub.datasets.spec import Dataset, Factor, Field, Kind, RowRule

#: Incident types, following the fire and rescue Incident Recording System's categories.
INCIDENT_TYPES = (
    "Deliberate primary fire",
    "Deliberate secondary fire",
    "Attack on crew",
    "Malicious false alarm",
)

PROPERTY_TYPES = (
    "Dwelling",
    "Other building",
    "Derelict building",
    "Road vehicle",
    "Outdoor",
    "Refuse",
    "Other",
)

DATASET = Dataset(
    name="fire-incident",
    title="Fire and rescue incidents relevant to violence",
    description=(
        "One row per fire and rescue incident of a kind linked to violence and anti-social "
        "behaviour: a deliberate primary fire (in a building or vehicle, or with casualties), "
        "a deliberate secondary fire (refuse, grass, derelict property, no casualties), a "
        "physical or verbal attack on a crew, or a malicious false alarm, with the type of "
        "property, casualties, and where it happened (LSOA and, when the service has it, a "
        "British National Grid point). The records describe incidents and places, not "
        "people: no field identifies a person, so nothing is pseudonymised, but a point at "
        "a home can still point to a household, so it is shown only as counts by area. Each "
        "row's month is the month of the incident."
    ),
    month_field="incident_datetime",
    partner_extract=True,
    lsoa_field="lsoa_code",
    factor=Factor(
        theme="Fire and rescue",
        counted="deliberate fires, attacks on crews and malicious false alarms",
        per="everyone",
        breakdown="incident_type",
        why=(
            "Deliberate fires and attacks on firefighters cluster where anti-social behaviour "
            "and violence do; the fire and rescue service is a duty holder and delivers "
            "diversion work with children (WY VRP Response Strategy Refresh 2025: FireWork with "
            "Wakefield Youth Justice "
            "Service)."
        ),
    ),
    fields=(
        Field(
            "incident_id",
            "incident_id",
            Kind.TEXT,
            "The fire and rescue service's incident number.",
            required=True,
            column_required=True,
            record_id=True,
        ),
        Field(
            "incident_datetime",
            "incident_datetime",
            Kind.DATETIME,
            "Date and time the call was received; gives the row's month.",
            required=True,
            column_required=True,
        ),
        Field(
            "incident_type",
            "incident_type",
            Kind.CODE,
            "What kind of incident it was.",
            required=True,
            column_required=True,
            allowed=INCIDENT_TYPES,
            synonyms=(
                ("primary fire", "Deliberate primary fire"),
                ("secondary fire", "Deliberate secondary fire"),
                ("deliberate fire - primary", "Deliberate primary fire"),
                ("deliberate fire - secondary", "Deliberate secondary fire"),
                ("attack on firefighters", "Attack on crew"),
                ("false alarm - malicious", "Malicious false alarm"),
            ),
        ),
        Field(
            "property_type",
            "property_type",
            Kind.CODE,
            "The kind of property involved.",
            required=True,
            column_required=True,
            allowed=PROPERTY_TYPES,
            synonyms=(("vehicle", "Road vehicle"), ("grassland", "Outdoor")),
        ),
        Field(
            "casualties",
            "casualties",
            Kind.INTEGER,
            "Number of people injured or killed (0 if none; blank if not recorded).",
            minimum=0,
            maximum=500,
        ),
        Field(
            "lsoa_code",
            "lsoa_code",
            Kind.LSOA,
            "LSOA where the incident happened, 2011 or 2021 code; blank if not known.",
            column_required=True,
        ),
        Field("easting", "easting", Kind.EASTING, "British National Grid easting (metres)."),
        Field("northing", "northing", Kind.NORTHING, "British National Grid northing (metres)."),
    ),
    row_rules=(
        RowRule(
            "grid-pair",
            "({easting} IS NULL) <> ({northing} IS NULL)",
            "easting and northing must both be given or both be blank",
            ("easting", "northing"),
        ),
        RowRule(
            "secondary-fire-casualties",
            "{incident_type} = 'Deliberate secondary fire' AND {casualties} > 0",
            "incident_type is Deliberate secondary fire but casualties is more than 0: a fire "
            "with casualties is a primary fire",
            ("incident_type", "casualties"),
        ),
        RowRule(
            "secondary-fire-home",
            "{incident_type} = 'Deliberate secondary fire' AND {property_type} = 'Dwelling'",
            "incident_type is Deliberate secondary fire but property_type is Dwelling: a fire "
            "in a lived-in home is a primary fire (a derelict one is Derelict building)",
            ("incident_type", "property_type"),
        ),
    ),
)
