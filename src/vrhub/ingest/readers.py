"""Read CSV, Excel and Parquet files as a stream of text blocks, each row with its number.

Every reader yields pyarrow tables whose columns are the dataset's field names (text) plus
``_row``: the row number a partner sees in a spreadsheet (the header is row 1, so the first
data row is row 2; for Parquet, which has no header row, the first record is row 1). Rows
whose number of values does not match the header are reported, never silently skipped.

Whatever a damaged or hostile file makes the underlying libraries raise, a reader raises
:class:`~vrhub.errors.FileRejectedError` with the reason in plain words. A file the dashboard
received has already been read in a separate process (:mod:`vrhub.ingest.sandbox`): while it is
ingested, :func:`open_reader` gives a reader of what that process read.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from vrhub.datasets.spec import Dataset
from vrhub.errors import FileRejectedError
from vrhub.ingest.files import FileFacts, check_separator
from vrhub.ingest.limits import (
    MAX_HEADER_BYTES,
    check_columns,
    header_too_long,
    too_many_malformed,
)

EXCEL_BLOCK_ROWS = 50_000
#: A malformed row is kept (for the quarantine) as read, cut to this many characters: enough for
#: any real row, and no field of a row so kept is too long to split again.
MALFORMED_TEXT = 4096


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lstrip("\ufeff")).lower()


class NotLoadedHere(FileRejectedError):
    """A file of a kind vrhub recognises but does not load (such as the police.uk outcomes
    and stop-and-search files that come in the same download as the street-level crime
    files): skipped with one line, not reported as an error."""


#: Files police.uk publishes beside its street-level crime files, known by the columns of
#: their header: what they are, and the columns that mark them.
POLICE_UK_OTHERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("police.uk outcomes file", frozenset({"crime id", "outcome type"})),
    (
        "police.uk stop-and-search file",
        frozenset({"object of search", "legislation", "officer defined ethnicity"}),
    ),
)


def refuse_other_kinds(dataset: Dataset, header: list[str], file_name: str) -> None:
    """Skip a police.uk outcomes or stop-and-search file (by its header): vrhub loads the
    street-level crime files of a police.uk download."""
    names = {_norm(h) for h in header}
    if {_norm(f.header) for f in dataset.fields if f.column_required} <= names:
        return  # it has every column the standard needs: it is read as one
    for what, marks in POLICE_UK_OTHERS:
        if marks <= names:
            raise NotLoadedHere(f"{file_name}: {what}; vrhub loads street-level crime files")


@dataclass(frozen=True)
class HeaderMatch:
    """Which file column feeds which field, and what the header lacks or adds."""

    columns: dict[str, int]  # field name -> column position in the file
    extras: list[str]
    missing_optional: list[str]


def match_header(dataset: Dataset, header: list[str], file_name: str) -> HeaderMatch:
    """Match a file's header to the standard; refuse a header missing required columns."""
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        key = _norm(h)
        if key and key in seen:
            raise FileRejectedError(
                f"{file_name}: the column '{h.strip()}' appears twice in the header row"
            )
        seen[key] = i
    columns: dict[str, int] = {}
    for f in dataset.fields:
        for cand in (f.header, f.name, *f.aliases):
            if _norm(cand) in seen:
                columns[f.name] = seen[_norm(cand)]
                break
    missing = [f.header for f in dataset.fields if f.column_required and f.name not in columns]
    if missing:
        raise FileRejectedError(
            f"{file_name}: required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} missing from the header row "
            f"(the {dataset.title} standard is in docs/reference/datasets.md)"
        )
    used = set(columns.values())
    extras = [h.strip() for i, h in enumerate(header) if i not in used and h.strip()]
    missing_optional = [f.name for f in dataset.fields if f.name not in columns]
    return HeaderMatch(columns, extras, missing_optional)


@dataclass
class MalformedRow:
    """A row whose number of values differs from the header's; ``text``: the row as read (its
    first :data:`MALFORMED_TEXT` characters)."""

    row: int
    expected: int
    actual: int
    text: str


@dataclass
class FileReader:
    """A readable file: its header, how it maps to the standard, and its blocks of rows."""

    facts: FileFacts
    header: list[str]
    match: HeaderMatch
    sheet: str | None = None
    block_bytes: int = 16 << 20
    malformed: list[MalformedRow] = field(default_factory=list)
    #: Refuse the file once more rows than this are malformed (None: keep every one).
    malformed_limit: int | None = None

    def blocks(self) -> Iterator[pa.Table]:
        if self.facts.format == "csv":
            return self._csv_blocks()
        if self.facts.format == "excel":
            return self._excel_blocks()
        return self._parquet_blocks()

    # -- CSV -----------------------------------------------------------------------------
    def _csv_blocks(self) -> Iterator[pa.Table]:
        names = [f"c{i}" for i in range(len(self.header))]

        limit = self.malformed_limit

        def on_invalid(row: pacsv.InvalidRow) -> str:
            if limit is not None and len(self.malformed) >= limit:
                return "error"  # the reader stops; refused below
            self.malformed.append(
                MalformedRow(
                    row.number or 0,
                    row.expected_columns,
                    row.actual_columns,
                    row.text[:MALFORMED_TEXT],
                )
            )
            return "skip"

        opener = gzip.open if self.facts.compressed else open
        with opener(self.facts.path, "rb") as raw:
            gate = _ReadGate(raw, self.block_bytes)
            try:
                reader = _open_csv(
                    self.facts.path.name,
                    gate,
                    read_options=pacsv.ReadOptions(
                        use_threads=False,
                        block_size=self.block_bytes,
                        encoding=self.facts.encoding or "utf-8",
                        column_names=names,
                        skip_rows=1,
                    ),
                    parse_options=pacsv.ParseOptions(
                        newlines_in_values=True, invalid_row_handler=on_invalid
                    ),
                    convert_options=pacsv.ConvertOptions(
                        column_types=dict.fromkeys(names, pa.string()),
                        strings_can_be_null=False,
                        include_columns=[names[i] for i in self.match.columns.values()],
                    ),
                )
                next_row = 2
                for batch in _guard(reader, self.facts.path.name):
                    gate.advance()
                    n = batch.num_rows
                    skipped = np.array(sorted(m.row for m in self.malformed if m.row >= next_row))
                    candidates = np.arange(next_row, next_row + n + len(skipped), dtype=np.int64)
                    rows = candidates[~np.isin(candidates, skipped)][:n]
                    next_row = int(rows[-1]) + 1 if n else next_row
                    yield self._named(batch, rows)
            except FileRejectedError:
                if limit is not None and len(self.malformed) >= limit:
                    raise too_many_malformed(self.facts.path.name, limit) from None
                raise
            finally:
                gate.close_gate()

    def _named(self, batch: pa.RecordBatch | pa.Table, rows: np.ndarray) -> pa.Table:
        arrays = {name: batch.column(f"c{i}") for name, i in self.match.columns.items()}
        arrays["_row"] = pa.array(rows, type=pa.int64())
        return pa.table(arrays)

    # -- Excel ---------------------------------------------------------------------------
    def _excel_blocks(self) -> Iterator[pa.Table]:
        assert self.sheet is not None
        grid = _excel_grid(self.facts.path, self.sheet)
        start = _header_index(grid)
        width = len(self.header)
        block: list[list[str | None]] = []
        rows: list[int] = []
        for idx in range(start + 1, len(grid)):
            cells = [_cell_text(c) for c in grid[idx]]
            if all(c is None for c in cells):
                continue
            cells = (cells + [None] * width)[:width]
            block.append(cells)
            rows.append(idx + 1)
            if len(block) >= EXCEL_BLOCK_ROWS:
                yield self._excel_table(block, rows)
                block, rows = [], []
        if block:
            yield self._excel_table(block, rows)

    def _excel_table(self, block: list[list[str | None]], rows: list[int]) -> pa.Table:
        arrays = {
            name: pa.array([r[i] for r in block], type=pa.string())
            for name, i in self.match.columns.items()
        }
        arrays["_row"] = pa.array(rows, type=pa.int64())
        return pa.table(arrays)

    # -- Parquet -------------------------------------------------------------------------
    def _parquet_blocks(self) -> Iterator[pa.Table]:
        try:
            pf = pq.ParquetFile(self.facts.path)
            names = pf.schema_arrow.names
            offset = 1
            for batch in pf.iter_batches(batch_size=131_072):
                n = batch.num_rows
                arrays = {name: batch.column(names[i]) for name, i in self.match.columns.items()}
                arrays["_row"] = pa.array(np.arange(offset, offset + n, dtype=np.int64))
                offset += n
                yield pa.table(arrays)
        except MemoryError:
            raise
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise _unreadable_parquet(self.facts.path.name, exc) from None


class _ReadGate(io.RawIOBase):
    """A file the CSV parser may read only a few blocks ahead of the rows already used.

    pyarrow's streaming CSV reader fetches blocks on a background thread, up to 32 ahead of
    the parser; for a large file and large blocks that is most of the file in memory. The
    gate makes that thread wait until the rows read so far have been taken (:meth:`advance`),
    so memory stays at a few blocks whatever the file's size.
    """

    AHEAD = 3

    def __init__(self, raw: io.BufferedIOBase, block_bytes: int) -> None:
        super().__init__()
        self._raw = raw
        self._block = block_bytes
        self._allowed = block_bytes * (self.AHEAD + 1)
        self._given = 0
        self._stopped = False
        self._cond = threading.Condition()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self._cond:
            while self._given >= self._allowed and not self._stopped:
                self._cond.wait()
            if self._stopped:
                return 0
            n = min(len(buffer), self._allowed - self._given)
        data = self._raw.read(n)
        buffer[: len(data)] = data
        with self._cond:
            self._given += len(data)
        return len(data)

    def advance(self) -> None:
        """One more block's worth of rows has been taken: let the reader fetch another."""
        with self._cond:
            self._allowed += self._block
            self._cond.notify_all()

    def close_gate(self) -> None:
        """Stop: any waiting or later read sees the end of the file."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()


#: What the CSV reader and the file beneath it raise for a file it cannot read.
_CSV_ERRORS = (pa.ArrowException, OSError, EOFError, zlib.error, UnicodeDecodeError)


def _open_csv(name: str, source: io.RawIOBase, **options: Any) -> pacsv.CSVStreamingReader:
    try:
        return pacsv.open_csv(source, **options)
    except MemoryError:
        raise
    except _CSV_ERRORS as exc:
        raise _unreadable_csv(name, exc) from None


def _guard(reader: pacsv.CSVStreamingReader, name: str) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except MemoryError:
            raise
        except _CSV_ERRORS as exc:
            raise _unreadable_csv(name, exc) from None
        yield batch


def _unreadable_csv(name: str, exc: BaseException) -> FileRejectedError:
    # The reader's reason, without the text of the row it quotes after "got N".
    reason = re.sub(r"(got \d+)\b.*", r"\1", str(exc).split("\n")[0])[:200]
    return FileRejectedError(
        f"{name} could not be read as CSV ({reason}); check for an unclosed quote "
        "or a damaged end of file"
    )


#: Opens a reader of a file read elsewhere: (dataset, the file's facts, block size) -> reader.
OpenElsewhere = Callable[[Dataset, FileFacts, int], "FileReader"]
#: The file read elsewhere, and how to open a reader of what was read, while it is ingested.
_ELSEWHERE: ContextVar[tuple[Path, OpenElsewhere] | None] = ContextVar(
    "vrhub_read_elsewhere", default=None
)


@contextmanager
def read_elsewhere(path: Path, opener: OpenElsewhere) -> Iterator[None]:
    """While in this block, :func:`open_reader` of ``path`` is ``opener(...)``: a reader of
    what was read elsewhere (or the refusal found there) instead of reading the file here."""
    token = _ELSEWHERE.set((path, opener))
    try:
        yield
    finally:
        _ELSEWHERE.reset(token)


def open_reader(dataset: Dataset, facts: FileFacts, block_bytes: int = 16 << 20) -> FileReader:
    """Read the header, match it to the standard and return a reader for the rows."""
    elsewhere = _ELSEWHERE.get()
    if elsewhere is not None and elsewhere[0] == facts.path:
        return elsewhere[1](dataset, facts, block_bytes)
    if facts.format == "csv":
        header = _csv_header(facts)
        check_columns(facts.path.name, len(header))
        refuse_other_kinds(dataset, header, facts.path.name)
        match = match_header(dataset, header, facts.path.name)
        return FileReader(facts, header, match, block_bytes=block_bytes)
    if facts.format == "excel":
        return _excel_reader(dataset, facts)
    try:
        names = pq.ParquetFile(facts.path).schema_arrow.names
    except MemoryError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _unreadable_parquet(facts.path.name, exc) from None
    check_columns(facts.path.name, len(names))
    return FileReader(facts, names, match_header(dataset, names, facts.path.name))


def _unreadable_parquet(name: str, exc: BaseException) -> FileRejectedError:
    reason = str(exc).split("\n")[0][:200]
    return FileRejectedError(f"{name} is not a readable Parquet file ({reason})")


def _csv_header(facts: FileFacts) -> list[str]:
    opener = gzip.open if facts.compressed else open
    encoding = "utf-8-sig" if facts.encoding == "utf-8" else (facts.encoding or "utf-8")
    try:
        with opener(facts.path, "rt", encoding=encoding, newline="") as fh:
            first = fh.readline(MAX_HEADER_BYTES + 1)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        raise FileRejectedError(
            f"{facts.path.name}: the header row could not be read; check the file is CSV text"
        ) from None
    if len(first) > MAX_HEADER_BYTES:
        raise header_too_long(facts.path.name)
    check_separator(facts.path, first)
    try:
        header = next(csv.reader(io.StringIO(first)), [])
    except csv.Error:
        raise FileRejectedError(
            f"{facts.path.name}: the first row cannot be read as a header row of column names"
        ) from None
    if not any(h.strip() for h in header):
        raise FileRejectedError(f"{facts.path.name}: the first row is blank; it must be the header")
    return header


def _excel_grid(path: Path, sheet: str) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            return [list(r) for r in rows]
        finally:
            wb.close()
    except BaseException as exc:
        raise _unreadable_workbook(path.name, exc) from None


def _unreadable_workbook(name: str, exc: BaseException) -> BaseException:
    """The refusal for what the Excel reader raised on a damaged workbook (its own error
    types, or a panic of its Rust code, which Python sees as a BaseException); anything else,
    such as running out of memory or an interrupt, as it was."""
    kind = type(exc).__name__
    if isinstance(exc, MemoryError):
        return exc
    if kind == "PasswordError":
        return FileRejectedError(
            f"{name} is protected by a password; remove the password and send it again"
        )
    if isinstance(exc, Exception) or kind == "PanicException":
        return FileRejectedError(
            f"{name} is not a readable Excel workbook (damaged); open it in Excel, save it "
            "again as .xlsx, or send the data as CSV"
        )
    return exc


def _header_index(grid: list[list[object]]) -> int:
    for i, row in enumerate(grid):
        if any(_cell_text(c) is not None for c in row):
            return i
    return len(grid)


def _excel_reader(dataset: Dataset, facts: FileFacts) -> FileReader:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(facts.path))
        sheets = [str(s) for s in wb.sheet_names]
        wb.close()
    except BaseException as exc:  # calamine raises its own error types for damaged files
        raise _unreadable_workbook(facts.path.name, exc) from None
    matches: list[tuple[str, list[str], HeaderMatch]] = []
    for sheet in sheets:
        grid = _excel_grid(facts.path, sheet)
        i = _header_index(grid)
        if i >= len(grid):
            continue
        header = [(_cell_text(c) or "") for c in grid[i]]
        check_columns(facts.path.name, len(header))
        try:
            matches.append((sheet, header, match_header(dataset, header, facts.path.name)))
        except FileRejectedError:
            continue
    if not matches:
        raise FileRejectedError(
            f"{facts.path.name}: no sheet ({', '.join(sheets)}) has the columns of the "
            f"{dataset.title} standard in its first row"
        )
    if len(matches) > 1:
        raise FileRejectedError(
            f"{facts.path.name}: sheets {', '.join(m[0] for m in matches)} all hold "
            f"{dataset.title} columns; send one sheet of data per workbook"
        )
    sheet, header, match = matches[0]
    return FileReader(facts, header, match, sheet=sheet)


def _cell_text(value: object) -> str | None:
    """An Excel cell as the text a CSV export would hold (formulas give their saved value)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
