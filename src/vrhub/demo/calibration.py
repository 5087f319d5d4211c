"""Every figure the synthetic data is calibrated to, with where it comes from.

``docs/concepts/demo-calibration.md`` explains each; a test checks the generated data against
them. Figures marked "assumption" are our own round numbers, chosen to be plausible for a
metropolitan area of West Yorkshire's size; they are not official statistics.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    value: float
    source: str


POPULATION = Figure(2_350_000, "seed 000: West Yorkshire population 2.35m")
SHARE_UNDER_18 = Figure(0.23, "seed 000: 23% of the population are under 18")
HOMICIDES_PER_YEAR = Figure(24, "seeds 000 and 001: 23 and 26 people lost their lives to violence")
ALL_CRIME_PER_YEAR = Figure(300_000, "brief: on the order of 300,000 crimes a year")
VIOLENCE_SHARE = Figure(0.20, "brief: about a fifth of recorded crime is violence")
LAST_YEAR_CHANGE = Figure(-0.02, "seed 000: serious violence fell 2% on the previous 12 months")
PREVIOUS_YEAR_CHANGE = Figure(0.13, "seed 000: after a 13% rise the year before")
SEXUAL_PER_MONTH = Figure(700, "assumption")
ROBBERY_PER_MONTH = Figure(260, "assumption")
WEAPONS_PER_MONTH = Figure(180, "assumption")
DOMESTIC_SHARE_OF_VIOLENCE = Figure(0.33, "assumption")
KNIFE_SHARE_OF_VIOLENCE = Figure(0.035, "assumption")
KNIFE_SHARE_OF_ROBBERY = Figure(
    0.30, "assumption: West Yorkshire is a knife-enabled robbery taskforce area (seed 000)"
)
UNDER_25_VICTIM_SHARE = Figure(0.38, "assumption")
DEPRIVATION_GRADIENT = Figure(
    0.13,
    "assumption: log rate ratio per IMD decile, so the most "
    "deprived decile has about 3 times the rate of the least",
)
ED_ASSAULTS_PER_YEAR = Figure(6_000, "assumption")
ADMISSIONS_PER_YEAR = Figure(1_100, "assumption")
SHARP_SHARE_OF_ADMISSIONS = Figure(0.20, "assumption")
MISSING_LOCATION_RATE = Figure(0.025, "assumption (defect planted for quality checks)")
INVALID_CODE_RATE = Figure(0.003, "assumption (defect planted for quality checks)")
INVALID_LSOA_RATE = Figure(0.001, "assumption (defect planted for quality checks)")
DUPLICATE_RATE = Figure(0.0005, "assumption (defect planted for quality checks)")
LATE_DAYS = Figure(70, "assumption: one police month is delivered 70 days after month end")
ON_TIME_DAYS = Figure(10, "assumption: other files arrive 10 days after month end")
