"""Hard limits on what a file may become when it is read, checked before the reader trusts it.

A small file can claim to be enormous: a gzip stream that expands a thousandfold, or an Excel
workbook whose sheet has one cell at A1 and one at XFD1048576 (the Excel reader sets aside room
for every cell from A1 to the last one, hundreds of gigabytes, and the process aborts), or whose
shared-text table claims two billion entries (the reader sets room aside for them all). So:

- a compressed file (``.gz``, or a workbook, which is a zip archive) may expand to at most
  :data:`MAX_RATIO` times its own size and never beyond :data:`MAX_EXPANDED_BYTES`;
- a worksheet may reach at most :data:`MAX_COLUMNS` columns and :data:`MAX_CELLS` cells from A1
  to its last cell, counted from the cells it really holds (placed as the Excel reader places
  them, with or without a cell reference) before the Excel reader sees it; a cell beyond the
  last row or column an Excel sheet can have, or a shared-text table claiming more entries than
  its size can hold, marks the workbook as damaged;
- a file's header row may have at most :data:`MAX_COLUMNS` columns, and a CSV file's header row
  may be at most :data:`MAX_HEADER_BYTES` long;
- a file uploaded through the dashboard may hold at most :data:`MAX_ROWS` rows, of which at most
  :data:`MAX_MALFORMED_ROWS` with the wrong number of values, and is read in a separate process
  with limits on its memory and time (:mod:`vrhub.ingest.sandbox`).

A file beyond a limit is refused whole, with the limit in words and what to send instead.
"""

from __future__ import annotations

import lzma
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO
from xml.parsers import expat

from vrhub.errors import FileRejectedError

#: A compressed file may expand to at most this many times its size (CSV compresses about 5 to
#: 10 times, a workbook's parts about 5 to 20 times).
MAX_RATIO = 100
#: And never to more than this, however large the file.
MAX_EXPANDED_BYTES = 8 << 30
#: A file's header row may have at most this many columns (a partner extract has a few dozen),
#: and a worksheet may reach at most this many columns from column A ...
MAX_COLUMNS = 1_000
#: ... and this many cells from A1 to its last cell (five million rows of four columns, or a
#: million rows of twenty): beyond it, send the data as CSV.
MAX_CELLS = 20_000_000
#: A CSV file's header row may be at most this long (a thousand long column names fit in it).
MAX_HEADER_BYTES = 1 << 20
#: A file uploaded through the dashboard may hold at most this many rows (a 100 MB extract holds
#: about 400,000); larger files are split, or loaded by staff with ``vrhub ingest``.
MAX_ROWS = 1_000_000
#: ... and at most this many rows whose number of values differs from the header's: each is
#: reported and kept in quarantine one by one (about a millisecond each, with the store held),
#: and a file with more is not comma-separated throughout or has a quote left open.
MAX_MALFORMED_ROWS = 1_000
#: The most rows and columns an Excel sheet can have: a cell beyond them is not Excel's.
SHEET_ROWS = 1_048_576
SHEET_COLUMNS = 16_384

_CELL = re.compile(r"([A-Z]+)([0-9]+)")


def expansion_limit(size: int) -> int:
    """The most a compressed file of ``size`` bytes may expand to."""
    return min(MAX_EXPANDED_BYTES, max(size, 1 << 20) * MAX_RATIO)


def expands_too_far(name: str, size: int) -> FileRejectedError:
    limit = expansion_limit(size)
    return FileRejectedError(
        f"{name} expands to more than {limit >> 20:,} MB when decompressed ({MAX_RATIO} times "
        "its own size at most), so it is not read: send the data as plain CSV, or split it"
    )


def check_columns(name: str, count: int, limit: int = MAX_COLUMNS) -> None:
    """Refuse a header row of more than ``limit`` columns."""
    if count > limit:
        raise FileRejectedError(
            f"{name}: the header row has {count:,} columns, more than vrhub reads from a file "
            f"({limit:,}); check that the first row is the header, and leave out columns that "
            "are not part of the data standard"
        )


def header_too_long(name: str) -> FileRejectedError:
    return FileRejectedError(
        f"{name}: the first row is longer than {MAX_HEADER_BYTES >> 20} MB, so it cannot be a "
        "header row; check that the file is CSV with its column names in the first row"
    )


def too_many_rows(name: str, limit: int = MAX_ROWS) -> FileRejectedError:
    return FileRejectedError(
        f"{name} has more than {limit:,} rows, the most the dashboard reads from one file; "
        "split it into smaller files (for example one per month), or ask an analyst to load "
        "it with `vrhub ingest`"
    )


def too_many_malformed(name: str, limit: int = MAX_MALFORMED_ROWS) -> FileRejectedError:
    return FileRejectedError(
        f"{name}: more than {limit:,} rows have a different number of values from the header "
        "row, so the file is not read; check that it is separated by commas throughout and "
        "that no quote is left open, then send it again"
    )


def _damaged(name: str) -> FileRejectedError:
    return FileRejectedError(f"{name} is not a readable Excel workbook (damaged)")


def check_workbook(path: Path) -> None:
    """Refuse a workbook that would expand too far, whose sheets reach too many cells, or whose
    parts claim more than they hold.

    Every part of the archive that is XML is checked, whatever its name: the workbook's own
    index, not the part's name, says which parts the Excel reader takes as sheets.
    """
    name = path.name
    size = path.stat().st_size
    limit = expansion_limit(size)
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
            if sum(p.file_size for p in parts) > limit:
                raise expands_too_far(name, size)
            budget = [limit]
            for part in parts:
                if part.is_dir():
                    continue
                with z.open(part) as fh:
                    _check_part(name, _Capped(fh, budget, name, size), part.file_size)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # a compression method zip files seldom use
        RuntimeError,  # a part protected by a password
        EOFError,
        OSError,
        ValueError,
        zlib.error,
        lzma.LZMAError,
        struct.error,
    ):
        raise _damaged(name) from None


def _check_part(name: str, fh: _Capped, declared: int) -> None:
    """Check one part of a workbook, if it is XML: where its cells fall, what it claims."""
    first = fh.read(4096)
    if not _is_xml(first):
        return  # a picture or other binary part: the Excel reader takes no cells from it
    cells = _Cells(name, declared)
    parser = expat.ParserCreate()
    parser.StartElementHandler = cells.start
    try:
        parser.Parse(first, False)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise _damaged(name) from None
    cells.check()


def _is_xml(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.lstrip().startswith(b"<")


class _Cells:
    """Where the Excel reader would place a part's cells: a cell without a reference follows
    the one before it in its row, and a row without a number follows the row before it."""

    def __init__(self, name: str, declared: int) -> None:
        self.name, self.declared = name, declared
        self.row = self.col = self.right = self.bottom = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        tag = tag.rpartition(":")[2]
        if tag == "row":
            r = attrs.get("r")
            self.row = self._number(r) if r is not None else self.row + 1
            self.col = 0
        elif tag == "c":
            ref = attrs.get("r")
            if ref is None:
                self.col += 1
                row = max(self.row, 1)
            else:
                m = _CELL.fullmatch(ref)
                if m is None:
                    raise _damaged(self.name)
                self.col, row = _column_number(m.group(1)), self._number(m.group(2))
            self._beyond(row, self.col)
            self.right, self.bottom = max(self.right, self.col), max(self.bottom, row)
        elif tag == "sst":
            unique = attrs.get("uniqueCount") or "0"
            # Each entry takes at least a dozen bytes (<si><t/></si>): a table claiming more
            # entries than its size allows would make the reader set aside room for them all.
            room = min(max(self.declared // 4, 1_000), MAX_CELLS)
            if not unique.isdigit() or int(unique) > room:
                raise FileRejectedError(
                    f"{self.name}: the workbook's table of text claims more entries than it "
                    "holds, so it is damaged and not read; save it again from Excel, or send "
                    "the data as CSV"
                )

    def _number(self, digits: str) -> int:
        if not digits.isdigit() or int(digits) < 1:
            raise _damaged(self.name)
        return int(digits)

    def _beyond(self, row: int, col: int) -> None:
        if row > SHEET_ROWS or col > SHEET_COLUMNS:
            raise FileRejectedError(
                f"{self.name}: a sheet has a cell beyond the last row or column an Excel sheet "
                "can have, so it is damaged and not read; save it again from Excel, or send the "
                "data as CSV"
            )

    def check(self) -> None:
        width, height = self.right, self.bottom
        if width > MAX_COLUMNS or width * height > MAX_CELLS:
            raise FileRejectedError(
                f"{self.name}: a sheet spans {width:,} columns by {height:,} rows (from A1 to "
                f"its last cell), more than vrhub reads from a workbook ({MAX_COLUMNS:,} "
                f"columns, {MAX_CELLS:,} cells); remove stray cells far from the data, or send "
                "it as CSV"
            )


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
        if n > SHEET_COLUMNS:
            break  # beyond any sheet: no need to count further
    return n


class _Capped:
    """A part of the archive read through a shared budget of decompressed bytes."""

    def __init__(self, raw: IO[bytes], budget: list[int], name: str, size: int) -> None:
        self._raw, self._budget, self._name, self._size = raw, budget, name, size

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n if n and n > 0 else 1 << 20)
        self._budget[0] -= len(data)
        if self._budget[0] < 0:
            raise expands_too_far(self._name, self._size)
        return data
