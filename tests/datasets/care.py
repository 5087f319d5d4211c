"""Helpers for the education and care dataset tests: an agreement covering the three
standards, files written from rows, and what the analytical store then holds."""

from __future__ import annotations

from pathlib import Path

from tests.datasets.shared import grant_agreement, problems, query, store_text, write_rows
from tests.datasets.shared import ingest as shared_ingest
from vrhub.home import Home
from vrhub.ingest.load import IngestResult

EDUCATION_AND_CARE = ("school-exclusion", "neet", "childrens-social-care")
#: A Leeds LSOA by its 2011 code and a Leeds LSOA by its 2021 code.
LEEDS_2011 = "E01011264"
LEEDS_2021 = "E01033008"
#: A Bradford LSOA (2011 code).
BRADFORD_2011 = "E01010568"


def grant_care_agreement(home: Home) -> None:
    """One active agreement covering the three standards, sent by a test council."""
    grant_agreement(
        home,
        "TEST-ISA-CARE",
        "Test agreement for education and children's social care extracts",
        ("test-council", "Test council", "council"),
        EDUCATION_AND_CARE,
        {"article9": "9(2)(g) substantial public interest; DPA 2018 Sch 1 para 18"},
    )


def ingest(home: Home, name: str, path: Path) -> IngestResult:
    return shared_ingest(home, name, path, "test-council")


__all__ = ["problems", "query", "store_text", "write_rows"]
