"""Helpers for governance tests: organisations and agreement terms built in code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vrhub.governance.context import Governance

ORGS = (
    ("wyp", "West Yorkshire Police", "police"),
    ("icb", "NHS West Yorkshire ICB", "health"),
    ("vrp", "West Yorkshire VRP", "partnership"),
    ("leeds", "Leeds City Council", "council"),
)


def add_orgs(gov: Governance) -> None:
    for code, name, kind in ORGS:
        gov.people.add_organisation(code, name, kind, "test")


def police_terms(**changes: Any) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "ref": "DSA-POLICE",
        "title": "Police recorded violence",
        "parties": ["wyp", "vrp"],
        "covers": [{"dataset": "police-crime", "sources": ["wyp"]}],
        "lawful_basis": {"article6": "public-task", "article10": "DPA 2018 Sch 1 para 10"},
        "purposes": ["needs assessment"],
        "audiences": ["analyst", "partner", "public"],
        "retention_months": 84,
        "start_date": dt.date(2020, 1, 1),
        "status": "active",
    }
    terms.update(changes)
    return terms


def hospital_terms(**changes: Any) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "ref": "DSA-HOSPITAL",
        "title": "Hospital admissions for assault",
        "parties": ["icb", "vrp"],
        "covers": [{"dataset": "hospital-admission"}],
        "lawful_basis": {"article6": "public-task", "article9": "9(2)(h)"},
        "purposes": ["health burden"],
        "audiences": ["analyst", "partner"],
        "disclosure": {"suppress_max": 9, "round_to": 10},
        "retention_months": 60,
        "start_date": dt.date(2020, 1, 1),
        "status": "active",
    }
    terms.update(changes)
    return terms
