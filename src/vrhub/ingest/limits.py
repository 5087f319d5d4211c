"""Hard limits on what a file may become when it is read, checked before the reader trusts it.

A small file can claim to be enormous: a gzip stream that expands a thousandfold, or an Excel
workbook whose sheet has one cell at A1 and one at XFD1048576 (the Excel reader would set aside
room for every cell between them, hundreds of gigabytes, and the process would abort). So:

- a compressed file (``.gz``, or a workbook, which is a zip archive) may expand to at most
  :data:`MAX_RATIO` times its own size and never beyond :data:`MAX_EXPANDED_BYTES`;
- a worksheet may span at most :data:`MAX_COLUMNS` columns and :data:`MAX_CELLS` cells, counted
  from the cells it really holds before the Excel reader sees it.

A file beyond a limit is refused whole, with the limit in words and what to send instead.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import iterparse

from vrhub.errors import FileRejectedError

#: A compressed file may expand to at most this many times its size (CSV compresses about 5 to
#: 10 times, a workbook's parts about 5 to 20 times).
MAX_RATIO = 100
#: And never to more than this, however large the file.
MAX_EXPANDED_BYTES = 8 << 30
#: A worksheet may span at most this many columns (a partner extract has a few dozen) ...
MAX_COLUMNS = 1_000
#: ... and this many cells from its first to its last (five million rows of four columns, or a
#: million rows of twenty): beyond it, send the data as CSV.
MAX_CELLS = 20_000_000

_CELL = re.compile(r"([A-Z]{1,3})(\d{1,7})$")


def expansion_limit(size: int) -> int:
    """The most a compressed file of ``size`` bytes may expand to."""
    return min(MAX_EXPANDED_BYTES, max(size, 1 << 20) * MAX_RATIO)


def expands_too_far(name: str, size: int) -> FileRejectedError:
    limit = expansion_limit(size)
    return FileRejectedError(
        f"{name} expands to more than {limit >> 20:,} MB when decompressed ({MAX_RATIO} times "
        "its own size at most), so it is not read: send the data as plain CSV, or split it"
    )


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_workbook(path: Path) -> None:
    """Refuse a workbook that would expand too far or whose sheets span too many cells."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
            declared = sum(p.file_size for p in parts)
            limit = expansion_limit(path.stat().st_size)
            if declared > limit:
                raise expands_too_far(name, path.stat().st_size)
            budget = [limit]
            for part in parts:
                if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                    with z.open(part) as fh:
                        _check_sheet(name, _Capped(fh, budget, name, path.stat().st_size))
    except zipfile.BadZipFile:
        raise FileRejectedError(f"{name} is not a readable Excel workbook (damaged)") from None


def _check_sheet(name: str, fh: _Capped) -> None:
    top = left = 1 << 30
    bottom = right = 0
    for _, el in iterparse(fh, events=("start",)):
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "c":
            m = _CELL.match(el.get("r") or "")
            if m:
                col, row = _column_number(m.group(1)), int(m.group(2))
                top, bottom = min(top, row), max(bottom, row)
                left, right = min(left, col), max(right, col)
        elif tag == "row":
            r = el.get("r") or ""
            if r.isdigit():
                top, bottom = min(top, int(r)), max(bottom, int(r))
        el.clear()
    if not bottom or not right:
        return
    width, height = right - left + 1, bottom - top + 1
    if width > MAX_COLUMNS or width * height > MAX_CELLS:
        raise FileRejectedError(
            f"{name}: a sheet spans {width:,} columns by {height:,} rows (from its first cell "
            f"to its last), more than vrhub reads from a workbook ({MAX_COLUMNS:,} columns, "
            f"{MAX_CELLS:,} cells); remove stray cells far from the data, or send it as CSV"
        )


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
