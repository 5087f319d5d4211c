"""The shipped LSOA 2021 boundaries: all nine West and South Yorkshire districts, made by
``scripts/ship_boundaries.py``, with the same touching neighbours as the full-resolution
boundaries (so Gi* hotspots see every true neighbour)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from tests.conftest import RAW
from vrhub.reference.boundaries import shipped_boundaries

ROOT = Path(__file__).resolve().parents[2]
ONS = RAW / "boundaries_wysy" / "lsoa"
LEEDS_FULL = RAW / "leeds_intro2r4spatanal" / "leeds_lsoa.rda"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ship_boundaries", ROOT / "scripts" / "ship_boundaries.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ship_boundaries"] = module
    spec.loader.exec_module(module)
    return module


def _shipped() -> dict[str, dict[str, Any]]:
    """file name -> {LSOA code: geometry}"""
    out = {}
    for path in shipped_boundaries("lsoa"):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
        out[path.name] = {
            f["properties"]["LSOA21CD"]: shape(f["geometry"]) for f in doc["features"]
        }
    return out


def test_every_district_ships_once_and_the_files_stay_small() -> None:
    files = _shipped()
    assert len(files) == 9
    codes = [c for polygons in files.values() for c in polygons]
    assert len(codes) == len(set(codes)) == 2264
    assert len(files["lsoa21-leeds.geojson.gz"]) == 488
    assert len(files["lsoa21-sheffield.geojson.gz"]) == 343
    assert sum(p.stat().st_size for p in shipped_boundaries("lsoa")) < 4_000_000
    assert all(g.is_valid for polygons in files.values() for g in polygons.values())


@pytest.mark.skipif(not LEEDS_FULL.is_file(), reason="needs the shared raw data")
def test_leeds_neighbours_equal_those_of_the_full_resolution_boundaries() -> None:
    import rdata

    script = _script()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # R classes rdata does not model (sf, crs)
        frame = rdata.conversion.convert(rdata.parser.parse_file(LEEDS_FULL))["leeds_lsoa"]
    # Queen contiguity does not depend on the projection: British National Grid is fine.
    full = {
        str(code): MultiPolygon([Polygon(rings[0], rings[1:]) for rings in parts])
        for code, parts in zip(frame["code"], frame["SHAPE"], strict=True)
    }
    shipped = _shipped()["lsoa21-leeds.geojson.gz"]
    assert set(full) == set(shipped)
    truth, ours = script.queen_pairs(full), script.queen_pairs(shipped)
    assert len(truth) == 1399
    assert ours == truth
    # Every neighbourhood keeps every true neighbour (the old shipped file lost them in 229).
    assert not {c for pair in truth - ours for c in pair}


@pytest.mark.skipif(not ONS.is_dir(), reason="needs the shared raw data")
def test_the_script_rebuilds_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    paths = _script().build(ONS, tmp_path / "out")
    shipped = {p.name: p.read_bytes() for p in shipped_boundaries("lsoa")}
    assert {p.name: p.read_bytes() for p in paths} == shipped


@pytest.mark.skipif(not ONS.is_dir(), reason="needs the shared raw data")
def test_neighbours_across_district_borders_are_kept() -> None:
    script = _script()
    files = _shipped()
    everything = {c: g for polygons in files.values() for c, g in polygons.items()}
    pairs = script.queen_pairs(everything)
    district = {c: name for name, polygons in files.items() for c in polygons}
    across = {(a, b) for a, b in pairs if district[a] != district[b]}
    assert across  # e.g. Leeds with Bradford, Wakefield with Barnsley
    # The truth: source polygons that touch, whatever digits each file wrote.
    assert pairs == script.touching_pairs(script.read_all(ONS))


def test_coverage_simplification_keeps_a_neighbour_that_one_by_one_simplification_loses() -> None:
    # A field with a house on its top edge: the field's corners where the house stands, (4, 10)
    # and (6, 10), lie on a straight line, so simplifying the field alone drops them and the
    # two no longer share a vertex; simplified as one coverage, they are nodes and stay.
    field = Polygon([(0, 0), (10, 0), (10, 10), (6, 10), (4, 10), (0, 10)])
    house = Polygon([(4, 10), (6, 10), (6, 12), (4, 12)])
    pairs = _script().queen_pairs
    assert pairs({"field": field, "house": house}) == {("field", "house")}
    alone = {"field": field.simplify(0.5), "house": house.simplify(0.5)}
    assert shapely.get_num_coordinates(alone["field"]) == 5
    assert pairs(alone) == set()
    together = shapely.coverage_simplify([field, house], 0.5)
    assert pairs({"field": together[0], "house": together[1]}) == {("field", "house")}


WARDS = RAW / "boundaries_wysy" / "ward"


def _wards() -> dict[str, dict[str, tuple[str, Any]]]:
    """file name -> {ward code: (name, geometry)}"""
    out = {}
    for path in shipped_boundaries("ward"):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
        out[path.name] = {
            f["properties"]["code"]: (f["properties"]["name"], shape(f["geometry"]))
            for f in doc["features"]
        }
    return out


def test_ward_boundaries_ship_for_every_district_and_match_the_lookup() -> None:
    import csv

    files = _wards()
    assert len(files) == 9
    codes = [c for wards in files.values() for c in wards]
    assert len(codes) == len(set(codes)) == 219
    assert len(files["ward-leeds.geojson.gz"]) == 33
    assert sum(p.stat().st_size for p in shipped_boundaries("ward")) < 500_000
    assert all(g.is_valid for wards in files.values() for _, g in wards.values())
    lookup = ROOT / "src" / "vrhub" / "reference" / "data" / "lookups"
    with gzip.open(lookup / "lsoa21_wd24_lad24_ew.csv.gz", "rt", encoding="utf-8-sig") as fh:
        names = {r["WD24CD"]: r["WD24NM"] for r in csv.DictReader(fh)}
    # Every shipped ward is a ward of the lookup, under the same name.
    assert {c: n for wards in files.values() for c, (n, _) in wards.items()} == {
        c: names[c] for c in codes
    }


@pytest.mark.skipif(not WARDS.is_dir(), reason="needs the shared raw data")
def test_the_script_rebuilds_the_shipped_ward_files_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "data" / "boundaries"
    (tmp_path / "data" / "lookups").mkdir(parents=True)
    lookup = ROOT / "src" / "vrhub" / "reference" / "data" / "lookups"
    name = "lsoa21_wd24_lad24_ew.csv.gz"
    (tmp_path / "data" / "lookups" / name).write_bytes((lookup / name).read_bytes())
    paths = _script().build(WARDS, out, level="ward")
    shipped = {p.name: p.read_bytes() for p in shipped_boundaries("ward")}
    assert {p.name: p.read_bytes() for p in paths} == shipped
