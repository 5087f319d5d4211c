"""Look at a file before reading it: its format, fingerprint, text encoding and separator.

Files are refused here, with a plain reason, when no row can be read from them at all: empty,
binary or an archive named .csv, or separated by something other than commas.

A file the dashboard received has already been looked at, and read, in a separate process
(:mod:`vrhub.ingest.sandbox`): while it is ingested, :func:`inspect` gives what that process
found, or the refusal it came to, instead of opening the file again here.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from vrhub.checksums import file_sha256
from vrhub.errors import FileRejectedError
from vrhub.ingest.limits import check_workbook, expands_too_far, expansion_limit

CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Spreadsheets vrhub does not read: their size cannot be checked before reading them.
OTHER_SHEETS = (".xls", ".ods", ".xlsb")
PARQUET_SUFFIXES = (".parquet", ".pq")
MAGIC = {
    b"PK\x03\x04": "a zip archive (perhaps an Excel workbook renamed)",
    b"\x1f\x8b": "gzip-compressed data",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old-style Office document",
    b"PAR1": "a Parquet file",
}


@dataclass(frozen=True)
class FileFacts:
    """What vrhub learned about a file before reading its rows."""

    path: Path
    format: str  # csv | excel | parquet
    sha256: str
    size: int
    encoding: str | None = None  # for CSV: utf-8 or cp1252/latin-1
    compressed: bool = False


def file_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(EXCEL_SUFFIXES):
        return "excel"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(OTHER_SHEETS):
        raise FileRejectedError(
            f"{path.name}: vrhub reads Excel workbooks saved as .xlsx, not older or other "
            "spreadsheet formats; save it as an Excel workbook (.xlsx) or as CSV and send it again"
        )
    raise FileRejectedError(
        f"{path.name}: vrhub reads CSV (.csv, .csv.gz), Excel (.xlsx) and Parquet (.parquet) "
        "files; this file's type is not one of them"
    )


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files given directly, plus readable files inside any folders given, in name order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            inside = sorted(
                q
                for q in p.rglob("*")
                if q.is_file()
                and not q.name.startswith((".", "~$"))
                and q.name.lower().endswith(CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES)
            )
            if not inside:
                raise FileRejectedError(f"{p} holds no CSV, Excel or Parquet files")
            out.extend(inside)
        elif p.is_file():
            out.append(p)
        else:
            raise FileRejectedError(f"{p} does not exist")
    return out


#: The file looked at elsewhere, and what that found, while it is ingested (see
#: :func:`inspected_elsewhere`).
_ELSEWHERE: ContextVar[tuple[Path, Callable[[], FileFacts]] | None] = ContextVar(
    "vrhub_inspected_elsewhere", default=None
)


@contextmanager
def inspected_elsewhere(path: Path, facts: Callable[[], FileFacts]) -> Iterator[None]:
    """While in this block, :func:`inspect` of ``path`` is ``facts()`` (which gives the facts
    found elsewhere or raises the refusal found there) instead of opening the file."""
    token = _ELSEWHERE.set((path, facts))
    try:
        yield
    finally:
        _ELSEWHERE.reset(token)


def inspect(path: Path) -> FileFacts:
    """Fingerprint the file and, for CSV, check it is text and find its encoding."""
    elsewhere = _ELSEWHERE.get()
    if elsewhere is not None and elsewhere[0] == path:
        return elsewhere[1]()
    fmt = file_format(path)
    size = path.stat().st_size
    if size == 0:
        raise FileRejectedError(f"{path.name} is empty (0 bytes): there is nothing to load")
    sha = file_sha256(path)
    if fmt == "excel":
        check_workbook(path)
    if fmt != "csv":
        return FileFacts(path, fmt, sha, size)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    compressed = path.name.lower().endswith(".gz")
    if compressed:
        if not head.startswith(b"\x1f\x8b"):
            raise FileRejectedError(f"{path.name} is named .gz but is not gzip-compressed")
        try:
            with gzip.open(path, "rb") as gz:
                head = gz.read(8192)
        except (OSError, EOFError, zlib.error) as exc:
            raise FileRejectedError(f"{path.name} is a damaged gzip file ({exc})") from None
    _refuse_binary(path, head)
    encoding = _text_encoding(path, compressed)
    return FileFacts(path, fmt, sha, size, encoding, compressed)


def _refuse_binary(path: Path, head: bytes) -> None:
    for magic, what in MAGIC.items():
        if head.startswith(magic):
            raise FileRejectedError(
                f"{path.name} is named as a CSV file but is {what}; export the data as CSV "
                "(comma separated) and send that"
            )
    if b"\x00" in head:
        raise FileRejectedError(
            f"{path.name} is not a text file (it contains binary data); "
            "export the data as CSV (comma separated)"
        )
    stripped = head.lstrip(b"\xef\xbb\xbf").strip()
    if not stripped:
        raise FileRejectedError(f"{path.name} is empty: there is nothing to load")


def _text_encoding(path: Path, compressed: bool) -> str:
    """UTF-8 if every byte decodes as UTF-8; otherwise Windows-1252 (Latin-1 family)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    opener = gzip.open if compressed else open
    size = path.stat().st_size
    room = expansion_limit(size)
    try:
        with opener(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                room -= len(chunk)
                if compressed and room < 0:
                    raise expands_too_far(path.name, size)
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    except (OSError, EOFError, zlib.error) as exc:
        raise FileRejectedError(f"{path.name} is a damaged gzip file ({exc})") from None
    try:
        with opener(path, "rb") as fh:
            dec = codecs.getincrementaldecoder("cp1252")()
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                dec.decode(chunk)
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def check_separator(path: Path, header: str) -> None:
    """Refuse files separated by semicolons, tabs or bars: they would misread silently."""
    if "," in header:
        return
    for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
        if sep in header:
            raise FileRejectedError(
                f"{path.name} separates its values with {name}, not commas; "
                "save it as CSV (comma delimited) and send it again"
            )
