"""Homes, partnerships, settings and the pseudonymisation key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.errors import (
    ConfigurationError,
    HomeNotFoundError,
    PartnershipError,
    PseudonymisationKeyError,
)
from vrhub.home import Home
from vrhub.partnership import builtin_partnerships, resolve_partnership
from vrhub.pseudonymise import PseudonymisationKey
from vrhub.settings import load_settings


def test_builtin_partnerships() -> None:
    found = builtin_partnerships()
    assert found["west-yorkshire"].district_codes == [f"E0800003{i}" for i in range(2, 7)]
    # Barnsley and Sheffield by the codes they have had since 1 April 2025.
    assert found["south-yorkshire"].district_codes == [
        "E08000038",
        "E08000017",
        "E08000018",
        "E08000039",
    ]


def test_partnership_from_toml_and_bad_toml(tmp_path: Path) -> None:
    good = tmp_path / "tv.toml"
    good.write_text(
        'name = "Thames Valley"\n[[districts]]\ncode = "E06000038"\nname = "Reading"\n',
        encoding="utf-8",
    )
    p = resolve_partnership(str(good))
    assert p.slug == "thames-valley" and p.district_codes == ["E06000038"]
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "X"\n[[districts]]\ncode = "Leeds"\nname = "Leeds"\n', encoding="utf-8")
    with pytest.raises(PartnershipError, match=r"districts\.0\.code.*not a local authority"):
        resolve_partnership(str(bad))
    with pytest.raises(PartnershipError, match="unknown partnership 'atlantis'"):
        resolve_partnership("atlantis")


def test_key_is_created_private_and_checked(sy_home: Home) -> None:
    key_file = sy_home.settings.resolved_key_file
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    os.chmod(key_file, 0o644)
    with pytest.raises(PseudonymisationKeyError, match="can be read by other users"):
        pipeline.open_partnership_home(sy_home.path)
    os.chmod(key_file, 0o600)
    key_file.write_text("00" * 32 + "\n", encoding="ascii")
    with pytest.raises(PseudonymisationKeyError, match="default or trivially guessable"):
        pipeline.open_partnership_home(sy_home.path)
    key_file.unlink()
    with pytest.raises(PseudonymisationKeyError, match="no pseudonymisation key"):
        pipeline.open_partnership_home(sy_home.path)


def test_short_key_refused() -> None:
    with pytest.raises(PseudonymisationKeyError, match="too short"):
        PseudonymisationKey(b"abc")


def test_missing_home_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VRHUB_HOME", raising=False)
    with pytest.raises(ConfigurationError, match="no home folder given"):
        load_settings(None)
    with pytest.raises(HomeNotFoundError, match="is not a vrhub home"):
        pipeline.open_partnership_home(tmp_path / "nowhere")
    monkeypatch.setenv("VRHUB_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(ConfigurationError, match="duckdb_memory_limit"):
        load_settings(tmp_path)


def test_init_is_idempotent_and_refuses_other_partnership(sy_home: Home) -> None:
    again, created = pipeline.init_partnership_home(sy_home.path, "south-yorkshire")
    assert not created and again.key.secret == sy_home.key.secret
    with pytest.raises(PartnershipError, match="already the home of South Yorkshire"):
        pipeline.init_partnership_home(sy_home.path, "west-yorkshire")


def test_a_home_made_by_the_library_is_private(tmp_path: Path) -> None:
    """Issue 16: what `init_home` and the stores create is private whatever the umask."""
    before = os.umask(0o022)
    try:
        home, _ = pipeline.init_partnership_home(tmp_path / "h", "south-yorkshire")
    finally:
        os.umask(before)
    folders = [home.path, home.reports_dir, home.tmp_dir, home.path / "secrets"]
    files = ["vrhub.toml", "partnership.toml", "analytical.duckdb", "records.sqlite"]
    modes = {p.name: p.stat().st_mode & 0o777 for p in folders}
    modes |= {name: (home.path / name).stat().st_mode & 0o777 for name in files}
    assert modes == {p.name: 0o700 for p in folders} | dict.fromkeys(files, 0o600)
