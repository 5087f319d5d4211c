"""Open the record store, bring its schema up to date, and hand out sessions."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import Session, sessionmaker

from vrhub.errors import RecordStoreError
from vrhub.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Records:
    """An open record store."""

    engine: Engine
    url_shown: str

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite takes its write lock only when a transaction first writes, so two threads of
        # one process could both read the audit trail's end and both append after it; they
        # take turns instead. (A server database locks the end record itself.)
        self._turns: threading.RLock | contextlib.nullcontext[None] = (
            threading.RLock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The store's session factory (for listening to its sessions' events)."""
        return self._sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed together, or not at all. A store that cannot be
        reached or written (locked, full, gone) is a :class:`RecordStoreError` naming why, never
        a traceback carrying the statement's values."""
        try:
            with self._turns, self._sessions() as s, s.begin():
                yield s
        except (OperationalError, ProgrammingError) as exc:
            why = str(exc.orig).splitlines()[0] if exc.orig is not None else "no reason given"
            raise RecordStoreError(
                f"the record store ({self.url_shown}) could not be used ({why}): nothing was "
                "written to it; try again in a moment, and if this persists tell the hub's "
                "administrator"
            ) from None

    def close(self) -> None:
        self.engine.dispose()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def shown(url: str) -> str:
    """The URL with any password hidden, fit for a message."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def open_records(settings: Settings, migrate: bool = True) -> Records:
    """Connect to the record store and (by default) apply any pending migrations."""
    url = settings.resolved_database_url
    where = shown(url)
    _create_private_sqlite(url)
    try:
        # A server's connections can drop; a file's cannot, so SQLite skips the check.
        sqlite = url.startswith("sqlite")
        engine = create_engine(url, future=True, pool_pre_ping=not sqlite)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise RecordStoreError(f"the record store URL {where} is not valid ({exc})") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.begin() as conn:
            if migrate:
                cfg = _alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            else:
                _check_current(conn)
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise RecordStoreError(f"cannot use the record store at {where}: {reason}") from None
    return Records(engine, where)


def _create_private_sqlite(url: str) -> None:
    """Create a new SQLite file empty and private (mode 600) before SQLite opens it; SQLite
    starts a database in an empty file and gives its -wal and -shm files the file's mode."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # refused, saying why, when the engine is made
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return
    if path.startswith("file:") or Path(path).exists() or not Path(path).parent.is_dir():
        return
    with contextlib.suppress(FileExistsError):  # another process made it first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _check_current(conn: object) -> None:
    context = MigrationContext.configure(conn)  # type: ignore[arg-type]
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if context.get_current_revision() != head:
        raise RecordStoreError(
            "the record store's schema is not up to date; run any vrhub command that writes "
            "(for example `vrhub agreement list`) to migrate it"
        )


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cur = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.close()
