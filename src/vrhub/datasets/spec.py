"""How a dataset standard is described: its fields, their kinds and the rules rows must meet.

A standard is plain data. :mod:`vrhub.ingest.rules` turns each field's kind into the SQL that
checks and converts it, so every standard is validated by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of value a field may hold; each has one check and one conversion."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "date-time"
    MONTH = "month"
    FLAG = "flag"
    CODE = "code"
    LSOA = "lsoa"
    POSTCODE = "postcode"
    LONGITUDE = "longitude"
    LATITUDE = "latitude"
    EASTING = "easting"
    NORTHING = "northing"
    HO_OFFENCE = "home-office-offence-code"
    ICD10_ASSAULT = "icd10-assault-code"
    SITE_CODE = "site-code"
    IDENTIFIER = "identifier"


@dataclass(frozen=True)
class Field:
    """One column of a dataset standard."""

    name: str
    header: str
    kind: Kind
    description: str
    required: bool = False
    column_required: bool = False
    allowed: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()
    identifies_person: bool = False
    record_id: bool = False
    minimum: float | None = None
    maximum: float | None = None
    stored: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def stored_name(self) -> str:
        """Column name in the analytical store; identifiers say they hold a pseudonym."""
        return f"{self.name}_pseudonym" if self.identifies_person else self.name


@dataclass(frozen=True)
class RowRule:
    """A rule across fields. ``bad`` is SQL over typed values written as ``{field_name}``."""

    rule: str
    bad: str
    message: str
    columns: tuple[str, ...]
    severity: str = "error"


@dataclass(frozen=True)
class Factor:
    """How a partner dataset feeds the needs assessment's influential factors section.

    A dataset with a factor is counted in the section when it is loaded (its records in the
    period by district, as a rate per ``per`` population, with ``breakdown``'s groups listed);
    when it is not, the section says it is not yet shared.
    """

    #: The factor's theme, e.g. "Education" or "Youth justice".
    theme: str
    #: What one record is, in the plural, e.g. "suspensions and permanent exclusions".
    counted: str
    #: The population rates are per: a name from ``vrhub.measures.population.PER``
    #: ("children", "young-adults", "under-25" or "everyone").
    per: str = "everyone"
    #: A field whose groups the section lists (e.g. the type of exclusion), if any.
    breakdown: str | None = None
    #: Why the factor matters to serious violence, in a sentence, with its source.
    why: str = ""
    #: Only records whose field holds this value are counted (the breakdown still lists every
    #: group), e.g. ``("activity", "NEET")``.
    only: tuple[str, str] | None = None
    #: The records are monthly snapshots (one a month for each person): count the period's
    #: last month only, never the year's sum of person-months.
    snapshot: bool = False


@dataclass(frozen=True)
class Dataset:
    """A dataset standard: what a partner sends and how vrhub stores it."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    month_field: str
    partner_extract: bool
    #: Special-category personal data (UK GDPR Article 9), e.g. health records.
    special_category: bool = False
    #: Personal data about criminal offences (UK GDPR Article 10).
    criminal_offence_data: bool = False
    lsoa_field: str | None = None
    postcode_field: str | None = None
    source_field: str | None = None
    crime_type_field: str | None = None
    row_rules: tuple[RowRule, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()
    #: How the dataset feeds the influential factors section, if it does.
    factor: Factor | None = None

    @property
    def table(self) -> str:
        return "events_" + self.name.replace("-", "_")

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def record_id_field(self) -> Field | None:
        return next((f for f in self.fields if f.record_id), None)
