"""Bad input: every case gets a clear message, and nothing bad is loaded or silently dropped."""

from __future__ import annotations

import csv
import gzip
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row, write_police_uk
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.errors import ReferenceDataError
from vrhub.home import Home
from vrhub.ingest.load import IngestResult
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
Writer = Callable[..., Path]


def ingest(home: Home, path: Path) -> IngestResult:
    [result] = pipeline.ingest_paths(home, PC, [path], source="wyp")
    return result


def stored(home: Home) -> int:
    con = connect(home)
    try:
        row = con.execute("SELECT count(*) FROM events_police_crime").fetchone()
        return int(row[0]) if row else 0
    except duckdb.CatalogException:
        return 0
    finally:
        con.close()


def problems(home: Home, batch: int) -> list[tuple[object, ...]]:
    con = connect(home)
    try:
        return con.execute(
            "SELECT row_number, column_name, value, rule, severity, message FROM ingest_problems "
            "WHERE batch_id = ? ORDER BY row_number NULLS FIRST, column_name",
            [batch],
        ).fetchall()
    finally:
        con.close()


def quarantined(home: Home, batch: int) -> list[tuple[object, ...]]:
    con = connect(home)
    try:
        return con.execute(
            "SELECT row_number, reasons, record FROM quarantine WHERE batch_id = ? "
            "ORDER BY row_number",
            [batch],
        ).fetchall()
    finally:
        con.close()


def test_empty_file(wy_home: Home, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    r = ingest(wy_home, path)
    assert r.status == "rejected" and "is empty" in r.message
    assert stored(wy_home) == 0
    assert r.problems_csv is not None and "is empty" in r.problems_csv.read_text()


def test_header_only(wy_home: Home, write_police_crime: Writer) -> None:
    r = ingest(wy_home, write_police_crime("header.csv", []))
    assert r.status == "rejected" and "no data rows" in r.message
    assert stored(wy_home) == 0


def test_wrong_delimiter(wy_home: Home, write_police_crime: Writer) -> None:
    path = write_police_crime("semi.csv", [police_crime_row(1)], delimiter=";")
    r = ingest(wy_home, path)
    assert r.status == "rejected" and "semicolons" in r.message
    assert stored(wy_home) == 0


def test_latin1_file_with_pound_and_e_acute(wy_home: Home, write_police_crime: Writer) -> None:
    row = police_crime_row(1, offence_description="Café fight over £20", outcome="Résolu")
    r = ingest(wy_home, write_police_crime("latin.csv", [row], encoding="latin-1"))
    assert r.status == "loaded" and r.rows_accepted == 1
    con = connect(wy_home)
    got = con.execute("SELECT offence_description FROM events_police_crime").fetchone()
    con.close()
    assert got == ("Café fight over £20",)
    assert any(p[3] == "encoding" for p in problems(wy_home, r.batch_id or 0))


def test_utf8_with_bom_loads(wy_home: Home, write_police_crime: Writer) -> None:
    r = ingest(wy_home, write_police_crime("bom.csv", [police_crime_row(1)], encoding="utf-8-sig"))
    assert r.status == "loaded" and r.rows_accepted == 1 and r.warnings == 0


def test_required_column_missing(wy_home: Home, write_police_crime: Writer) -> None:
    header = [h for h in POLICE_CRIME_HEADER if h != "recorded_date"]
    r = ingest(wy_home, write_police_crime("nocol.csv", [police_crime_row(1)], header=header))
    assert r.status == "rejected"
    assert "required column 'recorded_date' missing" in r.message
    assert stored(wy_home) == 0


def test_unknown_extra_column_loads_with_warning(wy_home: Home, write_police_crime: Writer) -> None:
    row = police_crime_row(1, officer_notes="private note")
    path = write_police_crime("extra.csv", [row], header=[*POLICE_CRIME_HEADER, "officer_notes"])
    r = ingest(wy_home, path)
    assert r.status == "loaded" and r.rows_accepted == 1 and r.warnings == 1
    [p] = problems(wy_home, r.batch_id or 0)
    assert p[1] == "officer_notes" and p[4] == "warning" and "was not loaded" in str(p[5])


def test_impossible_malformed_and_future_dates(wy_home: Home, write_police_crime: Writer) -> None:
    rows = [
        police_crime_row(1),
        police_crime_row(2, recorded_date="2024-02-30 10:00"),
        police_crime_row(3, recorded_date="yesterday"),
        police_crime_row(4, recorded_date="2099-01-01 10:00", occurred_from="2099-01-01 09:00"),
    ]
    r = ingest(wy_home, write_police_crime("dates.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (1, 3)
    found = {(p[0], p[3]) for p in problems(wy_home, r.batch_id or 0)}
    assert {(3, "date-time"), (4, "date-time"), (5, "future")} <= found
    q = quarantined(wy_home, r.batch_id or 0)
    assert [x[0] for x in q] == [3, 4, 5]
    assert "recorded_date is not a real date and time" in str(q[0][1])


def test_month_in_future_for_police_uk(sy_home: Home, tmp_path: Path) -> None:
    asb = ",South Yorkshire Police,South Yorkshire Police,,,,,,Anti-social behaviour,,"
    path = write_police_uk(
        tmp_path / "future.csv", [f",2099-01{asb}", f",2022-13{asb}", f",2022-01{asb}"]
    )
    [r] = pipeline.ingest_paths(sy_home, get_dataset("police-uk-street"), [path])
    assert (r.rows_accepted, r.rows_rejected) == (1, 2)
    rules = {(p[0], p[3]) for p in problems(sy_home, r.batch_id or 0)}
    assert {(2, "future"), (3, "month")} <= rules


def test_coordinates_outside_uk(sy_home: Home, tmp_path: Path) -> None:
    path = write_police_uk(
        tmp_path / "coords.csv",
        [
            "a1,2022-01,SYP,SYP,-1.47,53.38,On or near X,E01007321,Sheffield 001A,Burglary,,",
            "a2,2022-01,SYP,SYP,2.35,48.85,Paris,E01007321,Sheffield 001A,Burglary,,",
            "a3,2022-01,SYP,SYP,-1.47,,Half a point,E01007321,Sheffield 001A,Burglary,,",
        ],
    )
    [r] = pipeline.ingest_paths(sy_home, get_dataset("police-uk-street"), [path])
    assert (r.rows_accepted, r.rows_rejected) == (1, 2)
    rules = {(p[0], p[3]) for p in problems(sy_home, r.batch_id or 0)}
    assert {(3, "outside-uk"), (4, "point-pair")} <= rules


def test_malformed_and_unknown_lsoa_codes(wy_home: Home, write_police_crime: Writer) -> None:
    rows = [
        police_crime_row(1),
        police_crime_row(2, lsoa_code="E0101126"),
        police_crime_row(3, lsoa_code="E01999999"),
        police_crime_row(4, lsoa_code=""),
    ]
    r = ingest(wy_home, write_police_crime("lsoa.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (2, 2)
    rules = {(p[0], p[3]) for p in problems(wy_home, r.batch_id or 0)}
    assert {(3, "lsoa-format"), (4, "lsoa-unknown")} <= rules
    table = pipeline.counts(wy_home, PC, ["district"])
    assert dict((x[0], x[1]) for x in table.rows) == {"E08000035": 1, "unknown": 1}


def test_duplicate_identifiers_within_and_across_files(
    wy_home: Home, write_police_crime: Writer
) -> None:
    first = write_police_crime(
        "a.csv", [police_crime_row(1), police_crime_row(2), police_crime_row(1)]
    )
    r1 = ingest(wy_home, first)
    assert (r1.rows_accepted, r1.rows_rejected) == (2, 1)
    [dup] = [p for p in problems(wy_home, r1.batch_id or 0) if p[3] == "duplicate-in-file"]
    assert dup[0] == 4 and "repeats row 2" in str(dup[5]) and dup[2] == "(identifier hidden)"
    other_month = police_crime_row(2, recorded_date="2024-04-01 10:00")
    r2 = ingest(
        wy_home,
        write_police_crime(
            "b.csv", [other_month, police_crime_row(3, recorded_date="2024-04-02 10:00")]
        ),
    )
    assert (r2.rows_accepted, r2.rows_rejected) == (1, 1)
    [p] = [p for p in problems(wy_home, r2.batch_id or 0) if p[3] == "duplicate-already-loaded"]
    assert "already loaded from a.csv" in str(p[5])


def test_police_uk_rows_without_id_are_never_duplicates(sy_home: Home, tmp_path: Path) -> None:
    line = (
        ",2022-01,SYP,SYP,-1.47,53.38,On or near X,E01007321,Sheffield 001A,Anti-social behaviour,,"
    )
    path = write_police_uk(tmp_path / "asb.csv", [line] * 3)
    [r] = pipeline.ingest_paths(sy_home, get_dataset("police-uk-street"), [path])
    assert r.rows_accepted == 3


def test_truncated_last_line(wy_home: Home, write_police_crime: Writer) -> None:
    path = write_police_crime("cut.csv", [police_crime_row(1), police_crime_row(2)])
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text[: text.rfind(",2024-03-03")], encoding="utf-8")
    r = ingest(wy_home, path)
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (2, 1, 1)
    [q] = quarantined(wy_home, r.batch_id or 0)
    assert q[0] == 3 and "values but the header has 19" in str(q[1])
    assert "VIC00002" not in str(q[2]) and "13/000002/24" not in str(q[2])


def test_quoted_fields_with_newlines(wy_home: Home, write_police_crime: Writer) -> None:
    rows = [
        police_crime_row(1, outcome="Line one\nLine two"),
        police_crime_row(2),
        police_crime_row(3, recorded_date="bad"),
    ]
    r = ingest(wy_home, write_police_crime("nl.csv", rows))
    assert (r.rows_accepted, r.rows_rejected) == (2, 1)
    # Row numbers count records as a spreadsheet shows them, not physical lines.
    assert [q[0] for q in quarantined(wy_home, r.batch_id or 0)] == [4]


def test_excel_workbook_with_several_sheets_and_formulas(wy_home: Home, tmp_path: Path) -> None:
    path = tmp_path / "extract.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    notes = wb.add_worksheet("Notes")
    notes.write(0, 0, "Extract produced for the partnership")
    data = wb.add_worksheet("Data")
    for c, h in enumerate(POLICE_CRIME_HEADER):
        data.write(0, c, h)
    for i in range(1, 4):
        row = police_crime_row(i)
        for c, h in enumerate(POLICE_CRIME_HEADER):
            if h == "victim_age":
                data.write_formula(i, c, "=10+7", None, 17)  # a formula with its saved value
            else:
                data.write(i, c, row[h])
    summary = wb.add_worksheet("Summary")
    summary.write_formula(0, 0, "=COUNTA(Data!A:A)-1", None, 3)
    wb.close()
    r = ingest(wy_home, path)
    assert r.status == "loaded" and r.rows_accepted == 3
    con = connect(wy_home)
    ages = con.execute("SELECT DISTINCT victim_age FROM events_police_crime").fetchall()
    con.close()
    assert ages == [(17,)]


def test_zip_or_binary_named_csv(wy_home: Home, tmp_path: Path) -> None:
    z = tmp_path / "archive.csv"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("inner.csv", "a,b\n1,2\n")
    r = ingest(wy_home, z)
    assert r.status == "rejected" and "zip archive" in r.message
    b = tmp_path / "binary.csv"
    b.write_bytes(bytes(range(256)) * 10)
    r2 = ingest(wy_home, b)
    assert r2.status == "rejected" and "not a text file" in r2.message
    assert stored(wy_home) == 0


def test_gzipped_csv_and_parquet(wy_home: Home, write_police_crime: Writer, tmp_path: Path) -> None:
    plain = write_police_crime("plain.csv", [police_crime_row(1)])
    gz = tmp_path / "month.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    assert ingest(wy_home, gz).rows_accepted == 1
    rows = [police_crime_row(i, recorded_date="2024-05-01 10:00") for i in range(10, 13)]
    table = pa.table({h: [r[h] or None for r in rows] for h in POLICE_CRIME_HEADER})
    pq.write_table(table, tmp_path / "month.parquet")
    r = ingest(wy_home, tmp_path / "month.parquet")
    assert r.status == "loaded" and r.rows_accepted == 3


def test_large_file_streams_in_blocks(
    wy_home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file larger than the memory ingest may use goes through in blocks, none lost.

    DuckDB gets 64 MB and reads come in 1 MiB blocks, for a file of over 64 MiB: it loads whole,
    DuckDB spills its scratch tables to the home's tmp folder, and the reader never holds more
    than a few blocks at once.
    """
    monkeypatch.setenv("VRHUB_READ_BLOCK_MB", "1")
    monkeypatch.setenv("VRHUB_DUCKDB_MEMORY_LIMIT", "64MB")
    home = pipeline.open_partnership_home(wy_home.path)
    assert home.settings.read_block_mb == 1
    path = tmp_path / "big.csv"
    rows = 420_000
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        for i in range(rows):
            w.writerow(police_crime_row(i))
    assert path.stat().st_size > 64 * (1 << 20)
    # A pool of its own, so its high-water mark is this ingest's alone.
    pool = pa.system_memory_pool()
    assert pool.max_memory() == 0
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        r = ingest(home, path)
    finally:
        pa.set_memory_pool(previous)
    assert (r.rows_read, r.rows_accepted) == (rows, rows)
    # The reader's peak: a few 1 MiB blocks as Arrow text, nowhere near the whole file.
    assert 0 < pool.max_memory() < 16 * (1 << 20)
    with connect(home, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events_police_crime").fetchone() == (rows,)


def test_a_home_without_reference_data_refuses_ingest_and_init_loads_it(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    """An interrupted `vrhub init` leaves the reference tables empty: ingest says what to do,
    and running `vrhub init` again loads them."""
    con = connect(wy_home)
    con.execute("DELETE FROM ref_lsoa")
    con.close()
    path = write_police_crime("x.csv", [police_crime_row(1)])
    with pytest.raises(ReferenceDataError, match="run `vrhub reference load`"):
        pipeline.ingest_paths(wy_home, get_dataset("police-crime"), [path])
    pipeline.init_partnership_home(wy_home.path, "west-yorkshire")
    [r] = pipeline.ingest_paths(wy_home, get_dataset("police-crime"), [path])
    assert r.status == "loaded"
