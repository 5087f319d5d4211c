"""The demo partnership's organisations, agreements and users: real governance to respect.

Organisations are the West Yorkshire duty holders by their public names plus two fictional
commissioned providers. The agreements follow the shape of a real information-sharing
agreement (lawful basis, purposes, audiences, retention, DPIA); their references and DPIA
numbers are made up. Each demo account gets a fresh random password, written to
``demo-accounts.txt`` in the home (mode 600), never to the repository.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from vrhub.demo.factors_justice import JUSTICE_AGREEMENTS
from vrhub.governance.context import Governance
from vrhub.governance.terms import parse_terms

ACTOR = "demo"

ORGANISATIONS = (
    ("wyvrp", "West Yorkshire Violence Reduction Partnership", "partnership"),
    ("bradford", "City of Bradford Metropolitan District Council", "council"),
    ("calderdale", "Calderdale Metropolitan Borough Council", "council"),
    ("kirklees", "Kirklees Council", "council"),
    ("leeds", "Leeds City Council", "council"),
    ("wakefield", "Wakefield Council", "council"),
    ("wyp", "West Yorkshire Police", "police"),
    ("wy-icb", "NHS West Yorkshire Integrated Care Board", "health"),
    ("wyfrs", "West Yorkshire Fire and Rescue Service", "fire"),
    ("probation-yh", "Probation Service, Yorkshire and the Humber", "probation"),
    ("wy-yjs", "West Yorkshire youth justice services", "youth-justice"),
    ("yas", "Yorkshire Ambulance Service NHS Trust", "health"),
    ("pathways-yw", "Pathways Youth Work (fictional provider)", "provider"),
    ("harbour-nav", "Harbour Hospital Navigators (fictional provider)", "provider"),
)

COUNCILS = ["bradford", "calderdale", "kirklees", "leeds", "wakefield"]
#: The agreement reviewed first; the others are reviewed a year later (their review dates
#: are moved to the next 1 April after the day the demo is built, see agreement_dates).
FIRST_REVIEW = dt.date(2026, 4, 1)
START = dt.date(2019, 4, 1)
END = dt.date(2028, 3, 31)

AGREEMENTS: tuple[dict[str, object], ...] = (
    {
        "ref": "WY-ISA-01",
        "title": "Police recorded violence for the serious violence needs assessment",
        "parties": ["wyp", "wyvrp", *COUNCILS],
        "covers": [{"dataset": "police-crime", "sources": ["west-yorkshire-police"]}],
        "lawful_basis": {
            "article6": "public-task",
            "article10": "DPA 2018 Sch 1 para 10 (preventing or detecting unlawful acts)",
        },
        "purposes": [
            "understand serious violence in the area (Serious Violence Duty needs assessment)",
            "target and evaluate interventions",
        ],
        "audiences": ["analyst", "partner", "practitioner", "public"],
        "retention_months": 84,
        "review_date": FIRST_REVIEW,
        "dpia_ref": "WYVRP-DPIA-2019-03",
    },
    {
        "ref": "WY-ISA-02",
        "title": "Emergency department assault attendances (ISTV)",
        "parties": ["wy-icb", "wyvrp", "wyp", *COUNCILS],
        "covers": [{"dataset": "ed-assault", "sources": [], "suppliers": ["wy-icb"]}],
        "lawful_basis": {
            "article6": "public-task",
            "article9": "9(2)(i) public health; DPA 2018 Sch 1 para 3",
        },
        "purposes": ["information sharing to tackle violence (ISTV)"],
        "audiences": ["analyst", "partner", "public"],
        "retention_months": 60,
        "review_date": dt.date(2027, 4, 1),
        "dpia_ref": "WYVRP-DPIA-2019-05",
    },
    {
        "ref": "WY-ISA-03",
        "title": "Hospital admissions for assault",
        "parties": ["wy-icb", "wyvrp"],
        "covers": [
            {
                "dataset": "hospital-admission",
                "sources": ["west-yorkshire-hospitals"],
                "suppliers": ["wy-icb"],
            }
        ],
        "lawful_basis": {
            "article6": "public-task",
            "article9": "9(2)(h) health or social care; DPA 2018 Sch 1 para 2",
        },
        "purposes": ["understand the health burden of serious violence"],
        "audiences": ["analyst", "partner"],
        "disclosure": {"suppress_max": 9, "round_to": 5},
        "retention_months": 60,
        "review_date": dt.date(2027, 4, 1),
        "dpia_ref": "WYVRP-DPIA-2020-01",
    },
    {
        "ref": "WY-ISA-04",
        "title": "School suspensions and exclusions, and young people not in education, "
        "employment or training",
        "parties": ["wyvrp", *COUNCILS],
        "covers": [
            {"dataset": "school-exclusion", "sources": COUNCILS, "suppliers": COUNCILS},
            {"dataset": "neet", "sources": COUNCILS, "suppliers": COUNCILS},
        ],
        "lawful_basis": {
            "article6": "public-task",
            "article9": "9(2)(g) substantial public interest; DPA 2018 Sch 1 para 18 "
            "(safeguarding of children)",
        },
        "purposes": ["understand the influential factors of serious violence (needs assessment)"],
        "audiences": ["analyst", "partner", "public"],
        "retention_months": 60,
        "review_date": dt.date(2027, 4, 1),
        "dpia_ref": "WYVRP-DPIA-2025-02",
    },
    {
        "ref": "WY-ISA-05",
        "title": "Children's social care contacts, referrals, plans and children in care",
        "parties": ["wyvrp", *COUNCILS],
        "covers": [
            {"dataset": "childrens-social-care", "sources": COUNCILS, "suppliers": COUNCILS}
        ],
        "lawful_basis": {
            "article6": "public-task",
            "article9": "9(2)(g) substantial public interest; DPA 2018 Sch 1 para 18 "
            "(safeguarding of children)",
        },
        "purposes": ["understand the influential factors of serious violence (needs assessment)"],
        "audiences": ["analyst", "partner"],
        "disclosure": {"suppress_max": 9, "round_to": 5},
        "retention_months": 60,
        "review_date": dt.date(2027, 4, 1),
        "dpia_ref": "WYVRP-DPIA-2025-03",
    },
)
AGREEMENTS += JUSTICE_AGREEMENTS

#: One account per role: (username, name, organisation, role, districts).
ACCOUNTS: tuple[tuple[str, str, str, str, list[str]], ...] = (
    ("admin", "Demo administrator", "wyvrp", "administrator", []),
    ("analyst", "Demo analyst", "wyvrp", "analyst", []),
    ("partner-leeds", "Demo partner (Leeds)", "leeds", "partner", ["E08000035"]),
    ("provider", "Demo provider", "pathways-yw", "provider", ["E08000032", "E08000035"]),
    ("practitioner", "Demo practitioner", "wy-yjs", "practitioner", ["E08000034"]),
    ("public", "Demo public viewer", "wyvrp", "public", []),
)


def agreement_dates(
    spec: dict[str, object], first_month: str | None, today: dt.date
) -> dict[str, object]:
    """The demo agreement's dates as of the day the demo is built, so the demo is sound on
    that day: it started before the first month of data, is reviewed on a 1 April still to
    come (agreements with a later review in their terms a year after that), ends no sooner
    than two years after today, and keeps data long enough that no month of the demo is past
    its retention (the terms' retention, lengthened in whole years when the data reach
    further back)."""
    first = None if first_month is None else dt.date(int(first_month[:4]), int(first_month[5:7]), 1)
    start = START if first is None else min(START, first)
    review = dt.date(today.year if today < dt.date(today.year, 4, 1) else today.year + 1, 4, 1)
    if isinstance(spec.get("review_date"), dt.date) and spec["review_date"] != FIRST_REVIEW:
        review = review.replace(year=review.year + 1)
    end = max(END, dt.date(today.year + 2, 3, 31))
    retention = int(str(spec.get("retention_months", 0)))
    if first is not None and retention:
        held = (today.year - first.year) * 12 + today.month - first.month + 1
        while retention <= held:
            retention += 12
    return {"start_date": start, "end_date": end, "review_date": review} | (
        {"retention_months": retention} if retention else {}
    )


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str


def setup_demo_governance(
    gov: Governance, first_month: str | None = None, today: dt.date | None = None
) -> list[DemoAccount]:
    """Create the demo organisations, agreements and accounts (once; later runs keep them).

    ``first_month`` is the demo data's first month: the agreements keep it within their
    retention on the day (``today``) the demo is built (see :func:`agreement_dates`)."""
    today = today or dt.date.today()
    known = {o.code for o in gov.people.organisations()}
    for code, name, kind in ORGANISATIONS:
        if code not in known:
            gov.people.add_organisation(code, name, kind, ACTOR)
    current = {a.ref for a in gov.register.current()}
    for spec in AGREEMENTS:
        if spec["ref"] in current:
            continue
        terms = parse_terms(
            {**spec, **agreement_dates(spec, first_month, today), "status": "active"},
            f"demo agreement {spec['ref']}",
        )
        gov.register.create(terms, ACTOR, note="demo partnership agreement")
    existing = {u.username for u in gov.people.users()}
    made = []
    for username, name, org, role, districts in ACCOUNTS:
        if username in existing:
            continue
        password = secrets.token_urlsafe(12)
        gov.people.add_user(username, name, org, role, districts, password, ACTOR)
        made.append(DemoAccount(username, role, password))
    if made:
        _write_accounts(gov.home.path / "demo-accounts.txt", made)
    return made


def _write_accounts(path: Path, accounts: list[DemoAccount]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# Demo accounts for this home only (one per role). Keep this file private.\n")
        for a in accounts:
            fh.write(f"{a.username}\t{a.role}\t{a.password}\n")
    os.chmod(path, 0o600)
