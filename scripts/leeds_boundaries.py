"""Convert the Leeds LSOA 2021 polygons (an R sf data file, British National Grid) into the
GeoJSON vrhub ships (WGS84, simplified to about 10 metres, coordinates to 5 decimal places).

Run once when the shipped boundaries are refreshed (needs the dev extra, for ``rdata``):

    .venv/bin/python scripts/leeds_boundaries.py ../shared/data/raw/leeds_intro2r4spatanal/leeds_lsoa.rda OUT.geojson.gz
"""

from __future__ import annotations

import gzip
import json
import sys
import warnings

import rdata
from pyproj import Transformer
from shapely import MultiPolygon, Polygon, transform
from shapely.geometry import mapping


def main(src: str, out: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # R classes rdata does not model (sf, crs) are fine raw
        frame = rdata.conversion.convert(rdata.parser.parse_file(src))["leeds_lsoa"]
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    features = []
    for code, name, parts in zip(frame["code"], frame["LSOA21NM"], frame["SHAPE"], strict=True):
        shape = MultiPolygon([Polygon(rings[0], rings[1:]) for rings in parts])
        shape = shape.simplify(10, preserve_topology=True)
        shape = transform(shape, lambda xy: _project(to_wgs84, xy))
        geometry = json.loads(json.dumps(mapping(shape)), parse_float=lambda v: round(float(v), 5))
        features.append(
            {
                "type": "Feature",
                "properties": {"LSOA21CD": str(code), "LSOA21NM": str(name)},
                "geometry": geometry,
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        json.dump(collection, fh, separators=(",", ":"))
    print(f"{len(features)} LSOA boundaries written to {out}")


def _project(t: Transformer, xy):  # type: ignore[no-untyped-def]
    import numpy as np

    lon, lat = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
