"""The record store: migrations on both databases, and clear messages when it cannot open."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import inspect

from vrhub import pipeline
from vrhub.cli import main
from vrhub.errors import ConfigurationError, RecordStoreError
from vrhub.home import Home
from vrhub.records.db import open_records
from vrhub.settings import load_settings


def test_migrations_create_every_table(gov_home: Home, backend: str) -> None:
    records = open_records(gov_home.settings)
    try:
        assert records.engine.dialect.name == backend
        names = set(inspect(records.engine).get_table_names())
        assert {
            "organisations",
            "users",
            "agreements",
            "batch_lineage",
            "audit_log",
            "audit_head",
            "recommendations",
            "recommendation_history",
            "alembic_version",
        } <= names
    finally:
        records.close()
    again = open_records(gov_home.settings)  # already at head: nothing to do
    again.close()


def test_malformed_database_url(
    wy_home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VRHUB_DATABASE_URL", "postgres://vrhub@localhost/vrhub")
    with pytest.raises(ConfigurationError, match="database_url: Value error, must start with"):
        load_settings(wy_home.path)
    assert main(["agreement", "list", "--home", str(wy_home.path)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("error: setting database_url")
    assert "Traceback" not in captured.err and captured.err.count("\n") == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_postgresql(
    wy_home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql+psycopg://vrhub:secret-pw@127.0.0.1:{_free_port()}/vrhub"
    monkeypatch.setenv("VRHUB_DATABASE_URL", url)
    with pytest.raises(RecordStoreError) as exc:
        pipeline.governance(pipeline.open_partnership_home(wy_home.path))
    assert "cannot use the record store at postgresql+psycopg://vrhub:***@127.0.0.1" in str(
        exc.value
    )
    assert "secret-pw" not in str(exc.value)
    assert main(["user", "list", "--home", str(wy_home.path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use the record store") and "Traceback" not in err


def test_corrupted_key_file(wy_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    key = wy_home.settings.resolved_key_file
    key.write_text("this is not a key\n", encoding="ascii")
    assert main(["agreement", "list", "--home", str(wy_home.path)]) == 1
    err = capsys.readouterr().err
    assert "is not a hexadecimal key" in err and err.count("\n") == 1


def test_record_store_file_in_the_home(wy_home: Home) -> None:
    assert Path(wy_home.path / "records.sqlite").is_file()
