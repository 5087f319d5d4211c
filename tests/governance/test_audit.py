"""The audit trail catches any entry edited, removed or inserted behind vrhub's back.

Tampering is done with plain SQL on the record store (SQLite and PostgreSQL), as someone
with database access but without the home's audit key would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.governance.conftest import add_orgs
from vrhub import pipeline
from vrhub.cli import main
from vrhub.errors import RecordStoreError
from vrhub.governance.audit import FULL_CHECK_EVERY
from vrhub.governance.context import Governance
from vrhub.home import Home


@pytest.fixture
def gov(gov_home: Home) -> Iterator[Governance]:
    g = pipeline.governance(gov_home)
    add_orgs(g)  # four audited changes
    for i in range(3):
        g.audit.write("tester", "export.csv", f"table {i}", {"rows": i})
    yield g
    g.close()


def sql(gov: Governance, statement: str) -> None:
    with gov.records.engine.begin() as con:
        con.execute(text(statement))


def test_an_untouched_trail_verifies(gov: Governance) -> None:
    report = gov.audit.verify()
    assert report.intact, report.problems
    assert report.checked == 8  # the built-in licence, four organisations, three exports


def test_an_edited_entry_is_caught(gov: Governance) -> None:
    sql(gov, "UPDATE audit_log SET details = '{\"rows\": 999}' WHERE seq = 6")
    problems = gov.audit.verify().problems
    assert len(problems) == 1
    assert problems[0].startswith("entry 6 (export.csv")
    assert "edited" in problems[0]


def test_a_removed_entry_is_caught(gov: Governance) -> None:
    sql(gov, "DELETE FROM audit_log WHERE seq = 4")
    assert gov.audit.verify().problems == ["entry 4 missing: removed from the trail"]


def test_removed_last_entries_are_caught(gov: Governance) -> None:
    sql(gov, "DELETE FROM audit_log WHERE seq >= 7")
    assert gov.audit.verify().problems == [
        "entries 7 to 8 missing: removed from the end of the trail",
        "the trail ends at entry 6 but 8 entries had been written: entries were removed from "
        "it, or the record store was put back to an older copy",
    ]


def test_a_wiped_trail_is_caught(gov: Governance, capsys: pytest.CaptureFixture[str]) -> None:
    """Deleting every entry and the sealed end record used to read as "intact: 0 entries"."""
    sql(gov, "DELETE FROM audit_log")
    sql(gov, "DELETE FROM audit_head")
    assert gov.audit.verify().problems == [
        "the trail ends at entry 0 but 8 entries had been written: entries were removed from "
        "it, or the record store was put back to an older copy"
    ]
    assert main(["audit", "verify", "--home", str(gov.home.path)]) != 0
    assert "8 entries had been written" in capsys.readouterr().out


def test_a_trail_rolled_back_to_an_older_copy_is_caught(gov: Governance) -> None:
    """An older copy of the record store is a consistent trail by itself: only the
    checkpoint outside it shows that later entries existed."""
    sql(gov, "DELETE FROM audit_log WHERE seq > 6")
    sql(gov, "UPDATE audit_head SET seq = 6, seal = (SELECT seal FROM audit_log WHERE seq = 6)")
    problems = gov.audit.verify().problems
    assert any("8 entries had been written" in p for p in problems)


def test_an_edited_checkpoint_is_caught(gov: Governance) -> None:
    assert gov.audit.checkpoint is not None
    data = json.loads(gov.audit.checkpoint.read_text(encoding="utf-8"))
    gov.audit.checkpoint.write_text(json.dumps({**data, "seq": 2}), encoding="utf-8")
    assert gov.audit.verify().problems == [
        "the trail's checkpoint in the home was edited, or written without the key"
    ]


def test_a_dropped_end_record_is_one_clear_line_not_a_traceback(gov: Governance) -> None:
    sql(gov, "DROP TABLE audit_head")
    with pytest.raises(RecordStoreError, match="could not be used"):
        gov.audit.write("tester", "export.csv", "table")


def test_an_inserted_entry_is_caught(gov: Governance) -> None:
    sql(
        gov,
        "INSERT INTO audit_log (seq, at, actor, action, target, details, prev_seal, seal) "
        "SELECT 9, at, 'intruder', 'export.csv', 'everything', '{}', seal, seal "
        "FROM audit_log WHERE seq = 8",
    )
    problems = gov.audit.verify().problems
    assert any(p.startswith("entry 9 (export.csv") for p in problems)
    assert "entry 9 was added without the audit key" in problems


def test_a_rewritten_chain_without_the_key_is_caught(gov: Governance) -> None:
    # Renumber to hide a removal: every moved entry's seal no longer matches.
    sql(gov, "DELETE FROM audit_log WHERE seq = 5")
    sql(gov, "UPDATE audit_log SET seq = seq - 1 WHERE seq > 5")
    problems = gov.audit.verify().problems
    assert any("entry 5 (" in p and "edited" in p for p in problems)


def test_cli_show_filters_and_verify_fails_loudly(
    gov: Governance, gov_home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(gov_home.path)
    assert main(["audit", "show", "--home", home, "--action", "organisation"]) == 0
    shown = capsys.readouterr().out
    assert shown.count("organisation.add") == 4 and "export.csv" not in shown
    assert main(["audit", "show", "--home", home, "--user", "tester", "--limit", "2"]) == 0
    assert capsys.readouterr().out.count("export.csv") == 2
    assert main(["audit", "show", "--home", home, "--since", "2001-02-30"]) == 1
    assert "is not a date" in capsys.readouterr().err
    assert main(["audit", "verify", "--home", home]) == 0
    assert "intact: 8 entries checked" in capsys.readouterr().out
    sql(gov, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
    assert main(["audit", "verify", "--home", home]) == 1
    captured = capsys.readouterr()
    assert "entry 2 (organisation.add" in captured.out
    assert captured.err.strip().count("\n") == 0
    assert "the audit trail has been altered" in captured.err


def test_reading_quarantined_records_is_audited(gov: Governance, gov_home: Home) -> None:
    pipeline.quarantine_rows(gov_home, "police-crime", None, 10, actor="analyst-1")
    [entry] = gov.audit.show(actor="analyst-1")
    assert (entry.action, entry.target) == ("read.quarantine", "police-crime")
    assert gov.audit.verify().intact


def test_a_check_since_the_last_reads_only_new_entries_but_still_catches_tampering(
    gov: Governance,
) -> None:
    first = gov.audit.verify(since_last=True)
    assert first.intact and first.entries == first.checked == 8
    for i in range(3):
        gov.audit.write("tester", "read.page", f"/page/{i}", {})
    again = gov.audit.verify(since_last=True)
    assert again.intact and (again.checked, again.entries) == (3, 11)
    # A new entry edited after it was written is caught by the next check.
    gov.audit.write("tester", "read.page", "/page/3", {})
    sql(gov, "UPDATE audit_log SET target = '/elsewhere' WHERE seq = 12")
    assert gov.audit.verify(since_last=True).problems[0].startswith("entry 12 (read.page")
    sql(gov, "UPDATE audit_log SET target = '/page/3' WHERE seq = 12")
    assert gov.audit.verify(since_last=True).intact
    # So is the last entry checked before, and the end record is always checked.
    sql(gov, "UPDATE audit_log SET target = '/elsewhere' WHERE seq = 12")
    assert "entry 12 was changed or removed since the trail was last checked" in (
        gov.audit.verify(since_last=True).problems
    )
    sql(gov, "UPDATE audit_log SET target = '/page/3' WHERE seq = 12")
    # An older entry is left to the next full check, which finds it: every ten minutes, or
    # `vrhub audit verify`.
    sql(gov, "UPDATE audit_log SET details = '{\"rows\": 999}' WHERE seq = 6")
    assert gov.audit.verify(since_last=True).intact
    assert gov.audit.verify().problems[0].startswith("entry 6 (export.csv")
    gov.audit._full_at = time.monotonic() - FULL_CHECK_EVERY - 1
    late = gov.audit.verify(since_last=True)
    assert late.full and late.problems[0].startswith("entry 6 (export.csv")
