"""Agreements as a new user meets them (issue 16): `amend --from` never loses an earlier
change unseen, overdue reviews show in `agreement list`, and the demo is within its retention
and before its reviews on the day it is built."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.cli import main
from vrhub.demo.governance import AGREEMENTS, agreement_dates
from vrhub.governance.agreements import review_words
from vrhub.governance.retention import due, keep_until
from vrhub.home import Home
from vrhub.months import month_add

TODAY = dt.date.today()
AGREEMENT = """
ref = "NU-ISA-01"
title = "Police recorded violence"
parties = ["test-police", "test-vrp"]
purposes = ["needs assessment"]
audiences = ["analyst", "partner"]
retention_months = 84
start_date = 2020-04-01
status = "active"
{extra}

[lawful_basis]
article6 = "public-task"
article10 = "DPA 2018 Sch 1 para 10"

[[covers]]
dataset = "police-crime"
"""


def run(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> str:
    got = main(list(args))
    captured = capsys.readouterr()
    assert got == code, captured.out + captured.err
    return captured.out + captured.err


def terms(home: Home) -> dict[str, object]:
    gov = pipeline.governance(home)
    try:
        [a] = [a for a in gov.register.current() if a.ref == "NU-ISA-01"]
        return {"version": a.version, "retention_months": a.retention_months,
                "end_date": a.end_date, "status": a.status}  # fmt: skip
    finally:
        gov.close()


def test_amend_from_a_file_keeps_earlier_set_changes(
    wy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = ["--home", str(wy_home.path)]
    original = tmp_path / "nu.toml"
    original.write_text(AGREEMENT.format(extra=""), encoding="utf-8")
    run(capsys, "agreement", "create", "--from", str(original), *h)
    run(capsys, "agreement", "amend", "NU-ISA-01", "--note", "extended",
        "--set", "end_date=2027-03-31", *h)  # fmt: skip
    # The partner edits the file they kept (without the end date) to shorten retention.
    edited = tmp_path / "nu-v3.toml"
    edited.write_text(AGREEMENT.format(extra="").replace("= 84", "= 60"), encoding="utf-8")
    run(capsys, "agreement", "amend", "NU-ISA-01", "--note", "shorter", "--from", str(edited), *h)
    assert terms(wy_home) == {
        "version": 3, "retention_months": 60, "end_date": dt.date(2027, 3, 31), "status": "active"
    }  # fmt: skip
    # A file that sets a term back to what it was before an amendment is refused ...
    back = tmp_path / "nu-back.toml"
    back.write_text(AGREEMENT.format(extra="end_date = 2026-12-31"), encoding="utf-8")
    run(capsys, "agreement", "amend", "NU-ISA-01", "--note", "x", "--set",
        "end_date=2026-12-31", *h)  # fmt: skip
    shown = run(capsys, "agreement", "amend", "NU-ISA-01", "--note", "y", "--from",
                str(original), *h, code=1)  # fmt: skip
    assert shown.strip().splitlines() == [
        "error: nu.toml would undo the change to retention_months made in version 3 "
        "(shorter): it is now 60, the file says 84; put the current value in the file, or "
        "change it on purpose with --set retention_months=VALUE"
    ]
    assert terms(wy_home)["version"] == 4
    # ... a suspension too ...
    run(capsys, "agreement", "suspend", "NU-ISA-01", "--reason", "breach under review", *h)
    shown = run(capsys, "agreement", "amend", "NU-ISA-01", "--note", "z", "--from",
                str(back), *h, code=1)  # fmt: skip
    assert "would undo the change to retention_months made in version 3" in shown
    assert "; and the change to status made in version 5 (suspended: breach" in shown
    # ... unless the change is made on purpose with --set.
    run(capsys, "agreement", "amend", "NU-ISA-01", "--note", "z", "--from", str(back),
        "--set", "status=active", "--set", "retention_months=84", *h)  # fmt: skip
    assert terms(wy_home) == {
        "version": 6, "retention_months": 84, "end_date": dt.date(2026, 12, 31), "status": "active"
    }  # fmt: skip


def test_overdue_reviews_show_in_the_list(
    wy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = ["--home", str(wy_home.path)]
    past = TODAY - dt.timedelta(days=30)
    f = tmp_path / "nu.toml"
    f.write_text(AGREEMENT.format(extra=f"review_date = {past}"), encoding="utf-8")
    run(capsys, "agreement", "create", "--from", str(f), *h)
    listed = json.loads(run(capsys, "agreement", "list", "--format", "json", *h))
    [row] = [a for a in listed if a["ref"] == "NU-ISA-01"]
    assert row["review"] == f"review overdue since {past}"
    shown = run(capsys, "agreement", "list", *h)
    assert f"review overdue since {past}" in shown
    assert "Review overdue: NU-ISA-01" in shown


def test_review_words() -> None:
    class A:
        review_date: dt.date | None = dt.date(2026, 5, 1)

    a = A()
    assert review_words(a, dt.date(2026, 11, 29)) == "review overdue since 2026-05-01"  # type: ignore[arg-type]
    assert review_words(a, dt.date(2026, 5, 1)) == "2026-05-01"  # type: ignore[arg-type]
    a.review_date = None
    assert review_words(a, dt.date(2026, 5, 1)) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize("years", [1, 5, 10])
@pytest.mark.parametrize("today", [dt.date(2026, 11, 29), dt.date(2026, 3, 31), TODAY])
def test_the_demo_agreements_fit_the_day_it_is_built(years: int, today: dt.date) -> None:
    first = month_add("2026-09", -12 * years + 1)
    for spec in AGREEMENTS:
        dates = agreement_dates(spec, first, today)
        assert dates["review_date"] > today  # type: ignore[operator]
        assert dates["end_date"] > today  # type: ignore[operator]
        assert dates["start_date"] <= dt.date(int(first[:4]), int(first[5:7]), 1)  # type: ignore[operator]
        retention = dates["retention_months"]
        assert isinstance(retention, int) and retention >= int(str(spec["retention_months"]))
        assert (retention - int(str(spec["retention_months"]))) % 12 == 0
        assert keep_until(first, retention) >= today  # the oldest month is still kept


def test_the_demo_as_built_today(demo_home: Path) -> None:
    gov = pipeline.governance(pipeline.open_partnership_home(demo_home))
    try:
        assert due(gov) == []
        demo = [a for a in gov.register.current() if a.kind == "agreement"]
        assert len(demo) == len(AGREEMENTS)
        assert all(a.review_date is not None and a.review_date > TODAY for a in demo)
        assert all(review_words(a).startswith("20") for a in demo)
    finally:
        gov.close()
