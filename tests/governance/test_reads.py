"""Reads of restricted data in the audit trail (SQLite and PostgreSQL): group commit, a failing
record store, draining at shutdown, the command line and the DPO's report."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import grant_test_agreement, police_crime_row
from tests.governance.conftest import add_orgs
from vrhub import pipeline
from vrhub.cli import main
from vrhub.errors import RecordStoreError
from vrhub.governance.audit import cli_actor
from vrhub.governance.context import Governance
from vrhub.governance.reads import (
    CLI,
    DOWNLOAD,
    PAGE,
    REPORT,
    Read,
    ReadLog,
    last_days,
    read_details,
    reads_by_person,
    recent_reads,
    shown,
)
from vrhub.governance.report import governance_report
from vrhub.home import Home

LEEDS = "E08000035"


@pytest.fixture
def gov(gov_home: Home) -> Iterator[Governance]:
    g = pipeline.governance(gov_home)
    add_orgs(g)
    yield g
    g.close()


def page_read(who: str, path: str = "/overview", action: str = PAGE) -> Read:
    fmt = path.rsplit(".", 1)[-1] if "." in path else "html"
    return Read(who, action, path, read_details("partner", fmt, {"by": "district"}, [LEEDS]))


def reads_in(gov: Governance) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.target) for e in reversed(recent_reads(gov.audit, limit=1000))]


def rename(gov: Governance, old: str, new: str) -> None:
    """Take the audit trail's table away (or put it back), as a store that cannot be written."""
    with gov.records.engine.begin() as con:
        con.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def held_writer(
    gov: Governance, monkeypatch: pytest.MonkeyPatch
) -> tuple[ReadLog, threading.Event, threading.Event]:
    """A read log whose writer, once it takes a batch, says so (``busy``) and waits for
    ``go`` before committing it, so reads queue up behind it."""
    log = ReadLog(gov.audit)
    busy, go = threading.Event(), threading.Event()
    commit = log._commit

    def held(batch: list[tuple[Read, object]]) -> None:
        busy.set()
        go.wait(10)
        commit(batch)  # type: ignore[arg-type]

    monkeypatch.setattr(log, "_commit", held)
    return log, busy, go


def test_reads_queued_while_the_writer_is_busy_are_committed_together(
    gov: Governance, monkeypatch: pytest.MonkeyPatch
) -> None:
    log, busy, go = held_writer(gov, monkeypatch)
    first = log.submit(page_read("pat"))
    assert busy.wait(10)
    rest = [log.submit(page_read(f"user{i}", f"/explore.csv?{i}", DOWNLOAD)) for i in range(23)]
    assert not any(f.done() for f in [first, *rest])  # nothing is answered before it is written
    go.set()
    seqs = [f.result(10) for f in [first, *rest]]
    assert log.written == 24 and log.commits == 2  # the 23 waiting went in one transaction
    assert seqs == list(range(seqs[0], seqs[0] + 24))
    assert len(reads_in(gov)) == 24
    report = gov.audit.verify()
    assert report.intact, report.problems
    log.close()


def test_a_read_the_store_refuses_does_not_fail_the_others_queued_with_it(
    gov: Governance, monkeypatch: pytest.MonkeyPatch
) -> None:
    log, busy, go = held_writer(gov, monkeypatch)
    first = log.submit(page_read("pat"))
    assert busy.wait(10)
    bad = log.submit(Read("pat", PAGE, "/odd", {"not text": object()}))
    good = log.submit(page_read("sam"))
    go.set()
    assert good.result(10) == first.result(10) + 1
    with pytest.raises(TypeError):
        bad.result(10)
    log.close()
    assert [actor for actor, _, _ in reads_in(gov)] == ["pat", "sam"]
    assert gov.audit.verify().intact


def test_24_concurrent_reads_leave_24_entries_and_an_intact_trail(
    gov: Governance, capsys: pytest.CaptureFixture[str]
) -> None:
    log = ReadLog(gov.audit)
    with ThreadPoolExecutor(max_workers=24) as pool:
        seqs = list(pool.map(lambda i: log.write(page_read(f"user{i}"), 30), range(24)))
    log.close()
    assert len(set(seqs)) == 24 and log.written == 24 and log.commits <= 24
    assert sorted(actor for actor, _, _ in reads_in(gov)) == sorted(f"user{i}" for i in range(24))
    assert main(["audit", "verify", "--home", str(gov.home.path)]) == 0
    assert "The audit trail is intact" in capsys.readouterr().out


def test_a_read_the_record_store_cannot_take_fails(gov: Governance) -> None:
    log = ReadLog(gov.audit)
    before = gov.audit.verify().checked
    rename(gov, "audit_log", "audit_log_away")
    try:
        with pytest.raises(RecordStoreError, match="nothing was written"):
            log.write(page_read("pat"), 30)
    finally:
        rename(gov, "audit_log_away", "audit_log")
    # The writer carries on once the store can be written again.
    log.write(page_read("pat"), 30)
    log.close()
    assert reads_in(gov) == [("pat", PAGE, "/overview")]
    report = gov.audit.verify()
    assert report.intact and report.checked == before + 1, report.problems


def test_closing_writes_what_is_queued_and_takes_no_more(
    gov: Governance, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = ReadLog(gov.audit)
    go = threading.Event()
    commit = log._commit
    monkeypatch.setattr(log, "_commit", lambda batch: (go.wait(10), commit(batch)))
    queued = [log.submit(page_read(f"user{i}")) for i in range(10)]
    closing = threading.Thread(target=log.close)
    closing.start()
    go.set()
    closing.join(30)
    assert all(f.done() and f.exception() is None for f in queued)
    assert len(reads_in(gov)) == 10
    with pytest.raises(RecordStoreError, match="no longer records reads"):
        log.submit(page_read("late"))


def test_who_read_what(gov: Governance) -> None:
    log = ReadLog(gov.audit)
    log.write(page_read("pat"))
    log.write(page_read("pat", "/explore.xlsx", DOWNLOAD))
    log.write(page_read("pat", "/reports/partner/district-leeds.pdf", REPORT))
    log.write(page_read("sam", "/place"))
    log.close()
    gov.audit.write("sam", "export.counts", "police-crime", {"audience": "public", "by": ["month"]})
    gov.audit.write("sam", "user.add", "someone")  # not a read
    people = {p.actor: p for p in reads_by_person(gov.audit, last_days(30))}
    assert people["pat"].by_kind == {"page": 1, "download": 1, "report file": 1}
    assert people["sam"].by_kind == {"page": 1, "other": 1}
    assert [p.actor for p in reads_by_person(gov.audit, last_days(30))] == ["pat", "sam"]
    assert reads_by_person(gov.audit, last_days(-1)) == []  # nothing read tomorrow
    assert [e.target for e in recent_reads(gov.audit, "pat")] == [
        "/reports/partner/district-leeds.pdf",
        "/explore.xlsx",
        "/overview",
    ]
    newest, *_ = recent_reads(gov.audit)
    export = shown(newest)
    assert (export.kind, export.audience, export.choices, export.districts) == (
        "export.counts",
        "public",
        "by: month",
        "",
    )
    page = shown(recent_reads(gov.audit, "sam")[1])
    assert (page.kind, page.audience, page.format, page.choices, page.districts) == (
        "page",
        "partner",
        "html",
        "by: district",
        LEEDS,
    )


def test_the_dpo_report_says_who_read_what(gov: Governance) -> None:
    log = ReadLog(gov.audit)
    log.write(page_read("pat", "/explore.csv", DOWNLOAD))
    log.close()
    report = governance_report(gov, {}, dt.date.today())
    section = report.split("## Who read what (last 30 days)", 1)[1]
    assert "| pat | 1 | 0 | 1 | 0 | 0 | 0 |" in section
    assert "| download | /explore.csv | partner | csv | by: district | E08000035 |" in section
    # Thirty days later the count is empty; the latest reads are still listed.
    later = governance_report(gov, {}, dt.date.today() + dt.timedelta(days=31))
    assert "| nobody | 0 |" in later and "| /explore.csv |" in later


@pytest.fixture
def loaded(gov_home: Home, write_police_crime: Callable[..., Path]) -> Home:
    grant_test_agreement(gov_home)
    rows = [police_crime_row(i) for i in range(40)]
    path = write_police_crime("crime.csv", rows)
    h = ["--home", str(gov_home.path)]
    assert main(["ingest", str(path), "--dataset", "police-crime", *h]) == 0
    return gov_home


def cli_reads(home: Home) -> list[tuple[str, str, dict[str, object]]]:
    gov = pipeline.governance(home)
    try:
        found = [e for e in reversed(recent_reads(gov.audit)) if e.action != "ingest.loaded"]
        return [(e.action, e.target, json.loads(e.details)) for e in found]
    finally:
        gov.close()


def test_an_exact_count_at_the_command_line_is_one_read(
    loaded: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    h = ["--home", str(loaded.path)]
    by = ["--dataset", "police-crime", "--by", "month"]
    assert main(["counts", *by, "--format", "csv", "--district", LEEDS, *h]) == 0
    assert capsys.readouterr().out.startswith("month,count")
    actor = cli_actor()
    gov = pipeline.governance(loaded)
    try:
        [entry] = [e for e in gov.audit.show(action="read") if e.action == CLI]
        assert (entry.actor, entry.target) == (actor, "vrhub counts")
        assert json.loads(entry.details) == {
            "audience": "analyst",
            "format": "csv",
            "choices": {"dataset": "police-crime", "by": ["month"]},
            "districts": [LEEDS],
        }
    finally:
        gov.close()
    # An export for an audience is audited as an export, not twice.
    assert main(["counts", *by, "--audience", "partner", *h]) == 0
    assert [(a, t) for a, t, _ in cli_reads(loaded)] == [
        (CLI, "vrhub counts"),
        ("export.counts", "police-crime"),
    ]


def test_measures_batches_and_quality_at_the_command_line_are_reads(
    loaded: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    h = ["--home", str(loaded.path)]
    assert main(["batches", "--format", "json", *h]) == 0
    assert main(["quality", "--format", "json", *h]) == 0
    args = ["crime-rate", "--dataset", "police-crime", "--by", "district", "--format", "json"]
    assert main(["measure", "run", *args, *h]) == 0
    assert main(["measure", "list"]) == 0  # definitions, not data: no read
    capsys.readouterr()
    found = cli_reads(loaded)
    assert [t for _, t, _ in found] == [
        "vrhub batches",
        "vrhub quality",
        "vrhub measure run crime-rate",
    ]
    assert found[2][2]["choices"] == {
        "dataset": "police-crime",
        "by": ["district"],
        "per": "everyone",
    }
    assert all(d["audience"] == "analyst" and d["format"] == "json" for _, _, d in found)
