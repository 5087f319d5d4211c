"""A file from outside the hub is read in a separate process within hard limits: one that takes
too long, needs too much memory or makes the reader crash is refused in plain words, nothing of it
is loaded and the refusal is audited, while the process that asked goes on unaffected; a normal
file gives exactly the same ingest through that process as read in place, problems and row
numbers included; and rows, malformed rows and columns have limits of their own."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import resource
import shutil
import signal
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from tests.conftest import POLICE_CRIME_HEADER, TEST_AGREEMENT, police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.ingest.load import IngestResult
from vrhub.ingest.sandbox import OUTCOME, Limits, SandboxRead, _outcome, read_untrusted
from vrhub.store.analytical import connect

PC = get_dataset("police-crime")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


# -- workbooks built part by part, as a hostile one would be -------------------------------------
def workbook_parts(sheet: bytes, shared: bytes | None = None) -> dict[str, bytes]:
    """The parts of a one-sheet workbook ("Data") holding ``sheet``, and ``shared`` text."""
    strings = (
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        if shared is not None
        else ""
    )
    strings_rel = (
        f'<Relationship Id="rId2" Type="{DOCUMENT}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared is not None
        else ""
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{BOOK_TYPE}"/><Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{SHEET_TYPE}"/>{strings}</Types>'
        ).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{DOCUMENT}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOCUMENT}">'
            '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{strings_rel}</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def write_zip(path: Path, parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def sheet_xml(body: bytes) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
    return head.encode() + body + b"</sheetData></worksheet>"


def police_sheet(rows: int) -> bytes:
    """The police-crime header, then ``rows`` rows of numbers: slow to read, quick to make."""
    header = b"".join(
        b'<c t="inlineStr"><is><t>%s</t></is></c>' % h.encode() for h in POLICE_CRIME_HEADER
    )
    row = b"<row>" + b"".join(b"<c><v>%d</v></c>" % (i * 7919) for i in range(19)) + b"</row>"
    return sheet_xml(b"<row>" + header + b"</row>" + row * rows)


# -- helpers -------------------------------------------------------------------------------------
def read_then_ingest(
    home: Home, path: Path, limits: Limits | None = None
) -> tuple[IngestResult, SandboxRead, float]:
    """Read ``path`` in the separate process, then ingest what it read, as the dashboard does."""
    work = path.parent / f"read-{path.name}-{time.monotonic_ns()}"
    started = time.monotonic()
    read = read_untrusted(path, PC, limits or Limits(), home.settings.read_block_mb << 20, work)
    took = time.monotonic() - started
    with read.in_use():
        [r] = pipeline.ingest_paths(home, PC, [path], source="wyp", agreement=TEST_AGREEMENT)
    return r, read, took


def ingest_in_place(home: Home, path: Path) -> IngestResult:
    [r] = pipeline.ingest_paths(home, PC, [path], source="wyp", agreement=TEST_AGREEMENT)
    return r


def kept(home: Home, batch: int | None) -> dict[str, Any]:
    """Everything the store holds of a batch."""
    con = connect(home, read_only=True)
    try:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(sql, [batch]).fetchall()

        return {
            "events": rows(f"SELECT * FROM {PC.table} WHERE batch_id = ? ORDER BY row_number"),
            "problems": rows(
                "SELECT row_number, column_name, value, rule, message, severity "
                "FROM ingest_problems WHERE batch_id = ? ORDER BY ALL"
            ),
            "quarantine": rows(
                "SELECT * FROM quarantine WHERE batch_id = ? ORDER BY row_number NULLS FIRST"
            ),
            "batch": rows(
                "SELECT * EXCLUDE (started_at, finished_at, problems_csv) FROM ingest_batches "
                "WHERE batch_id = ?"
            ),
        }
    finally:
        con.close()


def stored_rows(home: Home) -> int:
    con = connect(home, read_only=True)
    try:
        row = con.execute(f"SELECT count(*) FROM {PC.table}").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def audited_refusals(home: Home) -> list[dict[str, Any]]:
    gov = pipeline.governance(home)
    try:
        return [json.loads(e.details) for e in gov.audit.show(action="ingest.rejected")]
    finally:
        gov.close()


@pytest.fixture
def twin_homes(_wy_template: Path, tmp_path: Path) -> tuple[Home, Home]:
    """Two identical West Yorkshire homes: one reads in place, the other through the sandbox."""
    homes = []
    for name in ("in-place", "sandboxed"):
        shutil.copytree(_wy_template, tmp_path / name)
        homes.append(pipeline.open_partnership_home(tmp_path / name))
    return homes[0], homes[1]


def partner_rows() -> list[dict[str, str]]:
    rows = [police_crime_row(i) for i in range(1, 301)]
    rows[4]["lsoa_code"] = "X0100000"
    rows[9]["ho_offence_code"] = "not a code"
    rows[20]["crime_reference"] = rows[19]["crime_reference"]  # a duplicate within the file
    rows[30]["offence_description"] = "Assault,\nwith a line break inside the cell"
    rows[40]["victim_age"] = "-3"
    return rows


def partner_csv(path: Path, encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    w = csv.DictWriter(out, [*POLICE_CRIME_HEADER, "notes"], extrasaction="ignore")
    w.writeheader()
    rows = partner_rows()
    rows[50]["notes"] = "café"
    for i, row in enumerate(rows):
        w.writerow(row)
        if i == 60:
            out.write("13/999999/24,008/01,too,few\n")  # malformed: 4 values
        if i == 70:
            out.write(",".join(row.values()) + ",extra,values\n")  # malformed: too many
    data = out.getvalue().encode(encoding)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)
    return path


def partner_workbook(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, POLICE_CRIME_HEADER)
    line = 1
    for i, row in enumerate(partner_rows()):
        if i == 100:
            line += 1  # a blank row inside the data
        ws.write_row(line, 0, list(row.values()))
        line += 1
    wb.close()
    return path


# -- a normal file: the same ingest either way ---------------------------------------------------
@pytest.mark.parametrize("name", ["wyp.csv", "wyp-1252.csv.gz", "wyp.xlsx"])
def test_a_normal_file_ingests_exactly_as_when_read_in_place(
    twin_homes: tuple[Home, Home], tmp_path: Path, name: str
) -> None:
    in_place, sandboxed = twin_homes
    if name.endswith(".xlsx"):
        path = partner_workbook(tmp_path / name)
    else:
        path = partner_csv(tmp_path / name, "cp1252" if "1252" in name else "utf-8")
    direct = ingest_in_place(in_place, path)
    through, read, _ = read_then_ingest(sandboxed, path)
    assert read.refusal is None and read.parquet is not None
    assert direct.status == "loaded" and direct.rows_rejected > 0
    skip = {"problems_csv"}
    assert {k: v for k, v in vars(through).items() if k not in skip} == {
        k: v for k, v in vars(direct).items() if k not in skip
    }
    assert kept(sandboxed, through.batch_id) == kept(in_place, direct.batch_id)
    assert through.problems_csv is not None and direct.problems_csv is not None
    assert through.problems_csv.read_text() == direct.problems_csv.read_text()
    # Problems are reported against the original file's name and spreadsheet row numbers.
    problem_rows = {p[0] for p in kept(sandboxed, through.batch_id)["problems"]}
    if name.endswith(".xlsx"):
        assert {6, 11, 22, 42} <= problem_rows
    else:
        assert {6, 11, 22, 42, 63, 74} <= problem_rows  # 63 and 74: the malformed rows
    assert all(row[3] == name for row in kept(sandboxed, through.batch_id)["quarantine"])
    # What the process wrote is for the hub's own user only.
    assert read.parquet.stat().st_mode & 0o777 == 0o600
    assert (read.parquet.parent / OUTCOME).stat().st_mode & 0o777 == 0o600
    assert read.parquet.parent.stat().st_mode & 0o777 == 0o700


def test_a_file_refused_as_it_is_read_is_refused_the_same_way(
    twin_homes: tuple[Home, Home], tmp_path: Path
) -> None:
    in_place, sandboxed = twin_homes
    cases = {
        "semicolons.csv": b"crime_reference;ho_offence_code\n1;2\n",
        "binary.csv": b"PK\x03\x04 a zip archive",
        "columns.csv": b"crime_reference,colour\n13/000001/24,red\n",
        "quote.csv": (",".join(POLICE_CRIME_HEADER) + '\n"13/000001/24,008/01\n').encode(),
    }
    for name, body in cases.items():
        path = tmp_path / name
        path.write_bytes(body)
        direct = ingest_in_place(in_place, path)
        through, _, _ = read_then_ingest(sandboxed, path)
        assert direct.status == through.status == "rejected", name
        assert through.message == direct.message, name
        assert kept(sandboxed, through.batch_id) == kept(in_place, direct.batch_id), name
    assert stored_rows(sandboxed) == 0


# -- files beyond the limits -------------------------------------------------------------------
def _unaffected() -> tuple[object, ...]:
    """What the limits of the reading process would change, were they set in this process."""
    kinds = (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE)
    return (*(resource.getrlimit(r) for r in kinds), os.nice(0), os.umask(os.umask(0o022)))


def test_a_file_that_takes_too_long_to_read_is_refused(wy_home: Home, tmp_path: Path) -> None:
    slow = write_zip(tmp_path / "slow.xlsx", workbook_parts(police_sheet(100_000)))
    assert slow.stat().st_size < 200_000  # read in place, it takes several seconds
    before = _unaffected()
    r, _, took = read_then_ingest(wy_home, slow, Limits(seconds=1))
    assert took < 5
    assert r.status == "rejected" and r.rows_accepted == 0
    assert r.message.startswith("slow.xlsx took longer than 1 second to read, the most")
    assert "send the data as plain CSV, or split it" in r.message
    assert stored_rows(wy_home) == 0
    [audited] = audited_refusals(wy_home)
    assert audited["file"] == "slow.xlsx" and "took longer than 1 second" in audited["why"]
    assert _unaffected() == before
    # The same process goes on ingesting: a normal file loads.
    ok = partner_csv(tmp_path / "after.csv")
    assert ingest_in_place(wy_home, ok).status == "loaded"


@pytest.mark.parametrize("kind", ["stretched", "shared-text"])
def test_a_file_that_needs_too_much_memory_is_refused(
    wy_home: Home, tmp_path: Path, kind: str
) -> None:
    if kind == "stretched":
        # Within the sheet limits (1,000 columns by 20,000 rows), but the reader sets aside
        # room for every one of those 20 million cells: more than 600 MB.
        body = (
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>crime_reference</t></is></c></row>'
            b'<row r="20000"><c r="ALL20000"><v>1</v></c></row>'
        )
        path = write_zip(tmp_path / "stretched.xlsx", workbook_parts(sheet_xml(body)))
    else:
        # A table of text claiming 20 million entries, padded to look the part.
        shared = (
            (
                f'<?xml version="1.0"?><sst xmlns="{MAIN}" uniqueCount="20000000">'
                "<si><t>crime_reference</t></si>"
            ).encode()
            + b" " * 90_000_000
            + b"</sst>"
        )
        body = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        path = write_zip(tmp_path / "strings.xlsx", workbook_parts(sheet_xml(body), shared))
    assert path.stat().st_size < 100_000
    before = _unaffected()
    r, _, took = read_then_ingest(wy_home, path, Limits(memory_mb=600))
    assert took < 30
    assert r.status == "rejected"
    assert "more than 600 MB of memory to read" in r.message, r.message
    assert r.message.startswith(path.name)
    assert stored_rows(wy_home) == 0
    assert [a["file"] for a in audited_refusals(wy_home)] == [path.name]
    assert _unaffected() == before


def test_rows_malformed_rows_and_columns_have_limits(wy_home: Home, tmp_path: Path) -> None:
    path = partner_csv(tmp_path / "wyp.csv")  # 302 rows (2 malformed), 20 columns
    cases = [
        (Limits(rows=300), "wyp.csv has more than 300 rows, the most the dashboard reads"),
        (Limits(malformed=1), "wyp.csv: more than 1 rows have a different number of values"),
        (Limits(columns=19), "wyp.csv: the header row has 20 columns, more than vrhub reads"),
    ]
    for limits, words in cases:
        r, read, _ = read_then_ingest(wy_home, path, limits)
        assert r.status == "rejected" and r.message.startswith(words), r.message
        assert read.stage == "open"
    assert stored_rows(wy_home) == 0
    assert len(audited_refusals(wy_home)) == 3
    # Within the limits, the same file loads.
    r, _, _ = read_then_ingest(wy_home, path, Limits(rows=302, malformed=2, columns=20))
    assert r.status == "loaded" and r.rows_read == 302


def test_nothing_beside_the_file_is_taken_as_code(
    wy_home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    trap = tmp_path / "trap"
    trap.mkdir()
    for module in ("json", "pyarrow", "sitecustomize"):
        (trap / f"{module}.py").write_text(
            f"open({str(marker)!r}, 'w').write('{module}')\n", encoding="utf-8"
        )
    monkeypatch.setenv("PYTHONPATH", str(trap))
    monkeypatch.setenv("PYTHONSTARTUP", str(trap / "json.py"))
    path = partner_csv(trap / "wyp.csv")
    r, read, _ = read_then_ingest(wy_home, path)
    assert read.refusal is None and r.status == "loaded"
    assert not marker.exists()


# -- what the reading process's end says ---------------------------------------------------------
def _ended(tmp_path: Path, code: int, outcome: object | None) -> str | None:
    work = tmp_path / f"ended-{time.monotonic_ns()}"
    work.mkdir()
    if outcome is not None:
        (work / OUTCOME).write_text(json.dumps(outcome), encoding="utf-8")
    limits = Limits(seconds=30, memory_mb=2048)
    return _outcome(tmp_path / "f.csv", "police-crime", limits, code, work).refusal


def test_every_way_the_reading_process_can_end_is_said_in_words(tmp_path: Path) -> None:
    time_words = "f.csv took longer than 30 seconds to read"
    assert (_ended(tmp_path, -signal.SIGXCPU, None) or "").startswith(time_words)
    memory = _ended(tmp_path, 0, {"failure": "memory"}) or ""
    assert memory.startswith("f.csv needs more than 2,048 MB of memory to read")
    for code, outcome in [
        (-signal.SIGABRT, None),
        (-signal.SIGSEGV, None),
        (-signal.SIGKILL, None),
        (1, None),
        (0, None),
        (0, "not an outcome"),
        (0, {"failure": "error", "kind": "KeyError"}),
    ]:
        words = _ended(tmp_path, code, outcome) or ""
        assert words.startswith("f.csv could not be read: reading it stopped unexpectedly"), code
        assert "2,048 MB of memory" in words
    assert "(reader error: KeyError)" in (
        _ended(tmp_path, 0, {"failure": "error", "kind": "KeyError"}) or ""
    )
    broken = _ended(tmp_path, 0, {"stage": "open"}) or ""
    assert broken == "f.csv could not be read: the reading process gave an answer vrhub cannot use"
