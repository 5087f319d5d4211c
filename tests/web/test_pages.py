"""The measure explorer, the place page and the governance page: figures checked against the
store by hand-written SQL, scope and audience held, and bad requests answered plainly."""

from __future__ import annotations

import re

import duckdb
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import sign_in
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.measures.change import year_ending

LEEDS, BRADFORD = "E08000035", "E08000032"


#: A query of data whose agreement permits neither the provider audience nor the public.
HOSPITAL = "dataset=hospital-admission&measure=hospital-knife-admissions"


def _store(home: Home, sql: str, params: list[object]) -> list[tuple[object, ...]]:
    """An independent reading of the store (the app holds it open, so read a copy)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = f"{tmp}/store.duckdb"
        shutil.copy(home.store_path, copy)
        con = duckdb.connect(copy, read_only=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


def test_explorer_counts_and_rates_match_the_store(
    client: TestClient, web_home: Home, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    view = client.get("/explore.json?measure=crime-rate&by=district").json()
    end = view["period_end"]
    (first, last), _ = year_ending(end)
    table = get_dataset("police-crime").table
    expected = dict(
        _store(
            web_home,
            f"SELECT district, count(*) FROM {table} WHERE month BETWEEN ? AND ? "
            "AND district IS NOT NULL GROUP BY district",
            [first, last],
        )
    )
    # The demo's years are after 2021: the nearest population held is Census 2021.
    pops = dict(
        _store(
            web_home,
            "SELECT district, population FROM ref_district_population_estimates "
            "WHERE band = 'all' AND year = 2021",
            [],
        )
    )
    rows = {r["group"]: r for r in view["rows"]}
    assert {k for k in rows if k != "Total"} == set(expected)
    for district, count in expected.items():
        r = rows[district]
        assert r["count"] == count
        assert r["rate"] == pytest.approx(1000 * count / float(pops[district]), abs=0.001)
        assert r["lower"] < r["rate"] < r["upper"]
    assert rows["Total"]["count"] == sum(expected.values())
    assert view["unplaced"] is not None and view["disclosure"].startswith("analyst tier")


def test_explorer_is_scoped_and_protected_for_a_partner(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    view = client.get("/explore.json?measure=crime-rate&by=district").json()
    assert [r["label"] for r in view["rows"]] == ["Leeds", "Total"]
    assert all(r["count"] is None or r["count"] % 5 == 0 for r in view["rows"])
    assert view["unplaced"] is None and "partner audience" in view["disclosure"]
    months = client.get(f"/explore.json?area={LEEDS}&by=month").json()
    assert len(months["rows"]) == 13 and months["rows"][-1]["label"] == "Total"
    assert months["chart"]["svg"].startswith("<svg")
    page = client.get(f"/explore?area={LEEDS}&by=weekday")
    assert page.status_code == 200 and "Day of the week" in page.text
    assert 'aria-hidden="true"' in page.text  # the drawing; its figures are in the table


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("?dataset=hospital-admission&by=hour", 400, "cannot be broken down by hour of the day"),
        ("?measure=no-such-measure", 400, "no-such-measure"),
        ("?by=shoe_size", 400, "not a breakdown the explorer offers"),
        ("?period=1999-01", 400, "is not held"),
        ("?period=2026-13", 400, "year ending"),
        ("?measure=non-domestic-homicide&dataset=ed-assault", 400, "cannot be computed from"),
        (f"?area={BRADFORD}", 403, "outside what you may see"),
    ],
)
def test_explorer_says_what_is_wrong(
    client: TestClient, passwords: dict[str, str], query: str, status: int, words: str
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    r = client.get("/explore.json" + query)
    assert r.status_code == status and words in r.json()["error"]["message"], r.text
    page = client.get("/explore" + query)
    assert page.status_code == status and words in page.text.replace("&#39;", "'")


def test_explorer_refuses_an_audience_the_agreement_does_not_permit(
    client: TestClient, passwords: dict[str, str]
) -> None:
    # The health agreement lists neither the provider audience nor the public (the police
    # agreement lists the public, so its figures go to providers too: audiences are ordered).
    sign_in(client, "provider", passwords["provider"])
    assert client.get(f"/explore.json?area={LEEDS}").status_code == 200
    r = client.get(f"/explore.json?area={LEEDS}&{HOSPITAL}")
    assert r.status_code == 403 and "provider" in r.json()["error"]["message"]


def test_place_ranks_every_neighbourhood_and_draws_the_map(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    page = client.get(f"/place?area={LEEDS}")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 1 and "Hotspots (Getis-Ord Gi*)" in page.text
    view = client.get(f"/place.json?area={LEEDS}").json()
    ranked = view["tables"][0]["rows"]
    assert [r[0] for r in ranked] == list(range(1, len(ranked) + 1))
    rates = [r[5] for r in ranked]
    assert rates == sorted(rates, reverse=True)
    assert all(r[3] == "Leeds" for r in ranked)
    # The neighbourhoods hold the district's serious violence but for records placed in the
    # district without a neighbourhood (exact figures for the analyst tier).
    total = client.get(f"/explore.json?area={LEEDS}").json()["rows"][0]["count"]
    assert 0.98 * total <= sum(r[4] for r in ranked) <= total
    # Leeds has 488 LSOAs (2021); 7 of its 2011 LSOAs split into 14 of them, each kept
    # whole (ONS LSOA11_LSOA21 lookup): 481 neighbourhoods.
    assert len(ranked) == 481 and view["hidden"] == 0
    csv_lines = client.get(f"/place.csv?area={LEEDS}").text.splitlines()
    assert len(csv_lines) == len(ranked) + 1 and csv_lines[0].startswith("Rank,")
    # The page ranks the 50 highest and links to all of them; the downloads hold all.
    codes = [r[2] for r in ranked]
    table = page.text.split('id="ranked"', 1)[1]
    assert re.findall(r"<td class=\"govuk-table__cell\">(E0\d{7})</td>", table) == codes[:50]
    assert "the 50 highest are shown here" in table and "rows=all#ranked" in table
    every = client.get(f"/place?area={LEEDS}&rows=all").text.split('id="ranked"', 1)[1]
    assert re.findall(r"<td class=\"govuk-table__cell\">(E0\d{7})</td>", every) == codes
    assert "Show the 50 highest only" in every


def test_place_keeps_a_partner_to_their_districts(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    assert client.get("/place.json").json()["area"]["name"] == "Leeds"
    for query in ("?area=all", f"?area={BRADFORD}"):
        r = client.get("/place.json" + query)
        assert r.status_code == 403 and "Bradford" not in r.text
    # Not a district code at all: refused as such, naming nothing it may not see.
    r = client.get("/place.json?area=../../etc")
    assert r.status_code == 400 and "Bradford" not in r.text
    assert "is not a local authority district code" in r.json()["error"]["message"]


def test_governance_is_for_administrators_only(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    assert client.get("/governance").status_code == 403
    assert client.get("/governance.json").json()["error"]["status"] == 403
    sign_in(client, "admin", passwords["admin"])
    view = client.get("/governance.json?action=login").json()
    assert view["audit_intact"] is True
    audit, agreements, users, reads, readers = view["tables"]
    assert (reads["id"], readers["id"]) == ("reads", "readers")
    assert audit["rows"] and {r[3] for r in audit["rows"]} == {"login"}
    assert {r[0] for r in agreements["rows"]} >= {"WY-ISA-01", "WY-ISA-02", "WY-ISA-03"}
    assert {r[0] for r in users["rows"]} >= {"admin", "partner-leeds"}
    # No password hash leaves the record store.
    assert "argon2" not in client.get("/governance.xlsx").text
    page = client.get("/governance")
    assert "All " in page.text and "intact" in page.text


def test_warming_works_out_the_first_views_ahead(
    client: TestClient, passwords: dict[str, str]
) -> None:
    from vrhub.web.views import warm

    web = client.app.state.web  # type: ignore[attr-defined]
    web.cache.clear()
    ready = warm(web)
    # public; partner (Leeds); provider (Bradford, Leeds); practitioner (Kirklees); analyst.
    assert ready == 5
    kept = {k[:2] for k in web.cache}
    assert {("overview", "partner"), ("place", "partner"), ("explore", "partner")} <= kept
    before = len(web.cache)
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    assert client.get("/overview.json").status_code == 200
    assert client.get("/place.json").status_code == 200
    assert client.get("/explore.json").status_code == 200
    assert len(web.cache) == before  # all answered from what was worked out ahead


def test_a_refusal_is_kept_like_a_view(client: TestClient, passwords: dict[str, str]) -> None:
    from vrhub.web.core import Refused

    web = client.app.state.web  # type: ignore[attr-defined]
    sign_in(client, "provider", passwords["provider"])
    first = client.get(f"/explore.json?{HOSPITAL}")
    assert first.status_code == 403 and "may not go to the provider" in first.text
    assert any(isinstance(v, Refused) for v in web.cache.values())
    before = len(web.cache)
    again = client.get(f"/explore.json?{HOSPITAL}")
    assert (again.status_code, again.json()) == (403, first.json())
    assert len(web.cache) == before  # refused again without working the figures out


def test_the_data_version_follows_each_batch_state(client: TestClient) -> None:
    web = client.app.state.web  # type: ignore[attr-defined]
    web.data_changed()
    before = web.data_version()
    [(batch, state)] = web.con.execute(
        "SELECT batch_id, status FROM ingest_batches ORDER BY batch_id LIMIT 1"
    ).fetchall()
    # The server holds the store for reading only; it is written as an upload writes it.
    with web.lock, web.hub.writing() as con:
        con.execute("UPDATE ingest_batches SET status = 'removed' WHERE batch_id = ?", [batch])
    try:
        web.data_changed()
        assert web.data_version() != before  # retention removed a batch: views are new
    finally:
        with web.lock, web.hub.writing() as con:
            con.execute("UPDATE ingest_batches SET status = ? WHERE batch_id = ?", [state, batch])
    web.data_changed()
    assert web.data_version() == before


def test_a_batch_without_lineage_is_repaired_or_refused_never_shown(
    client: TestClient, passwords: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch whose lineage is missing (its record-store write failed) is repaired from the
    batch log when a page meets it; while the record store cannot be written the page says so
    (503) and the refusal is not kept."""
    from sqlalchemy import delete

    from vrhub.records.models import BatchLineage
    from vrhub.web import core

    web = client.app.state.web  # type: ignore[attr-defined]
    [(newest,)] = web.con.execute(
        "SELECT max(batch_id) FROM ingest_batches WHERE dataset = 'police-crime' "
        "AND status = 'loaded'"
    ).fetchall()
    with web.gov.records.session() as s:
        s.execute(delete(BatchLineage).where(BatchLineage.batch_id == newest))
    sign_in(client, "analyst", passwords["analyst"])
    months = [m for (m,) in web.con.execute(
        f"SELECT DISTINCT month FROM {get_dataset('police-crime').table} ORDER BY 1"
    ).fetchall()]  # fmt: skip

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("record store unreachable")

    monkeypatch.setattr(core, "reconcile", broken)
    asked = f"/explore.json?by=weekday&period={months[-1]}"
    r = client.get(asked)
    assert r.status_code == 503
    assert f"batch {newest} cannot be tied" in r.json()["error"]["message"]
    monkeypatch.undo()
    r = client.get(asked)  # the refusal was not kept: this time the lineage is repaired
    assert r.status_code == 200, r.text[:300]
    assert [e.target for e in web.gov.audit.show(action="lineage.repaired")] == [f"batch {newest}"]
