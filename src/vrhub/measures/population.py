"""The population a rate is divided by: the newest vrhub holds nearest the year measured.

vrhub holds populations of several vintages (``ref_population_estimates``, see
:mod:`vrhub.reference.population`): the IoD 2019 denominators (mid-2015, LSOA 2011, excluding
prisoners), the ONS mid-2020 estimates (LSOA 2011), Census 2021 (LSOA 2021) and any ONS
small-area workbook loaded since (LSOA 2021). For a rate, :func:`choose` takes, among the
sources holding the age band asked for in every LSOA of every district of the area, the one
whose year is nearest the year the period ends in; on a tie, the newer. A source lacking the
band (Census 2021 has no under-18 band) is passed over for that band; if none holds it, the
rate is refused with :class:`NoPopulationError`, never shown blank.

Example (runnable): measuring 2022, Census 2021 is nearer than mid-2020; a tie goes to the
newer year::

    >>> held = [Population("a", 2020, "LSOA 2011", "all", False),
    ...         Population("b", 2021, "LSOA 2021", "all", False)]
    >>> nearest(held, 2022).source, nearest(held, 2018).source
    ('b', 'a')
    >>> nearest([Population("c", 2019, "LSOA 2011", "all", False), *held], 2020).year
    2020
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from vrhub.errors import VrhubError

LSOA11, LSOA21 = "LSOA 2011", "LSOA 2021"

#: ``--per`` choices: the age band summed for the population and plain words for it.
PER: dict[str, tuple[str, str]] = {
    "everyone": ("all", "all ages"),
    "children": ("0-17", "children (under 18)"),
    "young-adults": ("18-24", "young adults (18 to 24)"),
    "under-25": ("0-24", "children and young people under 25"),
}


class NoPopulationError(VrhubError):
    """No population held gives the age band asked for in every district of the area."""


@dataclass(frozen=True)
class Population:
    """One population source, year and band: what a rate's denominator is."""

    source: str
    year: int
    geography: str
    band: str
    excludes_prisoners: bool

    def describe(self) -> str:
        """The words stated with every rate."""
        words = next((w for b, w in PER.values() if b == self.band), f"aged {self.band}")
        said = f"{self.source} ({self.geography}), {words}"
        if self.excludes_prisoners:
            said += (
                "; it excludes prisoners, so offences recorded at a prison have no matching "
                "residents in it"
            )
        return said


def band_of(per: str) -> str:
    """The age band of a ``--per`` choice, refusing an unknown one."""
    if per not in PER:
        raise NoPopulationError(f"--per '{per}' is not one of: {', '.join(PER)}")
    return PER[per][0]


def nearest(held: Iterable[Population], year: int) -> Population:
    """The population nearest ``year``; on a tie the newer; then the one estimated for that
    single year (mid-year estimates) over a census."""
    return min(held, key=lambda p: (abs(p.year - year), -p.year, "Census" in p.source))


def choose(
    backend: ibis.BaseBackend,
    districts: list[str],
    per: str,
    year: int | None,
    geography: str | None = None,
) -> Population:
    """The population for a rate over ``districts`` in ``year`` (None: the newest held).

    ``geography`` limits the choice to sources on those LSOA codes (rates by LSOA 2011 need
    populations on LSOA 2011)."""
    band = band_of(per)
    dp = backend.table("ref_district_population_estimates")
    dp = dp.filter((dp.band == band) & dp.district.isin(list(districts)) & dp.complete)
    if geography is not None:
        dp = dp.filter(dp.geography == geography)
    found = (
        dp.group_by(["source", "year", "geography", "excludes_prisoners"])
        .aggregate(n=dp.district.nunique())
        .to_pyarrow()
        .to_pylist()
    )
    held = [
        Population(r["source"], int(r["year"]), r["geography"], band, bool(r["excludes_prisoners"]))
        for r in found
        if int(r["n"]) == len(set(districts))
    ]
    if not held:
        where = f" on {geography} codes" if geography else ""
        raise NoPopulationError(
            f"no population held{where} gives {PER[per][1]} for every district of the area: "
            "load a source with that age band (vrhub reference load --from FOLDER)"
        )
    return nearest(held, year if year is not None else max(p.year for p in held))


def population_table(
    backend: ibis.BaseBackend, chosen: Population, level: str | None, districts: list[str]
) -> ir.Table:
    """The chosen population by LSOA (its own codes: choose it on the geography grouped by),
    by district, or for the whole area, as columns ``area`` and ``population``."""
    if level in ("lsoa", "lsoa11", "lsoa21"):
        est = backend.table("ref_population_estimates")
        est = est.filter(
            (est.source == chosen.source) & (est.year == chosen.year) & (est.band == chosen.band)
        )
        return est.select(area=est.lsoa, population=est.population)
    dp = backend.table("ref_district_population_estimates")
    dp = dp.filter(
        (dp.source == chosen.source)
        & (dp.year == chosen.year)
        & (dp.band == chosen.band)
        & dp.district.isin(list(districts))
    )
    if level == "district":
        return dp.select(area=dp.district, population=dp.population)
    return dp.aggregate(population=dp.population.sum()).mutate(area=ibis.literal("all"))


__all__ = [
    "PER",
    "NoPopulationError",
    "Population",
    "band_of",
    "choose",
    "nearest",
    "population_table",
]
