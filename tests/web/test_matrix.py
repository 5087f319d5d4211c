"""Every role × district scope × page × format: no figure outside the viewer's scope, and no
unprotected small count for anyone outside the analyst tier, in pages, JSON and downloads.

Grows with the dashboard: each new page joins ``PAGES``.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook

from tests.reports.scan import html_text, suspicious
from tests.web.conftest import sign_in
from vrhub.home import Home

#: (user, role, districts in scope); None is a visitor who has not signed in.
VIEWERS = [
    (None, "public", None),
    ("public", "public", None),
    ("partner-leeds", "partner", ["Leeds"]),
    ("provider", "provider", ["Bradford", "Leeds"]),
    ("practitioner", "practitioner", ["Kirklees"]),
    ("analyst", "analyst", None),
    ("admin", "administrator", None),
]
DISTRICTS = ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"]
#: (path, formats, needs a sign-in)
PAGES = [
    ("/overview", ["", ".json", ".csv", ".xlsx"], True),
    ("/public", ["", ".json", ".csv", ".xlsx"], False),
    ("/reports", ["", ".json"], False),
]


def _text(body: bytes, fmt: str) -> str:
    if fmt == ".xlsx":
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0)
        return "\n".join(",".join(str(c) for c in row) for row in sheet.to_python())
    return body.decode("utf-8")


def _counts(body: bytes, fmt: str) -> list[object]:
    """The count cells of a download or JSON answer."""
    if fmt == ".json":
        data = json.loads(body)
        return [
            m.get(k)
            for a in data.get("areas", [])
            for m in a["measures"]
            for k in ("now_count", "before_count")
        ] + [v for a in data.get("areas", []) for m in a["measures"] for v in m.get("series", [])]
    if fmt == ".csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))[1:]
        return [r[i] for r in rows for i in (3, 4)]
    if fmt == ".xlsx":
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0)
        return [r[i] for r in sheet.to_python()[2:] for i in (3, 4)]
    return []


@pytest.mark.parametrize(("username", "role", "scope"), VIEWERS)
def test_matrix(
    client: TestClient,
    web_home: Home,
    passwords: dict[str, str],
    username: str | None,
    role: str,
    scope: list[str] | None,
) -> None:
    if username:
        sign_in(client, username, passwords[username])
    exact = role in ("analyst", "administrator")
    for path, formats, needs_sign_in in PAGES:
        for fmt in formats:
            r = client.get(path + fmt, follow_redirects=False)
            where = f"{username} {path}{fmt}"
            if needs_sign_in and not username:
                assert r.status_code in (303, 401), where
                assert "West Yorkshire" not in r.text or fmt == "", where
                continue
            assert r.status_code == 200, where
            text = _text(r.content, fmt)
            # The published-figures page shows every district to everyone, protected.
            if scope is not None and path != "/public":
                for d in DISTRICTS:
                    if d not in scope:
                        assert d not in text, f"{where} shows {d}"
            if exact and path != "/public":
                continue
            for value in _counts(r.content, fmt):
                if value in (None, "", "[c]"):
                    continue
                assert int(float(str(value))) % 5 == 0, f"{where}: {value}"
            if fmt == "":
                visible, _ = html_text(text)
                assert suspicious(visible) == [], where
