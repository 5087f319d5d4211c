"""Shipped populations equal the raw R data files; the ONS small-area population workbook
loads as LSOA 2021 populations (and a bad one is refused in one line naming where)."""

from __future__ import annotations

import warnings
from pathlib import Path

import ibis
import pytest

from tests.conftest import RAW
from vrhub import pipeline
from vrhub.errors import ReferenceDataError
from vrhub.home import Home
from vrhub.measures.population import choose
from vrhub.reference.population import read_sape
from vrhub.store.analytical import connect

LEEDS = "E08000035"
WY = ("E08000032", "E08000033", "E08000034", "E08000035", "E08000036")


def _raw(name: str) -> object:
    rdata = pytest.importorskip("rdata")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [frame] = rdata.read_rda(RAW / "population" / name).values()
    return frame


def _query(home: Home, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = connect(home)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.mark.skipif(not (RAW / "population").is_dir(), reason="raw population files not here")
def test_shipped_populations_equal_the_raw_files(wy_home: Home) -> None:
    mid = _raw("population20_lsoa11.rda")
    census = _raw("census21_pop.rda")
    got = dict(
        _query(
            wy_home,
            "SELECT year, sum(population) FROM ref_population_estimates "
            "WHERE band = 'all' AND year IN (2020, 2021) GROUP BY 1",
        )
    )
    assert got[2020] == int(mid["total_population"].sum())  # type: ignore[index]
    assert got[2021] == int(census["usual_residents"].sum())  # type: ignore[index]
    leeds = dict(
        _query(
            wy_home,
            "SELECT year, population FROM ref_district_population_estimates "
            "WHERE district = ? AND band = 'all'",
            [LEEDS],
        )
    )
    # Leeds: SOURCES.md's figures for mid-2020 and Census 2021; IoD 2019 File 6 for mid-2015.
    assert leeds == {2015: 771_857, 2020: 798_786, 2021: 811_960}
    # Every age band of mid-2020 sums from single years; 0-17 and 18-24 make 0-24.
    [(bad,)] = _query(
        wy_home,
        """SELECT count(*) FROM (
             PIVOT (SELECT lsoa, band, population FROM ref_population_estimates
                    WHERE year = 2020) ON band USING sum(population))
           WHERE "0-17" + "18-24" <> "0-24" OR "0-15" + "16-24" <> "0-24"
              OR "0-24" + "25-34" + "35-49" + "50-64" + "65+" <> "all" """,
    )
    assert bad == 0


def _write_sape(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Contents").write(0, 0, "Contents")
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    wb.close()
    return path


HEADER = [
    "LAD 2021 Code",
    "LAD 2021 Name",
    "LSOA 2021 Code",
    "LSOA 2021 Name",
    "Total",
    *(f"F{a}" for a in range(91)),
    *(f"M{a}" for a in range(91)),
]


def _sheet(codes: list[str], per_age: int, title: str) -> list[list[object]]:
    """The ONS layout: title rows, a blank row, the header, then one row per LSOA with
    ``per_age`` females and as many males of every single year of age."""
    rows: list[list[object]] = [[title], ["Source: Office for National Statistics"], []]
    rows.append(list(HEADER))
    for code in codes:
        rows.append([LEEDS, "Leeds", code, f"Leeds {code}", per_age * 182, *[per_age] * 182])
    return rows


def test_sape_workbook_loads_and_the_newer_year_is_used(wy_home: Home, tmp_path: Path) -> None:
    codes = [
        c
        for (c,) in _query(
            wy_home,
            "SELECT code FROM ref_lsoa WHERE lsoa21 = code AND district IN (SELECT unnest(?))",
            [list(WY)],
        )
    ]
    folder = tmp_path / "sape"
    folder.mkdir()
    _write_sape(
        folder / "sapelsoasyoa20222024.xlsx",
        {
            "Mid-2023 LSOA 2021": _sheet(codes, 1, "Mid-2023 population estimates"),
            "Mid-2024 LSOA 2021": _sheet(codes, 2, "Mid-2024 population estimates"),
        },
    )
    loaded = pipeline.load_reference_data(wy_home, folder)
    assert [s.origin for s in loaded if s.kind == "population-sape"] == [str(folder)]
    leeds_lsoas = len(
        _query(wy_home, "SELECT 1 FROM ref_lsoa WHERE lsoa21 = code AND district = ?", [LEEDS])
    )
    by_year = dict(
        _query(
            wy_home,
            "SELECT year, population FROM ref_district_population_estimates "
            "WHERE district = ? AND band = '0-17' AND geography = 'LSOA 2021'",
            [LEEDS],
        )
    )
    # 18 ages x (F + M) per LSOA.
    assert by_year == {2023: leeds_lsoas * 36, 2024: leeds_lsoas * 72}

    con = connect(wy_home)
    try:
        backend = ibis.duckdb.from_connection(con)
        assert choose(backend, list(WY), "children", 2024).source == (
            "ONS mid-2024 small-area population estimates"
        )
        assert choose(backend, list(WY), "everyone", 2022).year == 2023  # tie 2021/2023: newer
        assert choose(backend, list(WY), "everyone", 2019).year == 2020
    finally:
        con.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[3].pop(), r"sheet 'Mid-2024 LSOA 2021', row 4: missing column\(s\) M90"),
        (
            lambda rows: rows[4].__setitem__(10, "n/a"),
            r"row 5, column 'F5': 'n/a' is not a count of people",
        ),
        (
            lambda rows: rows[4].__setitem__(4, 999),
            r"row 5: the ages F0..F90 and M0..M90 sum to 182, not the Total 999",
        ),
        (
            lambda rows: rows[5].__setitem__(2, "Leeds 001A"),
            r"row 6, column 'LSOA 2021 Code': 'Leeds 001A' is not an LSOA 2021 code",
        ),
        (lambda rows: rows.__delitem__(3), r"no header row starting 'LAD 2021 Code'"),
    ],
)
def test_bad_sape_workbook_is_one_line_naming_where(
    tmp_path: Path, change: object, message: str
) -> None:
    rows = _sheet(["E01033008", "E01035050"], 1, "Mid-2024")
    change(rows)  # type: ignore[operator]
    path = _write_sape(tmp_path / "bad.xlsx", {"Mid-2024 LSOA 2021": rows})
    with pytest.raises(ReferenceDataError, match=message) as caught:
        read_sape(path)
    assert "\n" not in str(caught.value) and "bad.xlsx" in str(caught.value)


def test_bad_sape_workbook_leaves_the_store_as_it_was(wy_home: Home, tmp_path: Path) -> None:
    rows = _sheet(["E01033008"], 1, "Mid-2024")
    rows[4][4] = 5
    folder = tmp_path / "bad"
    folder.mkdir()
    _write_sape(folder / "bad.xlsx", {"Mid-2024 LSOA 2021": rows})
    before = _query(wy_home, "SELECT count(*) FROM ref_population_estimates")
    with pytest.raises(ReferenceDataError, match="not the Total 5"):
        pipeline.load_reference_data(wy_home, folder)
    assert _query(wy_home, "SELECT count(*) FROM ref_population_estimates") == before
    assert _query(wy_home, "SELECT count(*) FROM ref_population_estimates WHERE year = 2024") == [
        (0,)
    ]


def test_a_damaged_workbook_is_one_line(wy_home: Home, tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / "sape.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    with pytest.raises(ReferenceDataError, match=r"sape.xlsx cannot be read as a workbook"):
        pipeline.load_reference_data(wy_home, folder)
