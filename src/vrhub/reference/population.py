"""Populations by age band of every vintage vrhub holds, and the ONS small-area workbook.

``ref_population_estimates`` holds one row per LSOA, year and age band, with the LSOA
geography its codes belong to, its source, and whether it leaves prisoners out. The shipped
sources are the IoD 2019 denominators (mid-2015, LSOA 2011, excluding prisoners; also kept in
``ref_population``), the ONS mid-2020 estimates by single year of age (LSOA 2011) and Census
2021 usual residents (LSOA 2021). ``vrhub reference load --from FOLDER`` also reads the ONS
small-area population estimates workbook (``sapelsoasyoa*.xlsx``): every sheet named
"Mid-YYYY LSOA 2021" becomes that year's LSOA 2021 populations. ``ref_district_population_
estimates`` sums each to district through ``ref_lsoa``.

Age bands are named by their first and last age ("0-17", "18-24"; "60+" for 60 and over,
"all" for every age). A source holds only the bands it can give exactly: Census 2021 counts
ages 16 to 24 together, so it has no "0-17" or "18-24".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from vrhub.checksums import file_sha256
from vrhub.errors import ReferenceDataError
from vrhub.reference.imd2025 import IOD2025_FILE, load_imd2025
from vrhub.reference.sources import OGL, shipped_dir
from vrhub.store.analytical import replace_rows

ONS = "Office for National Statistics"
LSOA11, LSOA21 = "LSOA 2011", "LSOA 2021"

#: Age bands summed from single years of age: name → (first age, last age; None for "and over").
BANDS: dict[str, tuple[int, int | None]] = {
    "0-15": (0, 15),
    "0-17": (0, 17),
    "0-24": (0, 24),
    "10-17": (10, 17),
    "16-24": (16, 24),
    "16-59": (16, 59),
    "18-24": (18, 24),
    "25-34": (25, 34),
    "35-49": (35, 49),
    "50-64": (50, 64),
    "60+": (60, None),
    "65+": (65, None),
}
OLDEST = 90  # single-year workbooks end at "90 and over"


@dataclass(frozen=True)
class PopulationFile:
    """A shipped population file: wide CSV, an LSOA code column then one column per band."""

    kind: str
    file: str
    code_column: str
    geography: str
    year: int
    source: str
    description: str


SHIPPED: tuple[PopulationFile, ...] = (
    PopulationFile(
        "population-mid2020",
        "ons_mid2020_population_lsoa11.csv.gz",
        "lsoa11_code",
        LSOA11,
        2020,
        "ONS mid-2020 small-area population estimates",
        "ONS mid-2020 population by single year of age on LSOA 2011, summed into age bands",
    ),
    PopulationFile(
        "population-census2021",
        "census2021_population_lsoa21.csv.gz",
        "lsoa21_code",
        LSOA21,
        2021,
        "Census 2021 usual residents",
        "Census 2021 usual residents by age band on LSOA 2021",
    ),
)

SAPE_SHEET = re.compile(r"^\s*Mid-(\d{4})\s+LSOA\s+2021\s*$", re.IGNORECASE)
SAPE_HEAD = ("LAD 2021 Code", "LAD 2021 Name", "LSOA 2021 Code", "LSOA 2021 Name", "Total")
LSOA_CODE = re.compile(r"^[EW]01\d{6}$")


@dataclass(frozen=True)
class SourceRow:
    kind: str
    file: str
    sha256: str
    origin: str


def population_files(folder: Path) -> list[Path]:
    """ONS small-area population workbooks in a folder (any .xlsx with a "Mid-YYYY LSOA 2021"
    sheet)."""
    found = []
    for path in sorted(p for p in folder.rglob("*.xlsx") if p.is_file()):
        if any(SAPE_SHEET.match(s) for s in _sheet_names(path)):
            found.append(path)
    return found


def _open_book(path: Path) -> Any:
    """The workbook, or one line saying it cannot be read (calamine raises its own error
    types for damaged files, and a panic of its Rust code, which Python sees as a
    BaseException; anything else, such as an interrupt, passes as it was)."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except BaseException as exc:
        if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
            raise ReferenceDataError(
                f"{path.name} cannot be read as a workbook ({type(exc).__name__}); save it "
                "again from Excel as .xlsx"
            ) from None
        raise


def _sheet_names(path: Path) -> list[str]:
    wb = _open_book(path)
    try:
        return [str(s) for s in wb.sheet_names]
    finally:
        wb.close()


def read_sape(path: Path) -> dict[int, pa.Table]:
    """Each "Mid-YYYY LSOA 2021" sheet of an ONS small-area workbook as LSOA 2021 populations
    by age band (columns lsoa, band, population), keyed by year."""
    out: dict[int, pa.Table] = {}
    wb = _open_book(path)
    try:
        for sheet in [str(s) for s in wb.sheet_names]:
            m = SAPE_SHEET.match(sheet)
            if m:
                grid = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                out[int(m.group(1))] = _sape_sheet(path.name, sheet, [list(r) for r in grid])
    finally:
        wb.close()
    return out


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def _sape_sheet(name: str, sheet: str, grid: list[list[object]]) -> pa.Table:
    where = f"{name}, sheet '{sheet}'"
    head_at = next(
        (i for i, row in enumerate(grid[:30]) if row and _cell(row[0]).lower() == "lad 2021 code"),
        None,
    )
    if head_at is None:
        raise ReferenceDataError(
            f"{where}: no header row starting 'LAD 2021 Code' in the first 30 rows"
        )
    header = [_cell(c) for c in grid[head_at]]
    index = {h.upper(): i for i, h in enumerate(header) if h}
    wanted = [*SAPE_HEAD, *(f"{s}{a}" for s in "FM" for a in range(OLDEST + 1))]
    missing = [w for w in wanted if w.upper() not in index]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise ReferenceDataError(f"{where}, row {head_at + 1}: missing column(s) {shown}")
    code_at, total_at = index["LSOA 2021 CODE"], index["TOTAL"]
    age_at = [(index[f"F{a}"], index[f"M{a}"]) for a in range(OLDEST + 1)]
    lsoas: list[str] = []
    bands: list[str] = []
    pops: list[int] = []
    seen: set[str] = set()
    for r, row in enumerate(grid[head_at + 1 :], start=head_at + 2):
        if not any(_cell(c) for c in row):
            continue
        code = _cell(row[code_at]) if code_at < len(row) else ""
        if not LSOA_CODE.match(code):
            raise ReferenceDataError(
                f"{where}, row {r}, column 'LSOA 2021 Code': '{code}' is not an LSOA 2021 code"
            )
        if code in seen:
            raise ReferenceDataError(f"{where}, row {r}: LSOA {code} appears twice")
        seen.add(code)

        def number(i: int, col: str, r: int = r, row: list[object] = row) -> int:
            value = row[i] if i < len(row) else None
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ReferenceDataError(
                    f"{where}, row {r}, column '{col}': '{_cell(value)}' is not a count of people"
                )
            if value != int(value):
                raise ReferenceDataError(
                    f"{where}, row {r}, column '{col}': {value} is not a whole number"
                )
            return int(value)

        ages = [number(f, f"F{a}") + number(m, f"M{a}") for a, (f, m) in enumerate(age_at)]
        total = number(total_at, "Total")
        if sum(ages) != total:
            raise ReferenceDataError(
                f"{where}, row {r}: the ages F0..F90 and M0..M90 sum to {sum(ages)}, "
                f"not the Total {total}"
            )
        lsoas.append(code)
        bands.append("all")
        pops.append(total)
        for band, (lo, hi) in BANDS.items():
            lsoas.append(code)
            bands.append(band)
            pops.append(sum(ages[lo : (OLDEST if hi is None else hi) + 1]))
    if not seen:
        raise ReferenceDataError(f"{where}: no LSOA rows below the header (row {head_at + 1})")
    return pa.table({"lsoa": lsoas, "band": bands, "population": pops})


def load_populations(
    con: duckdb.DuckDBPyConnection, from_dir: Path | None, now: dt.datetime
) -> list[SourceRow]:
    """Fill ``ref_population_estimates`` (from ``ref_population`` already loaded, the shipped
    files and any workbook in ``from_dir``), ``ref_district_population_estimates`` and
    ``ref_imd2025``; record each source in ``ref_sources``. Runs inside the reference load's
    transaction, after ``ref_lsoa``."""
    shipped = shipped_dir()
    replace_rows(
        con,
        "ref_population_estimates",
        f"""
        SELECT lsoa11 AS lsoa, '{LSOA11}' AS geography, 2015 AS year, band, population,
               'IoD 2019 population denominators (ONS mid-2015 estimates)' AS source,
               TRUE AS excludes_prisoners
        FROM (SELECT lsoa11, total AS "all", aged_0_15 AS "0-15", aged_16_59 AS "16-59",
                     aged_60_plus AS "60+" FROM ref_population)
        UNPIVOT (population FOR band IN ("all", "0-15", "16-59", "60+"))
        WHERE population IS NOT NULL
        """,
    )
    rows: list[SourceRow] = []
    for f in SHIPPED:
        path = shipped / f.file
        con.execute(
            f"""
            INSERT INTO ref_population_estimates
            SELECT "{f.code_column}", ?, ?, band, population, ?, FALSE
            FROM (SELECT * FROM read_csv('{path}', header=true))
            UNPIVOT (population FOR band IN (COLUMNS(* EXCLUDE ("{f.code_column}"))))
            """,
            [f.geography, f.year, f.source],
        )
        rows.append(_record(con, f.kind, f.description, path, "shipped", f.source, now))
    for book in population_files(from_dir) if from_dir is not None else []:
        for year, table in sorted(read_sape(book).items()):
            source = f"ONS mid-{year} small-area population estimates"
            con.execute(
                "DELETE FROM ref_population_estimates WHERE geography = ? AND year = ?",
                [LSOA21, year],
            )
            con.register("_sape", table)
            try:
                con.execute(
                    "INSERT INTO ref_population_estimates "
                    "SELECT lsoa, ?, ?, band, population, ?, FALSE FROM _sape",
                    [LSOA21, year, source],
                )
            finally:
                con.unregister("_sape")
        rows.append(
            _record(
                con,
                "population-sape",
                "ONS small-area population estimates workbook (LSOA 2021, single year of age)",
                book,
                str(from_dir),
                "ONS mid-year small-area population estimates",
                now,
            )
        )
    # A source is complete for a district when it holds every LSOA of its geography there.
    replace_rows(
        con,
        "ref_district_population_estimates",
        """
        WITH held AS (
            SELECT district, 'LSOA 2011' AS geography, count(*) AS n FROM ref_lsoa
            WHERE lsoa11 = code GROUP BY ALL
            UNION ALL
            SELECT district, 'LSOA 2021', count(*) FROM ref_lsoa WHERE lsoa21 = code GROUP BY ALL)
        SELECT l.district, p.geography, p.year, p.band, sum(p.population) AS population,
               p.source, p.excludes_prisoners, count(*) AS lsoas,
               count(*) >= any_value(h.n) AS complete
        FROM ref_population_estimates p JOIN ref_lsoa l ON l.code = p.lsoa
        JOIN held h ON h.district = l.district AND h.geography = p.geography
        WHERE l.district IS NOT NULL
        GROUP BY l.district, p.geography, p.year, p.band, p.source, p.excludes_prisoners
        """,
    )
    iod = shipped / IOD2025_FILE
    load_imd2025(con, iod)
    rows.append(
        _record(
            con,
            "iod2025",
            "English Indices of Deprivation 2025: ranks, deciles and scores (LSOA 2021)",
            iod,
            "shipped",
            "IoD 2025",
            now,
            publisher="Ministry of Housing, Communities and Local Government",
        )
    )
    return rows


def _record(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    description: str,
    path: Path,
    origin: str,
    vintage: str,
    now: dt.datetime,
    publisher: str = ONS,
) -> SourceRow:
    digest = file_sha256(path)
    table = "ref_imd2025" if kind == "iod2025" else "ref_population_estimates"
    con.execute(
        "INSERT INTO ref_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [kind, description, path.name, digest, origin, publisher, OGL, vintage, table, now],
    )
    return SourceRow(kind, path.name, digest, origin)
