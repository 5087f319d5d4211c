"""Fuzzing every reader: malformed CSV (random bytes, odd quoting, encodings, NULs, ragged rows,
huge fields), gzip (truncated, concatenated, corrupted, bombs), zip and Excel workbooks (random
members, broken XML, absurd dimensions, shared-text bombs, wrong content types) and Parquet.

Whatever the input, the ingest either loads it or refuses it with a :class:`VrhubError` (a
refusal in words): never another exception, a hang or a crash of the process; and it never
leaves half a batch (a loaded batch holds exactly the rows it accepted, a refused one none, and
no working table is left behind). The inputs are read in this process, as ``vrhub ingest`` reads
them: the dashboard's reading process runs the same code under limits of its own.

The expansion limit is lowered to 4 MB here so that bombs are cheap to refuse.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import signal
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import POLICE_CRIME_HEADER, TEST_AGREEMENT, police_crime_row
from tests.ingest.test_sandbox import MAIN, sheet_xml, workbook_parts, write_zip
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.errors import VrhubError
from vrhub.hub import Hub, open_hub
from vrhub.ingest import limits
from vrhub.ingest.files import inspect
from vrhub.ingest.readers import open_reader
from vrhub.ingest.stage import SCRATCH

PC = get_dataset("police-crime")
FUZZ = settings(
    max_examples=80,
    deadline=5000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- one hub for the module; each example is a file in a fresh folder ---------------------------
@pytest.fixture(scope="module")
def hub(_wy_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    dest = tmp_path_factory.mktemp("fuzz") / "home"
    shutil.copytree(_wy_template, dest)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits, "MAX_EXPANDED_BYTES", 4 << 20)
        h = open_hub(pipeline.open_partnership_home(dest))
        try:
            yield h
        finally:
            h.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-files")


class Hang(Exception):
    """An example ran for longer than any file should take."""


@contextmanager
def no_hang(seconds: int = 20) -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still reading after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


_count = iter(range(1_000_000))


def ingest_or_refuse(hub: Hub, folder: Path, name: str, data: bytes) -> str:
    """Read the file fully, then ingest it; every outcome a load or a refusal in words."""
    path = folder / f"{next(_count):06d}" / name
    path.parent.mkdir()
    path.write_bytes(data)
    try:
        with no_hang():
            try:
                reader = open_reader(PC, inspect(path))
                for _ in reader.blocks():
                    pass
                readable = True
            except VrhubError:
                readable = False
            r = pipeline.ingest_governed(hub, PC, path, source="wyp", agreement=TEST_AGREEMENT)
    finally:
        shutil.rmtree(path.parent)
    assert r.status in {"loaded", "rejected", "unchanged"}, r
    assert r.message.strip()
    if not readable:
        assert r.status == "rejected", r.message
    con = hub.con
    if r.status != "unchanged":
        [(held,)] = con.execute(
            f"SELECT count(*) FROM {PC.table} WHERE batch_id = ?", [r.batch_id]
        ).fetchall()
        [(logged,)] = con.execute(
            "SELECT status FROM ingest_batches WHERE batch_id = ?", [r.batch_id]
        ).fetchall()
        assert logged == r.status
        assert held == (r.rows_accepted if r.status == "loaded" else 0), r
    [(left,)] = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = ?", [SCRATCH]
    ).fetchall()
    assert left == 0
    return r.status


# -- CSV ---------------------------------------------------------------------------------------
GOOD = list(police_crime_row(1).values())
awkward_text = st.text(
    alphabet=st.sampled_from(list("abc ,;\"'\n\r\t\\é€\ufeff\u2028\U0001f600")), max_size=12
)
field = st.one_of(
    st.sampled_from([*GOOD, "", " ", "NULL", "9" * 30, "E01011264", "2024-02-30"]),
    awkward_text,
)
huge = st.integers(0, 300_000).map(lambda n: "x" * n)


def often(one_in: int = 4) -> st.SearchStrategy[bool]:
    """True about one time in ``one_in`` (False in the simplest examples)."""
    return st.integers(1, one_in).map(lambda n: n == one_in)


@st.composite
def partner_row(draw: st.DrawFn) -> list[str]:
    """A valid row (its own record identifiers) with now and then a field or two awkward, a
    huge field, or values missing or added."""
    row = list(police_crime_row(draw(st.integers(1, 999_999))).values())
    for _ in range(draw(st.integers(0, 2))):
        row[draw(st.integers(0, len(row) - 1))] = draw(field)
    if draw(often(one_in=12)):
        row[draw(st.integers(0, len(row) - 1))] = draw(huge)
    if draw(often(one_in=6)):
        row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(field, max_size=3))
    return row


row = st.one_of(partner_row(), partner_row(), partner_row(), st.lists(field, max_size=24))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = draw(
        st.one_of(
            st.just(POLICE_CRIME_HEADER),
            st.just(POLICE_CRIME_HEADER),
            st.permutations(POLICE_CRIME_HEADER),
            st.lists(st.sampled_from([*POLICE_CRIME_HEADER, "", "notes", "crime_reference"])),
            st.lists(awkward_text, max_size=4),
        )
    )
    rows = draw(st.lists(row, min_size=1, max_size=20))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    out = io.StringIO()
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if quoting == csv.QUOTE_NONE:
        out.write(",".join(header) + end)
        out.writelines(",".join(r) + end for r in rows)
    else:
        w = csv.writer(out, quoting=quoting, lineterminator=end)
        w.writerow(header)
        w.writerows(rows)
    text = draw(st.sampled_from(["", "\ufeff"])) + out.getvalue()
    if draw(often(12)):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\x00" + text[at:]  # a NUL, as some exports leave
    if draw(often()):
        text = text[: draw(st.integers(0, len(text)))]  # cut off, perhaps inside a quote
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "cp1252", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=csv_files())
@example(data=b"")
@example(data=b"\xef\xbb\xbf")
@example(data=(",".join(POLICE_CRIME_HEADER) + "\n").encode())
@example(data=(",".join(POLICE_CRIME_HEADER) + '\n"unclosed,' + "x" * 200_000).encode())
@example(data=(",".join(POLICE_CRIME_HEADER) + "\n" + "a,b\n" * 1000).encode())
@example(data=b"a" * ((1 << 20) + 10))  # a "header" longer than any header
@example(data=b"x" * 200_000 + b"\n" + ",".join(GOOD).encode())  # one enormous column name
@example(data=(",".join(POLICE_CRIME_HEADER + [f"c{i}" for i in range(1200)]) + "\n").encode())
@example(data=(",".join(POLICE_CRIME_HEADER) + "\n" + ",".join(GOOD) + "\x00\n").encode())
def test_csv_files_load_or_are_refused_in_words(hub: Hub, folder: Path, data: bytes) -> None:
    ingest_or_refuse(hub, folder, "extract.csv", data)


@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(["x.csv", "x.xlsx", "x.parquet"]))
@example(data=b"PK\x03\x04", name="x.csv")
@example(data=b"PAR1" + b"\x00" * 40 + b"PAR1", name="x.parquet")
@example(data=b"PK\x05\x06" + b"\x00" * 18, name="x.xlsx")  # an empty zip archive
def test_random_bytes_are_refused_in_words(hub: Hub, folder: Path, data: bytes, name: str) -> None:
    ingest_or_refuse(hub, folder, name, data)


# -- gzip --------------------------------------------------------------------------------------
@st.composite
def gzip_files(draw: st.DrawFn) -> bytes:
    plain = draw(csv_files())
    packed = gzip.compress(plain, mtime=0)
    how = draw(st.sampled_from(["whole", "truncated", "concatenated", "corrupted", "trailing"]))
    if how == "truncated":
        return packed[: draw(st.integers(0, len(packed)))]
    if how == "concatenated":
        return packed + gzip.compress(draw(csv_files()), mtime=0)
    if how == "corrupted":
        at = draw(st.integers(0, len(packed) - 1))
        return packed[:at] + bytes([packed[at] ^ draw(st.integers(1, 255))]) + packed[at + 1 :]
    if how == "trailing":
        return packed + draw(st.binary(min_size=1, max_size=64))
    return packed


def _bomb(size: int, header: bool = True) -> bytes:
    """A gzip stream that expands to ``size`` bytes of one repeated row."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = (",".join(POLICE_CRIME_HEADER) + "\n").encode() if header else b""
    out = [z.compress(head)]
    line = (",".join(GOOD) + "\n").encode()
    chunk = line * (1 << 20 // len(line))
    for _ in range(size // len(chunk)):
        out.append(z.compress(chunk))
    return b"".join(out) + z.flush()


@FUZZ
@given(data=gzip_files())
@example(data=_bomb(6 << 20))  # expands past the (lowered) limit of 4 MB
@example(data=_bomb(6 << 20, header=False)[:5000])  # a bomb cut short
@example(data=gzip.compress(b"\x00" * (3 << 20), mtime=0))
def test_gzip_files_load_or_are_refused_in_words(hub: Hub, folder: Path, data: bytes) -> None:
    ingest_or_refuse(hub, folder, "extract.csv.gz", data)


# -- zip archives and Excel workbooks ----------------------------------------------------------
HEADER_ROW = (
    b"<row>"
    + b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % h.encode() for h in POLICE_CRIME_HEADER)
    + b"</row>"
)

refs = st.one_of(
    st.builds(
        lambda col, r: f"{col}{r}",
        st.sampled_from(["A", "B", "S", "T", "Z", "AA", "ALL", "ALM", "XFD", "XFE", "ZZZZ"]),
        st.sampled_from([1, 2, 3, 40, 20_000, 1_048_576, 1_048_577, 99_999_999]),
    ),
    st.sampled_from(["", "a1", "1A", "A0", "A-1", "$A$1", "A1:B2"]),
    st.none(),
)
cell_type = st.sampled_from([None, "s", "inlineStr", "n", "b", "e", "d", "str", "bogus"])
value = st.one_of(
    st.sampled_from([*GOOD, "0", "1", "-1", "99999999", "1e308", "NaN", "#N/A", "garbage"]),
    awkward_text,
)


@st.composite
def cells(draw: st.DrawFn) -> bytes:
    ref, kind, text = draw(refs), draw(cell_type), _text(draw(value))
    attrs = (f' r="{ref}"' if ref is not None else "") + (f' t="{kind}"' if kind else "")
    if kind == "inlineStr":
        return f"<c{attrs}><is><t>{text}</t></is></c>".encode()
    return f"<c{attrs}><v>{text}</v></c>".encode()


def _text(value: str) -> str:
    return value.replace("\x00", "").replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def data_row(draw: st.DrawFn) -> bytes:
    """A row of a partner's data as a sheet holds it; now and then with a hostile cell."""
    number = (
        draw(st.sampled_from(["1", "5", "1048576", "2000000", "x"])) if draw(often(8)) else None
    )
    cells_xml = [
        f'<c t="inlineStr"><is><t>{_text(v)}</t></is></c>'.encode() for v in draw(partner_row())
    ]
    if cells_xml and draw(often(6)):
        cells_xml[draw(st.integers(0, len(cells_xml) - 1))] = draw(cells())
    return (f'<row r="{number}">' if number else "<row>").encode() + b"".join(cells_xml) + b"</row>"


@st.composite
def sheets(draw: st.DrawFn) -> bytes:
    rows = [HEADER_ROW] if not draw(often(5)) else []
    rows += draw(
        st.lists(st.one_of(data_row(), data_row(), data_row(), cell_row()), min_size=1, max_size=8)
    )
    dimension = draw(
        st.sampled_from(["", "", '<dimension ref="A1:XFD1048576"/>', '<dimension ref="?"/>'])
    )
    xml = sheet_xml(b"".join(rows)).replace(b"<sheetData>", dimension.encode() + b"<sheetData>")
    how = draw(st.sampled_from(["whole"] * 5 + ["cut", "garbage", "entity"]))
    if how == "cut":
        return xml[: draw(st.integers(0, len(xml)))]
    if how == "garbage":
        at = draw(st.integers(0, len(xml)))
        return xml[:at] + draw(st.binary(max_size=16)) + xml[at:]
    if how == "entity":
        laughs = (
            b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(
                b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
                for i in range(8)
            )
            + b"]>"
        )
        return xml.replace(b"?>", b"?>" + laughs, 1).replace(b"<sheetData>", b"<sheetData>&i;", 1)
    return xml


@st.composite
def cell_row(draw: st.DrawFn) -> bytes:
    """A row of hostile cells: references beyond the sheet, odd types and values."""
    number = draw(st.one_of(st.none(), st.sampled_from(["1", "5", "1048576", "2000000", "x"])))
    attrs = f' r="{number}"' if number else ""
    return f"<row{attrs}>".encode() + b"".join(draw(st.lists(cells(), max_size=6))) + b"</row>"


@st.composite
def shared_strings(draw: st.DrawFn) -> bytes | None:
    if not draw(often(3)):
        return None
    unique = draw(st.sampled_from(["1", "3", "abc", "-1", "2000000000", "20000000"]))
    items = b"".join(
        f"<si><t>{_text(draw(value))}</t></si>".encode() for _ in range(draw(st.integers(0, 3)))
    )
    return (
        f'<?xml version="1.0"?><sst xmlns="{MAIN}" uniqueCount="{unique}">'.encode()
        + items
        + b"</sst>"
    )


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    parts = workbook_parts(draw(sheets()), draw(shared_strings()))
    if draw(often(6)):
        del parts[draw(st.sampled_from(sorted(parts)))]  # a part missing
    if draw(often(6)):
        parts["[Content_Types].xml"] = parts.get("[Content_Types].xml", b"").replace(
            b"worksheet+xml", draw(st.sampled_from([b"png", b"xml", b"", b"sharedStrings+xml"]))
        )
    for _ in range(draw(st.integers(0, 2)) if draw(often(3)) else 0):
        name = draw(
            st.sampled_from(
                [
                    "xl/worksheets/sheet2.xml",
                    "xl/media/image1.png",
                    "../outside.xml",
                    "xl/",
                    "a" * 300,
                ]
            )
        )
        parts[name] = draw(st.one_of(st.binary(max_size=200), sheets()))
    method = draw(
        st.sampled_from(
            [zipfile.ZIP_DEFLATED] * 3 + [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
        )
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    packed = out.getvalue()
    if draw(often(6)):  # now and then, a damaged archive
        at = draw(st.integers(0, len(packed) - 1))
        packed = packed[:at] + bytes([packed[at] ^ 0x5A]) + packed[at + 1 :]
    return packed


def _hostile(body: bytes, shared: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in workbook_parts(sheet_xml(body), shared).items():
            z.writestr(name, data)
    return out.getvalue()


@FUZZ
@given(data=workbooks())
# Each of these made the Excel reader abort the whole process before the checks knew them.
@example(
    data=_hostile(
        b'<row r="1"><c r="A1"><v>1</v></c></row><row><c r="A99999999"><v>1</v></c></row>'
    )
)
@example(data=_hostile(HEADER_ROW + b'<row r="1048576">' + b"<c><v>1</v></c>" * 3000 + b"</row>"))
@example(
    data=_hostile(HEADER_ROW + b'<row r="1000000"><c r="ZZ1000000"/><c r="AAA1000000"/></row>')
)
@example(data=_hostile(b'<row><c r="XFC1048576"><v>1</v></c><c r="XFD1048576"><v>2</v></c></row>'))
@example(
    data=_hostile(
        b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        f'<sst xmlns="{MAIN}" uniqueCount="2000000000"><si><t>x</t></si></sst>'.encode(),
    )
)
def test_workbooks_load_or_are_refused_in_words(hub: Hub, folder: Path, data: bytes) -> None:
    ingest_or_refuse(hub, folder, "extract.xlsx", data)


def test_a_workbook_with_its_sheet_elsewhere_is_still_checked(hub: Hub, folder: Path) -> None:
    """The workbook's index, not a part's name, says where a sheet is: every part is checked."""
    parts = workbook_parts(b"")
    del parts["xl/worksheets/sheet1.xml"]
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"worksheets/sheet1.xml", b"../hidden/data.bin"
    )
    parts["hidden/data.bin"] = sheet_xml(HEADER_ROW + b'<row r="1048576"><c r="XFD1048576"/></row>')
    path = write_zip(folder / "elsewhere.xlsx", parts)
    r = pipeline.ingest_governed(hub, PC, path, source="wyp", agreement=TEST_AGREEMENT)
    assert r.status == "rejected" and "a sheet spans 16,384 columns" in r.message


# -- Parquet -----------------------------------------------------------------------------------
@st.composite
def parquet_files(draw: st.DrawFn) -> bytes:
    names = draw(
        st.one_of(
            st.just(POLICE_CRIME_HEADER),
            st.permutations(POLICE_CRIME_HEADER),
            st.lists(
                st.sampled_from([*POLICE_CRIME_HEADER, "other"]),
                min_size=1,
                max_size=20,
                unique=True,
            ),
        )
    )
    rows = [dict(zip(POLICE_CRIME_HEADER, draw(partner_row()), strict=False)) for _ in range(5)]
    n = draw(st.integers(0, 5))
    table = pa.table({c: pa.array([r.get(c) for r in rows[:n]], pa.string()) for c in names})
    out = io.BytesIO()
    pq.write_table(table, out)
    packed = out.getvalue()
    how = draw(st.sampled_from(["whole", "whole", "truncated", "corrupted"]))
    if how == "truncated":
        return packed[: draw(st.integers(0, len(packed)))]
    if how == "corrupted":
        at = draw(st.integers(0, len(packed) - 1))
        return packed[:at] + bytes([packed[at] ^ draw(st.integers(1, 255))]) + packed[at + 1 :]
    return packed


@FUZZ
@given(data=parquet_files())
def test_parquet_files_load_or_are_refused_in_words(hub: Hub, folder: Path, data: bytes) -> None:
    ingest_or_refuse(hub, folder, "extract.parquet", data)
