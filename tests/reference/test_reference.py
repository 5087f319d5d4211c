"""Reference data: shipped copy loads completely; newer files of a kind replace that kind."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.errors import ReferenceDataError
from vrhub.home import Home
from vrhub.reference.sources import shipped_dir
from vrhub.store.analytical import connect


def _one(home: Home, sql: str) -> object:
    con = connect(home)
    try:
        row = con.execute(sql).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def test_shipped_reference_tables(wy_home: Home) -> None:
    assert _one(wy_home, "SELECT count(*) FROM ref_imd") == 32_844
    assert _one(wy_home, "SELECT count(*) FROM ref_population") == 32_844
    wy = "('E08000032','E08000033','E08000034','E08000035','E08000036')"
    assert _one(wy_home, f"SELECT count(*) FROM ref_lsoa11 WHERE district IN {wy}") == 1_388
    assert _one(wy_home, f"SELECT count(*) FROM ref_oa WHERE lad IN {wy}") == 7_131
    assert _one(wy_home, "SELECT count(*) FROM ref_lsoa WHERE district IS NULL") == 0
    # Ranks with thousands separators are read as numbers.
    assert _one(wy_home, "SELECT imd_rank FROM ref_imd WHERE lsoa11 = 'E01000001'") == 29_199
    # A 2021-only Leeds LSOA finds its district; an unchanged code maps to itself.
    assert _one(wy_home, "SELECT district FROM ref_lsoa WHERE code = 'E01033008'") == "E08000035"
    assert _one(wy_home, "SELECT lsoa21 FROM ref_lsoa WHERE code = 'E01011264'") == "E01011264"
    assert _one(wy_home, "SELECT count(*) FROM ref_sources") == 5
    assert _one(wy_home, "SELECT min(licence) FROM ref_sources") == "Open Government Licence v3.0"


def test_reference_load_from_folder_of_newer_files(wy_home: Home, tmp_path: Path) -> None:
    newer = tmp_path / "newer"
    newer.mkdir()
    src = shipped_dir() / "File_6_-_IoD2019_Population_Denominators.csv.gz"
    lines = gzip.decompress(src.read_bytes()).decode("utf-8-sig").splitlines(keepends=True)
    (newer / "population.csv").write_text("".join(lines[:101]), encoding="utf-8")
    loaded = pipeline.load_reference_data(wy_home, newer)
    origins = {s.kind: s.origin for s in loaded}
    assert origins["imd-file-6"] == str(newer) and origins["imd-file-1"] == "shipped"
    assert _one(wy_home, "SELECT count(*) FROM ref_population") == 100


def test_reference_load_refuses_unrecognised_folder(wy_home: Home, tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="no reference files recognised"):
        pipeline.load_reference_data(wy_home, tmp_path)
    shutil.rmtree(tmp_path)
