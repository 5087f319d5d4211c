"""Hotspot neighbourhoods by the Getis-Ord Gi* statistic, with a false-discovery-rate correction.

Neighbours are LSOAs whose boundaries touch (queen contiguity, from the loaded boundary
polygons); Gi* includes each LSOA in its own neighbourhood, with binary weights. Each LSOA's
z-score gives a two-sided p-value under the normal approximation, and the Benjamini-Hochberg
procedure (``esda.fdr``) sets the threshold that keeps the expected share of false hotspots
at 5%. A hotspot is an LSOA whose z-score is positive and whose p-value is under that threshold.

The areas are LSOA 2021, with the shipped (or loaded) boundaries, and records coded to either
vintage are put on them through the official lookup (``ref_lsoa``): a 2021 area formed by a
merger gets every record of the 2011 areas it was made from, never a false 0. A 2011 LSOA that
split in 2021 cannot be divided on the 2011 populations, so it is kept whole: records coded to
it or to any of its 2021 parts count for it, drawn as the union of those parts. Records whose
LSOA is not in the lookup are counted and said, never dropped silently (see :func:`place`).

Methods: Getis and Ord (1992) and Ord and Getis (1995), *Geographical Analysis*; Benjamini and
Hochberg (1995), *JRSS B*; computed with PySAL ``esda.G_Local`` (star=True).

Example (runnable)::

    >>> squares = {f"E0{i}{j}": {"type": "Polygon", "coordinates": [[[i, j], [i + 1, j],
    ...            [i + 1, j + 1], [i, j + 1], [i, j]]]} for i in range(5) for j in range(5)}
    >>> rates = {code: (50.0 if code in ("E000", "E001", "E010", "E011") else 1.0)
    ...          for code in squares}
    >>> [h.code for h in getis_ord(squares, rates) if h.hotspot]
    ['E000', 'E001', 'E010', 'E011']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import shapely
from scipy.stats import norm
from shapely.geometry import mapping, shape

from vrhub.measures.population import LSOA21, Population, nearest
from vrhub.store.analytical import table_exists

ALPHA = 0.05
#: How a record with no LSOA shows in a breakdown.
NO_LSOA = ("", "None", "unknown")


@dataclass(frozen=True)
class GiStar:
    code: str
    z: float
    p: float
    hotspot: bool


def getis_ord(
    geometries: Mapping[str, Mapping[str, Any]], values: Mapping[str, float], alpha: float = ALPHA
) -> list[GiStar]:
    """Gi* for every area with both a polygon and a value (sorted by code)."""
    import esda
    from libpysal.weights import Queen

    codes = sorted(c for c in geometries if c in values)
    if len(codes) < 3:
        return []
    shapes = [shape(geometries[c]) for c in codes]
    y = np.array([float(values[c]) for c in codes])
    if float(y.std()) == 0.0:
        return [GiStar(c, 0.0, 1.0, False) for c in codes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands (LSOAs with no touching neighbour) are fine
        w = Queen.from_iterable(shapes, ids=codes)
        g = esda.G_Local(y, w, transform="B", permutations=0, star=True)
    z = np.asarray(g.Zs, dtype=float)
    p = 2 * norm.sf(np.abs(z))
    threshold = float(esda.fdr(p, alpha))
    return [
        GiStar(c, float(zi), float(pi), bool(zi > 0 and pi <= threshold))
        for c, zi, pi in zip(codes, z, p, strict=True)
    ]


@dataclass(frozen=True)
class Area:
    """One area of the hotspot analysis: an LSOA 2021, or a 2011 LSOA that split in 2021
    (its ``parts`` are then the 2021 LSOAs it became)."""

    code: str
    name: str
    district: str
    population: float | None
    parts: tuple[str, ...]
    #: The 2011 LSOAs it is made of (for boundaries a partnership loads on LSOA 2011).
    made_of: tuple[str, ...] = ()


@dataclass
class Placed:
    """Records put on the analysis areas (counts stay tallies: exact, with their cell keys)."""

    areas: dict[str, Area]
    counts: dict[str, int] = field(default_factory=dict)
    split: int = 0  # records in 2011 LSOAs that split in 2021 (analysed on the 2011 area)
    unplaced: int = 0  # records whose LSOA code is not in the lookup for the area
    no_lsoa: int = 0  # records with no LSOA recorded


def lsoa21_population(
    con: duckdb.DuckDBPyConnection, year: int | None
) -> tuple[dict[str, float], Population] | None:
    """All-age populations by LSOA 2021 from the source nearest ``year`` (None: the newest),
    or None where no LSOA 2021 population is held."""
    if not table_exists(con, "ref_population_estimates"):
        return None
    held = [
        Population(str(source), int(y), LSOA21, "all", bool(excl))
        for source, y, excl in con.execute(
            "SELECT DISTINCT source, year, excludes_prisoners FROM ref_population_estimates "
            "WHERE geography = ? AND band = 'all'",
            [LSOA21],
        ).fetchall()
    ]
    if not held:
        return None
    chosen = nearest(held, year if year is not None else max(p.year for p in held))
    rows = con.execute(
        "SELECT lsoa, population FROM ref_population_estimates "
        "WHERE geography = ? AND band = 'all' AND year = ? AND source = ?",
        [LSOA21, chosen.year, chosen.source],
    ).fetchall()
    return {str(c): float(n) for c, n in rows}, chosen


def analysis_areas(
    con: duckdb.DuckDBPyConnection, districts: Sequence[str], year: int | None = None
) -> dict[str, Area]:
    """The areas of the given districts the hotspot analysis works on, with their populations:
    from the LSOA 2021 population nearest ``year`` where one is held (a 2011 LSOA that split
    has its parts' together), else the mid-2015 denominators summed over the 2011 LSOAs each
    area is made of; None where none is held."""
    old = con.execute(
        "SELECT code, name, district, lsoa21 FROM ref_lsoa WHERE code = lsoa11 "
        "AND list_contains(?, district)",
        [list(districts)],
    ).fetchall()
    new = con.execute(
        "SELECT code, name, district, lsoa11 FROM ref_lsoa WHERE code = lsoa21 "
        "AND list_contains(?, district)",
        [list(districts)],
    ).fetchall()
    pops = dict(
        con.execute(
            "SELECT lsoa11, sum(total) FROM ref_population WHERE list_contains(?, lsoa11) "
            "GROUP BY 1",
            [[r[0] for r in old]],
        ).fetchall()
    )
    newer = lsoa21_population(con, year)
    split = {str(r[0]): r for r in old if r[3] is None}
    parts: dict[str, list[str]] = {code: [] for code in split}
    made: dict[str, list[str]] = {}
    for r in old:
        if r[3] is not None:
            made.setdefault(str(r[3]), []).append(str(r[0]))
    areas: dict[str, Area] = {}
    for code, name, district, lsoa11 in new:
        if lsoa11 in split:
            parts[lsoa11].append(str(code))
            continue
        made_of = made.get(str(code), [])
        held = [float(pops[c]) for c in made_of if pops.get(c) is not None]
        population = sum(held) if held and len(held) == len(made_of) else None
        if newer is not None:
            population = newer[0].get(str(code))
        areas[str(code)] = Area(
            str(code), str(name), str(district), population, (str(code),), tuple(sorted(made_of))
        )
    for code, (_, name, district, _) in split.items():
        population = None if pops.get(code) is None else float(pops[code])
        if newer is not None:
            in_parts = [newer[0].get(p) for p in parts[code]]
            whole = parts[code] and all(n is not None for n in in_parts)
            population = sum(n for n in in_parts if n is not None) if whole else None
        areas[code] = Area(
            code, str(name), str(district), population, tuple(sorted(parts[code])), (code,)
        )
    return dict(sorted(areas.items()))


def place(
    con: duckdb.DuckDBPyConnection, areas: Mapping[str, Area], counts: Iterable[tuple[Any, int]]
) -> Placed:
    """Put counts by recorded LSOA code (2011 or 2021) on the analysis areas."""
    where: dict[str, str] = {}
    for a in areas.values():
        where[a.code] = a.code
        for part in a.parts:
            where[part] = a.code
    # 2011 LSOAs merged (or unchanged but recoded) into a 2021 area.
    rows = con.execute(
        "SELECT code, lsoa21 FROM ref_lsoa WHERE code = lsoa11 AND lsoa21 IS NOT NULL "
        "AND list_contains(?, lsoa21)",
        [list(areas)],
    ).fetchall()
    where.update({str(c): str(a) for c, a in rows if str(a) in areas})
    placed = Placed(dict(areas), {code: 0 for code in areas})
    for code, n in counts:
        text = "" if code is None else str(code).strip()
        # Sums of tallies stay tallies, so each figure can be published with its cell key.
        if text in NO_LSOA:
            placed.no_lsoa = placed.no_lsoa + n
        elif text in where:
            target = where[text]
            placed.counts[target] = placed.counts[target] + n
            if not areas[target].parts:  # no 2021 area of its own: cannot be drawn
                placed.unplaced = placed.unplaced + n
            elif areas[target].parts != (target,):
                placed.split = placed.split + n
        else:
            placed.unplaced = placed.unplaced + n
    return placed


def rates_per_1000(
    counts: Mapping[str, int], populations: Mapping[str, float | None]
) -> dict[str, float]:
    """Rates per 1,000 residents from exact counts, for the areas with a population held."""
    return {c: 1000 * int(n) / pop for c, n in counts.items() if (pop := populations.get(c))}


def outline(polygons: Mapping[str, Mapping[str, Any]], area: Area) -> dict[str, Any] | None:
    """The area's polygon as GeoJSON: its 2021 parts together or, where a partnership loaded
    LSOA 2011 boundaries instead, the 2011 areas it is made of together (None unless every
    piece of one of them has a polygon)."""
    for pieces in (area.parts, area.made_of):
        if not pieces or any(p not in polygons for p in pieces):
            continue
        if len(pieces) == 1:
            return dict(polygons[pieces[0]])
        out: dict[str, Any] = mapping(
            shapely.coverage_union_all([shape(polygons[p]) for p in pieces])
        )
        return out
    return None
