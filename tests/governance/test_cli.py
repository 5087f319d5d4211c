"""The governance commands end to end from the CLI, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from vrhub.cli import common, main
from vrhub.home import Home

AGREEMENT = """
ref = "WY-ISA-09"
title = "Police recorded violence"
parties = ["wyp", "vrp"]
purposes = ["needs assessment"]
audiences = ["analyst", "partner"]
retention_months = 84
start_date = 2020-04-01
status = "active"

[lawful_basis]
article6 = "public-task"
article10 = "DPA 2018 Sch 1 para 10"

[[covers]]
dataset = "police-crime"
sources = ["wyp"]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> str:
    got = main(list(args))
    captured = capsys.readouterr()
    assert got == code, captured.err
    return captured.out + captured.err


def test_governance_from_the_command_line(
    gov_home: Home,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = ["--home", str(gov_home.path)]
    monkeypatch.setattr(common.out, "width", 400)  # tables on one line each
    run(capsys, "org", "add", "wyp", "--name", "West Yorkshire Police", "--kind", "police", *h)
    run(capsys, "org", "add", "vrp", "--name", "The VRP", "--kind", "partnership", *h)
    assert "wyp" in run(capsys, "org", "list", *h)
    assert "kind 'army' is not one of" in run(
        capsys, "org", "add", "x", "--name", "X", "--kind", "army", *h, code=1
    )

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    run(
        capsys,
        "user",
        "add",
        "lee",
        "--name",
        "Lee",
        "--org",
        "vrp",
        "--role",
        "partner",
        "--district",
        "E08000035",
        "--password-stdin",
        *h,
    )
    run(capsys, "user", "change", "lee", "--role", "analyst", "--all-districts", *h)
    listed = run(capsys, "user", "list", *h)
    assert "lee" in listed and "analyst" in listed and "all" in listed

    toml = tmp_path / "dsa.toml"
    toml.write_text(AGREEMENT, encoding="utf-8")
    assert "Recorded WY-ISA-09 version 1 (active)" in run(
        capsys, "agreement", "create", "--from", str(toml), *h
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(AGREEMENT.replace('article10 = "DPA 2018 Sch 1 para 10"\n', ""), "utf-8")
    assert "lawful_basis.article10" in run(
        capsys, "agreement", "create", "--from", str(bad), *h, code=1
    )
    assert "version 2" in run(
        capsys,
        "agreement",
        "amend",
        "WY-ISA-09",
        "--set",
        "end_date=2027-03-31",
        "--note",
        "extended",
        *h,
    )
    data = tmp_path / "pc.csv"
    data.write_text(
        ",".join(POLICE_CRIME_HEADER) + "\n" + ",".join(police_crime_row(1).values()) + "\n",
        encoding="utf-8",
    )
    loaded = run(capsys, "ingest", "--dataset", "police-crime", "--source", "wyp", str(data), *h)
    assert "loaded" in loaded and "WY-ISA-09 v2" in loaded
    assert "suspended (version 3)" in run(
        capsys, "agreement", "suspend", "WY-ISA-09", "--reason", "DPO review", *h
    )
    data2 = tmp_path / "pc2.csv"
    data2.write_text(data.read_text().replace("000001", "000002"), encoding="utf-8")
    refused = run(
        capsys, "ingest", "--dataset", "police-crime", "--source", "wyp", str(data2), *h, code=1
    )
    assert "WY-ISA-09 (version 3) is suspended" in refused
    listed = run(capsys, "agreement", "list", *h)
    assert "WY-ISA-09" in listed and "suspended" in listed and "OGL-3.0" in listed
    shown = run(capsys, "agreement", "show", "WY-ISA-09", *h)
    assert shown.count("WY-ISA-09 version") == 3 and "extended" in shown
    assert "no agreement has the reference 'NOPE'" in run(
        capsys, "agreement", "show", "NOPE", *h, code=1
    )
    assert "intact" in run(capsys, "audit", "verify", *h)
