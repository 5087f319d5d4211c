"""The built-in measures, declared as entry points in vrhub's ``pyproject.toml`` (group
``vrhub.measures``) exactly as an extension declares its own.

Serious violence follows the partnership's versioned definition (:mod:`definition`); the
Home Office success measures follow the brief: (1) hospital admissions for assault with a
knife or sharp object, (2) knife-enabled serious violence, (3) non-domestic homicide, each
with the split for victims under 25 (``--by under_25``).
"""

from __future__ import annotations

import ibis.expr.types as ir

from vrhub.datasets.spec import Dataset
from vrhub.measures.definition import any_category, load_definition
from vrhub.measures.spec import Measure, everything

ALL_AGES = (
    "resident population: the estimate vrhub holds nearest the period, stated with each rate "
    "(all ages; rates for children, young adults or under-25s can be asked for)"
)
NO_LOCATION = (
    "Records with no location cannot be placed in an area and are left out of rates; the "
    "result says how many."
)
VIOLENT_GROUPS = ["Violence against the person", "Robbery", "Sexual offences"]
HOMICIDE_CODES = ["001/01", "004/01", "004/02", "004/10"]
WITH_INJURY_CODES = ["001/01", "004/01", "002/01", "005/01", "008/01"]


def _serious_violence(t: ir.Table, d: Dataset) -> ir.Table:
    return t.filter(any_category(load_definition(), t, d))


def _knife_enabled(t: ir.Table, d: Dataset) -> ir.Table:
    return t.filter(t.knife_flag.fill_null(False) & t.offence_group.isin(VIOLENT_GROUPS))


def _knife_admissions(t: ir.Table, d: Dataset) -> ir.Table:
    return t.filter(t.external_cause.startswith("X99"))


def _non_domestic_homicide(t: ir.Table, d: Dataset) -> ir.Table:
    return t.filter(t.offence_code.isin(HOMICIDE_CODES) & ~t.domestic_flag.fill_null(False))


def _with_injury(t: ir.Table, d: Dataset) -> ir.Table:
    return t.filter(t.offence_code.isin(WITH_INJURY_CODES))


def _knife_robbery(t: ir.Table, d: Dataset) -> ir.Table:
    return t.filter(t.offence_group.isin(["Robbery"]) & t.knife_flag.fill_null(False))


def _victims(t: ir.Table, d: Dataset) -> ir.Table:
    return t.filter(t.offence_group.isin(VIOLENT_GROUPS))


CRIME_RATE = Measure(
    name="crime-rate",
    version="1",
    title="Recorded crime rate",
    description=(
        "Records of any dataset, narrowed by --filter, per 1,000 residents of the area "
        "they fall in."
    ),
    numerator="records in the partnership's area in the period, after any --filter",
    denominator=ALL_AGES,
    per=1000,
    caveats=(
        NO_LOCATION,
        "The population is the one vrhub holds nearest the period; each rate says which.",
    ),
    select=everything,
)
SERIOUS_VIOLENCE = Measure(
    name="serious-violence",
    version="1",
    title="Serious violence",
    description=(
        "Records in any category of the partnership's serious-violence definition; "
        "the breakdown by serious-violence category shows each (a record may be in several "
        "categories)."
    ),
    numerator="records meeting the definition's rules for the dataset",
    denominator=ALL_AGES,
    per=1000,
    datasets=("police-crime", "hospital-admission", "ed-assault"),
    uses_definition=True,
    caveats=(
        NO_LOCATION,
        "Organised crime cannot be counted: no dataset standard records it.",
        "Violence against women and girls is counted from the victim's recorded sex.",
    ),
    select=_serious_violence,
)
HOSPITAL_KNIFE_ADMISSIONS = Measure(
    name="hospital-knife-admissions",
    version="1",
    title="Hospital admissions for assault with a knife or sharp object (success measure 1)",
    description="Admissions whose ICD-10 external cause is X99 (assault by sharp object).",
    numerator="hospital admissions with external cause X99 or X99.x",
    denominator=ALL_AGES,
    per=100_000,
    datasets=("hospital-admission",),
    needs=("external_cause",),
    caveats=(NO_LOCATION, "Residence, not the place of the assault, places the record."),
    select=_knife_admissions,
)
KNIFE_ENABLED_SERIOUS_VIOLENCE = Measure(
    name="knife-enabled-serious-violence",
    version="1",
    title="Knife-enabled serious violence (success measure 2)",
    description=(
        "Violence against the person, robbery and sexual offences where a knife or "
        "sharp instrument was used or threatened."
    ),
    numerator="police records in those groups with the knife or sharp instrument flag",
    denominator=ALL_AGES,
    per=100_000,
    datasets=("police-crime",),
    needs=("knife_flag", "offence_group"),
    caveats=(NO_LOCATION,),
    select=_knife_enabled,
)
NON_DOMESTIC_HOMICIDE = Measure(
    name="non-domestic-homicide",
    version="1",
    title="Non-domestic homicide (success measure 3)",
    description="Murder, manslaughter and infanticide not flagged as domestic abuse.",
    numerator="police records with a homicide offence code and no domestic abuse flag",
    denominator=ALL_AGES,
    per=1_000_000,
    datasets=("police-crime",),
    needs=("offence_code", "domestic_flag"),
    caveats=(NO_LOCATION, "Counts are small: read the interval, not the rate alone."),
    select=_non_domestic_homicide,
)
ED_ASSAULT_ATTENDANCES = Measure(
    name="ed-assault-attendances",
    version="1",
    title="Emergency department attendances for assault",
    description="ISTV attendances at the partnership's emergency departments.",
    numerator="ED assault attendances, placed by the patient's residence",
    denominator=ALL_AGES,
    per=100_000,
    datasets=("ed-assault",),
    caveats=(NO_LOCATION, "Residence, not the place of the assault, places the record."),
    select=everything,
)
VIOLENCE_WITH_INJURY = Measure(
    name="violence-with-injury",
    version="1",
    title="Violence with injury",
    description="Homicide, attempted murder, wounding (GBH) and assault with injury.",
    numerator=f"police records with offence codes {', '.join(WITH_INJURY_CODES)}",
    denominator=ALL_AGES,
    per=1000,
    datasets=("police-crime",),
    needs=("offence_code",),
    caveats=(NO_LOCATION,),
    select=_with_injury,
)
KNIFE_ENABLED_ROBBERY = Measure(
    name="knife-enabled-robbery",
    version="1",
    title="Knife-enabled robbery",
    description="Robbery where a knife or sharp instrument was used or threatened.",
    numerator="police robbery records with the knife or sharp instrument flag",
    denominator=ALL_AGES,
    per=100_000,
    datasets=("police-crime",),
    needs=("knife_flag", "offence_group"),
    caveats=(NO_LOCATION,),
    select=_knife_robbery,
)
VICTIMS = Measure(
    name="victims",
    version="1",
    title="Victims of violence by age group and sex",
    description=(
        "Records of violence against the person, robbery and sexual offences; use "
        "--by age_group,victim_sex (children under 18, young adults 18 to 25, adults)."
    ),
    numerator="police records of violence, robbery and sexual offences with a victim",
    denominator=ALL_AGES,
    per=1000,
    datasets=("police-crime",),
    needs=("victim_age", "victim_sex"),
    caveats=(
        NO_LOCATION,
        "Rates by age group need population by the same ages; the shipped denominators "
        "have 0-15, 16-59 and 60+ only, so rows grouped by age carry counts without rates.",
    ),
    select=_victims,
)
RECORDS = Measure(
    name="records",
    version="1",
    title="Records",
    description=(
        "Every record of any dataset (a school exclusion, a fire incident, a contact with "
        "children's social care), narrowed by --filter, per 1,000 residents of the area "
        "they fall in; the influential factors section counts each factor dataset with it."
    ),
    numerator="records of the dataset in the partnership's area in the period, after any --filter",
    denominator=ALL_AGES,
    per=1000,
    caveats=(
        NO_LOCATION,
        "What one record is depends on the dataset's standard (an event, a person's episode, "
        "a contact); the dataset's description says which.",
    ),
    select=everything,
)
