"""Uploading through the dashboard: a file under the organisation's agreement is checked and
loaded, its problems are listed in plain words (and downloadable), it shows in the figures at
once; a file too large, of the wrong type or malformed is answered with the validation page and
nothing is loaded; and nobody sees another organisation's uploads."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from tests.web.conftest import sign_in
from vrhub.datasets import get_dataset
from vrhub.disclosure import DisclosureRule, Tally, publish
from vrhub.home import Home
from vrhub.ingest.replace import Uploader
from vrhub.pipeline import ingest_governed

LEEDS = "E08000035"
POLICE = "WY-ISA-01|police-crime"


def _csv(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, header or POLICE_CRIME_HEADER, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def _token(client: TestClient) -> str:
    form = client.get("/data/upload")
    assert form.status_code == 200, form.text[:300]
    return form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _upload(
    client: TestClient, name: str, body: bytes, choice: str = POLICE, token: str | None = None
) -> object:
    return client.post(
        "/data/upload",
        data={"csrf_token": _token(client) if token is None else token, "choice": choice},
        files={"file": (name, body, "text/csv")},
        follow_redirects=False,
    )


def _rows_stored(client: TestClient) -> int:
    web = client.app.state.web  # type: ignore[attr-defined]
    [row] = web.con.execute(f"SELECT count(*) FROM {get_dataset('police-crime').table}").fetchall()
    return int(row[0])


def _new_month(client: TestClient) -> str:
    web = client.app.state.web  # type: ignore[attr-defined]
    [row] = web.con.execute(
        f"SELECT max(month) FROM {get_dataset('police-crime').table}"
    ).fetchall()
    year, month = map(int, str(row[0]).split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def test_a_partner_uploads_and_sees_it_at_once(
    client: TestClient, web_home: Home, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    month = _new_month(client)
    rows = [
        police_crime_row(i, occurred_from=f"{month}-03 22:00", recorded_date=f"{month}-04 09:00")
        for i in range(43)
    ]
    rows[3]["lsoa_code"] = "X0100000"
    rows[5]["ho_offence_code"] = "=HYPERLINK(1)"
    r = _upload(client, f"wyp-{month}.csv", _csv(rows))
    assert r.status_code == 303, r.text[:500]
    result = client.get(r.headers["location"])
    assert result.status_code == 200
    assert "41 of 43 rows were loaded" in result.text
    assert (
        "is not an LSOA code" in result.text and "is not a Home Office offence code" in result.text
    )
    # The list of problems downloads, neutralised against spreadsheet formulas.
    problems = client.get(r.headers["location"] + ".csv")
    lines = list(csv.reader(io.StringIO(problems.text)))
    assert lines[0][:3] == ["Row", "Column", "Value"]
    assert [line[0] for line in lines[1:]] == ["5", "7"]
    assert "'=HYPERLINK(1)" in problems.text
    # The upload is on the data page and in the figures straight away (rounded for a partner).
    data = client.get("/data.json").json()
    # (The demo's Leeds City Council files are Leeds's uploads too, sent by the demo loader.)
    mine = [u for u in data["uploads"] if u["uploaded_by"] == "partner-leeds"]
    assert [u["file"] for u in mine] == [f"wyp-{month}.csv"]
    assert data["uploads"][0] == mine[0]
    view = client.get(f"/explore.json?area={LEEDS}&period={month}&by=month").json()
    latest = next(r for r in view["rows"] if r["group"] == month)
    # 41 crime records, all serious violence: published by the cell-key method from their
    # record keys (moved by at most 4, then rounded to 5), as for any other count.
    web = client.app.state.web  # type: ignore[attr-defined]
    [(n, key)] = web.con.execute(
        f"SELECT count(*), sum(record_key) FROM {get_dataset('police-crime').table} "
        "WHERE month = ? AND district = ?",
        [month, LEEDS],
    ).fetchall()
    assert n == 41
    assert latest["count"] == publish(Tally(41, int(key)), DisclosureRule()).value
    overview = client.get("/overview.json").json()
    assert overview["period"].endswith(
        ("January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December")[int(month[5:]) - 1] + " " + month[:4]
    )  # fmt: skip
    # An analyst sees the exact figure.
    sign_in(client, "analyst", passwords["analyst"])
    view = client.get(f"/explore.json?area={LEEDS}&period={month}&by=month").json()
    assert next(r for r in view["rows"] if r["group"] == month)["count"] == 41


def test_wrong_type_and_malformed_files_load_nothing(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    before = _rows_stored(client)
    cases = [
        ("minutes.pdf", b"%PDF-1.7 not a data file", "this file's type is not one of them"),
        ("extract.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", "export the data as CSV"),
        ("empty.csv", b"", "is empty"),
        (
            "missing-columns.csv",
            _csv([{"crime_reference": "1"}], ["crime_reference", "colour"]),
            "ho_offence_code",
        ),
    ]
    for name, body, words in cases:
        r = _upload(client, name, body)
        assert r.status_code == 303, (name, r.text[:300])
        page = client.get(r.headers["location"])
        text = page.text.replace("&#39;", "'")
        assert f"{name} was not loaded: nothing from it is in the hub" in text, name
        assert words in text, (name, text[text.find("was not loaded") :][:400])
        assert client.get(r.headers["location"] + ".json").json()["batch"]["status"] == "rejected"
    assert _rows_stored(client) == before


def test_too_large_upload_is_refused_before_it_is_read(
    client: TestClient, web_home: Home, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    before = _rows_stored(client)
    settings = web_home.settings
    old = settings.upload_max_mb
    settings.upload_max_mb = 1
    try:
        body = _csv([police_crime_row(i) for i in range(9000)])
        assert len(body) > (1 << 20) + 64 * 1024
        r = _upload(client, "big.csv", body)
    finally:
        settings.upload_max_mb = old
    assert r.status_code == 413
    assert "more than the 1 MB this hub accepts" in r.text and "Nothing was loaded" in r.text
    assert _rows_stored(client) == before


def test_upload_needs_the_form_token_an_agreement_and_a_file(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    before = _rows_stored(client)
    body = _csv([police_crime_row(1)])
    r = _upload(client, "x.csv", body, token="forged")
    assert r.status_code == 403 and "did not come from this site" in r.text
    # Leeds City Council is not a party to the hospital admissions agreement.
    r = _upload(client, "x.csv", body, choice="WY-ISA-03|hospital-admission")
    assert r.status_code == 400 and "Choose the dataset and agreement" in r.text
    # It is a party to the ED agreement, but only the health board sends ED data under it.
    assert "WY-ISA-02|ed-assault" not in client.get("/data/upload").text
    r = _upload(client, "x.csv", body, choice="WY-ISA-02|ed-assault")
    assert r.status_code == 400 and "Choose the dataset and agreement" in r.text
    r = client.post(
        "/data/upload",
        data={"csrf_token": _token(client), "choice": POLICE},
        follow_redirects=False,
    )
    assert r.status_code == 400 and "Choose a file to upload" in r.text
    assert _rows_stored(client) == before


def test_uploads_are_seen_only_by_their_organisation(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    every = client.get("/data.json").json()["uploads"]
    cli_batch = next(u["batch"] for u in every if u["uploaded_by"] != "partner-leeds")
    assert client.get(f"/data/uploads/{cli_batch}").status_code == 200
    assert client.get("/data.json").json()["scorecard"]
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    r = client.get(f"/data/uploads/{cli_batch}.json")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
    seen = client.get("/data.json").json()["uploads"]
    assert seen and all(u["organisation"] == "leeds" for u in seen)
    assert {u["organisation"] for u in every} > {"leeds"}
    for who in ("provider", "practitioner", "public"):
        sign_in(client, who, passwords[who])
        assert client.get("/data").status_code == 403
        assert client.get("/data/upload").status_code == 403
        assert client.get(f"/data/uploads/{cli_batch}.json").status_code == 403


def test_a_partners_upload_never_removes_another_organisations_month(
    client: TestClient, passwords: dict[str, str]
) -> None:
    web = client.app.state.web  # type: ignore[attr-defined]
    table = get_dataset("police-crime").table

    def month_by_batch(month: str) -> dict[int, int]:
        return dict(
            web.con.execute(
                f"SELECT batch_id, count(*) FROM {table} WHERE month = ? GROUP BY 1", [month]
            ).fetchall()
        )

    [(month,)] = web.con.execute(
        f"SELECT max(month) FROM {table} WHERE batch_id IN "
        "(SELECT batch_id FROM ingest_batches WHERE organisation = 'wyp')"
    ).fetchall()
    police = month_by_batch(month)
    assert sum(police.values()) > 1000
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    when = {"occurred_from": f"{month}-03 22:00", "recorded_date": f"{month}-04 09:00"}
    rows = [police_crime_row(987_650, **when), police_crime_row(987_651, **when)]
    rows[1]["lsoa_code"] = "E01010801"  # Bradford 036E: outside the partner's district
    r = _upload(client, f"leeds-{month}.csv", _csv(rows))
    assert r.status_code == 303, r.text[:300]
    first = client.get(r.headers["location"] + ".json").json()
    assert "Rows outside your districts cannot be sent by you" in first["summary"]
    assert "correct them" not in first["summary"]
    assert first["batch"]["rows_accepted"] == 1 and first["replacements"] == []
    [problem] = first["problems"]
    assert problem["row_number"] == 3 and problem["rule"] == "outside-your-districts"
    assert "the row is in Bradford, outside your districts (Leeds)" in problem["message"]
    assert month_by_batch(month) == {**police, first["batch"]["batch"]: 1}
    # The police feed's scorecard describes the force's batches too: not shown to the council.
    feeds = {(f["dataset"], f["source"]) for f in client.get("/data.json").json()["scorecard"]}
    assert ("police-crime", "west-yorkshire-police") not in feeds
    # The partner revises its own file: only its own row is replaced, and the page says so.
    revised = [police_crime_row(987_650, **when), police_crime_row(987_652, **when)]
    r = _upload(client, f"leeds-{month}-v2.csv", _csv(revised))
    page = client.get(r.headers["location"])
    assert (
        f"This file replaced {month} sent before in batch {first['batch']['batch']} by the same "
        "organisation: 1 row before, 2 after." in page.text
    )
    second = client.get(r.headers["location"] + ".json").json()["batch"]
    assert month_by_batch(month) == {**police, second["batch"]: 2}
    sign_in(client, "analyst", passwords["analyst"])
    uploads = {u["batch"]: u for u in client.get("/data.json").json()["uploads"]}
    assert uploads[first["batch"]["batch"]]["status"] == "superseded"
    assert all(uploads[b]["status"] == "loaded" for b in police)


def test_a_forces_leeds_only_user_replaces_only_the_forces_leeds_rows(
    client: TestClient, web_home: Home
) -> None:
    web = client.app.state.web  # type: ignore[attr-defined]
    table = get_dataset("police-crime").table
    web.gov.people.add_user(
        "wyp-leeds", "Force analyst (Leeds)", "wyp", "partner", [LEEDS], "a-long-test-password", "t"
    )
    [(month,)] = web.con.execute(
        f"SELECT max(month) FROM {table} WHERE batch_id IN "
        "(SELECT batch_id FROM ingest_batches WHERE organisation = 'wyp')"
    ).fetchall()

    def by_district() -> dict[str, int]:
        return dict(
            web.con.execute(
                f"SELECT coalesce(district, '?'), count(*) FROM {table} WHERE month = ? AND "
                "batch_id IN (SELECT batch_id FROM ingest_batches WHERE organisation = 'wyp') "
                "GROUP BY 1",
                [month],
            ).fetchall()
        )

    before = by_district()
    assert len(before) >= 5
    sign_in(client, "wyp-leeds", "a-long-test-password")
    when = {"occurred_from": f"{month}-03 22:00", "recorded_date": f"{month}-04 09:00"}
    r = _upload(client, f"wyp-leeds-{month}.csv", _csv([police_crime_row(987_700, **when)]))
    page = client.get(r.headers["location"]).text
    assert f"{before[LEEDS]:,} rows before, 1 after" in page  # (more than one)
    after = by_district()
    assert after == {**before, LEEDS: 1}


def test_a_workbook_claiming_a_whole_sheet_is_refused_and_the_dashboard_stays_up(
    client: TestClient, passwords: dict[str, str], tmp_path: Path
) -> None:
    from tests.ingest.test_limits import stretched_workbook

    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    before = _rows_stored(client)
    bomb = stretched_workbook(tmp_path / "stretched.xlsx").read_bytes()
    r = _upload(client, "stretched.xlsx", bomb)
    assert r.status_code == 303, r.text[:300]
    page = client.get(r.headers["location"])
    assert "a sheet spans 16,384 columns" in page.text and "was not loaded" in page.text
    assert client.get("/overview.json").status_code == 200
    assert _rows_stored(client) == before


def test_raw_files_an_interrupted_upload_left_are_cleared_at_start(web_home: Home) -> None:
    from vrhub.web.app import create_app

    left = web_home.tmp_dir / "uploads" / "0123456789abcdef"
    left.mkdir(parents=True, exist_ok=True)
    (left / "wyp-raw.csv").write_text("crime_reference\n13/000001/24\n", encoding="utf-8")
    app = create_app(web_home, secure_cookies=False)
    try:
        assert not (web_home.tmp_dir / "uploads").exists()
    finally:
        app.state.web.hub.close()


def test_a_hostile_upload_stalls_nobody_else_and_is_refused_in_words(
    client: TestClient, web_home: Home, passwords: dict[str, str], tmp_path: Path
) -> None:
    from tests.ingest.test_sandbox import police_sheet, workbook_parts, write_zip

    # 250 KB that take a quarter of a minute to read: read in the server, it would hold the
    # store (and so everyone's pages) for all that time.
    slow = write_zip(tmp_path / "slow.xlsx", workbook_parts(police_sheet(150_000))).read_bytes()
    assert len(slow) < 400_000
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    token = _token(client)
    before = _rows_stored(client)
    other = TestClient(client.app, base_url="https://testserver")
    sign_in(other, "analyst", passwords["analyst"])
    settings = web_home.settings
    old = settings.upload_read_seconds
    settings.upload_read_seconds = 3
    answer: dict[str, Any] = {}
    upload = threading.Thread(
        target=lambda: answer.update(r=_upload(client, "slow.xlsx", slow, token=token))
    )
    timings: list[float] = []
    during: list[bool] = []
    try:
        upload.start()
        waited = time.monotonic()
        while not list((web_home.tmp_dir / "uploads").glob("*/read")):
            assert time.monotonic() - waited < 20, "the upload never started reading"
            time.sleep(0.05)
        while upload.is_alive() and len(timings) < 4:
            started = time.monotonic()
            page = other.get("/data.json")
            timings.append(time.monotonic() - started)
            during.append(upload.is_alive())
            assert page.status_code == 200
            time.sleep(0.2)
    finally:
        upload.join(timeout=120)
        settings.upload_read_seconds = old
    # Another user's page answered at once, again and again, while the file was being read.
    assert during and during[0], timings
    assert max(timings) < 2.0, timings
    r = answer["r"]
    assert r.status_code == 303, r.text[:300]
    page = client.get(r.headers["location"]).text
    assert "slow.xlsx was not loaded: nothing from it is in the hub" in page
    assert "slow.xlsx took longer than 3 seconds to read" in page
    assert "send the data as plain CSV, or split it" in page
    assert _rows_stored(client) == before
    web = client.app.state.web  # type: ignore[attr-defined]
    [entry, *_] = web.gov.audit.show(action="ingest.rejected")
    assert json.loads(entry.details)["file"] == "slow.xlsx" and entry.actor == "partner-leeds"
    # Nothing of the raw file or of what was read is left behind.
    assert not list((web_home.tmp_dir / "uploads").glob("*"))


def test_an_upload_cannot_tell_whether_another_organisation_holds_a_record(
    client: TestClient, passwords: dict[str, str], tmp_path: Path
) -> None:
    """The identifier oracle (issue 15, finding 10): repeating a record the police sent gets
    the same answer as sending a new one, and the record is counted once."""
    web = client.app.state.web  # type: ignore[attr-defined]
    month = _new_month(client)
    when = {"occurred_from": f"{month}-03 22:00", "recorded_date": f"{month}-04 09:00"}
    police_file = tmp_path / "police.csv"
    police_file.write_bytes(_csv([police_crime_row(876_500, **when)]))
    # Written as an upload writes (the server holds the store for reading only).
    with web.lock, web.hub.writing():
        police = ingest_governed(
            web.hub, get_dataset("police-crime"), police_file, "west-yorkshire-police",
            agreement="WY-ISA-01", uploader=Uploader("tester", "wyp"),
        )  # fmt: skip
    web.data_changed()
    assert police.rows_accepted == 1
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    stored = _rows_stored(client)

    def answer(name: str, ref: int) -> dict[str, Any]:
        r = _upload(client, name, _csv([police_crime_row(ref, **when)]))
        assert r.status_code == 303, r.text[:300]
        return dict(client.get(r.headers["location"] + ".json").json())

    known, fresh = answer("known.csv", 876_500), answer("fresh.csv", 876_599)
    for view in (known, fresh):
        assert view["problems"] == [] and view["batch"]["rows_accepted"] == 1
    assert known["summary"].replace("known.csv", "") == fresh["summary"].replace("fresh.csv", "")
    # Only the new record was added: the repeated one is counted once (the police's).
    assert _rows_stored(client) == stored + 1
