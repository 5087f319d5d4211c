"""The built-in measures, registered like any deployment's own."""

from __future__ import annotations

from vrhub.measures.registry import register
from vrhub.measures.spec import Measure, everything

CRIME_RATE = register(
    Measure(
        name="crime-rate",
        version="1",
        title="Recorded crime rate",
        description=(
            "Records of any dataset, narrowed by --filter, per 1,000 residents of the area "
            "they fall in."
        ),
        numerator="records in the partnership's area in the period, after any --filter",
        denominator="resident population (IoD 2019 denominators, mid-2015, all ages)",
        per=1000,
        caveats=(
            "Records with no location cannot be placed in an area and are left out of rates; "
            "the result says how many.",
            "The population is the mid-2015 estimate shipped with the reference data.",
        ),
        select=everything,
    )
)
