"""Hotspot neighbourhoods by the Getis-Ord Gi* statistic, with a false-discovery-rate correction.

Neighbours are LSOAs whose boundaries touch (queen contiguity, from the loaded boundary
polygons); Gi* includes each LSOA in its own neighbourhood, with binary weights. Each LSOA's
z-score gives a two-sided p-value under the normal approximation, and the Benjamini-Hochberg
procedure (``esda.fdr``) sets the threshold that keeps the expected share of false hotspots
at 5%. A hotspot is an LSOA whose z-score is positive and whose p-value is under that threshold.

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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import norm
from shapely.geometry import shape

ALPHA = 0.05


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
