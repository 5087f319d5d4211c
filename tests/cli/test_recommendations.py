"""`vrhub recommendations`: propose, list, show (with history), edit, accept and reject from
the command line, with one-line errors for an unknown number, a decided recommendation and a
user who is not an analyst."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reports.recs_data import CURRENT, PERIOD, PREVIOUS, A, load, rows
from vrhub import pipeline
from vrhub.cli import main
from vrhub.home import Home

Write = Callable[..., Path]


def test_the_review_from_the_command_line(
    wy_home: Home, write_police_crime: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    gov = pipeline.governance(wy_home)
    try:
        gov.people.add_organisation("vrp", "The VRP", "partnership", "test")
        gov.people.add_user("asha", "Asha Patel", "vrp", "analyst", [], "pw-" * 5, "test")
        gov.people.add_user("pat", "Pat Jones", "vrp", "partner", [], "pw-" * 5, "test")
    finally:
        gov.close()
    load(
        wy_home, write_police_crime, rows([(PREVIOUS, A, 2, "N", "15"), (CURRENT, A, 2, "N", "15")])
    )
    home = ["--home", str(wy_home.path)]

    assert main(["recommendations", "propose", *home, "--period", PERIOD]) == 0
    said = capsys.readouterr().out
    assert "new recommendations proposed for the year ending September 2025" in said
    assert main(["recommendations", "list", *home, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and {r["status"] for r in listed} == {"proposed"}
    assert f"{len(listed)} new recommendations" in said
    assert main(["recommendations", "propose", *home, "--period", PERIOD]) == 0
    assert capsys.readouterr().out.startswith(
        f"0 new recommendations proposed for the year ending September 2025; {len(listed)} "
        "already proposed left as they were."
    )
    first = listed[0]["id"]

    edit = ["recommendations", "edit", str(first), *home, "--as", "asha"]
    assert main([*edit, "--text", "Agree a plan with the council.", "--reason", "Plainer"]) == 0
    capsys.readouterr()
    assert main(["recommendations", "accept", str(first), *home, "--as", "asha"]) == 0
    capsys.readouterr()
    assert main(["recommendations", "show", str(first), *home]) == 0
    shown = capsys.readouterr().out
    assert f"Recommendation {first}: accepted by asha on " in shown
    assert "Text: Agree a plan with the council." in shown
    assert "asha: edited (proposed -> proposed)" in shown and "reason: Plainer" in shown
    assert "asha: accepted (proposed -> accepted)" in shown
    assert "Evidence when proposed: " in shown

    second = listed[1]["id"]
    reject = ["recommendations", "reject", str(second), *home, "--as", "asha"]
    assert main([*reject, "--reason", "Not ours to do"]) == 0
    capsys.readouterr()
    assert main(["recommendations", "list", *home, "--status", "rejected", "--format", "csv"]) == 0
    csv_out = capsys.readouterr().out.splitlines()
    assert csv_out[0] == "id,area,period,rule,status,decided by,text" and len(csv_out) == 2

    # Errors: one line each, exit 1.
    for args, words in (
        (
            ["recommendations", "accept", "999", *home, "--as", "asha"],
            "no recommendation is numbered 999",
        ),
        (
            ["recommendations", "accept", str(first), *home, "--as", "asha"],
            "was already accepted by asha",
        ),
        (
            ["recommendations", "accept", str(listed[2]["id"]), *home, "--as", "pat"],
            "only an analyst may",
        ),
        (["recommendations", "list", *home, "--status", "maybe"], "is not a status"),
    ):
        assert main(args) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and words in err and err.count("\n") == 1, err

    audit = pipeline.governance(wy_home)
    try:
        actions = {e.action for e in audit.audit.show(action="recommendation", limit=500)}
        reads = [e for e in audit.audit.show(action="read", limit=50)]
    finally:
        audit.close()
    assert {"recommendation.proposed", "recommendation.edited"} <= actions
    assert {"recommendation.accepted", "recommendation.rejected"} <= actions
    assert any("recommendations show" in e.target for e in reads)
