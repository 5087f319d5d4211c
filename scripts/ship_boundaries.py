"""Build the LSOA 2021 and ward boundary files vrhub ships: one gzipped GeoJSON per West and
South Yorkshire district and level, from the ONS generalised boundaries.

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

Wards (``--level ward``) are written the same way, each feature carrying ``code`` and
``name`` (the ONS files of the nine districts are of two releases, WD22 and WD25, whose codes
for these districts are the WD24 codes of the LSOA → ward lookup vrhub ships; the script
refuses to write a ward the lookup does not hold for a district it covers). Wards are only
drawn, never used as neighbours, and the two releases share no vertex on district borders, so
for wards the neighbour check covers the pairs within each district.

Run when the shipped boundaries are refreshed:

    .venv/bin/python scripts/ship_boundaries.py ../shared/data/raw/boundaries_wysy/lsoa \
        src/vrhub/reference/data/boundaries
    .venv/bin/python scripts/ship_boundaries.py ../shared/data/raw/boundaries_wysy/ward \
        src/vrhub/reference/data/boundaries --level ward
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
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
#: The code and name properties of a level: LSOA21CD, or any ward release (WD22CD, WD25CD...).
PROPERTIES = {"lsoa": re.compile(r"^LSOA21(CD|NM)$"), "ward": re.compile(r"^WD\d\d(CD|NM)$")}
#: The file each level's shipped files are named after.
PREFIX = {"lsoa": "lsoa21", "ward": "ward"}


def _property(props: Mapping[str, Any], level: str, kind: str) -> str:
    key = next(k for k in props if PROPERTIES[level].match(k) and k.endswith(kind))
    return str(props[key])


def read(folder: Path, level: str = "lsoa") -> dict[str, list[tuple[str, str, Any]]]:
    """district slug -> [(area code, name, shapely geometry)] from the ONS files."""
    out: dict[str, list[tuple[str, str, Any]]] = {}
    for code, slug in DISTRICTS.items():
        doc = json.loads((folder / f"{code}.geojson").read_text(encoding="utf-8"))
        out[slug] = [
            (
                _property(f["properties"], level, "CD"),
                _property(f["properties"], level, "NM"),
                shape(f["geometry"]),
            )
            for f in doc["features"]
        ]
    return out


def read_all(folder: Path, level: str = "lsoa") -> dict[str, Any]:
    """Area code -> shapely geometry, every district together."""
    return {code: g for rows in read(folder, level).values() for code, _, g in rows}


def lookup_wards(lookup: Path) -> set[str]:
    """The ward codes the shipped LSOA 2021 → ward lookup gives for the nine districts."""
    import csv

    with gzip.open(lookup, "rt", encoding="utf-8-sig") as fh:
        return {row["WD24CD"] for row in csv.DictReader(fh) if row["LAD24CD"] in DISTRICTS}


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


def build(src: Path, out: Path, simplify: float | None = None, level: str = "lsoa") -> list[Path]:
    """Write one file per district to ``out``; refuse (SystemExit) if the written polygons
    would lose validity or change any neighbour pair (or, for wards, name a ward the shipped
    lookup does not hold)."""
    districts = read(src, level)
    if level == "ward":
        held = lookup_wards(out.parent / "lookups" / "lsoa21_wd24_lad24_ew.csv.gz")
        unknown = sorted(c for rows in districts.values() for c, _, _ in rows if c not in held)
        if unknown:
            raise SystemExit(f"not written: wards not in the lookup: {', '.join(unknown)}")
    source = {code: g for rows in districts.values() for code, _, g in rows}
    geoms = simplify_coverage(source, simplify) if simplify else source
    written = {code: rounded(g) for code, g in geoms.items()}
    shipped = {code: shape(g) for code, g in written.items()}
    invalid = sorted(c for c, g in shipped.items() if not g.is_valid)
    before, after = touching_pairs(source), queen_pairs(shipped)
    if level == "ward":
        # Wards are drawn, never used as neighbours; the ward files of the two ONS releases
        # (Barnsley and Sheffield WD22, the rest WD25) share no vertex on district borders.
        home = {code: slug for slug, rows in districts.items() for code, _, _ in rows}
        before = {(a, b) for a, b in before if home[a] == home[b]}
        after = {(a, b) for a, b in after if home[a] == home[b]}
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
                "properties": (
                    {"LSOA21CD": code, "LSOA21NM": name}
                    if level == "lsoa"
                    else {"code": code, "name": name}
                ),
                "geometry": written[code],
            }
            for code, name, _ in sorted(rows)
        ]
        doc = {"type": "FeatureCollection", "features": features}
        path = out / f"{PREFIX[level]}-{slug}.geojson.gz"
        # mtime=0 and no file name in the header: the same input gives the same bytes.
        with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as fh:
            fh.write(json.dumps(doc, separators=(",", ":")).encode("utf-8"))
        paths.append(path)
    print(
        f"{len(written):,} {level} boundaries in {len(paths)} files written to {out} "
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
    parser.add_argument("out", type=Path, help="folder to write <level>-<district>.geojson.gz to")
    parser.add_argument("--level", choices=sorted(PROPERTIES), default="lsoa")
    parser.add_argument(
        "--simplify",
        type=float,
        metavar="METRES",
        help="simplify as one coverage first (shared edges kept); off by default",
    )
    args = parser.parse_args(argv)
    build(args.src, args.out, args.simplify, args.level)


if __name__ == "__main__":
    main(sys.argv[1:])
