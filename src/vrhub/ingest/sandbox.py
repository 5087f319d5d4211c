"""Read a file from outside the hub in a separate process, within hard limits of memory and time.

A file uploaded through the dashboard may be damaged, enormous once expanded, or made to exhaust
the reader. No such file may stall or take down the server, so the server does not read it. It
starts a reading process (``python -m vrhub.ingest.sandbox``) which

1. sets its own limits before it opens the file: its memory (address space,
   :attr:`Limits.memory_mb`), its processor time, the size of what it writes, no core dump,
   and a lower priority than the server's;
2. runs the same checks and reader as ``vrhub ingest``
   (:func:`~vrhub.ingest.files.inspect`, :func:`~vrhub.ingest.readers.open_reader`), and
   refuses a file of more than :attr:`Limits.rows` rows, :attr:`Limits.malformed` of them
   malformed, or :attr:`Limits.columns` columns (each malformed row costs the server work of
   its own when it is reported and kept in quarantine);
3. writes what it read to a Parquet file in the upload's private folder (readable by the hub's
   own user only), and beside it a small JSON file: the file's facts, how its header matched
   the standard, its malformed rows with their row numbers, and any refusal.

The server waits at most :attr:`Limits.seconds` and ends the process if it is still reading.
It then ingests as usual (:func:`vrhub.ingest.load.ingest_file`) while
:meth:`SandboxRead.in_use` holds: the ingest's look at the file and its reader give what the
process read, so every problem is reported against the original file's name and row numbers,
and the result is the one reading the file in the server would give. Any failure of the
process (ended for time, out of memory, crashed, a limit reached) becomes one refusal in plain
words, which the ingest logs like any refused file (a rejected batch, an audit entry): nothing
is loaded.

The command line (``vrhub ingest``, run by the hub's staff on files they chose) reads in its own
process, within the limits of :mod:`vrhub.ingest.limits` but not these.
"""

from __future__ import annotations

import json
import math
import os
import resource
import signal
import subprocess  # nosec B404
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from vrhub.datasets import get_dataset
from vrhub.datasets.spec import Dataset
from vrhub.errors import FileRejectedError
from vrhub.ingest.files import FileFacts, inspect, inspected_elsewhere
from vrhub.ingest.limits import (
    MAX_COLUMNS,
    MAX_EXPANDED_BYTES,
    MAX_MALFORMED_ROWS,
    MAX_ROWS,
    check_columns,
    too_many_rows,
)
from vrhub.ingest.readers import (
    FileReader,
    HeaderMatch,
    MalformedRow,
    open_reader,
    read_elsewhere,
)
from vrhub.settings import Settings

#: What the reading process writes in its folder: the rows it read, and what it found.
ROWS = "rows.parquet"
OUTCOME = "outcome.json"


@dataclass(frozen=True)
class Limits:
    """How far the reading process may go before the file is refused."""

    #: Wall-clock time from starting the process to its answer.
    seconds: float = 120.0
    #: Address space of the process (its imports take about 400 MB of it).
    memory_mb: int = 4096
    #: Rows read (malformed ones included).
    rows: int = MAX_ROWS
    #: Rows with a different number of values from the header's.
    malformed: int = MAX_MALFORMED_ROWS
    #: Columns of the header row.
    columns: int = MAX_COLUMNS

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(float(settings.upload_read_seconds), settings.upload_read_memory_mb)


@dataclass
class SandboxRead:
    """What the reading process made of one file: its facts and rows, or a refusal.

    ``stage`` says where the ingest meets the refusal: on looking at the file (``inspect``), as
    reading it in the server would, or on opening its reader (``open``), for a file refused
    once its facts are known (logged with them). A file refused part way through its rows is
    refused as its reader opens, so the server stages none of its rows for nothing.
    """

    path: Path
    dataset: str
    facts: FileFacts | None = None
    refusal: str | None = None
    stage: Literal["inspect", "open"] = "inspect"
    header: list[str] = field(default_factory=list)
    match: HeaderMatch | None = None
    sheet: str | None = None
    malformed: list[MalformedRow] = field(default_factory=list)
    parquet: Path | None = None
    rows: int = 0

    def inspect(self) -> FileFacts:
        """The facts the process found, as :func:`~vrhub.ingest.files.inspect` gives them."""
        if self.facts is None or (self.refusal is not None and self.stage == "inspect"):
            raise FileRejectedError(self.refusal or _unexpected(self.path.name))
        return self.facts

    def reader(self, dataset: Dataset, facts: FileFacts, block_bytes: int) -> FileReader:
        """A reader of the rows the process read, as :func:`open_reader` gives one."""
        if dataset.name != self.dataset:
            raise FileRejectedError(
                f"{self.path.name} was read for the {self.dataset} standard, not {dataset.name}"
            )
        if self.refusal is not None and self.stage == "open":
            raise FileRejectedError(self.refusal)
        if self.match is None:
            raise FileRejectedError(_unexpected(self.path.name))
        return ReadBefore(
            facts,
            list(self.header),
            self.match,
            sheet=self.sheet,
            block_bytes=block_bytes,
            malformed=list(self.malformed),
            parquet=self.parquet,
        )

    @contextmanager
    def in_use(self) -> Iterator[None]:
        """While in this block, ingesting :attr:`path` takes what the process read."""
        with inspected_elsewhere(self.path, self.inspect), read_elsewhere(self.path, self.reader):
            yield


@dataclass
class ReadBefore(FileReader):
    """The rows a reading process wrote, block by block, with the original file's row
    numbers (its malformed rows are already listed)."""

    parquet: Path | None = None

    def blocks(self) -> Iterator[pa.Table]:
        if self.parquet is None:
            return
        expected = [*self.match.columns, "_row"]
        try:
            pf = pq.ParquetFile(self.parquet)
            if pf.schema_arrow.names != expected:
                raise FileRejectedError(_unexpected(self.facts.path.name))
            for i in range(pf.num_row_groups):
                yield pf.read_row_group(i)
        except (pa.ArrowException, OSError):
            raise FileRejectedError(_unexpected(self.facts.path.name)) from None


# -- the server's side ------------------------------------------------------------------------
def read_untrusted(
    path: Path, dataset: Dataset, limits: Limits, block_bytes: int, work: Path
) -> SandboxRead:
    """Read ``path`` for ``dataset`` in a separate process, writing into the new private folder
    ``work``; never raises for the file's sake: a refusal is held, to be met by the ingest."""
    work.mkdir(mode=0o700)
    request = {
        "path": str(path),
        "dataset": dataset.name,
        "out": str(work),
        "block_bytes": block_bytes,
        "memory_bytes": limits.memory_mb << 20,
        "cpu_seconds": math.ceil(limits.seconds) + 1,
        "rows": limits.rows,
        "malformed": limits.malformed,
        "columns": limits.columns,
    }
    env = dict(os.environ, MALLOC_ARENA_MAX="2", OMP_NUM_THREADS="1", RUST_BACKTRACE="0")
    # Isolated (-I): neither the working folder nor PYTHON* variables reach the import path, so
    # nothing beside the file can be imported as code.
    # Our own interpreter and module, a fixed argument list, no shell: nothing from the file.
    child = subprocess.Popen(  # nosec B603
        [sys.executable, "-I", "-m", "vrhub.ingest.sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # it may quote the file: never kept
        cwd=work,
        env=env,
    )
    try:
        child.communicate(json.dumps(request).encode("utf-8"), timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        return SandboxRead(path, dataset.name, refusal=_took_too_long(path.name, limits))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return _outcome(path, dataset.name, limits, child.returncode, work)


def _outcome(path: Path, dataset: str, limits: Limits, code: int, work: Path) -> SandboxRead:
    name = path.name
    if code == -signal.SIGXCPU:
        return SandboxRead(path, dataset, refusal=_took_too_long(name, limits))
    try:
        found = json.loads((work / OUTCOME).read_text(encoding="utf-8")) if code == 0 else None
    except (OSError, ValueError):
        found = None
    if not isinstance(found, dict):
        return SandboxRead(path, dataset, refusal=_stopped(name, limits))
    if found.get("failure") == "memory":
        return SandboxRead(path, dataset, refusal=_needs_memory(name, limits))
    if "failure" in found:
        return SandboxRead(path, dataset, refusal=_stopped(name, limits, str(found.get("kind"))))
    try:
        return _read_outcome(path, dataset, found, work)
    except (KeyError, TypeError, ValueError):
        return SandboxRead(path, dataset, refusal=_unexpected(name))


def _read_outcome(path: Path, dataset: str, found: dict[str, Any], work: Path) -> SandboxRead:
    if found.get("stage") == "inspect":
        return SandboxRead(path, dataset, refusal=str(found["refusal"]))
    f = found["facts"]
    facts = FileFacts(
        path,
        str(f["format"]),
        str(f["sha256"]),
        int(f["size"]),
        None if f["encoding"] is None else str(f["encoding"]),
        bool(f["compressed"]),
    )
    read = SandboxRead(path, dataset, facts)
    if found.get("stage") == "open":
        read.refusal, read.stage = str(found["refusal"]), "open"
        return read
    m = found["match"]
    read.header = [str(h) for h in found["header"]]
    read.match = HeaderMatch(
        {str(k): int(v) for k, v in m["columns"].items()},
        [str(x) for x in m["extras"]],
        [str(x) for x in m["missing_optional"]],
    )
    read.sheet = None if found["sheet"] is None else str(found["sheet"])
    read.malformed = [
        MalformedRow(int(r), int(e), int(a), str(t)) for r, e, a, t in found["malformed"]
    ]
    read.rows = int(found["rows"])
    read.parquet = work / ROWS if found["parquet"] else None
    return read


def _took_too_long(name: str, limits: Limits) -> str:
    return (
        f"{name} took longer than {limits.seconds:g} second{'' if limits.seconds == 1 else 's'} "
        "to read, the most the dashboard allows for one file, so it was not read; send the "
        "data as plain CSV, or split it into smaller files (for example one per month)"
    )


def _needs_memory(name: str, limits: Limits) -> str:
    return (
        f"{name} needs more than {limits.memory_mb:,} MB of memory to read, the most the "
        "dashboard allows for one file, so it was not read; send the data as plain CSV (an "
        "Excel workbook takes far more memory to read), or split it into smaller files"
    )


def _stopped(name: str, limits: Limits, kind: str | None = None) -> str:
    which = f" (reader error: {kind})" if kind else ""
    return (
        f"{name} could not be read: reading it stopped unexpectedly{which}. The file may be "
        f"damaged, or need more than {limits.memory_mb:,} MB of memory to read; open it in the "
        "program that made it, save it again (as CSV if you can) and send it again"
    )


def _unexpected(name: str) -> str:
    return f"{name} could not be read: the reading process gave an answer vrhub cannot use"


# -- the reading process ----------------------------------------------------------------------
def _set_limits(request: dict[str, Any]) -> None:
    """Limit this process before it opens the file; the server is not affected."""
    os.umask(0o077)
    memory = int(request["memory_bytes"])
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_EXPANDED_BYTES, MAX_EXPANDED_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(10)
    pa.set_cpu_count(1)


def _read(request: dict[str, Any]) -> dict[str, Any]:
    """Check and read the file as ``vrhub ingest`` does; what was read, or where it stopped."""
    path = Path(request["path"])
    dataset = get_dataset(str(request["dataset"]))
    try:
        facts = inspect(path)
    except FileRejectedError as exc:
        return {"stage": "inspect", "refusal": str(exc)}
    found: dict[str, Any] = {
        "facts": {
            "format": facts.format,
            "sha256": facts.sha256,
            "size": facts.size,
            "encoding": facts.encoding,
            "compressed": facts.compressed,
        }
    }
    try:
        reader = open_reader(dataset, facts, int(request["block_bytes"]))
        check_columns(path.name, len(reader.header), int(request["columns"]))
        reader.malformed_limit = int(request["malformed"])
    except FileRejectedError as exc:
        return found | {"stage": "open", "refusal": str(exc)}
    limit = int(request["rows"])
    rows = 0
    writer: pq.ParquetWriter | None = None
    try:
        for block in reader.blocks():
            rows += block.num_rows
            if rows + len(reader.malformed) > limit:
                raise too_many_rows(path.name, limit)
            if writer is None:
                writer = pq.ParquetWriter(Path(request["out"]) / ROWS, block.schema)
            writer.write_table(block)
    except FileRejectedError as exc:
        return found | {"stage": "open", "refusal": str(exc)}
    finally:
        if writer is not None:
            writer.close()
    return found | {
        "header": reader.header,
        "match": {
            "columns": reader.match.columns,
            "extras": reader.match.extras,
            "missing_optional": reader.match.missing_optional,
        },
        "sheet": reader.sheet,
        "malformed": [[m.row, m.expected, m.actual, m.text] for m in reader.malformed],
        "rows": rows,
        "parquet": writer is not None,
    }


def main() -> int:
    """The reading process: a request (JSON) on standard input; the outcome in its folder."""
    request = json.loads(sys.stdin.buffer.read())
    out = Path(request["out"])
    _set_limits(request)
    try:
        found = _read(request)
    except MemoryError:
        found = {"failure": "memory"}
    except BaseException as exc:  # any other failure of the reader: its kind, not its words
        found = {"failure": "error", "kind": type(exc).__name__}
    part = out / (OUTCOME + ".part")
    part.write_text(json.dumps(found), encoding="utf-8")
    part.replace(out / OUTCOME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
