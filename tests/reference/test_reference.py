"""Reference data: shipped copy loads completely; newer files of a kind replace that kind."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.errors import ReferenceDataError
from vrhub.home import Home, init_home
from vrhub.partnership import resolve_partnership
from vrhub.reference.loader import reference_loaded
from vrhub.reference.sources import shipped_dir
from vrhub.settings import load_settings
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
    assert _one(wy_home, "SELECT count(*) FROM ref_sources") == 13
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


def test_a_reload_replaces_the_rows_of_the_tables_the_store_made(
    wy_home: Home, tmp_path: Path
) -> None:
    """Loading again gives the same rows, not twice as many, in the same tables."""
    tables = [
        "ref_oa", "ref_imd", "ref_population", "ref_lad", "ref_ward", "ref_postcode",
        "ref_lsoa11", "ref_lsoa21", "ref_lsoa_map", "ref_lsoa", "ref_district_population",
        "ref_lad_codes", "ref_lad_csp", "ref_lsoa_ward",
        "ref_sources", "ref_boundaries", "ref_boundary_files",
    ]  # fmt: skip
    before = {t: _one(wy_home, f"SELECT count(*) FROM {t}") for t in tables}
    # A mark on each table survives a load only if the load kept the table itself.
    con = connect(wy_home)
    try:
        for t in tables:
            con.execute(f"COMMENT ON TABLE {t} IS 'made by the store'")
    finally:
        con.close()
    pipeline.load_reference_data(wy_home)
    assert {t: _one(wy_home, f"SELECT count(*) FROM {t}") for t in tables} == before
    kept = (
        "SELECT list(table_name ORDER BY 1) FROM duckdb_tables() "
        "WHERE comment = 'made by the store'"
    )
    assert _one(wy_home, kept) == sorted(tables)
    con = connect(wy_home)
    try:
        assert reference_loaded(con)
    finally:
        con.close()
    new, _ = init_home(load_settings(tmp_path / "new"), resolve_partnership("west-yorkshire"))
    con = connect(new)
    try:
        assert not reference_loaded(con)
    finally:
        con.close()
