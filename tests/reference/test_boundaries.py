"""LSOA boundaries: the shipped ones load at init; a partnership's own load after a whole-file
check; every bad file is refused with each problem named and nothing from it loaded."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.conftest import RAW
from vrhub import pipeline
from vrhub.cli import main
from vrhub.errors import ReferenceDataError
from vrhub.home import Home
from vrhub.reference.boundaries import geometries
from vrhub.store.analytical import connect

SQUARE = [[[-1.8, 53.7], [-1.8, 53.71], [-1.79, 53.71], [-1.79, 53.7], [-1.8, 53.7]]]


def _write(path: Path, features: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(code: str, coords: object = SQUARE, kind: str = "Polygon") -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {"LSOA21CD": code},
        "geometry": {"type": kind, "coordinates": coords},
    }


def _count(home: Home, prefix: str = "E01") -> int:
    """LSOA boundaries loaded (E01; wards are E05)."""
    con = connect(home)
    try:
        [(n,)] = con.execute(
            "SELECT count(*) FROM ref_boundaries WHERE starts_with(code, ?)", [prefix]
        ).fetchall()
        return int(n)
    finally:
        con.close()


def test_shipped_boundaries_load_at_init(wy_home: Home) -> None:
    assert _count(wy_home) == 2264  # all nine West and South Yorkshire districts
    assert _count(wy_home, "E05") == 219  # and their wards
    con = connect(wy_home)
    try:
        found = geometries(con, ["E01011264", "E01010875", "E09999999"])
    finally:
        con.close()
    assert set(found) == {"E01011264", "E01010875"}
    assert found["E01011264"]["type"] in ("Polygon", "MultiPolygon")


def test_the_calderdale_file_from_the_shared_data_loads(wy_home: Home) -> None:
    source = RAW / "boundaries_calderdale" / "lsoa.geojson"
    if not source.is_file():
        source = next(p for p in pipeline.shipped_boundaries() if "calderdale" in p.name)
    [loaded] = pipeline.load_boundary_files(wy_home, [source])
    assert loaded.features == 129
    assert _count(wy_home) == 2264  # replaced, not added twice


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid GeoJSON: Expecting property name"),
        ('{"type": "Feature"}', "is not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "holds no features"),
    ],
)
def test_unreadable_files_are_refused(
    wy_home: Home, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(ReferenceDataError, match=message):
        pipeline.load_boundary_files(wy_home, [path])
    assert _count(wy_home) == 2264


def test_every_bad_feature_is_named_and_nothing_is_loaded(wy_home: Home, tmp_path: Path) -> None:
    bng = [[[421248.0, 442315.0], [421229.0, 442326.0], [421224.0, 442332.0], [421248.0, 442315.0]]]
    path = _write(
        tmp_path / "mixed.geojson",
        [
            _feature("E01900001"),  # good: not loaded, because the file has bad features
            {"type": "Feature", "properties": {"name": "x"}, "geometry": None},
            _feature("E01900002", bng),
            _feature("E01900003", [[0, 0]], "Point"),
            _feature("E01900004", [[[10.0, 40.0], [11.0, 40.0], [10.0, 41.0], [10.0, 40.0]]]),
            _feature("E01900001"),
            _feature("E01900005", "nonsense"),
        ],
    )
    with pytest.raises(ReferenceDataError) as caught:
        pipeline.load_boundary_files(wy_home, [path])
    text = str(caught.value)
    assert "mixed.geojson was not loaded (6 problems)" in text
    assert "feature 2: no LSOA or ward code" in text
    assert "feature 3 (E01900002): the coordinates look like British National Grid metres" in text
    assert "feature 4 (E01900003): the geometry is Point, not a Polygon or MultiPolygon" in text
    assert "feature 5 (E01900004): the coordinates are not longitude and latitude within" in text
    assert "feature 6 (E01900001): the LSOA appears twice in the file" in text
    assert "feature 7 (E01900005): the coordinates are not lists of" in text
    con = connect(wy_home)
    try:
        assert geometries(con, ["E01900001"]) == {}
    finally:
        con.close()


def test_gzipped_files_and_the_cli(
    wy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "extra.geojson.gz"
    with gzip.open(path, "wt") as fh:
        json.dump({"type": "FeatureCollection", "features": [_feature("E01900009")]}, fh)
    assert main(["reference", "boundaries", str(path), "--home", str(wy_home.path)]) == 0
    assert "extra.geojson.gz: 1 LSOA boundaries loaded" in capsys.readouterr().out
    missing = tmp_path / "missing.geojson"
    assert main(["reference", "boundaries", str(missing), "--home", str(wy_home.path)]) == 1
    assert "no boundary file at" in capsys.readouterr().err
