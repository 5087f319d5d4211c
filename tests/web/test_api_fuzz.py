"""The JSON API fuzzed with Schemathesis, signed in as each role and as nobody.

The dashboard's ``.json`` answers are described here as an OpenAPI document (the app serves
none: its pages take their choices as query parameters). Schemathesis generates requests from
it, valid and invalid (any text, empty values, control characters, very long values), and checks
every answer: never a server error; a success is JSON; a refusal is the one error shape
``{"error": {"status", "title", "message"}}`` with a status the document allows.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import sign_in
from vrhub.home import Home
from vrhub.web.app import create_app

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "title", "message"],
            "properties": {
                "status": {"type": "integer"},
                "title": {"type": "string"},
                "message": {"type": "string"},
            },
        }
    },
}
#: Each JSON answer and the query parameters its page reads.
PAGES: dict[str, list[str]] = {
    "/overview.json": [],
    "/public.json": [],
    "/explore.json": ["measure", "dataset", "area", "period", "by"],
    "/place.json": ["area", "rows"],
    "/reports.json": [],
    "/data.json": [],
    "/governance.json": ["actor", "action", "reader"],
}


def _operation(params: list[str]) -> dict[str, Any]:
    refused = {"content": {"application/json": {"schema": ERROR}}}
    return {
        "get": {
            "parameters": [
                {"name": p, "in": "query", "required": False, "schema": {"type": "string"}}
                for p in params
            ],
            "responses": {
                "200": {
                    "description": "the page's figures",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **{
                    str(code): {"description": why, **refused}
                    for code, why in (
                        (400, "a choice that cannot be shown"),
                        (401, "not signed in"),
                        (403, "not for this role or scope"),
                        (404, "no such thing"),
                        (422, "a choice the data cannot answer"),
                        (503, "data not yet tied to its agreement"),
                    )
                },
            },
        }
    }


SCHEMA = schemathesis.openapi.from_dict(
    {
        "openapi": "3.0.3",
        "info": {"title": "vrhub dashboard JSON", "version": "1"},
        "paths": {path: _operation(params) for path, params in PAGES.items()},
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ["analyst", "partner-leeds", "public", "admin", None]


@pytest.fixture(scope="module")
def cookies(web_home: Home, passwords: dict[str, str]) -> dict[str | None, dict[str, str]]:
    """A signed-in session cookie for one demo account of each role (and none)."""
    out: dict[str | None, dict[str, str]] = {None: {}}
    with TestClient(create_app(web_home), base_url="https://testserver") as c:
        for name in ROLES:
            if name is None:
                continue
            c.cookies.clear()
            sign_in(c, name, passwords[name])
            out[name] = dict(c.cookies.items())
    return out


@pytest.mark.parametrize("role", ROLES)
@SCHEMA.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_json_answers_hold_under_fuzzing(
    case: schemathesis.Case,
    role: str | None,
    server: str,
    cookies: dict[str | None, dict[str, str]],
) -> None:
    """Served by uvicorn in a thread, as `vrhub serve` does."""
    case.call_and_validate(base_url=server, cookies=cookies[role], checks=CHECKS)
