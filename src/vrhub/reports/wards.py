"""Wards: records placed on electoral wards, ward populations, and the night-time economy.

Councils work by ward, so the place section gives counts and rates by ward as well as by
neighbourhood (LSOA). Wards are those of the ONS LSOA 2021 → ward 2024 best-fit lookup
(``ref_lsoa_ward``): every LSOA 2021 lies in exactly one ward, so

* a ward's **population** is the sum of the populations of its LSOA 2021 (the LSOA 2021
  population vrhub holds nearest the period); None, so no rate, unless every one of its LSOAs
  has a population held;
* a **record** coded to an LSOA 2021 counts in that LSOA's ward; one coded to a 2011 LSOA counts
  in the ward of the 2021 LSOA(s) it became, where they all lie in one ward. A 2011 LSOA whose
  2021 parts lie in different wards cannot be divided, so its records are counted as "not
  placed in one ward" and said, never dropped silently (nor are records whose LSOA the lookup
  does not hold, or with no LSOA).

**Night-time economy** (NTE) violence is violence that began on a Friday or Saturday night,
20:00 to 03:59: Friday 20:00 to Saturday 03:59 is Friday night, and Saturday 20:00 to Sunday
03:59 is Saturday night. Records with no time of day are not counted as either.

Example (runnable)::

    >>> import datetime as dt
    >>> is_night_time(dt.datetime(2025, 3, 7, 23, 30))  # a Friday
    True
    >>> is_night_time(dt.datetime(2025, 3, 8, 3, 0))  # Saturday 03:00: still Friday night
    True
    >>> is_night_time(dt.datetime(2025, 3, 4, 23, 30))  # a Tuesday
    False
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from vrhub.reports.hotspots import NO_LSOA, lsoa21_population
from vrhub.store.analytical import table_exists

#: The night-time economy in words, as every output states it.
NTE_WORDS = (
    "violence that began on a Friday or Saturday night between 20:00 and 03:59 (Friday 20:00 "
    "to Saturday 03:59, and Saturday 20:00 to Sunday 03:59)"
)
#: (day of the week, hour) pairs in the night-time economy: the evening on Friday and
#: Saturday from 20:00, and the small hours of the morning after, to 03:59.
NTE_HOURS = frozenset(
    {(d, h) for d in ("Friday", "Saturday") for h in range(20, 24)}
    | {(d, h) for d in ("Saturday", "Sunday") for h in range(4)}
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def night_time(weekday: str, hour: int) -> bool:
    """Whether an event that began in this hour of this day of the week is in the NTE."""
    return (weekday, int(hour)) in NTE_HOURS


def is_night_time(when: dt.datetime) -> bool:
    """Whether an event that began at ``when`` (local time) is in the night-time economy."""
    return night_time(_DAYS[when.weekday()], when.hour)


@dataclass(frozen=True)
class Ward:
    """An electoral ward of the area (ONS 2024 wards) and its resident population."""

    code: str
    name: str
    district: str
    lsoas: tuple[str, ...]  # its LSOA 2021
    population: float | None


def wards(con: duckdb.DuckDBPyConnection, districts: Sequence[str], year: int) -> dict[str, Ward]:
    """The wards of the districts, each with the sum of its LSOA 2021 populations (the LSOA
    2021 population nearest ``year``), None where any of its LSOAs has none held."""
    if not table_exists(con, "ref_lsoa_ward"):
        return {}
    rows = con.execute(
        "SELECT ward, any_value(ward_name), any_value(district), list(DISTINCT lsoa21 "
        "ORDER BY lsoa21) FROM ref_lsoa_ward WHERE list_contains(?, district) "
        "GROUP BY ward ORDER BY ward",
        [list(districts)],
    ).fetchall()
    held = lsoa21_population(con, year)
    pops = held[0] if held else {}
    out = {}
    for code, name, district, lsoas in rows:
        each = [pops.get(str(c)) for c in lsoas]
        total = None if any(n is None for n in each) else sum(n for n in each if n is not None)
        out[str(code)] = Ward(str(code), str(name), str(district), tuple(lsoas), total)
    return out


def population_words(con: duckdb.DuckDBPyConnection, year: int) -> str | None:
    """The population the ward rates use, in words (None where no LSOA 2021 one is held)."""
    held = lsoa21_population(con, year)
    if held is None:
        return None
    return f"the {held[1].source} population ({held[1].year}) summed over each ward's LSOAs"


@dataclass
class InWards:
    """Records put on wards (counts stay tallies, so each keeps its cell key)."""

    counts: dict[str, Any]
    across: Any = 0  # 2011 LSOAs whose 2021 parts lie in different wards
    unplaced: Any = 0  # LSOA codes the lookup does not place in a ward of the area
    no_lsoa: Any = 0  # no LSOA recorded
    lsoa_ward: dict[str, str | None] = field(default_factory=dict)


def ward_of(con: duckdb.DuckDBPyConnection, districts: Sequence[str]) -> dict[str, str | None]:
    """The ward of every LSOA code (2011 or 2021) in the districts' wards: None for a 2011
    LSOA whose 2021 parts lie in more than one ward."""
    if not table_exists(con, "ref_lsoa_ward"):
        return {}
    rows = con.execute(
        """
        WITH w AS (SELECT lsoa21, ward FROM ref_lsoa_ward WHERE list_contains(?, district)),
        codes AS (
            SELECT lsoa21 AS code, ward FROM w
            UNION ALL
            SELECT m.lsoa11 AS code, w.ward FROM ref_lsoa_map m JOIN w ON w.lsoa21 = m.lsoa21
            WHERE m.lsoa11 <> m.lsoa21)
        SELECT code, CASE WHEN count(DISTINCT ward) = 1 THEN any_value(ward) END
        FROM codes GROUP BY code
        """,
        [list(districts)],
    ).fetchall()
    return {str(c): (None if w is None else str(w)) for c, w in rows}


def in_wards(
    where: Mapping[str, str | None], area: Iterable[str], counts: Iterable[tuple[Any, Any]]
) -> InWards:
    """Put counts by recorded LSOA code (either vintage) on the wards ``area``."""
    placed = InWards({w: 0 for w in area}, lsoa_ward=dict(where))
    for code, n in counts:
        text = "" if code is None else str(code).strip().upper()
        if text in {c.upper() for c in NO_LSOA}:
            placed.no_lsoa = placed.no_lsoa + n
        elif text not in where:
            placed.unplaced = placed.unplaced + n
        elif (ward := where[text]) is None:
            placed.across = placed.across + n
        elif ward in placed.counts:
            placed.counts[ward] = placed.counts[ward] + n
        else:
            placed.unplaced = placed.unplaced + n
    return placed
