"""A small file cannot claim to be enormous: a workbook spanning the whole sheet and a gzip
stream that expands a thousandfold are refused, in words, before anything trusts them; and the
process reading them survives (the Excel reader would otherwise abort it)."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from tests.conftest import POLICE_CRIME_HEADER, TEST_AGREEMENT, police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.errors import FileRejectedError, NoDataHeldError
from vrhub.home import Home
from vrhub.ingest.files import file_format
from vrhub.ingest.limits import MAX_RATIO

PC = get_dataset("police-crime")


def stretched_workbook(path: Path, last_cell: str = "XFD1048576") -> Path:
    """A valid police-crime workbook of 1.6 KB or so with one stray cell at ``last_cell``."""
    plain = path.with_suffix(".plain.xlsx")
    wb = xlsxwriter.Workbook(str(plain))
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, POLICE_CRIME_HEADER)
    ws.write_row(1, 0, list(police_crime_row(1).values()))
    wb.close()
    m = re.fullmatch(r"([A-Z]+)(\d+)", last_cell)
    assert m
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                stray = f'<row r="{m.group(2)}"><c r="{last_cell}"><v>1</v></c></row>'.encode()
                data = data.replace(b"</sheetData>", stray + b"</sheetData>")
            out.writestr(item, data)
    return path


CHILD = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from pathlib import Path
from vrhub import pipeline
from vrhub.datasets import get_dataset
home = pipeline.open_partnership_home(Path({home!r}))
[r] = pipeline.ingest_paths(
    home, get_dataset("police-crime"), [Path({file!r})], source="wyp", agreement={agreement!r}
)
print(r.status)
print(r.message)
"""


def test_a_workbook_spanning_the_whole_sheet_is_refused_and_the_process_survives(
    wy_home: Home, tmp_path: Path
) -> None:
    bomb = stretched_workbook(tmp_path / "stretched.xlsx")
    assert bomb.stat().st_size < 10_000
    # In a child process with 2 GB of memory: without the check the Excel reader asks for
    # 512 GiB and aborts the process.
    script = CHILD.format(home=str(wy_home.path), file=str(bomb), agreement=TEST_AGREEMENT)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    status, message = done.stdout.splitlines()[:2]
    assert status == "rejected"
    assert "a sheet spans 16,384 columns by 1,048,576 rows" in message
    assert "send it as CSV" in message
    with pytest.raises(NoDataHeldError, match="no police-crime data is held yet"):
        pipeline.counts(wy_home, PC, ["month"])  # nothing was loaded


def test_a_workbook_with_a_stray_cell_near_the_data_still_loads(
    wy_home: Home, tmp_path: Path
) -> None:
    ok = stretched_workbook(tmp_path / "near.xlsx", "T40")
    [r] = pipeline.ingest_paths(wy_home, PC, [ok], source="wyp", agreement=TEST_AGREEMENT)
    assert r.status == "loaded" and r.rows_accepted == 1


def test_a_gzip_file_that_expands_too_far_is_refused(wy_home: Home, tmp_path: Path) -> None:
    row = ",".join(police_crime_row(1).values()) + "\n"
    path = tmp_path / "huge.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(",".join(POLICE_CRIME_HEADER) + "\n")
        block = row * 10_000
        for _ in range(130_000_000 // len(block)):
            fh.write(block)
    assert path.stat().st_size * MAX_RATIO < 130_000_000
    [r] = pipeline.ingest_paths(wy_home, PC, [path], source="wyp", agreement=TEST_AGREEMENT)
    assert r.status == "rejected"
    assert "expands to more than 100 MB when decompressed" in r.message
    # A normal compressed file loads.
    small = tmp_path / "small.csv.gz"
    with gzip.open(small, "wt", encoding="utf-8") as fh:
        fh.write(",".join(POLICE_CRIME_HEADER) + "\n" + row)
    [ok] = pipeline.ingest_paths(wy_home, PC, [small], source="wyp", agreement=TEST_AGREEMENT)
    assert ok.status == "loaded"


@pytest.mark.parametrize("name", ["old.xls", "calc.ods", "binary.xlsb"])
def test_other_spreadsheet_formats_are_refused_with_what_to_send(name: str) -> None:
    with pytest.raises(
        FileRejectedError, match=r"save it as an Excel workbook \(\.xlsx\) or as CSV"
    ):
        file_format(Path(name))
