"""police.uk street-level crime, exactly as published at data.police.uk."""

from __future__ import annotations

from vrhub.datasets.spec import Dataset, Field, Kind, RowRule

CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
    # Categories police.uk used before May 2013, so older months load too.
    "Violent crime",
    "Public disorder and weapons",
)

DATASET = Dataset(
    name="police-uk-street",
    title="police.uk street-level crime",
    description=(
        "The public street-level crime and anti-social behaviour file each force publishes "
        "monthly on data.police.uk, in its published format. Points are snapped to anonymous "
        "map points and only the month is given, so use it at LSOA level or above."
    ),
    month_field="month",
    partner_extract=False,
    lsoa_field="lsoa_code",
    source_field="reported_by",
    crime_type_field="crime_type",
    fields=(
        Field(
            "crime_id",
            "Crime ID",
            Kind.TEXT,
            "police.uk's own identifier for the crime; "
            "blank for anti-social behaviour, whose identical rows are distinct incidents.",
            column_required=True,
            record_id=True,
        ),
        Field(
            "month",
            "Month",
            Kind.MONTH,
            "Month the crime was reported, YYYY-MM.",
            required=True,
            column_required=True,
        ),
        Field(
            "reported_by",
            "Reported by",
            Kind.TEXT,
            "The force that recorded it.",
            required=True,
            column_required=True,
        ),
        Field(
            "falls_within",
            "Falls within",
            Kind.TEXT,
            "The force whose area it lies in.",
            required=True,
            column_required=True,
        ),
        Field(
            "longitude",
            "Longitude",
            Kind.LONGITUDE,
            "Anonymised map point, WGS84.",
            column_required=True,
        ),
        Field(
            "latitude",
            "Latitude",
            Kind.LATITUDE,
            "Anonymised map point, WGS84.",
            column_required=True,
        ),
        Field(
            "location",
            "Location",
            Kind.TEXT,
            "Description of the anonymised map point.",
            column_required=True,
        ),
        Field(
            "lsoa_code",
            "LSOA code",
            Kind.LSOA,
            "LSOA (2011) of the map point; blank when police.uk has no location.",
            column_required=True,
        ),
        Field("lsoa_name", "LSOA name", Kind.TEXT, "Name of that LSOA.", column_required=True),
        Field(
            "crime_type",
            "Crime type",
            Kind.CODE,
            "police.uk crime category.",
            required=True,
            column_required=True,
            allowed=CRIME_TYPES,
        ),
        Field(
            "last_outcome_category",
            "Last outcome category",
            Kind.TEXT,
            "Latest outcome at publication; blank for anti-social behaviour.",
            column_required=True,
        ),
        Field(
            "context", "Context", Kind.TEXT, "Extra context (rarely used).", column_required=True
        ),
    ),
    row_rules=(
        RowRule(
            "point-pair",
            "({longitude} IS NULL) <> ({latitude} IS NULL)",
            "Longitude and Latitude must both be given or both be blank",
            ("Longitude", "Latitude"),
        ),
    ),
)
