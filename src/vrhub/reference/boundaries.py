"""LSOA and ward boundary polygons for maps and neighbour relations, from GeoJSON a
partnership gives.

vrhub ships LSOA 2021 and ward boundaries for the nine West and South Yorkshire districts (ONS
generalised boundaries with shared edges kept, OGL v3.0; see
``SOURCES.md``); any partnership loads its own with ``vrhub reference boundaries FILE...``.
A file must be a GeoJSON FeatureCollection in WGS84 longitude and latitude whose features are
Polygons or MultiPolygons carrying an LSOA code (``LSOA21CD``, ``LSOA11CD`` or ``code``) or a
ward code (``WD24CD`` or another ONS ward release, or ``code``; ward codes begin E05 or W05). A file
with any bad feature is refused whole, each problem named; nothing from it is loaded. The
store's migrations create ``ref_boundaries`` and ``ref_boundary_files``; this module only
changes their rows.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from vrhub.checksums import file_sha256
from vrhub.errors import ReferenceDataError
from vrhub.reference.sources import shipped_dir
from vrhub.store.analytical import table_exists, transaction

WARD_RELEASES = tuple(f"WD{y}" for y in range(25, 10, -1))
CODE_KEYS = (
    "LSOA21CD",
    "lsoa21cd",
    "LSOA11CD",
    "lsoa11cd",
    *(f"{w}CD" for w in WARD_RELEASES),
    "code",
)
NAME_KEYS = (
    "LSOA21NM",
    "lsoa21nm",
    "LSOA11NM",
    "lsoa11nm",
    *(f"{w}NM" for w in WARD_RELEASES),
    "name",
)
#: The shipped files of each level, by the start of their names.
LEVELS = {"lsoa": "lsoa21-", "ward": "ward-"}
#: Longitude and latitude bounds that hold all of England (with a margin).
LON, LAT = (-7.0, 2.5), (49.0, 56.5)
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class BoundaryFile:
    file: str
    sha256: str
    features: int
    origin: str


def shipped_boundaries(level: str | None = None) -> list[Path]:
    """The boundary files shipped inside vrhub: all, or those of one level ('lsoa', 'ward')."""
    found = sorted((shipped_dir() / "boundaries").glob("*.geojson*"))
    if level is None:
        return found
    return [p for p in found if p.name.startswith(LEVELS[level])]


def load_boundaries(
    con: duckdb.DuckDBPyConnection, paths: Iterable[Path], origin: str
) -> list[BoundaryFile]:
    """Check every file, then load them all in one transaction (a code already loaded is
    replaced by the newer polygon)."""
    parsed = [(p, _features(p)) for p in paths]
    loaded = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with transaction(con):
        for path, rows in parsed:
            codes = [r[0] for r in rows]
            con.execute("DELETE FROM ref_boundaries WHERE list_contains(?, code)", [codes])
            con.executemany(
                "INSERT INTO ref_boundaries VALUES (?, ?, ?, ?)",
                [(code, name, geometry, path.name) for code, name, geometry in rows],
            )
            digest = file_sha256(path)
            con.execute("DELETE FROM ref_boundary_files WHERE file = ?", [path.name])
            con.execute(
                "INSERT INTO ref_boundary_files VALUES (?, ?, ?, ?, ?, ?)",
                [path.name, digest, len(rows), origin, _publisher(origin), now],
            )
            loaded.append(BoundaryFile(path.name, digest, len(rows), origin))
    return loaded


def _publisher(origin: str) -> str:
    if origin == "shipped":
        return (
            "Office for National Statistics (LSOA 2021 and ward boundaries), "
            "Open Government Licence v3.0"
        )
    return "supplied by the partnership"


def _read(path: Path) -> Any:
    if not path.is_file():
        raise ReferenceDataError(f"no boundary file at {path}")
    opener: Any = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig") as fh:
            return json.load(fh)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(f"{path.name} cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReferenceDataError(
            f"{path.name} is not valid GeoJSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def _features(path: Path) -> list[tuple[str, str, str]]:
    """(code, name, geometry as GeoJSON text) for each feature, or a refusal naming problems."""
    doc = _read(path)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ReferenceDataError(
            f"{path.name} is not a GeoJSON FeatureCollection (its top-level 'type' should be "
            "'FeatureCollection')"
        )
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise ReferenceDataError(f"{path.name} holds no features")
    problems: list[str] = []
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for n, feature in enumerate(features, start=1):
        where = f"{path.name}, feature {n}"
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        code = next((str(props[k]) for k in CODE_KEYS if props.get(k)), None)
        if code is None:
            problems.append(
                f"{where}: no LSOA or ward code (a property named LSOA21CD, LSOA11CD, WD24CD "
                "(or another ward release) or code is needed)"
            )
            continue
        where = f"{path.name}, feature {n} ({code})"
        if code in seen:
            problems.append(f"{where}: the LSOA appears twice in the file")
        seen.add(code)
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        problem = _check_geometry(geometry)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        name = next((str(props[k]) for k in NAME_KEYS if props.get(k)), code)
        rows.append((code, name, json.dumps(geometry, separators=(",", ":"))))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        raise ReferenceDataError(
            f"{path.name} was not loaded ({len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''}): "
            + "; ".join(shown)
            + (f"; and {more} more" if more else "")
        )
    return rows


def _check_geometry(geometry: Any) -> str | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        return f"the geometry is {kind or 'missing'}, not a Polygon or MultiPolygon"
    try:
        polygons = (
            [geometry["coordinates"]]
            if geometry["type"] == "Polygon"
            else list(geometry["coordinates"])
        )
        points = [pt for poly in polygons for ring in poly for pt in ring]
        xs = [float(pt[0]) for pt in points]
        ys = [float(pt[1]) for pt in points]
    except (KeyError, TypeError, ValueError, IndexError):
        return "the coordinates are not lists of [longitude, latitude] pairs"
    if not points:
        return "the polygon has no coordinates"
    if max(xs) > 1000 or max(ys) > 1000:
        return (
            "the coordinates look like British National Grid metres; convert the file to "
            "WGS84 longitude and latitude (EPSG:4326) first"
        )
    if min(xs) < LON[0] or max(xs) > LON[1] or min(ys) < LAT[0] or max(ys) > LAT[1]:
        return "the coordinates are not longitude and latitude within England"
    return None


def geometries(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The loaded polygons for the given LSOA or ward codes (those without one left out)."""
    if not table_exists(con, "ref_boundaries"):  # a store opened read-only, not yet migrated
        return {}
    wanted = sorted(set(codes))
    rows = con.execute(
        "SELECT code, geometry FROM ref_boundaries WHERE list_contains(?, code) ORDER BY code",
        [wanted],
    ).fetchall()
    return {str(code): json.loads(geom) for code, geom in rows}
