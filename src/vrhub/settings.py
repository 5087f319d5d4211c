"""The one typed settings object, read from ``VRHUB_*`` environment variables and the CLI.

Every setting has help text; :func:`load_settings` validates them at start-up and refuses to run
without a proper pseudonymisation key (see :mod:`vrhub.pseudonymise`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from vrhub.errors import ConfigurationError


class Settings(BaseSettings):
    """All run-time settings of vrhub. Environment variables use the ``VRHUB_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="VRHUB_", extra="ignore")

    home: Path = Field(
        description=(
            "The home folder holding all of a partnership's state: its definition, "
            "pseudonymisation key, analytical store and ingest reports. "
            "Set with --home or VRHUB_HOME."
        )
    )
    key_file: Path | None = Field(
        default=None,
        description=(
            "Where the pseudonymisation key lives. Defaults to secrets/pseudonymisation.key "
            "inside the home; the file must be readable by its owner only (mode 600)."
        ),
    )
    read_block_mb: int = Field(
        default=64,
        ge=1,
        le=1024,
        description=(
            "How many megabytes of a CSV file ingest reads at a time. Memory use grows "
            "with it; files of any length stream through blocks of this size."
        ),
    )
    duckdb_memory_limit: str = Field(
        default="1GB",
        pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description=(
            "The most memory the analytical store (DuckDB) may use before it spills to "
            "the home's tmp folder, e.g. '1GB'."
        ),
    )
    duckdb_threads: int = Field(
        default=2,
        ge=1,
        le=256,
        description="How many threads the analytical store may use.",
    )

    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description=(
            "Where measures run: duckdb (the analytical store, the default) or spark "
            "(Apache Spark through Ibis; install with pip install 'vrhub[spark]')."
        ),
    )
    spark_master: str = Field(
        default="local[2]",
        description=(
            "The Spark master measures use when engine is spark: local[N] on one machine, or "
            "a cluster's URL such as spark://host:7077."
        ),
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "The record store (users, organisations, agreements, lineage, audit trail) as a "
            "SQLAlchemy URL. Unset: a SQLite file, records.sqlite, in the home. For PostgreSQL: "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE."
        ),
    )

    session_minutes: int = Field(
        default=30,
        ge=1,
        le=720,
        description=(
            "How long a dashboard sign-in lasts without activity, in minutes; after it the "
            "user must sign in again."
        ),
    )

    upload_max_mb: int = Field(
        default=100,
        ge=1,
        le=4096,
        description=(
            "The largest file a partner may upload through the dashboard, in megabytes; a "
            "larger upload is refused before it is read (load larger files with `vrhub ingest`)."
        ),
    )
    upload_read_seconds: int = Field(
        default=120,
        ge=1,
        le=3600,
        description=(
            "The longest a file uploaded through the dashboard may take to read, in seconds. "
            "It is read in a separate process, which is ended at this limit; the file is then "
            "refused and nothing of it is loaded."
        ),
    )
    upload_read_memory_mb: int = Field(
        default=4096,
        ge=512,
        le=65536,
        description=(
            "The most memory the separate process reading an uploaded file may use, in "
            "megabytes; a file needing more is refused and nothing of it is loaded (an Excel "
            "workbook needs far more than the same data as CSV)."
        ),
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError(
                "must start with sqlite:/// or postgresql+psycopg:// "
                "(for example postgresql+psycopg://vrhub:secret@localhost:5432/vrhub)"
            )
        return value

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        """The record store's URL actually used."""
        return self.database_url or f"sqlite:///{self.home / 'records.sqlite'}"

    @property
    def resolved_key_file(self) -> Path:
        """The pseudonymisation key file actually used."""
        return self.key_file or self.home / "secrets" / "pseudonymisation.key"


def load_settings(home: Path | None = None) -> Settings:
    """Build and validate the settings, with ``home`` (from --home) taking precedence."""
    try:
        if home is not None:
            return Settings(home=home)
        return Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            if err["type"] == "missing" and field == "home":
                problems.append("no home folder given: use --home DIR or set VRHUB_HOME")
            else:
                problems.append(f"setting {field}: {err['msg']}")
        raise ConfigurationError("; ".join(problems)) from None
