"""What a new user hits at ingest (issue 16): months as spreadsheets write them, a file whose
every row is refused, the other files of a police.uk download, the totals line, and the
values the quarantine list shows."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from tests.conftest import POLICE_CRIME_HEADER, POLICE_UK_HEADER, police_crime_row, write_police_uk
from tests.ingest.test_bad_input import ingest
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.store.analytical import connect

POLICE_UK = get_dataset("police-uk-street")
#: A Barnsley LSOA, in South Yorkshire.
ROW = (
    "{cid},{month},South Yorkshire Police,South Yorkshire Police,-1.455303,53.593499,"
    "On or near South Drive,E01007436,Barnsley 002B,Violence and sexual offences,,"
)
OUTCOMES_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Outcome type\n"
)
STOP_SEARCH_HEADER = (
    "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,"
    "Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,"
    "Outcome,Outcome linked to object of search,Removal of more than just outer clothing\n"
)


def row(i: int, month: str) -> str:
    return ROW.format(cid=f"{i:064x}", month=month)


def stored_months(home: Home) -> dict[int, str]:
    con = connect(home)
    try:
        return dict(con.execute("SELECT row_number, month FROM events_police_uk_street").fetchall())
    finally:
        con.close()


def problem_rules(home: Home, batch: int | None) -> dict[int, str]:
    con = connect(home)
    try:
        return dict(
            con.execute(
                "SELECT row_number, rule FROM ingest_problems WHERE batch_id = ? "
                "AND row_number IS NOT NULL",
                [batch],
            ).fetchall()
        )
    finally:
        con.close()


def test_months_as_excel_writes_them_are_read(sy_home: Home, tmp_path: Path) -> None:
    forms = [
        "2022-01",
        "2022-01-01",
        "2022-01-01 00:00:00",
        "Jan-22",
        "January 2022",
        "jan 2022",
        "Sept 2022",
        "01/2022",
        "2022-1",
    ]
    path = write_police_uk(
        tmp_path / "months.csv",
        [row(i, m) for i, m in enumerate(forms)] + [row(90, "01/02/22"), row(91, "Janvier")],
    )
    [r] = pipeline.ingest_paths(sy_home, POLICE_UK, [path])
    assert r.status == "loaded", r.message
    assert r.rows_accepted == len(forms) and r.rows_rejected == 2
    got = stored_months(sy_home)
    assert [got[i + 2] for i in range(len(forms))] == ["2022-01"] * 6 + [
        "2022-09",
        "2022-01",
        "2022-01",
    ]
    rules = problem_rules(sy_home, r.batch_id)
    assert rules[len(forms) + 2] == "month-ambiguous"  # 01/02/22: not guessed
    assert rules[len(forms) + 3] == "month"
    lines = r.problems_csv.read_text(encoding="utf-8") if r.problems_csv else ""
    assert "may be day/month or month/day" in lines


def test_an_excel_date_cell_is_its_month(sy_home: Home, tmp_path: Path) -> None:
    path = tmp_path / "street.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("crimes")
    header = POLICE_UK_HEADER.strip().split(",")
    ws.write_row(0, 0, header)
    cells = row(1, "x").split(",")
    date_format = wb.add_format({"num_format": "mmm-yy"})
    for c, value in enumerate(cells):
        if header[c] == "Month":
            ws.write_datetime(1, c, dt.datetime(2022, 3, 1), date_format)
        elif value:
            ws.write(1, c, float(value) if header[c] in ("Longitude", "Latitude") else value)
    wb.close()
    [r] = pipeline.ingest_paths(sy_home, POLICE_UK, [path])
    assert r.status == "loaded", r.message
    assert r.months == ["2022-03"]
    assert list(stored_months(sy_home).values()) == ["2022-03"]


def test_a_file_with_every_row_refused_is_not_loaded(
    sy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_police_uk(tmp_path / "bad.csv", [row(1, "01/02/22"), row(2, "2022-13")])
    code = main(["ingest", "--home", str(sy_home.path), "--dataset", "police-uk-street", str(path)])
    shown = capsys.readouterr().out
    assert code == 1
    assert "nothing loaded from bad.csv: all 2 rows were rejected; see the problems file" in shown
    assert "│ bad.csv │ rejected │" in shown and "│ loaded " not in shown
    [batch] = pipeline.batch_log(sy_home, 1)
    assert batch["status"] == "rejected" and batch["rows_accepted"] == 0
    assert stored_months(sy_home) == {}


def test_a_police_uk_download_folder(
    sy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "download" / "2022-01"
    folder.mkdir(parents=True)
    write_police_uk(folder / "2022-01-south-yorkshire-street.csv", [row(1, "2022-01")])
    (folder / "2022-01-south-yorkshire-outcomes.csv").write_text(
        OUTCOMES_HEADER + f"{1:064x},2022-01,South Yorkshire Police,South Yorkshire Police,"
        "-1.455303,53.593499,On or near South Drive,E01007436,Barnsley 002B,"
        "Investigation complete; no suspect identified\n",
        encoding="utf-8",
    )
    (folder / "2022-01-south-yorkshire-stop-and-search.csv").write_text(
        STOP_SEARCH_HEADER + "Person search,2022-01-03T10:00:00+00:00,False,,53.59,-1.45,Male,"
        "18-24,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action "
        "disposal,False,False\n",
        encoding="utf-8",
    )
    write_police_uk(folder / "2022-01-bad-street.csv", [row(2, "2022-01"), row(3, "13/13/22")])
    code = main(
        ["ingest", "--home", str(sy_home.path), "--dataset", "police-uk-street", str(folder)]
    )
    shown = capsys.readouterr().out
    assert code == 0, shown
    lines = shown.splitlines()
    assert (
        "skipped 2022-01-south-yorkshire-outcomes.csv: police.uk outcomes file; vrhub loads "
        "street-level crime files"
    ) in lines
    assert (
        "skipped 2022-01-south-yorkshire-stop-and-search.csv: police.uk stop-and-search file; "
        "vrhub loads street-level crime files"
    ) in lines
    assert lines[-1] == "4 files: 2 rows loaded, 1 rejected, 2 skipped"
    assert "error" not in shown.lower()
    assert [b["file_name"] for b in pipeline.batch_log(sy_home)] == [
        "2022-01-south-yorkshire-street.csv",
        "2022-01-bad-street.csv",
    ]


def test_a_folder_of_skipped_files_only_loads_nothing_and_says_so(
    sy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "outcomes-only"
    folder.mkdir()
    (folder / "2022-01-south-yorkshire-outcomes.csv").write_text(
        OUTCOMES_HEADER + f"{1:064x},2022-01,South Yorkshire Police,South Yorkshire Police,"
        "-1.455303,53.593499,On or near South Drive,E01007436,Barnsley 002B,"
        "Investigation complete; no suspect identified\n",
        encoding="utf-8",
    )
    code = main(
        ["ingest", "--home", str(sy_home.path), "--dataset", "police-uk-street", str(folder)]
    )
    said = capsys.readouterr()
    assert code == 1
    assert "skipped 2022-01-south-yorkshire-outcomes.csv" in said.out
    assert "nothing loaded: every file given was skipped; give police-uk-street files" in said.err
    assert pipeline.batch_log(sy_home) == []


def test_a_street_file_with_an_outcome_column_is_still_read(sy_home: Home, tmp_path: Path) -> None:
    path = tmp_path / "street.csv"
    path.write_text(
        POLICE_UK_HEADER.strip() + ",Outcome type\n" + row(1, "2022-01") + ",\n", encoding="utf-8"
    )
    [r] = pipeline.ingest_paths(sy_home, POLICE_UK, [path])
    assert r.status == "loaded" and r.rows_accepted == 1


def test_quarantine_list_shows_the_refused_values(
    wy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pc.csv"
    rows = [
        police_crime_row(1, victim_age="170"),
        police_crime_row(2, victim_id="", suspect_id="SUS-SECRET-1", lsoa_code="E01999999"),
        police_crime_row(3),
        police_crime_row(3),  # the same crime reference again
    ]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        w.writerows(rows)
    r = ingest(wy_home, path)
    assert r.rows_rejected == 3
    capsys.readouterr()
    assert main(["quarantine", "list", "--home", str(wy_home.path), "--format", "csv"]) == 0
    shown = capsys.readouterr().out
    lines = shown.splitlines()
    assert lines[0] == "batch,dataset,file,row,rejected values,reasons"
    assert "victim_age: 170" in lines[1]
    assert "lsoa_code: E01999999" in lines[2]
    assert "crime_reference: (identifier hidden)" in lines[3]  # it identifies a person
    assert "SUS-SECRET-1" not in shown and "VIC00001" not in shown
