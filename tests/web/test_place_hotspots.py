"""The place page's hotspots: a partner sees which neighbourhoods are hotspots, explained in
plain words and worked out on the full figures, with no statistic; every audience is told which
districts the analysis covers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in

LEEDS = "E08000035"


def _hotspot_table(view: dict[str, object]) -> dict[str, object] | None:
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    return next((b for b in blocks if b.get("caption", "").startswith("Hotspot")), None)


def test_a_partner_sees_the_analyst_classification_in_plain_words(
    client: TestClient, passwords: dict[str, str]
) -> None:
    sign_in(client, "analyst", passwords["analyst"])
    analyst = client.get(f"/place.json?area={LEEDS}").json()
    sign_in(client, "partner-leeds", passwords["partner-leeds"])
    partner = client.get(f"/place.json?area={LEEDS}").json()
    page = client.get(f"/place?area={LEEDS}").text
    a, p = _hotspot_table(analyst), _hotspot_table(partner)
    assert a is not None and p is not None
    assert a["columns"] == ["Neighbourhood (LSOA)", "District", "Gi* z-score"]
    assert p["columns"] == ["Neighbourhood (LSOA)", "District"]
    # The analyst table lists the 20 strongest; the partner one lists them all.
    assert {r[0] for r in a["rows"]} <= {r[0] for r in p["rows"]}
    assert len(a["rows"]) == min(20, len(p["rows"]))
    assert "more than chance would give" in page and "The hotspot analysis covers Leeds." in page
    assert "z-score" not in page and "Gi*" not in page and "Getis" not in page
