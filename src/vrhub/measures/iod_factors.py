"""What the shipped English Indices of Deprivation say about an area, without any partner data.

Two figures the partnership's own needs assessment states (seed 001, "Deprivation and the
cost-of-living crisis") and a third for crime:

* **Highly deprived on six or more of the seven domains**: LSOAs in the most deprived tenth
  of England (decile 1) on at least six of income, employment, education, health, crime,
  housing and living environment. This is the seed's definition: over IoD 2019 it gives
  exactly the seed's figures (137 in England; Leeds 13, Bradford 11, Calderdale 2, which is 26,
  19% of England's), a check ``tests/measures/test_iod_factors.py`` makes.
* **The share of people living in the most deprived fifth**: residents of LSOAs in IMD
  deciles 1 and 2 over all residents, weighted by each LSOA's population (the one vrhub holds
  nearest the IoD's year on the IoD's own LSOA codes, all ages).
* **Children in the most deprived fifth on IDACI** (IoD 2025): children aged 0 to 15 living
  in LSOAs in deciles 1 and 2 of income deprivation affecting children, over all children.
* **The crime domain**: LSOAs in its most deprived decile and the share of people living in
  its most deprived fifth. The IoD's violence indicators (violence with injury per 1,000) are
  in its File 8 of underlying indicators, which vrhub does not ship; the crime domain, built
  from them, stands in for them.

These are open reference data (counts of neighbourhoods and sums of published populations),
not partner records, so no disclosure control applies; no LSOA is named.

Example (runnable)::

    >>> a = AreaDeprivation("E08000035", lsoas=488, highly_deprived=5, most_deprived_lsoas=80,
    ...                     crime_decile_1=60, population=800_000.0,
    ...                     most_deprived_fifth=240_000.0, crime_fifth=200_000.0)
    >>> round(a.highly_deprived_share, 4), a.most_deprived_fifth_share, a.crime_fifth_share
    (0.0102, 0.3, 0.25)
    >>> domains_in_decile_1({"income": 1, "employment": 1, "crime": 3})
    2
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from vrhub.errors import ReferenceDataError
from vrhub.measures.deprivation import IOD
from vrhub.measures.population import Population, nearest

#: The seven domains of the IoD (the overall index is a weighted sum of them).
SEVEN = (
    "income",
    "employment",
    "education",
    "health",
    "crime",
    "housing",
    "living_environment",
)
#: How many of the seven domains an LSOA must be in decile 1 on to be "highly deprived".
HIGHLY = 6
#: The IoD vintages' years, for choosing the population nearest them.
IOD_YEAR = {"2025": 2022, "2019": 2015}


def domains_in_decile_1(deciles: Mapping[str, int | None]) -> int:
    """How many domains an LSOA is in the most deprived tenth of England on."""
    return sum(1 for d in SEVEN if deciles.get(d) == 1)


@dataclass(frozen=True)
class AreaDeprivation:
    """The IoD figures for one district (``code``) or the whole area (``code`` "all")."""

    code: str
    #: LSOAs of the area the IoD ranks.
    lsoas: int
    #: Of them, in decile 1 on six or more of the seven domains.
    highly_deprived: int
    #: Of them, in IMD deciles 1 and 2 (the most deprived fifth of England).
    most_deprived_lsoas: int
    #: Of them, in decile 1 of the crime domain.
    crime_decile_1: int
    #: Residents of those LSOAs (None where no population is held on the IoD's codes).
    population: float | None
    #: Residents of the LSOAs in IMD deciles 1 and 2.
    most_deprived_fifth: float | None
    #: Residents of the LSOAs in crime-domain deciles 1 and 2.
    crime_fifth: float | None
    #: Children (0 to 15) of the area and of its LSOAs in IDACI deciles 1 and 2 (IoD 2025
    #: only; None where the vintage or the population lacks them).
    children: float | None = None
    idaci_fifth: float | None = None

    @property
    def highly_deprived_share(self) -> float:
        """The share of the area's LSOAs highly deprived on six or more domains."""
        return self.highly_deprived / self.lsoas if self.lsoas else 0.0

    @property
    def most_deprived_fifth_share(self) -> float | None:
        """The share of residents living in the most deprived fifth of England."""
        if not self.population or self.most_deprived_fifth is None:
            return None
        return self.most_deprived_fifth / self.population

    @property
    def idaci_fifth_share(self) -> float | None:
        """The share of children (0 to 15) living in the fifth of England most deprived on
        income deprivation affecting children (IDACI)."""
        if not self.children or self.idaci_fifth is None:
            return None
        return self.idaci_fifth / self.children

    @property
    def crime_fifth_share(self) -> float | None:
        """The share of residents living in the fifth of England most deprived on crime."""
        if not self.population or self.crime_fifth is None:
            return None
        return self.crime_fifth / self.population


@dataclass(frozen=True)
class IodFactors:
    """The IoD figures for each district and the whole area, with what they rest on."""

    #: "IoD 2025" or "IoD 2019".
    iod: str
    #: Each district in the order asked, then the whole area ("all").
    areas: tuple[AreaDeprivation, ...]
    #: LSOAs in England highly deprived on six or more domains.
    england_highly_deprived: int
    #: The population the shares are weighted by (None where none is held).
    population: Population | None

    def area(self, code: str) -> AreaDeprivation:
        return next(a for a in self.areas if a.code == code)

    @property
    def whole(self) -> AreaDeprivation:
        return self.area("all")


def _population(con: duckdb.DuckDBPyConnection, geography: str, year: int) -> Population | None:
    held = [
        Population(str(source), int(y), geography, "all", bool(excl))
        for source, y, excl in con.execute(
            "SELECT DISTINCT source, year, excludes_prisoners FROM ref_population_estimates "
            "WHERE geography = ? AND band = 'all'",
            [geography],
        ).fetchall()
    ]
    return nearest(held, year) if held else None


def iod_factors(
    con: duckdb.DuckDBPyConnection, districts: Sequence[str], iod: str = "2025"
) -> IodFactors:
    """The figures for each district and all of them, from the IoD vintage ``iod``."""
    if iod not in IOD:
        raise ReferenceDataError(f"no IoD {iod} is held: use one of {', '.join(IOD)}")
    table, column, geography = IOD[iod]
    pop = _population(con, geography, IOD_YEAR[iod])
    chosen = [geography, pop.source if pop else "", pop.year if pop else 0]
    idaci = "i.idaci_decile" if iod == "2025" else "NULL::INTEGER"
    in_1 = " + ".join(f"(coalesce(i.{d}_decile, 0) = 1)::INTEGER" for d in SEVEN)
    rows = con.execute(
        f"""
        WITH lsoas AS (
            SELECT l.district, i.imd_decile, i.crime_decile, ({in_1}) AS domains_1,
                   p.population, c.population AS children, {idaci} AS idaci_decile
            FROM {table} i
            JOIN ref_lsoa l ON l.code = i.{column} AND l.code = l.{column}
            LEFT JOIN (SELECT lsoa, population FROM ref_population_estimates
                       WHERE geography = ? AND band = 'all' AND source = ? AND year = ?) p
                   ON p.lsoa = i.{column}
            LEFT JOIN (SELECT lsoa, population FROM ref_population_estimates
                       WHERE geography = ? AND band = '0-15' AND source = ? AND year = ?) c
                   ON c.lsoa = i.{column}
            WHERE list_contains(?, l.district)
        )
        SELECT coalesce(district, 'all'), count(*),
               count(*) FILTER (WHERE domains_1 >= {HIGHLY}),
               count(*) FILTER (WHERE imd_decile <= 2),
               count(*) FILTER (WHERE crime_decile = 1),
               count(population), sum(population),
               sum(population) FILTER (WHERE imd_decile <= 2),
               sum(population) FILTER (WHERE crime_decile <= 2),
               count(children), sum(children),
               sum(children) FILTER (WHERE idaci_decile <= 2), count(idaci_decile)
        FROM lsoas GROUP BY ROLLUP (district)
        """,
        [*chosen, *chosen, list(districts)],
    ).fetchall()
    found = {}
    for code, n, high, fifth, crime, with_pop, people, poor, crime_pop, *kids in rows:
        with_children, children, idaci, with_idaci = kids
        # Children and IDACI only where every LSOA has both (IoD 2019 holds no IDACI here).
        has_kids = n > 0 and with_children == n == with_idaci
        # A population missing for any LSOA would understate the total: none is then given.
        complete = pop is not None and n > 0 and with_pop == n
        found[str(code)] = AreaDeprivation(
            str(code),
            int(n),
            int(high),
            int(fifth),
            int(crime),
            float(people) if complete else None,
            float(poor or 0) if complete else None,
            float(crime_pop or 0) if complete else None,
            float(children) if has_kids else None,
            float(idaci or 0) if has_kids else None,
        )
    missing = [d for d in districts if d not in found]
    if missing or "all" not in found:
        raise ReferenceDataError(
            f"IoD {iod} ranks no LSOA of {', '.join(missing or districts)}: load the reference "
            "data (vrhub reference load)"
        )
    [(england,)] = con.execute(
        f"SELECT count(*) FROM {table} WHERE "
        + " + ".join(f"(coalesce({d}_decile, 0) = 1)::INTEGER" for d in SEVEN)
        + f" >= {HIGHLY}"
    ).fetchall()
    return IodFactors(
        f"IoD {iod}",
        tuple(found[d] for d in [*districts, "all"]),
        int(england),
        pop,
    )


__all__ = [
    "HIGHLY",
    "SEVEN",
    "AreaDeprivation",
    "IodFactors",
    "domains_in_decile_1",
    "iod_factors",
]
