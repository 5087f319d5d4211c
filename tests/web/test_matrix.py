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
ALL = ["", ".json", ".csv", ".xlsx"]
SIGNED_IN = {"public", "partner", "provider", "practitioner", "analyst", "administrator"}
#: (path, query, formats, the roles that may see it; None: anyone, signed in or not)
PAGES: list[tuple[str, str, list[str], set[str] | None]] = [
    ("/overview", "", ALL, SIGNED_IN),
    ("/public", "", ALL, None),
    ("/reports", "", ALL, None),
    ("/explore", "", ALL, SIGNED_IN),
    ("/explore", "?by=district", ALL, SIGNED_IN),
    ("/explore", "?by=month&measure=knife-enabled-serious-violence", ALL, SIGNED_IN),
    ("/explore", "?by=hour", [".json"], SIGNED_IN),
    (
        "/explore",
        "?by=sex&dataset=hospital-admission&measure=hospital-knife-admissions",
        [".json", ".csv"],
        SIGNED_IN,
    ),
    (
        "/explore",
        "?by=age_group&dataset=ed-assault&measure=ed-assault-attendances",
        [".json", ".csv"],
        SIGNED_IN,
    ),
    ("/place", "", ALL, SIGNED_IN),
    ("/data", "", ALL, {"partner", "analyst", "administrator"}),
    ("/governance", "", ALL, {"administrator"}),
]
#: Columns of downloads that hold counts.
COUNT_COLUMNS = {"Records", "This year", "Previous 12 months", "Rows loaded", "Rows rejected"}
COUNT_KEYS = {"count", "now_count", "before_count", "rows_accepted", "rows_rejected"}


def _text(body: bytes, fmt: str) -> str:
    if fmt == ".xlsx":
        book = CalamineWorkbook.from_filelike(io.BytesIO(body))
        return "\n".join(
            ",".join(str(c) for c in row)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
        )
    return body.decode("utf-8")


def _json_counts(data: object) -> list[object]:
    """Every count in a JSON answer: count fields, series and count columns of its tables."""
    found: list[object] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k in COUNT_KEYS and not isinstance(v, (dict, list)):
                found.append(v)
            elif k == "series":
                found.extend(v)
            else:
                found.extend(_json_counts(v))
        if "columns" in data and "rows" in data:
            found.extend(_column_counts([data["columns"], *data["rows"]]))
    elif isinstance(data, list):
        for v in data:
            found.extend(_json_counts(v))
    return found


def _column_counts(rows: list[list[object]]) -> list[object]:
    if not rows:
        return []
    at = [i for i, c in enumerate(rows[0]) if c in COUNT_COLUMNS]
    return [r[i] for r in rows[1:] for i in at if i < len(r)]


def _counts(body: bytes, fmt: str) -> list[object]:
    """The count cells of a download or JSON answer."""
    if fmt == ".json":
        return _json_counts(json.loads(body))
    if fmt == ".csv":
        return _column_counts(list(csv.reader(io.StringIO(body.decode("utf-8")))))
    if fmt == ".xlsx":
        book = CalamineWorkbook.from_filelike(io.BytesIO(body))
        return [
            v
            for name in book.sheet_names
            for v in _column_counts(book.get_sheet_by_name(name).to_python()[1:])
        ]
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
    seen = 0
    for path, query, formats, roles in PAGES:
        for fmt in formats:
            r = client.get(path + fmt + query, follow_redirects=False)
            where = f"{username} {path}{fmt}{query}"
            text = _text(r.content, fmt) if r.status_code == 200 else r.text
            if roles is not None and not username:
                assert r.status_code in (303, 401), where
                assert "West Yorkshire" not in r.text or fmt == "", where
                continue
            if roles is not None and role not in roles:
                assert r.status_code == 403, where
                assert "Leeds" not in text and "Bradford" not in text, where
                continue
            if r.status_code == 403 and path == "/explore":
                # An agreement drawn on does not permit this audience: refused, and said so.
                assert "does not permit" in text or "audience" in text, where
                continue
            assert r.status_code == 200, f"{where}: {r.status_code} {r.text[:300]}"
            seen += 1
            # The published-figures page shows every district to everyone, protected.
            if scope is not None and path != "/public":
                for d in DISTRICTS:
                    if d not in scope:
                        assert d not in text, f"{where} shows {d}"
            if exact and path != "/public":
                continue
            if path == "/data":
                # The data page (and its downloads) is about the files and feeds the viewer's
                # own organisation sent (test_upload checks that no other organisation's are
                # listed): rows in its files and its feeds' quality, never counts of people or
                # events drawn from others' data.
                continue
            for value in _counts(r.content, fmt):
                if value in (None, "", "[c]"):
                    continue
                assert int(float(str(value).replace(",", ""))) % 5 == 0, f"{where}: {value}"
            if fmt == "":
                visible, _ = html_text(text)
                assert suspicious(visible) == [], where
    assert seen >= (12 if username else 8)
