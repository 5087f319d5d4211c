"""Build the LSOA 2021 boundary files vrhub ships: one gzipped GeoJSON per West and South
Yorkshire district, from the ONS generalised boundaries.

The ONS generalised polygons are kept as they are: neighbouring LSOAs share their edges vertex
for vertex, and in Leeds they give exactly the same touching (queen) neighbours as the
full-resolution boundaries. Only the coordinates are shortened, to 6 decimal places (about
0.1 m), and the script refuses to write anything if that makes a polygon invalid or if the
queen neighbours of the written polygons (shared vertices, as ``libpysal`` finds them) differ
from the pairs of source polygons that touch geometrically, across all nine districts. (The
source files for Barnsley and Sheffield are of another release and write a few vertices on
their borders with other digits: 8 true neighbour pairs across district borders that share no
identical vertex in the source do once the coordinates are rounded.) With ``--simplify
METRES`` the polygons are first simplified as one coverage (``shapely.coverage_simplify``),
which moves each shared edge once for both sides, so no neighbour is lost; the same check then
applies.

Run when the shipped boundaries are refreshed:

    .venv/bin/python scripts/ship_boundaries.py ../shared/data/raw/boundaries_wysy/lsoa \
        src/vrhub/reference/data/boundaries
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

#: The districts, by the code the ONS file is named after, and the name each file carries.
DISTRICTS = {
    "E08000016": "barnsley",
    "E08000017": "doncaster",
    "E08000018": "rotherham",
    "E08000019": "sheffield",
    "E08000032": "bradford",
    "E08000033": "calderdale",
    "E08000034": "kirklees",
    "E08000035": "leeds",
    "E08000036": "wakefield",
}
DECIMALS = 6


def read(folder: Path) -> dict[str, list[tuple[str, str, Any]]]:
    """district slug -> [(LSOA 2021 code, name, shapely geometry)] from the ONS files."""
    out: dict[str, list[tuple[str, str, Any]]] = {}
    for code, slug in DISTRICTS.items():
        doc = json.loads((folder / f"{code}.geojson").read_text(encoding="utf-8"))
        out[slug] = [
            (
                str(f["properties"]["LSOA21CD"]),
                str(f["properties"]["LSOA21NM"]),
                shape(f["geometry"]),
            )
            for f in doc["features"]
        ]
    return out


def read_all(folder: Path) -> dict[str, Any]:
    """LSOA 2021 code -> shapely geometry, every district together."""
    return {code: g for rows in read(folder).values() for code, _, g in rows}


def queen_pairs(geoms: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Every pair of areas whose boundaries share at least one point (queen contiguity)."""
    from libpysal.weights import Queen

    codes = sorted(geoms)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands are reported by the caller, not here
        w = Queen.from_iterable([geoms[c] for c in codes], ids=codes)
    return {(a, b) for a in codes for b in w.neighbors[a] if a < b}


def touching_pairs(geoms: Mapping[str, Any], within: float = 1e-9) -> set[tuple[str, str]]:
    """Every pair of areas whose polygons touch or overlap geometrically (within ``within``
    degrees, about 0.1 mm): the truth the shipped neighbours are checked against, since two
    source files may write a shared vertex with different trailing digits."""
    codes = sorted(geoms)
    shapes = [geoms[c] for c in codes]
    left, right = shapely.STRtree(shapes).query(shapes, predicate="dwithin", distance=within)
    return {(codes[a], codes[b]) for a, b in zip(left, right, strict=True) if a < b}


def simplify_coverage(geoms: Mapping[str, Any], metres: float) -> dict[str, Any]:
    """The polygons simplified together as one coverage: each edge two areas share is
    simplified once, so both keep it (tolerance in metres, worked in British National Grid)."""
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    codes = sorted(geoms)
    projected = [shapely.transform(geoms[c], lambda xy: _project(to_bng, xy)) for c in codes]
    simple = shapely.coverage_simplify(projected, metres, simplify_boundary=True)
    return {
        c: shapely.transform(g, lambda xy: _project(to_wgs, xy))
        for c, g in zip(codes, simple, strict=True)
    }


def rounded(geometry: Any, decimals: int = DECIMALS) -> dict[str, Any]:
    """The geometry as GeoJSON with coordinates to ``decimals`` places."""
    out: dict[str, Any] = json.loads(
        json.dumps(mapping(geometry)), parse_float=lambda v: round(float(v), decimals)
    )
    return out


def build(src: Path, out: Path, simplify: float | None = None) -> list[Path]:
    """Write one file per district to ``out``; refuse (SystemExit) if the written polygons
    would lose validity or change any neighbour pair."""
    districts = read(src)
    source = {code: g for rows in districts.values() for code, _, g in rows}
    geoms = simplify_coverage(source, simplify) if simplify else source
    written = {code: rounded(g) for code, g in geoms.items()}
    shipped = {code: shape(g) for code, g in written.items()}
    invalid = sorted(c for c, g in shipped.items() if not g.is_valid)
    before, after = touching_pairs(source), queen_pairs(shipped)
    if invalid or before != after:
        raise SystemExit(
            f"not written: {len(invalid)} invalid polygons ({', '.join(invalid[:5])}); "
            f"{len(before - after)} neighbour pairs lost, {len(after - before)} gained"
        )
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for slug, rows in districts.items():
        features = [
            {
                "type": "Feature",
                "properties": {"LSOA21CD": code, "LSOA21NM": name},
                "geometry": written[code],
            }
            for code, name, _ in sorted(rows)
        ]
        doc = {"type": "FeatureCollection", "features": features}
        path = out / f"lsoa21-{slug}.geojson.gz"
        # mtime=0 and no file name in the header: the same input gives the same bytes.
        with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as fh:
            fh.write(json.dumps(doc, separators=(",", ":")).encode("utf-8"))
        paths.append(path)
    print(
        f"{len(written):,} LSOA boundaries in {len(paths)} files written to {out} "
        f"({sum(p.stat().st_size for p in paths):,} bytes; {len(after):,} neighbour pairs kept)"
    )
    return paths


def _project(t: Transformer, xy: Any) -> Any:
    import numpy as np

    x, y = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="folder of the ONS <district code>.geojson files")
    parser.add_argument("out", type=Path, help="folder to write lsoa21-<district>.geojson.gz to")
    parser.add_argument(
        "--simplify",
        type=float,
        metavar="METRES",
        help="simplify as one coverage first (shared edges kept); off by default",
    )
    args = parser.parse_args(argv)
    build(args.src, args.out, args.simplify)


if __name__ == "__main__":
    main(sys.argv[1:])
